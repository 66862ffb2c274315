"""Reviewers' decisions on match reviews: accepting links the record or merges the pair,
rejecting keeps them apart."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from offramp.access.permissions import Capability, require_capability
from offramp.accounts.models import User
from offramp.audit.models import AuditAction, EventCode
from offramp.audit.services import (
    audit_record,
    event_record,
)
from offramp.intake.models import LinkMethod, SourceRecord
from offramp.people.models import Person
from offramp.transitions import move

from ..birth_dates import why_not_one_person
from ..models import (
    MATCH_REVIEW_MOVES,
    MatchReview,
    ReviewStatus,
)
from .linking import add_identifiers
from .merges import person_merge


def review_decide(*, review: MatchReview, actor: User, accept: bool, note: str = "") -> MatchReview:
    """Accept (link the record, or merge the two people) or reject (unlink a provisional link).

    The decision is kept as a label: an accepted pair is always clustered together and trains
    the model; a rejected pair is never clustered together again.
    """
    require_capability(actor, Capability.REVIEW_MATCHES)
    if "\x00" in note:
        raise ValidationError({"note": "The note cannot contain null characters"})
    with transaction.atomic():
        review = MatchReview.objects.select_for_update().get(pk=review.pk)
        if not review.awaits_decision:
            raise ValidationError(
                {"decision": f"This pair was already decided ({review.get_status_display()})"}
            )
        if accept:
            _accept(review, actor, note)
        else:
            _reject(review, actor)
        decision = ReviewStatus.ACCEPTED if accept else ReviewStatus.REJECTED
        move(review, machine=MATCH_REVIEW_MOVES, target=decision, what=f"Review {review.pk}")
        review.decided_by, review.decided_at, review.note = actor, timezone.now(), note.strip()
        review.save(update_fields=["status", "decided_by", "decided_at", "note"])
        audit_record(
            action=AuditAction.COMBINATION if accept else AuditAction.ALTERATION,
            actor=actor,
            subject=review,
            person=review.left_person_id or review.right_person_id,
            purpose="match review",
        )
    return review


def _record_and_person(review: MatchReview) -> tuple[SourceRecord, Person]:
    record = review.left_record or review.right_record
    person = review.left_person or review.right_person
    assert record is not None and person is not None  # a record-and-person review
    return record, person


def _live(person: Person) -> Person:
    """The person a merged record now lives in."""
    while person.merged_into_id is not None:
        person = Person.objects.get(pk=person.merged_into_id)
    return person


def _accept(review: MatchReview, actor: User, note: str) -> None:
    if review.is_merge:
        assert review.left_person is not None and review.right_person is not None
        one, other = sorted((review.left_person, review.right_person), key=lambda p: p.pk)
        person_merge(target=one, source=other, actor=actor, reason=note, review=review)
        return
    record, person = _record_and_person(review)
    person = _live(person)
    refusal = why_not_one_person(
        record.date_of_birth, person.date_of_birth, today=timezone.localdate()
    )
    if refusal:
        raise ValidationError({"decision": refusal})
    record.person, record.link_method = person, LinkMethod.REVIEWED
    record.match_probability, record.linked_at = review.match_probability, timezone.now()
    record.save(update_fields=["person", "link_method", "match_probability", "linked_at"])
    add_identifiers([record])
    person.save(update_fields=["updated_at"])
    event_record(
        person=person,
        code=EventCode.INDEX_RECORD_LINKED,
        actor=actor,
        summary=f"A record held by {record.agency} was found to be this person",
        subject=review,
    )


def _reject(review: MatchReview, actor: User) -> None:
    if review.is_merge:
        return
    record, person = _record_and_person(review)
    if record.person_id == person.pk and record.link_method == LinkMethod.PROVISIONAL:
        record.person, record.link_method = None, ""
        record.match_probability = record.linked_at = None
        record.save(update_fields=["person", "link_method", "match_probability", "linked_at"])
        person.save(update_fields=["updated_at"])
