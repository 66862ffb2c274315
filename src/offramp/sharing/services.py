"""Deciding whether a share is lawful, and recording every share that happens.

`sharing_basis` answers "may this agency's information of this category about this person be
added to (or sent to) that agency today?" with the basis that covers it, or refuses with a
message naming what is missing. `disclosure_record` writes the share with its timeline event
and its access-log entry (action "disclosure") in the caller's transaction.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from offramp.access.permissions import (
    Capability,
    may_approve_agreement,
    require_administrator,
    require_capability,
)
from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.audit.models import AuditAction, EventCode
from offramp.audit.services import audit_record, event_record
from offramp.dates import age_on
from offramp.people.models import Person
from offramp.referrals.models import ConsentStatus, Referral
from offramp.text import null_character_errors

from .models import (
    BasisKind,
    DataCategory,
    DataSharingAgreement,
    DataSubject,
    Disclosure,
    PublicInterestDecision,
    category_phrase,
)


class NoSharingBasis(ValidationError):
    """No agreement, consent or public-interest decision covers a share. Says what is missing."""


@dataclass(frozen=True)
class SharingBasis:
    kind: BasisKind
    agreement: DataSharingAgreement | None = None
    decision: PublicInterestDecision | None = None
    consent_reference: str = ""

    @property
    def description(self) -> str:
        if self.agreement is not None:
            return f"agreement {self.agreement.reference}"
        if self.decision is not None:
            return "a public-interest decision"
        return f"consent recorded on referral {self.consent_reference}"


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _agreements_between(from_agency: Agency, to_agency: Agency) -> list[DataSharingAgreement]:
    return list(
        DataSharingAgreement.objects.filter(parties=from_agency)
        .filter(parties=to_agency)
        .distinct()
        .order_by("-start_date", "reference")
    )


def _covering_agreement(
    agreements: Iterable[DataSharingAgreement], category: str, subject: DataSubject, on: date
) -> DataSharingAgreement | None:
    return next(
        (
            a
            for a in agreements
            if a.in_force(on)
            and a.covers_category(category)
            and not a.basis_gap(category=category, subject=subject)
        ),
        None,
    )


ADULT_AGE_YEARS = 18


def subject_on(person: Person, on: date) -> DataSubject:
    """Whether the person was a child or an adult on the day of the share."""
    adult = age_on(person.date_of_birth, on) >= ADULT_AGE_YEARS
    return DataSubject.ADULT if adult else DataSubject.CHILD


def _consent_referral(person: Person) -> Referral | None:
    """The person's most recent recorded consent decision, if it was to agree.

    For now the consent recorded on a referral stands for consent to share; a later refusal
    withdraws an earlier agreement.
    """
    latest = (
        person.referrals.filter(consent__in=[ConsentStatus.GIVEN, ConsentStatus.REFUSED])
        .order_by("-received_at", "-id")
        .first()
    )
    return latest if latest is not None and latest.consent == ConsentStatus.GIVEN else None


def _covering_decision(
    *, person: Person, from_agency: Agency, to_agency: Agency, category: str
) -> PublicInterestDecision | None:
    decisions = PublicInterestDecision.objects.filter(
        Q(to_agency=to_agency) | Q(to_agency__isnull=True),
        person=person,
        from_agency=from_agency,
    )
    return next((d for d in decisions if category in d.data_categories), None)


def _agreement_gap(
    *,
    from_agency: Agency,
    to_agency: Agency,
    between: list[DataSharingAgreement],
    category: str,
    subject: DataSubject,
    on: date,
) -> str:
    """Why no agreement covers the share, naming the nearest agreement and what it lacks."""
    phrase = category_phrase(category)
    missing = (
        f"No active data sharing agreement between {from_agency} and {to_agency} covers {phrase}"
    )
    for agreement in between:
        if agreement.covers_category(category) and not agreement.in_force(on):
            if not agreement.approved:
                return (
                    f"{missing} ({agreement.reference} is waiting for a second administrator "
                    "to approve it)"
                )
            if on < agreement.start_date:
                return f"{missing} ({agreement.reference} starts on {_day(agreement.start_date)})"
            assert agreement.end_date is not None
            return f"{missing} ({agreement.reference} ended on {_day(agreement.end_date)})"
    for agreement in between:
        gap = agreement.basis_gap(category=category, subject=subject)
        if agreement.in_force(on) and agreement.covers_category(category) and gap:
            return (
                f"{missing} ({agreement.reference} lists it, but its lawful basis, "
                f"{agreement.basis_label}, {gap})"
            )
    for agreement in between:
        if agreement.in_force(on):
            return f"{missing} ({agreement.reference} does not include {phrase})"
    one_sided = DataSharingAgreement.objects.filter(
        Q(parties=from_agency) | Q(parties=to_agency)
    ).distinct()
    for agreement in one_sided:
        if agreement.in_force(on) and agreement.covers_category(category):
            absent = [
                str(agency)
                for agency in (from_agency, to_agency)
                if not agreement.parties.filter(pk=agency.pk).exists()
            ]
            return f"{missing} ({agreement.reference} does not include {' or '.join(absent)})"
    return missing


@dataclass(frozen=True)
class AgreementCheck:
    """The agreement that covers a share, or why none does (naming the nearest and its lack)."""

    agreement: DataSharingAgreement | None
    gap: str = ""


def agreement_check(
    *,
    from_agency: Agency,
    to_agency: Agency,
    category: str,
    on: date,
    subject: DataSubject = DataSubject.ANYONE,
) -> AgreementCheck:
    """The agreement in force on `on`, between both agencies, listing the category, whose
    lawful basis can support that category about that subject (`BASIS_FIT`). The subject is
    anyone unless the share is about one person: an extract needs a basis that fits everyone."""
    between = _agreements_between(from_agency, to_agency)
    agreement = _covering_agreement(between, category, subject, on)
    if agreement is not None:
        return AgreementCheck(agreement)
    gap = _agreement_gap(
        from_agency=from_agency,
        to_agency=to_agency,
        between=between,
        category=category,
        subject=subject,
        on=on,
    )
    return AgreementCheck(None, gap)


def _consent_gap(person: Person) -> str:
    refused = person.referrals.filter(consent=ConsentStatus.REFUSED).order_by("-received_at")
    latest = refused.first()
    if latest is not None and _consent_referral(person) is None:
        return f"the person refused consent (referral {latest.reference})"
    return "the person has not consented"


def _decision_gap(*, person: Person, from_agency: Agency, to_agency: Agency, category: str) -> str:
    decisions = PublicInterestDecision.objects.filter(person=person, from_agency=from_agency)
    if decisions.filter(Q(to_agency=to_agency) | Q(to_agency__isnull=True)).exists():
        return f"no public-interest decision has been recorded for {category_phrase(category)}"
    return "no public-interest decision has been recorded"


def sharing_basis(
    *, from_agency: Agency, to_agency: Agency, category: str, person: Person, on: date
) -> SharingBasis:
    """The basis on which `from_agency`'s information may go to `to_agency`, or NoSharingBasis.

    Looks, in order, for an agreement in force on `on` to which both agencies are parties,
    which lists the category and whose lawful basis fits it and the person (a child or an
    adult on `on`); the person's consent; a public-interest decision about this
    person, from this agency, to this agency (or the whole partnership), for this category.
    """
    if category not in DataCategory.values:
        raise ValueError(f"Unknown data category {category!r}")
    if from_agency.pk == to_agency.pk:
        raise ValueError("Information an agency holds itself is not shared; no basis is needed")
    check = agreement_check(
        from_agency=from_agency,
        to_agency=to_agency,
        category=category,
        on=on,
        subject=subject_on(person, on),
    )
    if check.agreement is not None:
        return SharingBasis(kind=BasisKind.AGREEMENT, agreement=check.agreement)
    referral = _consent_referral(person)
    if referral is not None:
        return SharingBasis(kind=BasisKind.CONSENT, consent_reference=referral.reference)
    decision = _covering_decision(
        person=person, from_agency=from_agency, to_agency=to_agency, category=category
    )
    if decision is not None:
        return SharingBasis(kind=BasisKind.PUBLIC_INTEREST, decision=decision)
    gaps = [
        check.gap,
        _consent_gap(person),
        _decision_gap(
            person=person, from_agency=from_agency, to_agency=to_agency, category=category
        ),
    ]
    raise NoSharingBasis(
        f"{gaps[0]}, {gaps[1]}, and {gaps[2]}. Record one of these before adding this information."
    )


def disclosure_record(
    *,
    person: Person,
    category: str,
    subject: models.Model,
    from_agency: Agency,
    to_agency: Agency,
    basis: SharingBasis,
    actor: User,
) -> Disclosure:
    """Records one share: the Disclosure, its timeline event and its access-log entry
    (action "disclosure", written by `event_record`), all in the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("A disclosure must be recorded in the transaction of the share")
    disclosure = Disclosure.objects.create(
        person=person,
        category=category,
        object_type=subject._meta.model_name or "",
        object_id=subject.pk,
        from_agency=from_agency,
        to_agency=to_agency,
        basis_kind=basis.kind,
        agreement=basis.agreement,
        decision=basis.decision,
        consent_reference=basis.consent_reference,
        recorded_by=actor,
    )
    event_record(
        person=person,
        code=EventCode.INFORMATION_SHARED,
        actor=actor,
        summary=(
            f"{category_phrase(category).capitalize()} shared by {from_agency} with "
            f"{to_agency} under {basis.description}"
        ),
        subject=disclosure,
    )
    return disclosure


