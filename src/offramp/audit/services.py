"""Writing typed events and the access log. Called inside the transaction of the change.

Every timeline event also writes its access-log entry (collection, alteration or combination),
so a change can never be saved without its audit record; `audit_consultation` records views
and `audit_refusal` records refused requests (and raises sweep alerts).
"""

import logging
from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, F, Min, Q
from django.utils import timezone

from offramp.accounts.models import User
from offramp.people.models import Person

from .chain import GENESIS_HASH, HASHED_FIELDS, entry_hash
from .models import (
    AuditAction,
    AuditChainHead,
    AuditChannel,
    AuditEntry,
    Event,
    EventCode,
    SweepAlert,
)

logger = logging.getLogger(__name__)

# What each event is, in the terms of DPA 2018 s.62, and the purpose it serves.
EVENT_AUDIT: dict[str, tuple[AuditAction, str]] = {
    EventCode.PERSON_CREATED: (AuditAction.COLLECTION, "record keeping"),
    EventCode.PERSON_UPDATED: (AuditAction.ALTERATION, "record keeping"),
    EventCode.ALIAS_ADDED: (AuditAction.COLLECTION, "record keeping"),
    EventCode.IDENTIFIER_ADDED: (AuditAction.COLLECTION, "record keeping"),
    EventCode.REFERRAL_RECEIVED: (AuditAction.COLLECTION, "referral"),
    EventCode.REFERRAL_SCREENING_STARTED: (AuditAction.ALTERATION, "screening"),
    EventCode.REFERRAL_LINKED: (AuditAction.COMBINATION, "screening"),
    EventCode.REFERRAL_CLOSED: (AuditAction.ALTERATION, "screening"),
    EventCode.ASSESSMENT_STARTED: (AuditAction.COLLECTION, "assessment"),
    EventCode.FACTORS_RECORDED: (AuditAction.COLLECTION, "assessment"),
    EventCode.ASSESSMENT_SUMMARISED: (AuditAction.COLLECTION, "assessment"),
    EventCode.ASSESSMENT_COMPLETED: (AuditAction.ALTERATION, "assessment"),
    EventCode.INFORMATION_SHARED: (AuditAction.DISCLOSURE, "information sharing"),
    EventCode.PUBLIC_INTEREST_DECISION: (AuditAction.COLLECTION, "information sharing"),
    EventCode.CASE_ROUTED: (AuditAction.COLLECTION, "case management"),
    EventCode.CASE_PERSON_LINKED: (AuditAction.COMBINATION, "case management"),
    EventCode.CASE_ON_AGENDA: (AuditAction.ALTERATION, "panel"),
    EventCode.PANEL_INFORMATION_ADDED: (AuditAction.COLLECTION, "panel"),
    EventCode.PANEL_DECISION: (AuditAction.ALTERATION, "panel"),
    EventCode.PANEL_ACTION_SET: (AuditAction.COLLECTION, "panel"),
    EventCode.PANEL_ACTION_DONE: (AuditAction.ALTERATION, "panel"),
    EventCode.CONSENT_RECORDED: (AuditAction.COLLECTION, "support plan"),
    EventCode.INTERVENTION_ADDED: (AuditAction.COLLECTION, "support plan"),
    EventCode.INTERVENTION_UPDATED: (AuditAction.ALTERATION, "support plan"),
    EventCode.REVIEW_HELD: (AuditAction.COLLECTION, "case review"),
    EventCode.CASE_EXITED: (AuditAction.ALTERATION, "case management"),
    EventCode.CASE_REOPENED: (AuditAction.ALTERATION, "case management"),
    EventCode.NETWORK_MEMBERSHIP_RECORDED: (AuditAction.COLLECTION, "network analysis"),
    EventCode.NETWORK_MEMBERSHIP_CHANGED: (AuditAction.ALTERATION, "network analysis"),
    EventCode.NETWORK_RELATIONSHIP_RECORDED: (AuditAction.COLLECTION, "network analysis"),
    EventCode.NETWORK_RELATIONSHIP_CHANGED: (AuditAction.ALTERATION, "network analysis"),
    EventCode.NETWORK_SUGGESTION_DISMISSED: (AuditAction.COLLECTION, "assessment"),
    EventCode.INDEX_RECORDS_MATCHED: (AuditAction.COMBINATION, "person index"),
    EventCode.INDEX_RECORD_LINKED: (AuditAction.COMBINATION, "person index"),
    EventCode.INDEX_PERSON_MERGED: (AuditAction.COMBINATION, "person index"),
    EventCode.INDEX_PERSON_UNMERGED: (AuditAction.ALTERATION, "person index"),
}

