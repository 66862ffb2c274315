"""Recording groups, people's links to them and ties between people.

Every write checks MANAGE_NETWORKS, runs in one transaction with its timeline event and access
log entry (a group is not personal data: it is logged without a timeline event), and refuses bad
input with a message on the field to fix. A tie is stored as it reads, from its first person to
its second; the same tie read the other way round (a child-of tie for a parent-of one) is a
duplicate.
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from offramp.access.naming import require_naming_purpose_right
from offramp.access.permissions import Capability, require_capability
from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.analysis.network import CONFIDENCE_LEVELS, NETWORK_FACTOR, TieType
from offramp.assessments.framework import current_framework
from offramp.assessments.models import Assessment
from offramp.audit.models import AuditAction, EventCode
from offramp.audit.services import audit_record, event_record
from offramp.people.models import Person, PersonCategory
from offramp.text import null_character_errors

from .models import (
    ROLE_LABELS,
    TIE_TYPE_LABELS,
    DismissedSuggestion,
    GroupMembership,
    GroupStatus,
    NamingPurpose,
    OrganisedCrimeGroup,
    Relationship,
)

PURPOSE = "network analysis"
COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
NOTE_MAX = 2000
NOTES_MAX = 4000
PURPOSE_TEXT_MAX = 1000
PURPOSE_MAX_DAYS = 14


@dataclass(frozen=True)
class GroupDetails:
    reference: str
    name: str
    status: str
    source_agency_id: int | None
    crime_types: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class MembershipDetails:
    category: str
    source_agency_id: int | None
    confidence: str
    role: str = ""
    started_on: datetime.date | None = None
    ended_on: datetime.date | None = None
    note: str = ""


@dataclass(frozen=True)
class RelationshipDetails:
    tie_type: str
    source_agency_id: int | None
    confidence: str
    started_on: datetime.date | None = None
    ended_on: datetime.date | None = None
    note: str = ""
    weight: float = 1.0


# --- checks shared by every kind of record --------------------------------------------------------


def _source_errors(source_agency_id: int | None) -> dict[str, str]:
    if source_agency_id is None:
        return {"source_agency": "Select the agency the information came from"}
    if not Agency.objects.filter(pk=source_agency_id).exists():
        return {"source_agency": "Select an agency from the list"}
    return {}


def _date_errors(
    started_on: datetime.date | None, ended_on: datetime.date | None
) -> dict[str, str]:
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if started_on is not None and started_on > today:
        errors["started_on"] = "The start date must be today or in the past"
    if ended_on is not None and ended_on > today:
        errors["ended_on"] = "The end date must be today or in the past"
    elif ended_on is not None and started_on is not None and ended_on < started_on:
        errors["ended_on"] = "The end date must be the same as or after the start date"
    return errors


def _confidence_errors(confidence: str) -> dict[str, str]:
    if confidence not in CONFIDENCE_LEVELS:
        return {"confidence": "Select how confident the source is: high, medium or low"}
    return {}


def _text_errors(limits: dict[str, tuple[str, int]]) -> dict[str, str]:
    """`{field: (value, limit)}`: too long, or holding characters the database refuses."""
    errors = {
        field: f"The {field.replace('_', ' ')} must be {limit} characters or fewer"
        for field, (value, limit) in limits.items()
        if len(value) > limit
    }
    return null_character_errors({field: value for field, (value, _) in limits.items()}) | errors


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


# --- groups ---------------------------------------------------------------------------------------


def _group_errors(details: GroupDetails, group: OrganisedCrimeGroup | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    reference = details.reference.strip()
    if not reference:
        errors["reference"] = "Enter the group's reference"
    else:
        taken = OrganisedCrimeGroup.objects.filter(reference__iexact=reference)
        if group is not None:
            taken = taken.exclude(pk=group.pk)
        if taken.exists():
            errors["reference"] = f"A group with the reference {reference} is already recorded"
    if not details.name.strip():
        errors["name"] = "Enter the group's name"
    if details.status not in GroupStatus.values:
        errors["status"] = "Select whether the group is active, dormant or disrupted"
    known = {crime_type.id for crime_type in current_framework().crime_types}
    unknown = [c for c in details.crime_types if c not in known]
    if unknown:
        errors["crime_types"] = f"Unknown crime type '{unknown[0]}': select from the list"
    malformed = [c for c in details.countries if not COUNTRY_CODE.match(c)]
    if malformed:
        errors["countries"] = (
            f"'{malformed[0]}' is not a country code: use two letters (ISO 3166), such as NL"
        )
    texts = {
        "reference": (reference, 40),
        "name": (details.name, 200),
        "notes": (details.notes, NOTES_MAX),
    }
    return _text_errors(texts) | errors | _source_errors(details.source_agency_id)


def _group_values(details: GroupDetails) -> dict[str, object]:
    return {
        "reference": details.reference.strip(),
        "name": details.name.strip(),
        "status": details.status,
        "source_agency_id": details.source_agency_id,
        "crime_types": list(dict.fromkeys(details.crime_types)),
        "countries": list(dict.fromkeys(details.countries)),
        "notes": details.notes.strip(),
    }


def group_create(*, actor: User, details: GroupDetails) -> OrganisedCrimeGroup:
    require_capability(actor, Capability.MANAGE_NETWORKS)
    _raise(_group_errors(details, None))
    with transaction.atomic():
        group = OrganisedCrimeGroup.objects.create(**_group_values(details), recorded_by=actor)
        audit_record(action=AuditAction.COLLECTION, actor=actor, subject=group, purpose=PURPOSE)
    return group


def group_update(
    *, group: OrganisedCrimeGroup, actor: User, details: GroupDetails
) -> OrganisedCrimeGroup:
    require_capability(actor, Capability.MANAGE_NETWORKS)
    _raise(_group_errors(details, group))
    with transaction.atomic():
        group = OrganisedCrimeGroup.objects.select_for_update().get(pk=group.pk)
        for name, value in _group_values(details).items():
            setattr(group, name, value)
        group.save()
        audit_record(action=AuditAction.ALTERATION, actor=actor, subject=group, purpose=PURPOSE)
    return group


# --- people's links to groups ---------------------------------------------------------------------


def _membership_errors(details: MembershipDetails) -> dict[str, str]:
    errors: dict[str, str] = {}
    if details.category not in PersonCategory.values:
        errors["category"] = "Select how the person is linked to the group"
    elif details.category == PersonCategory.SUSPECT_OR_OFFENDER:
        if details.role not in ROLE_LABELS:
            errors["role"] = "Select the person's role in the group"
    elif details.role:
        # A victim exploited by a group is linked as a victim: never given a member's role.
        category = PersonCategory(details.category).label.lower()
        errors["role"] = (
            f"Only a suspect or offender has a role in a group: a person linked as "
            f"{category} has none"
        )
    texts = {"note": (details.note, NOTE_MAX)}
    return (
        errors
        | _date_errors(details.started_on, details.ended_on)
        | _source_errors(details.source_agency_id)
        | _confidence_errors(details.confidence)
        | _text_errors(texts)
    )


def _open_link_errors(
    group: OrganisedCrimeGroup,
    person: Person,
    details: MembershipDetails,
    current: GroupMembership | None,
) -> dict[str, str]:
    if details.ended_on is not None:
        return {}
    open_links = GroupMembership.objects.filter(group=group, person=person, ended_on__isnull=True)
    if current is not None:
        open_links = open_links.exclude(pk=current.pk)
    if open_links.exists():
        return {"person": "This person's link to the group is already recorded: change that one"}
    return {}


def _membership_values(details: MembershipDetails) -> dict[str, object]:
    return {
        "category": details.category,
        "role": details.role if details.category == PersonCategory.SUSPECT_OR_OFFENDER else "",
        "started_on": details.started_on,
        "ended_on": details.ended_on,
        "source_agency_id": details.source_agency_id,
        "confidence": details.confidence,
        "note": details.note.strip(),
    }


def membership_add(
    *, group: OrganisedCrimeGroup, person: Person, actor: User, details: MembershipDetails
) -> GroupMembership:
    require_capability(actor, Capability.MANAGE_NETWORKS)
    _raise(_membership_errors(details))
    with transaction.atomic():
        Person.objects.select_for_update().get(pk=person.pk)
        _raise(_open_link_errors(group, person, details, None))
        membership = GroupMembership.objects.create(
            group=group, person=person, recorded_by=actor, **_membership_values(details)
        )
        event_record(
            person=person,
            code=EventCode.NETWORK_MEMBERSHIP_RECORDED,
            actor=actor,
            summary=f"Linked to group {group.reference} as {membership.link_label.lower()}",
            subject=membership,
        )
    return membership


def membership_update(
    *, membership: GroupMembership, actor: User, details: MembershipDetails
) -> GroupMembership:
    """Changes a link, including ending it (an end date)."""
    require_capability(actor, Capability.MANAGE_NETWORKS)
    _raise(_membership_errors(details))
    with transaction.atomic():
        membership = GroupMembership.objects.select_for_update().get(pk=membership.pk)
        _raise(_open_link_errors(membership.group, membership.person, details, membership))
        ending = membership.ended_on is None and details.ended_on is not None
        for name, value in _membership_values(details).items():
            setattr(membership, name, value)
        membership.save()
        reference = membership.group.reference
        event_record(
            person=membership.person,
            code=EventCode.NETWORK_MEMBERSHIP_CHANGED,
            actor=actor,
            summary=f"Link to group {reference} ended on {details.ended_on:%-d %B %Y}"
            if ending and details.ended_on
            else f"Link to group {reference} changed",
            subject=membership,
        )
    return membership


# --- ties between people --------------------------------------------------------------------------


def tie_key(
    first_id: int, second_id: int, tie_type: str, started_on: datetime.date | None
) -> tuple[int, int, str, datetime.date | None]:
    """The same for a tie and for that tie read the other way round: to find duplicates."""
    if first_id < second_id:
        return first_id, second_id, tie_type, started_on
    return second_id, first_id, TieType(tie_type).reversed().value, started_on


def _relationship_errors(details: RelationshipDetails) -> dict[str, str]:
    errors: dict[str, str] = {}
    if details.tie_type not in TIE_TYPE_LABELS:
        errors["tie_type"] = "Select the kind of relationship"
    if not details.weight > 0:
        errors["weight"] = "The weight must be more than 0"
    return (
        errors
        | _date_errors(details.started_on, details.ended_on)
        | _source_errors(details.source_agency_id)
        | _confidence_errors(details.confidence)
        | _text_errors({"note": (details.note, NOTE_MAX)})
    )


def held_relationship(
    first: Person, second: Person, tie_type: str, started_on: datetime.date | None
) -> Relationship | None:
    """The tie already recorded between them of this type from this date, either way round."""
    reversed_type = TieType(tie_type).reversed().value
    return Relationship.objects.filter(
        Q(person_a=first, person_b=second, tie_type=tie_type)
        | Q(person_a=second, person_b=first, tie_type=reversed_type),
        started_on=started_on,
    ).first()


def _duplicate_errors(
    first: Person, second: Person, details: RelationshipDetails, pk: int | None
) -> dict[str, str]:
    held = held_relationship(first, second, details.tie_type, details.started_on)
    if held is not None and held.pk != pk:
        return {
            "tie_type": f"This relationship is already recorded (relationship {held.pk}): "
            "change that one"
        }
    return {}


def _relationship_events(
    relationship: Relationship, actor: User | None, code: EventCode, verb: str
) -> None:
    """One event on each person's timeline, each naming the other only by record number."""
    for person, other in (
        (relationship.person_a, relationship.person_b_id),
        (relationship.person_b, relationship.person_a_id),
    ):
        event_record(
            person=person,
            code=code,
            actor=actor,
            summary=f"Relationship {relationship.pk} {verb} (with record {other})",
            subject=relationship,
        )