@dataclass(frozen=True)
class PublicInterestRequest:
    from_agency_id: int | None
    to_agency_id: int | None  # None: the partnership
    data_categories: tuple[str, ...]
    description: str
    reason: str


def _decision_errors(request: PublicInterestRequest) -> dict[str, str]:
    errors: dict[str, str] = {}
    agencies = set(Agency.objects.values_list("pk", flat=True))
    if request.from_agency_id is None:
        errors["from_agency"] = "Select the agency whose information is shared"
    elif request.from_agency_id not in agencies:
        errors["from_agency"] = "Select an agency from the list"
    if request.to_agency_id is not None and request.to_agency_id not in agencies:
        errors["to_agency"] = "Select an agency from the list"
    elif request.to_agency_id is not None and request.to_agency_id == request.from_agency_id:
        errors["to_agency"] = "Select a different agency from the one sharing the information"
    if not request.data_categories:
        errors["data_categories"] = "Select the kinds of information shared"
    elif not set(request.data_categories) <= set(DataCategory.values):
        errors["data_categories"] = "Select kinds of information from the list"
    if not request.description.strip():
        errors["description"] = "Describe what is shared"
    if not request.reason.strip():
        errors["reason"] = "Explain why sharing is in the public interest"
    for name, limit in (("description", 2000), ("reason", 4000)):
        if len(getattr(request, name)) > limit:
            errors[name] = f"This must be {limit} characters or fewer"
    texts = {"description": request.description, "reason": request.reason}
    errors.update(null_character_errors(texts))
    return errors


