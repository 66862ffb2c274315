"""The candidates pages, the API and the `offramp screen` command."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from offramp.accounts.models import User
from offramp.audit.models import AuditAction, AuditEntry
from offramp.people.models import Person
from offramp.referrals.models import Referral
from offramp.screening.models import CandidateDecision
from tests.access.test_permission_matrix import token_client
from tests.conftest import signed_in

from .conftest import Screen

pytestmark = pytest.mark.django_db

LIST = reverse("screening:candidate-list")


def consulted(user: User, person: Person) -> bool:
    return AuditEntry.objects.filter(
        action=AuditAction.CONSULTATION, actor_id=user.pk, person_id=person.pk
    ).exists()


def test_the_coordinator_sees_candidates_with_their_evidence_logged_as_consulted(
    screen: Screen, coordinator: User, kyle: Person, leah: Person
) -> None:
    screen()
    page = signed_in(coordinator).get(LIST)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Kyle Brennan" in text and "Leah Okoro" in text
    assert "3 criminal sanctions recorded for offences before the age of 18" in text
    assert "Early prolific offending" in text and "¶2.7" in text and "Hartmoor Police" in text
    assert consulted(coordinator, kyle) and consulted(coordinator, leah)


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"factor": "sense_of_belonging"}, "Leah Okoro", "Kyle Brennan"),
        ({"category": "criminality"}, "Kyle Brennan", "Leah Okoro"),
        ({"area": "Castleton"}, "Kyle Brennan", "Leah Okoro"),
    ],
)
def test_the_list_filters_by_factor_category_and_area(
    screen: Screen, coordinator: User, query: dict[str, str], shown: str, hidden: str
) -> None:
    screen()
    text = signed_in(coordinator).get(LIST, query).content.decode()
    assert shown in text and hidden not in text


def test_a_candidate_page_shows_the_guide_and_the_decisions(
    screen: Screen, coordinator: User, leah: Person
) -> None:
    screen()
    page = signed_in(coordinator).get(reverse("screening:candidate", args=[leah.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Looked after by the local authority" in text
    assert "Looked After Children or children and young people known to social care" in text
    assert "Open a referral" in text and "Not now" in text


def test_open_a_referral_from_the_page(screen: Screen, coordinator: User, kyle: Person) -> None:
    screen()
    client = signed_in(coordinator)
    url = reverse("screening:candidate-refer", args=[kyle.pk])
    form = client.get(url).content.decode()
    assert "Found by screening partner records" in form  # the evidence, as the concern
    response = client.post(
        url, {"concern": "Three cautions before 18.", "factor_ids": ["early_prolific_offending"]}
    )
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:referral-detail", args=[referral.pk])
    assert referral.person == kyle


def test_open_a_referral_needs_a_factor_and_changes_nothing_without(
    screen: Screen, coordinator: User, kyle: Person
) -> None:
    screen()
    url = reverse("screening:candidate-refer", args=[kyle.pk])
    response = signed_in(coordinator).post(url, {"concern": "Worried"})
    assert response.status_code == 200
    assert "Tick at least one factor the evidence is for" in response.content.decode()
    assert not Referral.objects.exists()


def test_not_now_from_the_page(screen: Screen, coordinator: User, kyle: Person) -> None:
    screen()
    client = signed_in(coordinator)
    response = client.post(
        reverse("screening:candidate-not-now", args=[kyle.pk]), {"reason": "Known to YOS"}
    )
    assert response.status_code == 302
    assert CandidateDecision.objects.get().reason == "Known to YOS"
    listed = client.get(LIST).content.decode()
    assert reverse("screening:candidate", args=[kyle.pk]) not in listed


@pytest.mark.parametrize("persona", ["school_dsl", "health_panel_member", "analyst"])
def test_other_roles_are_refused_the_pages_and_the_api(
    screen: Screen, persona: str, request: pytest.FixtureRequest, kyle: Person
) -> None:
    screen()
    user: User = request.getfixturevalue(persona)
    client = signed_in(user)
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("screening:candidate", args=[kyle.pk])).status_code == 403
    post = client.post(reverse("screening:candidate-not-now", args=[kyle.pk]), {"reason": "x"})
    assert post.status_code == 403
    api = token_client(user)
    assert api.get("/api/v1/screening/candidates").status_code == 403
    decided = api.post(
        f"/api/v1/screening/candidates/{kyle.pk}/decision",
        data=json.dumps({"decision": "refer"}),
        content_type="application/json",
    )
    assert decided.status_code == 403
    assert not CandidateDecision.objects.exists() and not Referral.objects.exists()


def test_the_api_lists_candidates_and_records_a_referral(
    screen: Screen, coordinator: User, kyle: Person, leah: Person
) -> None:
    screen()
    api = token_client(coordinator)
    listed = api.get("/api/v1/screening/candidates", {"factor_id": "early_prolific_offending"})
    assert listed.status_code == 200
    (candidate,) = listed.json()
    assert candidate["person_id"] == kyle.pk
    (evidence,) = candidate["evidence"]
    assert evidence["rule_id"] == "three_sanctions_before_18"
    assert evidence["guide_paragraphs"] == ["2.7"]
    assert evidence["source_agencies"] == ["Hartmoor Police"]
    assert consulted(coordinator, kyle)
    decided = api.post(
        f"/api/v1/screening/candidates/{kyle.pk}/decision",
        data=json.dumps({"decision": "refer"}),
        content_type="application/json",
    )
    assert decided.status_code == 201
    referral = Referral.objects.get()
    assert decided.json()["referral_reference"] == referral.reference
    assert "three_sanctions" not in referral.concern
    assert "3 criminal sanctions recorded" in referral.concern
    assert [f.factor_id for f in referral.factors.all()] == ["early_prolific_offending"]
    again = api.get(f"/api/v1/screening/candidates/{kyle.pk}").json()
    assert again["listed"] is False


def test_the_api_refuses_not_now_without_a_reason(
    screen: Screen, coordinator: User, leah: Person
) -> None:
    screen()
    response = token_client(coordinator).post(
        f"/api/v1/screening/candidates/{leah.pk}/decision",
        data=json.dumps({"decision": "not_now"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "reason" in response.json()["errors"]
    assert not CandidateDecision.objects.exists()


def test_the_api_answers_404_for_someone_with_no_evidence(
    screen: Screen, coordinator: User, dsl_referral: Referral
) -> None:
    screen()
    api = token_client(coordinator)
    assert api.get(f"/api/v1/screening/candidates/{dsl_referral.person_id}").status_code == 404


def test_the_command_screens_and_prints_counts_never_names(
    coordinator: User, kyle: Person, leah: Person, partnership_agreement: object
) -> None:
    out, err = StringIO(), StringIO()
    call_command(
        "screen", "--user", coordinator.username, "--today", "2026-11-01", stdout=out, stderr=err
    )
    text = out.getvalue()
    assert "2 findings about 2 people" in text
    assert "early_prolific_offending\t1" in text and "sense_of_belonging\t1" in text
    assert "Kyle" not in text and "Brennan" not in text
    assert "Screening partner records" in err.getvalue()
    assert CandidateDecision.objects.count() == 0 and Referral.objects.count() == 0


def test_the_command_refuses_a_user_who_may_not_screen(school_dsl: User) -> None:
    with pytest.raises(CommandError, match="does not allow you to see the candidates"):
        call_command("screen", "--user", school_dsl.username)
    with pytest.raises(CommandError, match="No active user called 'nobody'"):
        call_command("screen", "--user", "nobody")


def test_a_candidate_with_an_open_referral_is_not_offered_another(
    screen: Screen, coordinator: User, kyle: Person
) -> None:
    screen()
    client = signed_in(coordinator)
    client.post(
        reverse("screening:candidate-refer", args=[kyle.pk]),
        {"concern": "Three cautions before 18.", "factor_ids": ["early_prolific_offending"]},
    )
    page = client.get(reverse("screening:candidate", args=[kyle.pk])).content.decode()
    assert "This person already has an open referral" in page
    assert reverse("screening:candidate-refer", args=[kyle.pk]) not in page
    assert "Referral opened by Priya Shah (referral" in page
    again = client.post(
        reverse("screening:candidate-refer", args=[kyle.pk]),
        {"concern": "Again", "factor_ids": ["early_prolific_offending"]},
    )
    assert "This person already has an open referral" in again.content.decode()
    assert Referral.objects.count() == 1