# The channel of the request being served: set from the request path when a request starts
# (see AuditConfig.ready), the command line otherwise.
_channel: ContextVar[AuditChannel] = ContextVar("audit_channel", default=AuditChannel.CLI)


def current_channel() -> AuditChannel:
    return _channel.get()


def channel_for_path(path: str) -> AuditChannel:
    return AuditChannel.API if path.startswith("/api/") else AuditChannel.PAGE


def set_channel(channel: AuditChannel) -> None:
    _channel.set(channel)


@dataclass(frozen=True)
class AuditObject:
    """Something logged that is not a model instance (a timeline, an access log)."""

    type: str
    id: int | str
    person_id: int | None = None


Subject = models.Model | AuditObject


@dataclass(frozen=True)
class AuditLine:
    action: AuditAction
    object_type: str
    object_id: str
    person_id: int | None
    purpose: str
    event_code: str = ""


def audit_line(
    *,
    action: AuditAction,
    subject: Subject,
    purpose: str,
    person: Person | int | None = None,
    event_code: str = "",
) -> AuditLine:
    """What to log about a subject: its type and id and whose record it is, never its content."""
    if isinstance(subject, AuditObject):
        object_type, object_id, person_id = subject.type, str(subject.id), subject.person_id
    else:
        object_type, object_id = subject._meta.model_name or "", str(subject.pk)
        if isinstance(subject, Person):
            person_id = subject.pk
        else:
            held = getattr(subject, "person_id", None)
            person_id = held if isinstance(held, int) else None
    if person is not None:
        person_id = person if isinstance(person, int) else person.pk
    return AuditLine(action, object_type, object_id, person_id, purpose[:60], event_code)


def _locked_head() -> AuditChainHead:
    """The chain head, locked until the transaction ends (SELECT ... FOR UPDATE on PostgreSQL;
    SQLite's single writer serialises appends without it)."""
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # First append, or the tables were flushed: start from whatever the log holds.
        last = AuditEntry.objects.order_by("-sequence").values_list("sequence", "entry_hash")
        sequence, last_hash = last.first() or (0, GENESIS_HASH)
        AuditChainHead.objects.bulk_create(
            [AuditChainHead(pk=1, sequence=sequence, entry_hash=last_hash)], ignore_conflicts=True
        )
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def audit_append(
    *, actor: User | None, lines: Sequence[AuditLine], channel: AuditChannel | None = None
) -> list[AuditEntry]:
    """Appends lines done by one actor to the chain, in order, in the caller's transaction."""
    return _append([(line, actor) for line in lines], channel=channel)


def _actor_values(actor: User | None) -> dict[str, object]:
    agency = actor.agency if actor is not None else None
    return {
        "actor_id": actor.pk if actor is not None else None,
        "actor_username": actor.username if actor is not None else "",
        "actor_agency_id": agency.pk if agency is not None else None,
        "actor_agency": agency.name if agency is not None else "",
    }


def _append(
    lines: Sequence[tuple[AuditLine, User | None]], *, channel: AuditChannel | None
) -> list[AuditEntry]:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("The audit log must be written in the transaction of the operation")
    if not lines:
        return []
    occurred_at = timezone.now()
    channel = channel or current_channel()
    actors: dict[int | None, dict[str, object]] = {}
    head = _locked_head()
    sequence, previous = head.sequence, head.entry_hash
    entries = []
    for line, actor in lines:
        key = actor.pk if actor is not None else None
        if key not in actors:
            actors[key] = _actor_values(actor)
        sequence += 1
        entry = AuditEntry(
            sequence=sequence,
            action=line.action,
            event_code=line.event_code,
            occurred_at=occurred_at,
            object_type=line.object_type,
            object_id=line.object_id,
            person_id=line.person_id,
            purpose=line.purpose,
            channel=channel,
            previous_hash=previous,
            **actors[key],
        )
        entry.entry_hash = entry_hash([getattr(entry, name) for name in HASHED_FIELDS])
        previous = entry.entry_hash
        entries.append(entry)
    AuditEntry.objects.bulk_create(entries, batch_size=2000)
    AuditChainHead.objects.filter(pk=1).update(sequence=sequence, entry_hash=previous)
    return entries


def audit_record(
    *,
    action: AuditAction,
    actor: User | None,
    subject: Subject,
    purpose: str,
    person: Person | int | None = None,
    channel: AuditChannel | None = None,
    event_code: str = "",
) -> AuditEntry:
    """Logs one operation on one record. Refuses to run outside a transaction."""
    line = audit_line(
        action=action, subject=subject, purpose=purpose, person=person, event_code=event_code
    )
    return audit_append(actor=actor, lines=[line], channel=channel)[0]