def public_interest_decision_record(
    *, person: Person, actor: User, request: PublicInterestRequest
) -> PublicInterestDecision:
    """Records the coordinator's decision that sharing is in the public interest, and why."""
    require_capability(actor, Capability.DECIDE_SHARING)
    errors = _decision_errors(request)
    if errors or request.from_agency_id is None:
        raise ValidationError(errors)
    with transaction.atomic():
        decision = PublicInterestDecision.objects.create(
            person=person,
            from_agency_id=request.from_agency_id,
            to_agency_id=request.to_agency_id,
            data_categories=sorted(set(request.data_categories)),
            description=request.description.strip(),
            reason=request.reason.strip(),
            decided_by=actor,
            decided_at=timezone.now(),
        )
        phrases = ", ".join(category_phrase(c) for c in decision.data_categories)
        recipient = decision.to_agency or "the partnership"
        event_record(
            person=person,
            code=EventCode.PUBLIC_INTEREST_DECISION,
            actor=actor,
            summary=(
                f"Decided that sharing {phrases} from {decision.from_agency} with {recipient} "
                "is in the public interest"
            ),
            subject=decision,
        )
    return decision


# --- agreements changed in administration -------------------------------------------------
# An agreement decides which agencies see each other's records, so one that widens sharing
# takes two administrators (ADR 0011): the edit saves it unapproved, and it covers nothing
# until a different administrator approves it. A change that only narrows takes effect at once.


