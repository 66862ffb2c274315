"""Reads for retention: the schedule in force, what the schedule needs about each person, and
the review queue as each role may see it (offramp.access.scoping decides which reviews)."""

import datetime
import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Max, QuerySet
from django.utils import timezone

from offramp.access.scoping import records_for_retention_schedule, retention_reviews_visible_to
from offramp.accounts.models import User
from offramp.assessments.models import (
    AssessmentStatus,
    OverallConcern,
)
from offramp.referrals.models import ClosureReason, ReferralStatus

from .models import RetentionReview, ReviewStatus
from .schedule import PersonFacts, Schedule, load_schedule

OPEN_REFERRAL = (ReferralStatus.RECEIVED, ReferralStatus.SCREENING, ReferralStatus.ASSESSMENT)
VOCABULARY = {
    "assessment_concern": frozenset(OverallConcern.values),
    "referral_closure": frozenset(ClosureReason.values),
    "referral_status": frozenset(ReferralStatus.values),
}


@functools.lru_cache(maxsize=4)
def _load(path: str) -> Schedule:
    return load_schedule(path or None, vocabulary=VOCABULARY)


def current_schedule() -> Schedule:
    """The schedule in force: OFFRAMP_RETENTION_SCHEDULE, or the bundled one."""
    configured = getattr(settings, "OFFRAMP_RETENTION_SCHEDULE", None)
    return _load(str(Path(configured)) if configured else "")


def _day(value: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(value) if value is not None else None


def _latest(*days: datetime.date | None) -> datetime.date | None:
    present = [day for day in days if day is not None]
    return max(present) if present else None


def _max_by_person(
    rows: Iterable[tuple[int, datetime.datetime | None]],
) -> dict[int, datetime.date]:
    found: dict[int, datetime.date] = {}
    for person_id, when in rows:
        day = _day(when)
        if day is not None and (person_id not in found or day > found[person_id]):
            found[person_id] = day
    return found


def person_facts(person_ids: Iterable[int] | None = None) -> Iterator[PersonFacts]:
    """PersonFacts for the given people (everyone by default), a handful of queries in all.

    Last activity is the latest referral received or changing status, assessment started,
    judgement recorded or completed, and timeline event. Being viewed is not activity.
    """
    records = records_for_retention_schedule()
    people = records.people
    referrals = records.referrals
    assessments = records.assessments
    events = records.events
    judgements = records.judgements
    if person_ids is not None:
        ids = list(person_ids)
        people = people.filter(pk__in=ids)
        referrals = referrals.filter(person_id__in=ids)
        assessments = assessments.filter(person_id__in=ids)
        events = events.filter(person_id__in=ids)
        judgements = judgements.filter(assessment__person_id__in=ids)

    activity: dict[int, list[datetime.date | None]] = defaultdict(list)
    for source in (
        events.values("person_id")
        .annotate(last=Max("occurred_at"))
        .values_list("person_id", "last"),
        judgements.values("assessment__person_id")
        .annotate(last=Max("recorded_at"))
        .values_list("assessment__person_id", "last"),
    ):
        for person_id, day in _max_by_person(source).items():
            activity[person_id].append(day)

    open_work: set[int] = set(
        assessments.filter(status=AssessmentStatus.IN_PROGRESS).values_list("person_id", flat=True)
    )
    concerns: dict[int, set[str]] = defaultdict(set)
    for person_id, status, concern, started, completed in assessments.values_list(
        "person_id", "status", "overall_concern", "started_at", "completed_at"
    ):
        activity[person_id] += [_day(started), _day(completed)]
        if status == AssessmentStatus.COMPLETED and concern:
            concerns[person_id].add(concern)
    closures: dict[int, set[str]] = defaultdict(set)
    statuses: dict[int, set[str]] = defaultdict(set)
    first_referral: dict[int, datetime.date] = {}
    for person_id, status, reason, received, changed in referrals.values_list(
        "person_id", "status", "closure_reason", "received_at", "status_changed_at"
    ):
        received_on = timezone.localdate(received)
        activity[person_id] += [received_on, _day(changed)]
        statuses[person_id].add(status)
        if status in OPEN_REFERRAL:
            open_work.add(person_id)
        if status == ReferralStatus.CLOSED and reason:
            closures[person_id].add(reason)
        if person_id not in first_referral or received_on < first_referral[person_id]:
            first_referral[person_id] = received_on

    for person_id, born, created in (
        people.order_by("pk")
        .values_list("pk", "date_of_birth", "created_at")
        .iterator(chunk_size=2000)
    ):
        yield PersonFacts(
            person_id=person_id,
            date_of_birth=born,
            last_activity=_latest(*activity.get(person_id, []), _day(created)),
            open_work=person_id in open_work,
            concerns=frozenset(concerns.get(person_id, ())),
            closures=frozenset(closures.get(person_id, ())),
            statuses=frozenset(statuses.get(person_id, ())),
            first_referral_on=first_referral.get(person_id),
        )


def retained_until() -> dict[int, datetime.date]:
    """For each person, the latest next-review date a coordinator set when keeping them."""
    rows = (
        records_for_retention_schedule()
        .reviews.filter(
            status=ReviewStatus.RETAINED, person__isnull=False, next_review_on__isnull=False
        )
        .values("subject_id")
        .annotate(until=Max("next_review_on"))
        .values_list("subject_id", "until")
    )
    return dict(rows)


# --- the queue -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    status: str = ReviewStatus.DUE
    rule_id: str = ""
    due_by: datetime.date | None = None


def review_queue(*, user: User, filters: QueueFilters) -> QuerySet[RetentionReview]:
    reviews = retention_reviews_visible_to(user).select_related("decided_by")
    if filters.status:
        reviews = reviews.filter(status=filters.status)
    if filters.rule_id:
        reviews = reviews.filter(rule_id=filters.rule_id)
    if filters.due_by is not None:
        reviews = reviews.filter(due_on__lte=filters.due_by)
    return reviews.order_by("due_on", "id")
