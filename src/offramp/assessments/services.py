"""Recording assessments. Every write is one transaction with its timeline event."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from offramp.access.permissions import Capability, acting_agency, require_capability
from offramp.accounts.models import User
from offramp.agencies.models import Agency, AgencyKind
from offramp.audit.models import EventCode
from offramp.audit.services import event_record
from offramp.people.models import Person
from offramp.referrals.models import Referral
from offramp.referrals.services import referral_mark_assessed, referral_mark_in_assessment
from offramp.sharing.models import DataCategory
from offramp.sharing.services import (
    NoSharingBasis,
    SharingBasis,
    disclosure_record,
    sharing_basis,
)
from offramp.text import invisible_character_errors
from offramp.transitions import move

from .framework import current_framework
from .models import (
    ASSESSMENT_MOVES,
    JUDGEMENTS_NEEDING_EVIDENCE,
    Assessment,
    AssessmentStatus,
    FactorJudgement,
    Judgement,
    OverallConcern,
)
from .selectors import judgements_by_factor


@dataclass(frozen=True)
class FactorEntry:
    factor_id: str
    judgement: str
    evidence: str = ""
    source_agency_id: int | None = None
    evidence_date: date | None = None
    note: str = ""


@dataclass(frozen=True)
class AssessmentSummary:
    protective_factors: str
    summary: str
    overall_concern: str
    changes_note: str = ""


def assessment_start(
    *, person: Person, actor: User, referral: Referral | None = None
) -> Assessment:
    require_capability(actor, Capability.ASSESS)
    if referral is not None and referral.person_id != person.pk:
        raise ValidationError({"referral": "The referral is about a different person"})
    with transaction.atomic():
        Person.objects.select_for_update().get(pk=person.pk)
        if person.assessments.filter(status=AssessmentStatus.IN_PROGRESS).exists():
            raise ValidationError(
                {"person": "This person already has an assessment in progress; continue that one"}
            )
        assessment = Assessment.objects.create(
            person=person,
            referral=referral,
            framework_version=current_framework().version,
            assessor=actor,
            agency=acting_agency(actor),
        )
        if referral is not None:
            referral_mark_in_assessment(referral=referral)
        event_record(
            person=person,
            code=EventCode.ASSESSMENT_STARTED,
            actor=actor,
            summary=f"Assessment started (framework {assessment.framework_version})",
            subject=assessment,
        )
    return assessment


def _ensure_editable(assessment: Assessment, actor: User) -> None:
    require_capability(actor, Capability.ASSESS)
    assessment.require_editable()


def _entry_errors(entry: FactorEntry, prefix: str, known_agencies: set[int]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if entry.judgement not in Judgement.values:
        errors[f"{prefix}judgement"] = "Select present, possible, absent or not known"
        return errors
    if entry.judgement in JUDGEMENTS_NEEDING_EVIDENCE:
        if not entry.evidence.strip():
            errors[f"{prefix}evidence"] = "Describe the evidence for this factor"
        if entry.source_agency_id is None:
            errors[f"{prefix}source_agency"] = "Select the agency the evidence came from"
        if entry.evidence_date is None:
            errors[f"{prefix}evidence_date"] = "Enter the date of the evidence"
    if entry.source_agency_id is not None and entry.source_agency_id not in known_agencies:
        errors[f"{prefix}source_agency"] = "Select an agency from the list"
    if entry.evidence_date is not None and entry.evidence_date > timezone.localdate():
        errors[f"{prefix}evidence_date"] = "The date of the evidence must be today or in the past"
    for name, value in (("evidence", entry.evidence), ("note", entry.note)):
        if len(value) > 2000:
            errors[f"{prefix}{name}"] = f"The {name} must be 2000 characters or fewer"
    texts = {f"{prefix}evidence": entry.evidence, f"{prefix}note": entry.note}
    labels = {f"{prefix}evidence": "Evidence", f"{prefix}note": "Your note"}
    errors.update(invisible_character_errors(texts, free_text=True, labels=labels))
    return errors


def validate_factor_entries(entries: list[FactorEntry]) -> None:
    framework = current_framework()
    known_factors = {factor.id for factor in framework.factors}
    known_agencies = set(Agency.objects.values_list("pk", flat=True))
    errors: dict[str, str] = {}
    for entry in entries:
        if entry.factor_id not in known_factors:
            errors[entry.factor_id] = f"Unknown framework factor '{entry.factor_id}'"
            continue
        errors.update(_entry_errors(entry, f"{entry.factor_id}-", known_agencies))
    if errors:
        raise ValidationError(errors)


# The kind of information each framework category's evidence is, for the sharing rules.
# Evidence from a health agency is health information (special category) whatever the factor.
FACTOR_DATA_CATEGORY: dict[str, DataCategory] = {
    "criminality": DataCategory.OFFENDING,
    "ability": DataCategory.OFFENDING,
    "networks": DataCategory.INTELLIGENCE,
    "identity": DataCategory.SOCIAL_CARE,
}


def factor_data_category(*, factor_id: str, source: Agency) -> DataCategory:
    if source.kind == AgencyKind.HEALTH:
        return DataCategory.HEALTH
    category = current_framework().factor(factor_id).category
    # A local extension's own categories hold the partnership's risk assessment information.
    return FACTOR_DATA_CATEGORY.get(category, DataCategory.RISK_ASSESSMENT)


@dataclass(frozen=True)
class _Share:
    factor_id: str
    source: Agency
    category: DataCategory
    basis: SharingBasis


def _is_new_information(entry: FactorEntry, existing: FactorJudgement | None) -> bool:
    """Whether saving the entry adds the source agency's information, rather than re-saving it."""
    if existing is None:
        return True
    before = (existing.judgement, existing.evidence, existing.source_agency_id)
    after = (entry.judgement, entry.evidence.strip(), entry.source_agency_id)
    return before != after or existing.evidence_date != entry.evidence_date


