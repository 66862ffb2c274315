"""Retention: finding the reviews that are due, and a coordinator's decision on each.

A review is a queue item, not a decision: the scan creates it when the schedule says a person's
records are due, and only a coordinator keeps them (with a reason and a next review date) or
disposes of them. Disposal removes the person and everything held about them, keeping an
anonymous DisposalRecord, the area's aggregate counts and the access log's erasure entry.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from offramp.access.permissions import Capability, require_capability
from offramp.access.scoping import retention_reviews_visible_to
from offramp.accounts.models import User
from offramp.audit.models import AuditAction
from offramp.audit.services import AuditObject, audit_record
from offramp.dates import add_years
from offramp.people.models import Person
from offramp.referrals.models import Referral
from offramp.transitions import move

from .disposal import carry_out, plan_disposal
from .models import (
    RETENTION_MOVES,
    DisposalRecord,
    DisposedAggregate,
    RetentionReview,
    ReviewStatus,
)
from .schedule import Due, PersonFacts
from .selectors import current_schedule, person_facts, retained_until

REASON_MAX = 2000
LONGEST_RETENTION_YEARS = 10


@dataclass(frozen=True)
class ScanResult:
    people: int
    created: int
    updated: int
    withdrawn: int
    due: int


def due_for(facts: PersonFacts, *, kept_until: datetime.date | None) -> Due | None:
    """The schedule's date, pushed back to any date a coordinator chose when keeping them."""
    due = current_schedule().due(facts)
    if due is not None and kept_until is not None and kept_until > due.due_on:
        due = Due(due.rule, kept_until)
    return due


def retention_scan(
    *, today: datetime.date, progress: Callable[[int], None] | None = None
) -> ScanResult:
    """Creates or updates a review for everyone whose records are due on or before `today`.

    Idempotent: running it twice the same day changes nothing. A review still waiting for a
    decision is withdrawn if the person is no longer due (new activity restarted the clock).
    """
    schedule = current_schedule()
    kept = retained_until()
    open_reviews = {
        review.subject_id: review
        for review in RetentionReview.objects.filter(status=ReviewStatus.DUE)
    }
    created = updated = withdrawn = due_count = people = 0
    with transaction.atomic():
        for facts in person_facts():
            people += 1
            if progress is not None:
                progress(1)
            due = due_for(facts, kept_until=kept.get(facts.person_id))
            review = open_reviews.get(facts.person_id)
            if due is None or due.due_on > today:
                if review is not None:
                    review.delete()
                    withdrawn += 1
                continue
            due_count += 1
            if review is None:
                RetentionReview.objects.create(
                    person_id=facts.person_id,
                    subject_id=facts.person_id,
                    due_on=due.due_on,
                    rule_id=due.rule.id,
                    schedule_version=schedule.version,
                )
                created += 1
            elif (review.due_on, review.rule_id, review.schedule_version) != (
                due.due_on,
                due.rule.id,
                schedule.version,
            ):
                review.due_on, review.rule_id = due.due_on, due.rule.id
                review.schedule_version = schedule.version
                review.save(update_fields=["due_on", "rule_id", "schedule_version"])
                updated += 1
    return ScanResult(people, created, updated, withdrawn, due_count)


def _still_due(review: RetentionReview, today: datetime.date) -> None:
    """Refuses a decision on a review the schedule no longer considers due."""
    if not review.awaits_decision:
        raise ValidationError("This review has already been decided")
    facts = next(iter(person_facts([review.subject_id])), None)
    if facts is None:
        raise ValidationError("This record no longer exists")
    if facts.open_work:
        raise ValidationError(
            "This person has an open referral or assessment: their records cannot be "
            "disposed of until it is closed"
        )
    due = due_for(facts, kept_until=retained_until().get(review.subject_id))
    if due is None or due.due_on > today:
        raise ValidationError(
            "There has been activity on this record since the review fell due: it is no "
            "longer due. Run the retention scan again."
        )


