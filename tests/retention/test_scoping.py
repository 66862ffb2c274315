"""Retention is a side door like any other (issue 12, leak 4): a coordinator sees and decides
only reviews of people they may see; the auditor and the command line see no content at all."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from offramp.accounts.models import User
from offramp.people.models import Person
from offramp.people.services import PersonDetails, person_create
from offramp.retention.models import RetentionReview, ReviewStatus
from offramp.retention.selectors import current_schedule
from offramp.retention.services import retention_dispose, retention_retain
from tests.conftest import signed_in

RULE = "child_records"


def _due_review(person: Person) -> RetentionReview:
    return RetentionReview.objects.create(
        person=person,
        subject_id=person.pk,
        due_on=timezone.localdate(),
        rule_id=RULE,
        schedule_version="test",
    )


@pytest.fixture
def hidden_review(police_coordinator: User) -> RetentionReview:
    """A review of a person the police recorded and have shared with nobody."""
    person = person_create(
        actor=police_coordinator,
        details=PersonDetails(
            given_name="Kieran", family_name="Doyle", date_of_birth=datetime.date(2009, 6, 14)
        ),
    )
    return _due_review(person)


def _rule_name() -> str:
    rule = current_schedule().rule(RULE)
    assert rule is not None
    return rule.name


def test_the_queue_leaves_out_reviews_of_people_the_coordinator_may_not_see(
    hidden_review: RetentionReview, coordinator: User
) -> None:
    for status in ("", ReviewStatus.DUE):
        page = signed_in(coordinator).get(reverse("retention:queue"), {"status": status})
        assert page.status_code == 200
        content = page.content.decode()
        assert "Doyle" not in content
        assert "14 June 2009" not in content
        assert reverse("retention:review", args=[hidden_review.pk]) not in content
        assert f">{hidden_review.subject_id}<" not in content


def test_review_and_decision_pages_of_a_hidden_person_answer_404_and_change_nothing(
    hidden_review: RetentionReview, coordinator: User
) -> None:
    client = signed_in(coordinator)
    pk = hidden_review.pk
    assert client.get(reverse("retention:review", args=[pk])).status_code == 404
    assert client.get(reverse("retention:dispose", args=[pk])).status_code == 404
    assert (
        client.post(reverse("retention:dispose", args=[pk]), {"confirm": "yes"}).status_code == 404
    )
    until = timezone.localdate() + datetime.timedelta(days=400)
    kept = client.post(
        reverse("retention:retain", args=[pk]),
        {"reason": "Mine now", "until_0": until.day, "until_1": until.month, "until_2": until.year},
    )
    assert kept.status_code == 404
    hidden_review.refresh_from_db()
    assert hidden_review.status == ReviewStatus.DUE
    assert Person.objects.filter(pk=hidden_review.subject_id).exists()


def test_the_services_refuse_to_decide_about_a_hidden_person(
    hidden_review: RetentionReview, coordinator: User
) -> None:
    with pytest.raises(PermissionDenied):
        retention_dispose(review=hidden_review, actor=coordinator)
    with pytest.raises(PermissionDenied):
        retention_retain(
            review=hidden_review,
            actor=coordinator,
            reason="Mine now",
            until=timezone.localdate() + datetime.timedelta(days=400),
        )
    hidden_review.refresh_from_db()
    assert hidden_review.status == ReviewStatus.DUE
    assert Person.objects.filter(pk=hidden_review.subject_id).exists()


def test_the_agency_that_holds_the_record_reviews_it(
    hidden_review: RetentionReview, police_coordinator: User
) -> None:
    client = signed_in(police_coordinator)
    assert "Doyle" in client.get(reverse("retention:queue")).content.decode()
    page = client.get(reverse("retention:review", args=[hidden_review.pk]))
    assert page.status_code == 200
    assert "Kieran Doyle" in page.content.decode()


def test_the_auditor_sees_record_numbers_and_dates_but_neither_names_nor_rules(
    hidden_review: RetentionReview, auditor: User
) -> None:
    client = signed_in(auditor)
    page = client.get(reverse("retention:queue"), {"status": "due"})
    assert page.status_code == 200
    content = page.content.decode()
    assert f">{hidden_review.subject_id}<" in content
    assert "Doyle" not in content
    # The rule a record falls under grades it (a child, a possible victim, a concern).
    assert _rule_name() not in content
    assert 'name="rule_id"' not in content
    filtered = client.get(reverse("retention:queue"), {"status": "due", "rule_id": "any_record"})
    assert f">{hidden_review.subject_id}<" in filtered.content.decode()
    assert client.get(reverse("retention:review", args=[hidden_review.pk])).status_code == 403


def test_the_due_command_lists_record_numbers_and_dates_only(
    hidden_review: RetentionReview,
) -> None:
    out = io.StringIO()
    call_command("retention", "due", stdout=out)
    printed = out.getvalue()
    assert f"record {hidden_review.subject_id}" in printed
    assert f"{hidden_review.due_on:%Y-%m-%d}" in printed
    assert _rule_name() not in printed
    assert "Doyle" not in printed