def _shares(assessment: Assessment, actor: User, entries: list[FactorEntry]) -> list[_Share]:
    """The other agencies' information these entries add, each with the basis covering it.

    Refuses the whole save, naming on each factor what is missing, if any lacks a basis.
    """
    own = acting_agency(actor)
    existing = judgements_by_factor(assessment)
    sources = Agency.objects.in_bulk([e.source_agency_id for e in entries if e.source_agency_id])
    today = timezone.localdate()
    shares: list[_Share] = []
    errors: dict[str, str] = {}
    for entry in entries:
        source = sources.get(entry.source_agency_id) if entry.source_agency_id else None
        if source is None or source.pk == own.pk:
            continue
        if not _is_new_information(entry, existing.get(entry.factor_id)):
            continue
        category = factor_data_category(factor_id=entry.factor_id, source=source)
        try:
            basis = sharing_basis(
                from_agency=source,
                to_agency=own,
                category=category,
                person=assessment.person,
                on=today,
            )
        except NoSharingBasis as refusal:
            errors[f"{entry.factor_id}-source_agency"] = refusal.messages[0]
        else:
            shares.append(_Share(entry.factor_id, source, category, basis))
    if errors:
        raise NoSharingBasis(errors)
    return shares


def assessment_record_factors(
    *, assessment: Assessment, actor: User, entries: list[FactorEntry]
) -> Assessment:
    """Records or replaces judgements for some factors (a category at a time in the pages).

    Evidence from another agency needs a lawful basis (`offramp.sharing`), and each new piece
    is recorded as a disclosure from that agency to the assessor's.
    """
    _ensure_editable(assessment, actor)
    validate_factor_entries(entries)
    framework = current_framework()
    with transaction.atomic():
        shares = _shares(assessment, actor, entries)
        judgements: dict[str, FactorJudgement] = {}
        for entry in entries:
            judgements[entry.factor_id], _ = FactorJudgement.objects.update_or_create(
                assessment=assessment,
                factor_id=entry.factor_id,
                defaults={
                    "judgement": entry.judgement,
                    "evidence": entry.evidence.strip(),
                    "source_agency_id": entry.source_agency_id,
                    "evidence_date": entry.evidence_date,
                    "note": entry.note.strip(),
                    "recorded_at": timezone.now(),
                },
            )
        categories = sorted({framework.factor(e.factor_id).category for e in entries})
        names = ", ".join(c.name for c in framework.categories if c.id in categories)
        event_record(
            person=assessment.person,
            code=EventCode.FACTORS_RECORDED,
            actor=actor,
            summary=f"{len(entries)} factor(s) recorded: {names}",
            subject=assessment,
        )
        for share in shares:
            disclosure_record(
                person=assessment.person,
                category=share.category,
                subject=judgements[share.factor_id],
                from_agency=share.source,
                to_agency=acting_agency(actor),
                basis=share.basis,
                actor=actor,
            )
    return assessment


def assessment_record_summary(
    *, assessment: Assessment, actor: User, summary: AssessmentSummary
) -> Assessment:
    _ensure_editable(assessment, actor)
    errors: dict[str, str] = {}
    if summary.overall_concern not in OverallConcern.values:
        errors["overall_concern"] = "Select your overall judgement"
    if not summary.summary.strip():
        errors["summary"] = "Write a summary of your judgement"
    texts = {
        name: getattr(summary, name) for name in ("protective_factors", "summary", "changes_note")
    }
    for name, value in texts.items():
        if len(value) > 4000:
            errors[name] = "This must be 4000 characters or fewer"
    errors.update(invisible_character_errors(texts, free_text=True))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        assessment.protective_factors = summary.protective_factors.strip()
        assessment.summary = summary.summary.strip()
        assessment.overall_concern = summary.overall_concern
        assessment.changes_note = summary.changes_note.strip()
        assessment.save(
            update_fields=["protective_factors", "summary", "overall_concern", "changes_note"]
        )
        event_record(
            person=assessment.person,
            code=EventCode.ASSESSMENT_SUMMARISED,
            actor=actor,
            summary="Protective factors and summary judgement recorded",
            subject=assessment,
        )
    return assessment


def assessment_complete(*, assessment: Assessment, actor: User) -> Assessment:
    _ensure_editable(assessment, actor)
    framework = current_framework()
    judged = set(assessment.judgements.values_list("factor_id", flat=True))
    missing = [f.name for f in framework.factors if f.id not in judged]
    errors: dict[str, str] = {}
    if missing:
        errors["factors"] = "Record a judgement for every factor: " + ", ".join(missing)
    if not assessment.overall_concern:
        errors["summary"] = "Record the protective factors and summary judgement"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        move(
            assessment,
            machine=ASSESSMENT_MOVES,
            target=AssessmentStatus.COMPLETED,
            what=f"Assessment {assessment.pk}",
        )
        assessment.completed_at = timezone.now()
        assessment.save(update_fields=["status", "completed_at"])
        if assessment.referral is not None:
            referral_mark_assessed(referral=assessment.referral)
        event_record(
            person=assessment.person,
            code=EventCode.ASSESSMENT_COMPLETED,
            actor=actor,
            summary=f"Assessment completed: {assessment.get_overall_concern_display()}",
            subject=assessment,
        )
    return assessment
