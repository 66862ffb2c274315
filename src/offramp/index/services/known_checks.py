"""Checks that answer "is this person known?" against the person index, rate-limited,
and a coordinator's follow-up of a check that matched someone the practitioner may not see."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from offramp.access.permissions import Capability, has_capability, require_capability
from offramp.accounts.models import User
from offramp.audit.models import AuditAction
from offramp.audit.services import (
    AuditObject,
    audit_append,
    audit_line,
    audit_record,
    current_channel,
)
from offramp.people.models import Person

from ..models import (
    KnownCheck,
    KnownCheckMatch,
    KnownOutcome,
)
from ..selectors import KnownResult, is_person_known


class TooManyChecks(Exception):
    """The user has made as many checks this hour as OFFRAMP_KNOWN_CHECKS_PER_HOUR allows."""


CHECK_WINDOW = timedelta(hours=1)


def _outcome(result: KnownResult) -> KnownOutcome:
    if result.not_shown:
        return KnownOutcome.REFERRED
    if not result.model_trained:
        return KnownOutcome.NOT_LINKED
    return KnownOutcome.SHOWN if result.candidates else KnownOutcome.NONE


def _refuse_over_limit(actor: User) -> None:
    """Counts the actor's checks in the last hour in the database, with the actor's row locked,
    so every server process (and two requests at once) count the same checks."""
    User.objects.select_for_update().filter(pk=actor.pk).first()
    limit = settings.OFFRAMP_KNOWN_CHECKS_PER_HOUR
    recent = KnownCheck.objects.filter(
        asked_by=actor, asked_at__gt=timezone.now() - CHECK_WINDOW
    ).order_by("asked_at")
    if recent.count() >= limit:
        oldest = recent.values_list("asked_at", flat=True)[0]
        again = timezone.localtime(oldest + CHECK_WINDOW)
        raise TooManyChecks(
            f"You have made {limit} checks in the last hour, the most allowed. You can check "
            f"again from {again:%H:%M}. If you are worried about someone now, make a referral."
        )


def known_check(
    *,
    actor: User,
    given_name: str,
    family_name: str,
    date_of_birth: date | None,
    postcode: str = "",
    purpose: str,
) -> KnownResult:
    """ "Is this person known?", for those who refer people or search for them, at most
    OFFRAMP_KNOWN_CHECKS_PER_HOUR times an hour each.

    Kept as a `KnownCheck` (who, when, the class of answer; never the details typed) with its
    access-log entries, before the answer is shown: people shown as consulted, people found
    but not shown as index look-ups against them. A possible match the actor may not see is
    recorded on the check for the coordinators to follow up.
    """
    if not (
        has_capability(actor, Capability.MAKE_REFERRAL)
        or has_capability(actor, Capability.SEARCH_PEOPLE)
    ):
        raise PermissionDenied("Your role does not allow you to ask whether a person is known.")
    with transaction.atomic():
        _refuse_over_limit(actor)
        result = is_person_known(
            user=actor,
            given_name=given_name,
            family_name=family_name,
            date_of_birth=date_of_birth,
            postcode=postcode,
        )
        check = KnownCheck.objects.create(
            asked_by=actor,
            asked_at=timezone.now(),
            channel=current_channel(),
            purpose=purpose[:60],
            outcome=_outcome(result),
        )
        KnownCheckMatch.objects.bulk_create(
            KnownCheckMatch(known_check=check, person_id=person_id)
            for person_id in result.not_shown
        )
        consulted: list[Person | AuditObject] = [
            *(match.person for match in result.fallback),
            *(candidate.person for candidate in result.candidates),
            *(AuditObject("person_index", pk, person_id=pk) for pk in result.not_shown),
        ]
        # The check is a new record (who asked, when, its class, whom it may match); the people
        # it found are consulted.
        audit_append(
            actor=actor,
            lines=[
                audit_line(action=AuditAction.COLLECTION, subject=check, purpose=purpose),
                *(
                    audit_line(action=AuditAction.CONSULTATION, subject=subject, purpose=purpose)
                    for subject in consulted
                ),
            ],
        )
    return result


def known_check_follow_up(*, check: KnownCheck, actor: User, note: str = "") -> KnownCheck:
    """A coordinator has acted on a check that found someone the asker may not see (asked
    them to refer, or found it was nothing): it leaves the queue."""
    require_capability(actor, Capability.REVIEW_MATCHES)
    if "\x00" in note:
        raise ValidationError({"note": "The note cannot contain null characters"})
    with transaction.atomic():
        check = KnownCheck.objects.select_for_update().get(pk=check.pk)
        if check.followed_up_at is not None:
            raise ValidationError({"note": "This check was already followed up"})
        check.followed_up_by, check.followed_up_at = actor, timezone.now()
        check.follow_up_note = note.strip()
        check.save(update_fields=["followed_up_by", "followed_up_at", "follow_up_note"])
        audit_record(
            action=AuditAction.ALTERATION, actor=actor, subject=check, purpose="referral check"
        )
    return check