def audit_consultation(
    *, actor: User, subjects: Iterable[Subject], purpose: str
) -> list[AuditEntry]:
    """Logs that the actor is being shown these records, before they are shown.

    Runs in its own (short) transaction: if the log cannot be written, this raises and the
    page or API answer is never produced.
    """
    lines = [
        audit_line(action=AuditAction.CONSULTATION, subject=subject, purpose=purpose)
        for subject in subjects
    ]
    with transaction.atomic():
        return audit_append(actor=actor, lines=lines)


def event_record(
    *,
    person: Person,
    code: EventCode,
    actor: User | None,
    summary: str,
    subject: models.Model | None = None,
) -> Event:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Events must be written in the transaction of the change they record")
    event = Event.objects.create(
        person=person,
        code=code,
        actor=actor,
        actor_agency=actor.agency if actor else None,
        summary=summary[:300],
        object_type=(subject._meta.model_name or "") if subject is not None else "",
        object_id=subject.pk if subject is not None else None,
    )
    action, purpose = EVENT_AUDIT[code]
    audit_record(
        action=action,
        actor=actor,
        subject=subject if subject is not None else person,
        person=person,
        purpose=purpose,
        event_code=code,
    )
    return event


def audit_events(*, events: Sequence[Event], purpose: str) -> list[AuditEntry]:
    """Logs events written in bulk (an import), each attributed to its own actor."""
    lines = [
        (
            AuditLine(
                action=EVENT_AUDIT[event.code][0],
                object_type=event.object_type or "person",
                object_id=str(event.object_id or event.person_id),
                person_id=event.person_id,
                purpose=purpose,
                event_code=event.code,
            ),
            event.actor,
        )
        for event in events
    ]
    return _append(lines, channel=None)


# The purpose recorded for each refused status: the log has no status field, and the hashed
# fields (ADR 0005) are not changed for it.
REFUSAL_PURPOSES = {403: "refused 403", 404: "refused 404"}


def audit_refusal(
    *, actor: User | None, route: str, requested: str, status: int, channel: AuditChannel
) -> AuditEntry:
    """Logs a refused request: who, the route and the id asked for, the status; no content.

    A signed-in actor's refusal also counts towards a sweep alert, in the same transaction,
    whose chain-head lock serialises concurrent refusals so a burst raises one alert.
    """
    line = AuditLine(
        action=AuditAction.REFUSAL,
        object_type=route[:40],
        object_id=requested[:64],
        person_id=None,
        purpose=REFUSAL_PURPOSES[status],
    )
    with transaction.atomic():
        entry = audit_append(actor=actor, lines=[line], channel=channel)[0]
        if actor is not None:
            _sweep_alert_update(actor=actor, status=status, at=entry.occurred_at)
    return entry


def _sweep_alert_update(*, actor: User, status: int, at: datetime) -> None:
    """Extends the actor's alert while its burst goes on, or raises one when the refusals in
    the window pass the threshold. A burst ends after a whole window without a refusal."""
    window_start = at - timedelta(seconds=settings.OFFRAMP_SWEEP_SECONDS)
    ongoing = SweepAlert.objects.filter(actor_id=actor.pk, last_refusal_at__gte=window_start)
    if ongoing.exists():
        ongoing.update(
            last_refusal_at=at,
            refusals=F("refusals") + 1,
            not_found=F("not_found") + int(status == 404),
            forbidden=F("forbidden") + int(status == 403),
        )
        return
    counts = AuditEntry.objects.filter(
        action=AuditAction.REFUSAL, actor_id=actor.pk, occurred_at__gte=window_start
    ).aggregate(
        refusals=Count("sequence"),
        not_found=Count("sequence", filter=Q(purpose=REFUSAL_PURPOSES[404])),
        forbidden=Count("sequence", filter=Q(purpose=REFUSAL_PURPOSES[403])),
        first=Min("occurred_at"),
    )
    if counts["refusals"] <= settings.OFFRAMP_SWEEP_REFUSALS:
        return
    alert = SweepAlert.objects.create(
        actor_id=actor.pk,
        actor_username=actor.username,
        actor_agency=actor.agency.name if actor.agency is not None else "",
        raised_at=at,
        first_refusal_at=counts["first"],
        last_refusal_at=at,
        refusals=counts["refusals"],
        not_found=counts["not_found"],
        forbidden=counts["forbidden"],
    )
    # Also to the server log, for monitoring that watches it.
    logger.warning("Possible record sweep: %s", alert)