def _require_decider(actor: User, review: RetentionReview) -> None:
    """A coordinator decides only about the records of people they may see."""
    require_capability(actor, Capability.DECIDE_RETENTION)
    if not retention_reviews_visible_to(actor).filter(pk=review.pk).exists():
        raise PermissionDenied("You may not decide about this record.")


def _move(review: RetentionReview, target: ReviewStatus) -> None:
    move(review, machine=RETENTION_MOVES, target=target, what=f"Retention review {review.pk}")


def _locked(review: RetentionReview) -> RetentionReview:
    return RetentionReview.objects.select_for_update().get(pk=review.pk)


def retention_retain(
    *,
    review: RetentionReview,
    actor: User,
    reason: str,
    until: datetime.date,
    today: datetime.date | None = None,
) -> RetentionReview:
    """Keeps a person's records until `until`, when they are reviewed again."""
    _require_decider(actor, review)
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    reason = reason.strip()
    if not reason:
        errors["reason"] = "Enter why the records are still needed"
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"The reason must be {REASON_MAX} characters or fewer"
    latest = add_years(today, LONGEST_RETENTION_YEARS)
    if until <= today:
        errors["until"] = "The next review date must be in the future"
    elif until > latest:
        errors["until"] = (
            f"The next review date must be within {LONGEST_RETENTION_YEARS} years: "
            "review the records again then"
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        review = _locked(review)
        if not review.awaits_decision:
            raise ValidationError("This review has already been decided")
        _move(review, ReviewStatus.RETAINED)
        review.decided_by = actor
        review.decided_at = timezone.now()
        review.reason = reason
        review.next_review_on = until
        review.save(
            update_fields=["status", "decided_by", "decided_at", "reason", "next_review_on"]
        )
        audit_record(
            action=AuditAction.ALTERATION,
            actor=actor,
            subject=review,
            person=review.subject_id,
            purpose="retention review",
        )
    return review


def _count_aggregates(person_id: int) -> None:
    """Adds the person's referrals to the anonymous counts that outlive them."""
    rows = Referral.objects.filter(person_id=person_id).values_list(
        "received_at", "referring_agency__kind", "status", "closure_reason"
    )
    for received_at, kind, status, reason in rows:
        key: dict[str, Any] = {
            "year": timezone.localdate(received_at).year,
            "agency_kind": kind,
            "final_status": status,
            "closure_reason": reason,
        }
        aggregate, _ = DisposedAggregate.objects.select_for_update().get_or_create(**key)
        DisposedAggregate.objects.filter(pk=aggregate.pk).update(count=F("count") + 1)


def retention_dispose(
    *, review: RetentionReview, actor: User, today: datetime.date | None = None
) -> DisposalRecord:
    """Removes the person and everything held about them, in one transaction with its log."""
    _require_decider(actor, review)
    today = today or timezone.localdate()
    with transaction.atomic():
        review = _locked(review)
        _still_due(review, today)
        person_id = review.subject_id
        Person.objects.select_for_update().get(pk=person_id)
        _count_aggregates(person_id)
        removed = carry_out(plan_disposal(person_id))
        now = timezone.now()
        _move(review, ReviewStatus.DISPOSED)
        # An update, not a save: the person the in-memory review points to is gone.
        RetentionReview.objects.filter(pk=review.pk).update(
            status=review.status, decided_by=actor, decided_at=now, reason=""
        )
        record = DisposalRecord.objects.create(
            review_id=review.pk,
            subject_id=person_id,
            disposed_at=now,
            rule_id=review.rule_id,
            schedule_version=review.schedule_version,
            removed=removed,
            decided_by_id=actor.pk,
        )
        audit_record(
            action=AuditAction.ERASURE,
            actor=actor,
            subject=AuditObject("person", person_id, person_id=person_id),
            purpose="retention disposal",
        )
    return record
