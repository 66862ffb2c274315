"""The retention pages and commands: coordinators decide, auditors see record numbers only."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from offramp.accounts.models import User
from offramp.people.models import Person
from offramp.retention.models import RetentionReview, ReviewStatus
from offramp.retention.services import retention_scan
from tests.conftest import signed_in
from tests.retention.conftest import MakePerson, years_after


@pytest.fixture
def review(closed_nfa: MakePerson, today: datetime.date) -> RetentionReview:
    person = closed_nfa()
    retention_scan(today=years_after(today, 2))
    return RetentionReview.objects.get(subject_id=person.pk)


def test_the_coordinator_sees_the_queue_with_names(
    review: RetentionReview, coordinator: User
) -> None:
    page = signed_in(coordinator).get(reverse("retention:queue"))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Dale Cooper" in content
    assert reverse("retention:review", args=[review.pk]) in content


def test_the_auditor_sees_record_numbers_but_no_names(
    review: RetentionReview, auditor: User
) -> None:
    page = signed_in(auditor).get(reverse("retention:queue"), {"status": "due"})
    assert page.status_code == 200
    content = page.content.decode()
    assert f">{review.subject_id}<" in content
    assert "Cooper" not in content
    assert signed_in(auditor).get(reverse("retention:review", args=[review.pk])).status_code == 403


@pytest.mark.parametrize("persona", ["school_dsl", "health_panel_member", "analyst"])
def test_practitioners_panel_members_and_analysts_cannot_reach_retention(
    review: RetentionReview, persona: str, request: pytest.FixtureRequest
) -> None:
    client = signed_in(request.getfixturevalue(persona))
    for url in (
        reverse("retention:queue"),
        reverse("retention:review", args=[review.pk]),
        reverse("retention:dispose", args=[review.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert (
        client.post(reverse("retention:dispose", args=[review.pk]), {"confirm": "yes"}).status_code
        == 403
    )
    assert Person.objects.filter(pk=review.subject_id).exists()


def test_keeping_records_from_the_review_page(
    review: RetentionReview, coordinator: User, today: datetime.date
) -> None:
    client = signed_in(coordinator)
    url = reverse("retention:retain", args=[review.pk])
    missing = client.post(url, {"reason": "", "until_0": "", "until_1": "", "until_2": ""})
    assert missing.status_code == 200
    assert "Enter why the records are still needed" in missing.content.decode()
    until = years_after(today, 4)
    done = client.post(
        url,
        {
            "reason": "Linked to an open investigation",
            "until_0": until.day,
            "until_1": until.month,
            "until_2": until.year,
        },
    )
    assert done.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.next_review_on) == (ReviewStatus.RETAINED, until)


def test_disposal_asks_for_confirmation_first(
    review: RetentionReview,
    coordinator: User,
    today: datetime.date,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The page decides "today" from the clock: stand on the day the review fell due.
    real = timezone.localdate

    def localdate(value: datetime.datetime | None = None, *args: object) -> datetime.date:
        return review.due_on if value is None else real(value)

    monkeypatch.setattr(timezone, "localdate", localdate)
    client = signed_in(coordinator)
    url = reverse("retention:dispose", args=[review.pk])
    confirm_page = client.get(url)
    assert confirm_page.status_code == 200
    assert "Are you sure" in confirm_page.content.decode()
    unconfirmed = client.post(url, {})
    assert unconfirmed.status_code == 200
    assert "Confirm that the record is no longer needed" in unconfirmed.content.decode()
    assert Person.objects.filter(pk=review.subject_id).exists()
    done = client.post(url, {"confirm": "yes"})
    assert done.status_code == 302
    assert not Person.objects.filter(pk=review.subject_id).exists()
    review.refresh_from_db()
    assert review.status == ReviewStatus.DISPOSED


def test_the_commands_scan_and_list_without_names(
    closed_nfa: MakePerson, today: datetime.date
) -> None:
    person = closed_nfa()
    out = io.StringIO()
    call_command(
        "retention",
        "scan",
        "--today",
        years_after(today, 2).isoformat(),
        "--no-progress",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "1 due for review (1 new" in out.getvalue()
    listed = io.StringIO()
    call_command("retention", "due", stdout=listed)
    assert f"record {person.pk}\tdue {years_after(today, 2):%Y-%m-%d}" in listed.getvalue()
    assert "Cooper" not in out.getvalue() + listed.getvalue()