def _relationship_values(details: RelationshipDetails) -> dict[str, object]:
    return {
        "started_on": details.started_on,
        "ended_on": details.ended_on,
        "source_agency_id": details.source_agency_id,
        "confidence": details.confidence,
        "note": details.note.strip(),
        "weight": details.weight,
    }


def relationship_add(
    *, first: Person, second: Person, actor: User, details: RelationshipDetails
) -> Relationship:
    """Records that `first` is `tie_type` to `second` (for family_parent: first is the parent)."""
    require_capability(actor, Capability.MANAGE_NETWORKS)
    errors = _relationship_errors(details)
    if first.pk == second.pk:
        errors["person_b"] = "A person cannot have a relationship with themselves"
    _raise(errors)
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk__in=[first.pk, second.pk]).count()
        _raise(_duplicate_errors(first, second, details, None))
        relationship = Relationship.objects.create(
            person_a=first,
            person_b=second,
            tie_type=details.tie_type,
            recorded_by=actor,
            **_relationship_values(details),
        )
        _relationship_events(
            relationship, actor, EventCode.NETWORK_RELATIONSHIP_RECORDED, "recorded"
        )
    return relationship


def relationship_update(
    *, relationship: Relationship, actor: User, details: RelationshipDetails
) -> Relationship:
    """Changes a tie as stored (its type reads from `person_a`), including ending it."""
    require_capability(actor, Capability.MANAGE_NETWORKS)
    _raise(_relationship_errors(details))
    with transaction.atomic():
        relationship = Relationship.objects.select_for_update().get(pk=relationship.pk)
        first, second = relationship.person_a, relationship.person_b
        _raise(_duplicate_errors(first, second, details, relationship.pk))
        ending = relationship.ended_on is None and details.ended_on is not None
        relationship.tie_type = details.tie_type
        for name, value in _relationship_values(details).items():
            setattr(relationship, name, value)
        relationship.save()
        verb = (
            f"ended on {details.ended_on:%-d %B %Y}" if ending and details.ended_on else "changed"
        )
        _relationship_events(relationship, actor, EventCode.NETWORK_RELATIONSHIP_CHANGED, verb)
    return relationship


