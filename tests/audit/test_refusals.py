"""Issue 12: a refused request (403 for lacking a capability, 404 for a record out of scope)
leaves a content-free entry in the hash-chained log, through the pages and the API alike, and
one user's burst of refusals raises one sweep alert that auditors see."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from offramp.accounts.models import User
from offramp.audit.models import AuditAction, AuditEntry, SweepAlert
from offramp.referrals.models import Referral
from tests.accounts.clock import Clock
from tests.api.test_api import api_client
from tests.audit.conftest import verify
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def refusals() -> list[tuple[object, ...]]:
    return list(
        AuditEntry.objects.filter(action=AuditAction.REFUSAL)
        .order_by("sequence")
        .values_list("actor_username", "object_type", "object_id", "purpose", "channel")
    )


@pytest.fixture
def sweep_of_three(settings: pytest.FixtureRequest) -> None:
    settings.OFFRAMP_SWEEP_REFUSALS = 3  # type: ignore[attr-defined]
    settings.OFFRAMP_SWEEP_SECONDS = 600  # type: ignore[attr-defined]


def test_refused_pages_and_api_calls_are_logged_with_route_and_id_only(
    school_dsl: User, other_referral: Referral
) -> None:
    hidden = other_referral.pk  # another school's referral: out of the DSL's scope
    pages, api = signed_in(school_dsl), api_client(school_dsl)
    person = other_referral.person_id
    assert pages.get(reverse("web:referral-detail", args=[hidden])).status_code == 404
    assert api.get(f"/api/v1/referrals/{hidden}").status_code == 404
    assert pages.get(reverse("web:person-access-log", args=[person])).status_code == 403
    assert api.get(f"/api/v1/people/{person}/access-log").status_code == 403
    assert refusals() == [
        ("dsl", "web:referral-detail", f"pk={hidden}", "refused 404", "page"),
        ("dsl", "api:get_referral", f"referral_id={hidden}", "refused 404", "api"),
        ("dsl", "web:person-access-log", f"pk={person}", "refused 403", "page"),
        ("dsl", "api:get_access_log", f"person_id={person}", "refused 403", "api"),
    ]
    logged = repr(list(AuditEntry.objects.filter(action=AuditAction.REFUSAL).values()))
    for detail in (
        other_referral.subject_given_name,
        other_referral.subject_family_name,
        other_referral.concern,
        other_referral.reference,
    ):
        assert detail not in logged
    assert not AuditEntry.objects.filter(action=AuditAction.REFUSAL, person_id__isnull=False)
    assert verify()[0] == 0


def test_a_signed_in_users_404_on_an_unknown_address_is_logged_without_the_address(
    school_dsl: User,
) -> None:
    assert signed_in(school_dsl).get("/people/Kieran-Doyle/").status_code == 404
    assert refusals() == [("dsl", "unknown address", "", "refused 404", "page")]


def test_anonymous_404s_on_addresses_without_an_id_are_not_chained(db: None) -> None:
    client = Client()
    assert client.get("/wp-login.php").status_code == 404
    assert client.get("/api/v1/no-such-thing").status_code == 404
    assert not refusals()


def test_a_burst_of_refusals_raises_one_alert_naming_the_user_and_counts(
    school_dsl: User, coordinator: User, other_referral: Referral, sweep_of_three: None
) -> None:
    api = api_client(school_dsl)
    for referral_id in range(other_referral.pk, other_referral.pk + 10):
        assert api.get(f"/api/v1/referrals/{referral_id}").status_code == 404
    assert api.get(f"/api/v1/people/{other_referral.person_id}/access-log").status_code == 403
    # Two refusals are not a sweep.
    for _ in range(2):
        assert api_client(coordinator).get("/api/v1/referrals/999999").status_code == 404

    alert = SweepAlert.objects.get()
    assert (alert.actor_username, alert.refusals, alert.not_found, alert.forbidden) == (
        "dsl",
        11,
        10,
        1,
    )
    assert alert.actor_agency == school_dsl.agency.name


def test_a_new_burst_after_a_quiet_window_raises_a_second_alert(
    school_dsl: User, sweep_of_three: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch, timezone.now())
    api = api_client(school_dsl)
    for _ in range(5):
        api.get("/api/v1/referrals/999999")
        clock.advance(seconds=30)
    clock.advance(seconds=601)
    for _ in range(4):
        api.get("/api/v1/referrals/999999")
    assert list(SweepAlert.objects.order_by("raised_at").values_list("refusals", flat=True)) == [
        5,
        4,
    ]


def test_auditors_see_sweep_alerts_on_their_home_page_and_the_command_line(
    school_dsl: User, auditor: User, coordinator: User, sweep_of_three: None
) -> None:
    api = api_client(school_dsl)
    for _ in range(4):
        api.get("/api/v1/referrals/999999")
    home = signed_in(auditor).get(reverse("web:dashboard")).content.decode()
    assert "Possible record sweeps" in home
    assert "dsl" in home
    assert (
        "Possible record sweeps"
        not in signed_in(coordinator).get(reverse("web:dashboard")).content.decode()
    )
    out = io.StringIO()
    call_command("audit", "sweeps", stdout=out)
    assert "dsl" in out.getvalue()
    assert "4 refusals (4 not found, 0 forbidden)" in out.getvalue()
