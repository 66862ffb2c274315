"""Making and moving referrals. Each write is one transaction with its timeline event."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from offramp.access.permissions import Capability, acting_agency, require_capability
from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.assessments.framework import current_framework
from offramp.audit.models import AuditAction, Event, EventCode
from offramp.audit.services import audit_record, event_record
from offramp.people.models import Person
from offramp.people.services import PersonDetails, person_create, validate_person_details
from offramp.text import invisible_character_errors
from offramp.transitions import move

from .models import (
    REFERRAL_MOVES,
    ClosureReason,
    ConsentStatus,
    Referral,
    ReferralFactor,
    ReferralStatus,
)

CONCERN_MAX_LENGTH = 4000


@dataclass(frozen=True)
class ReferralRequest:
    given_name: str
    family_name: str
    date_of_birth: date
    area: str
    concern: str
    consent: str
    factor_ids: tuple[str, ...] = field(default=())
    agency_slug: str | None = None


def _validate(request: ReferralRequest, referrer: User) -> None:
    errors: dict[str, str] = {}
    if not request.concern.strip():
        errors["concern"] = "Describe what worries you about this person"
    elif len(request.concern) > CONCERN_MAX_LENGTH:
        errors["concern"] = f"What worries you must be {CONCERN_MAX_LENGTH} characters or fewer"
    errors.update(invisible_character_errors({"concern": request.concern}, free_text=True))
    if request.consent not in ConsentStatus.values:
        errors["consent"] = "Select whether the person has consented to this referral"
    known = {factor.id for factor in current_framework().factors}
    unknown = sorted(set(request.factor_ids) - known)
    if unknown:
        errors["factor_ids"] = f"Unknown framework factor: {', '.join(unknown)}"
    agency = referrer.agency
    if request.agency_slug is not None and (agency is None or agency.slug != request.agency_slug):
        exists = Agency.objects.filter(slug=request.agency_slug, active=True).exists()
        errors["agency"] = (
            f"You can only refer on behalf of your own agency, not '{request.agency_slug}'"
            if exists
            else f"Unknown agency '{request.agency_slug}'"
        )
    if agency is None or not agency.active:
        errors["agency"] = "Your account is not attached to an active agency"
    if errors:
        raise ValidationError(errors)


def referral_create(*, referrer: User, request: ReferralRequest) -> Referral:
    """Records a referral and a new person record for its subject.

    Whether the subject is already known is a coordinator's decision at screening
    (`referral_link_to_person`), so the referrer never sees who else is held.
    """
    require_capability(referrer, Capability.MAKE_REFERRAL)
    details = PersonDetails(
        given_name=request.given_name,
        family_name=request.family_name,
        date_of_birth=request.date_of_birth,
        area=request.area,
    )
    field_errors: dict[str, list[str]] = {}
    validations: tuple[Callable[[], None], ...] = (
        lambda: _validate(request, referrer),
        lambda: validate_person_details(details),
    )
    for validation in validations:
        try:
            validation()
        except ValidationError as error:
            field_errors.update(error.message_dict)
    if field_errors:
        raise ValidationError(field_errors)
    with transaction.atomic():
        person = person_create(actor=referrer, details=details)
        referral = Referral.objects.create(
            reference=f"tmp-{uuid.uuid4().hex[:16]}",  # replaced once the id is known
            person=person,
            referring_agency=acting_agency(referrer),
            referrer=referrer,
            subject_given_name=details.given_name.strip(),
            subject_family_name=details.family_name.strip(),
            subject_date_of_birth=details.date_of_birth,
            subject_area=details.area.strip(),
            concern=request.concern.strip(),
            consent=request.consent,
        )
        referral.reference = f"R{referral.received_at:%y}-{referral.pk:06d}"
        referral.save(update_fields=["reference"])
        ReferralFactor.objects.bulk_create(
            ReferralFactor(referral=referral, factor_id=factor_id)
            for factor_id in sorted(set(request.factor_ids))
        )
        event_record(
            person=person,
            code=EventCode.REFERRAL_RECEIVED,
            actor=referrer,
            summary=f"Referral {referral.reference} received from {referral.referring_agency}",
            subject=referral,
        )
    return referral


def _move(referral: Referral, target: ReferralStatus) -> None:
    move(referral, machine=REFERRAL_MOVES, target=target, what=f"Referral {referral.reference}")
    referral.status_changed_at = timezone.now()


def referral_start_screening(*, referral: Referral, actor: User) -> Referral:
    require_capability(actor, Capability.SCREEN_REFERRALS)
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        _move(referral, ReferralStatus.SCREENING)
        referral.save(update_fields=["status", "status_changed_at"])
        event_record(
            person=referral.person,
            code=EventCode.REFERRAL_SCREENING_STARTED,
            actor=actor,
            summary=f"Screening of referral {referral.reference} started",
            subject=referral,
        )
    return referral


def referral_mark_in_assessment(*, referral: Referral) -> None:
    """Called by the assessment service inside its transaction."""
    if referral.may_start_assessment:
        _move(referral, ReferralStatus.ASSESSMENT)
        referral.save(update_fields=["status", "status_changed_at"])


def referral_mark_assessed(*, referral: Referral) -> None:
    """Called by the assessment service inside its transaction."""
    if REFERRAL_MOVES.may_move(referral.status, ReferralStatus.ASSESSED):
        _move(referral, ReferralStatus.ASSESSED)
        referral.save(update_fields=["status", "status_changed_at"])


def referral_close(*, referral: Referral, actor: User, reason: str) -> Referral:
    require_capability(actor, Capability.SCREEN_REFERRALS)
    if reason not in ClosureReason.values:
        raise ValidationError({"reason": "Select why the referral is being closed"})
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        _move(referral, ReferralStatus.CLOSED)
        referral.closure_reason = reason
        referral.save(update_fields=["status", "status_changed_at", "closure_reason"])
        event_record(
            person=referral.person,
            code=EventCode.REFERRAL_CLOSED,
            actor=actor,
            summary=f"Referral {referral.reference} closed: {ClosureReason(reason).label}",
            subject=referral,
        )
    return referral


def referral_link_to_person(*, referral: Referral, person: Person, actor: User) -> Referral:
    """Attaches a referral to a person already known, when screening finds them.

    The record made at referral is folded in: its events move to the known person, and it
    is removed if nothing else refers to it.
    """
    require_capability(actor, Capability.SCREEN_REFERRALS)
    if not referral.is_open:
        raise ValidationError({"person": "A closed referral cannot be linked to another person"})
    if referral.person_id == person.pk:
        raise ValidationError({"person": "The referral is already linked to this person"})
    with transaction.atomic():
        provisional = referral.person
        if provisional.assessments.exists():
            raise ValidationError(
                {
                    "person": (
                        "This referral's person already has an assessment; it cannot be relinked"
                    )
                }
            )
        referral.person = person
        referral.save(update_fields=["person"])
        Event.objects.filter(person=provisional).update(person=person)
        if not provisional.referrals.exists() and not provisional.identifiers.exists():
            audit_record(
                action=AuditAction.ERASURE, actor=actor, subject=provisional, purpose="screening"
            )
            provisional.delete()
        event_record(
            person=person,
            code=EventCode.REFERRAL_LINKED,
            actor=actor,
            summary=f"Referral {referral.reference} linked to this person after screening",
            subject=referral,
        )
    return referral