# --- suggestions on an assessment -----------------------------------------------------------------


def suggestion_dismiss(
    *, assessment: Assessment, factor_id: str, relationship: Relationship, actor: User
) -> DismissedSuggestion:
    """A coordinator rejects a network suggestion for one factor: it is not shown again on this
    assessment while the tie behind it stays the same."""
    require_capability(actor, Capability.ASSESS)
    if factor_id not in set(NETWORK_FACTOR.values()):
        raise ValidationError({"factor_id": "Not a factor network ties are evidence for"})
    if assessment.person_id not in (relationship.person_a_id, relationship.person_b_id):
        raise ValidationError({"relationship": "The tie is not this person's"})
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        assessment.require_editable()
        dismissal, created = DismissedSuggestion.objects.get_or_create(
            assessment=assessment,
            factor_id=factor_id,
            relationship=relationship,
            defaults={"dismissed_by": actor},
        )
        if created:
            factor = current_framework().factor(factor_id)
            event_record(
                person=assessment.person,
                code=EventCode.NETWORK_SUGGESTION_DISMISSED,
                actor=actor,
                summary=f"Network suggestion for {factor.name.lower()} dismissed on assessment "
                f"{assessment.pk}",
                subject=dismissal,
            )
    return dismissal


# --- a stated purpose to read names ---------------------------------------------------------------


def naming_purpose_state(
    *, actor: User, text: str, days: int, covers_children: bool
) -> NamingPurpose:
    """An analyst states why they need names on the network pages, for `days` days from now;
    children's names only if `covers_children`. Logged as a collection in the access log."""
    require_naming_purpose_right(actor)
    text = text.strip()
    errors: dict[str, str] = {}
    if not text:
        errors["text"] = "Say why you need to see names"
    if not 1 <= days <= PURPOSE_MAX_DAYS:
        errors["days"] = f"The purpose must last from 1 to {PURPOSE_MAX_DAYS} days"
    _raise(_text_errors({"text": (text, PURPOSE_TEXT_MAX)}) | errors)
    now = timezone.now()
    with transaction.atomic():
        purpose = NamingPurpose.objects.create(
            user=actor,
            text=text,
            covers_children=covers_children,
            stated_at=now,
            expires_at=now + datetime.timedelta(days=days),
        )
        audit_record(action=AuditAction.COLLECTION, actor=actor, subject=purpose, purpose=PURPOSE)
    return purpose