@dataclass(frozen=True)
class AgreementTerms:
    """What an agreement allows: everything whose change can widen sharing."""

    parties: frozenset[int]
    categories: frozenset[str]
    lawful_basis: str
    lawful_basis_detail: str
    purpose: str
    start_date: date
    review_date: date
    end_date: date | None

    @classmethod
    def of(cls, agreement: DataSharingAgreement, parties: Iterable[Agency]) -> "AgreementTerms":
        return cls(
            parties=frozenset(party.pk for party in parties),
            categories=frozenset(agreement.data_categories),
            lawful_basis=agreement.lawful_basis,
            lawful_basis_detail=agreement.lawful_basis_detail,
            purpose=agreement.purpose,
            start_date=agreement.start_date,
            review_date=agreement.review_date,
            end_date=agreement.end_date,
        )

    def widened_by(self, after: "AgreementTerms") -> bool:
        """Whether `after` allows anything these terms do not. A new basis or purpose counts
        as wider: whether it is narrower is a judgement for the second administrator."""
        ends_later = self.end_date is not None and (
            after.end_date is None or after.end_date > self.end_date
        )
        return bool(
            after.parties - self.parties
            or after.categories - self.categories
            or after.start_date < self.start_date
            or after.review_date > self.review_date
            or ends_later
            or (after.lawful_basis, after.lawful_basis_detail)
            != (self.lawful_basis, self.lawful_basis_detail)
            or after.purpose != self.purpose
        )


def agreement_edit_settle(
    *, agreement: DataSharingAgreement, editor: User, parties: Iterable[Agency]
) -> bool:
    """Before an administrator's add or edit is saved: a new agreement, or one the edit
    widens, loses its approval and names the editor, who cannot approve it. True when the
    agreement will wait for a second administrator (also when it was waiting already)."""
    require_administrator(editor, to="change a data sharing agreement")
    stored = (
        DataSharingAgreement.objects.prefetch_related("parties").filter(pk=agreement.pk).first()
        if agreement.pk is not None
        else None
    )
    widens = stored is None or AgreementTerms.of(stored, stored.parties.all()).widened_by(
        AgreementTerms.of(agreement, parties)
    )
    if widens:
        agreement.approved_at = None
        agreement.approved_by = None
        agreement.changed_by = editor
    return not agreement.approved


def agreement_waiting_record(*, agreement: DataSharingAgreement, editor: User) -> None:
    """Logs that the editor's change left the agreement waiting for approval (in the
    transaction of the save)."""
    audit_record(
        action=AuditAction.ALTERATION,
        actor=editor,
        subject=agreement,
        purpose="data sharing agreement waiting for a second administrator",
    )


def agreement_approve(*, agreement: DataSharingAgreement, approver: User) -> DataSharingAgreement:
    """A second administrator approves a waiting agreement: from now it is in force on its
    dates. Nobody approves a change they made."""
    require_administrator(approver, to="approve a data sharing agreement")
    with transaction.atomic():
        agreement = DataSharingAgreement.objects.select_for_update().get(pk=agreement.pk)
        if agreement.approved:
            raise ValidationError(f"{agreement.reference} is already approved")
        if not may_approve_agreement(approver, agreement):
            raise PermissionDenied(
                "You cannot approve a change you made: a second administrator must approve it."
            )
        agreement.approved_at = timezone.now()
        agreement.approved_by = approver
        agreement.save(update_fields=["approved_at", "approved_by"])
        audit_record(
            action=AuditAction.ALTERATION,
            actor=approver,
            subject=agreement,
            purpose="data sharing agreement approved",
        )
    return agreement
