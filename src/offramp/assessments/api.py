from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from offramp.access.permissions import (
    PERSON_RECORD_READERS,
    Capability,
    require_any_capability,
    require_capability,
)
from offramp.access.scoping import assessments_visible_to, people_visible_to, referrals_visible_to
from offramp.api.common import caller
from offramp.api.schemas import (
    AssessmentOut,
    AssessmentStartIn,
    AssessmentSummaryIn,
    CategoryOut,
    ErrorOut,
    FactorJudgementIn,
    FactorJudgementOut,
    FactorOut,
    FrameworkOut,
    ValidationErrorOut,
)
from offramp.assessments.framework import current_framework
from offramp.assessments.models import Assessment
from offramp.assessments.services import (
    AssessmentSummary,
    FactorEntry,
    assessment_complete,
    assessment_record_factors,
    assessment_record_summary,
    assessment_start,
)
from offramp.audit.services import audit_consultation

router = Router(tags=["assessments"])
framework_router = Router(tags=["framework"])

WRITE_RESPONSES = {
    200: AssessmentOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ValidationErrorOut,
}


def _out(assessment: Assessment) -> AssessmentOut:
    return AssessmentOut(
        id=assessment.pk,
        person_id=assessment.person_id,
        referral_id=assessment.referral_id,
        framework_version=assessment.framework_version,
        status=assessment.status,
        started_at=assessment.started_at,
        completed_at=assessment.completed_at,
        protective_factors=assessment.protective_factors,
        summary=assessment.summary,
        overall_concern=assessment.overall_concern,
        changes_note=assessment.changes_note,
        judgements=[
            FactorJudgementOut(
                factor_id=j.factor_id,
                judgement=j.judgement,
                evidence=j.evidence,
                source_agency_id=j.source_agency_id,
                evidence_date=j.evidence_date,
                note=j.note,
            )
            for j in assessment.judgements.all()
        ],
    )


def _visible(request: HttpRequest, assessment_id: int) -> Assessment:
    """An assessment the caller may record (coordinators)."""
    user = caller(request)
    require_capability(user, Capability.ASSESS)
    return get_object_or_404(assessments_visible_to(user), pk=assessment_id)


def _readable(request: HttpRequest, assessment_id: int) -> Assessment:
    """An assessment the caller may read: as the page, also a panel member's for a case on
    their panel's agenda."""
    user = caller(request)
    require_any_capability(user, PERSON_RECORD_READERS)
    return get_object_or_404(assessments_visible_to(user), pk=assessment_id)


@router.post(
    "/for-person/{person_id}",
    response={
        201: AssessmentOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut,
    },
)
def start_assessment(
    request: HttpRequest, person_id: int, payload: AssessmentStartIn
) -> Status[AssessmentOut]:
    user = caller(request)
    require_capability(user, Capability.ASSESS)
    person = get_object_or_404(people_visible_to(user), pk=person_id)
    referral = (
        get_object_or_404(referrals_visible_to(user), pk=payload.referral_id)
        if payload.referral_id is not None
        else None
    )
    return Status(201, _out(assessment_start(person=person, actor=user, referral=referral)))


@router.get("/{assessment_id}", response={200: AssessmentOut, 403: ErrorOut, 404: ErrorOut})
def get_assessment(request: HttpRequest, assessment_id: int) -> AssessmentOut:
    assessment = _readable(request, assessment_id)
    audit_consultation(actor=caller(request), subjects=[assessment], purpose="assessment")
    return _out(assessment)


@router.put("/{assessment_id}/factors/{factor_id}", response=WRITE_RESPONSES)
def record_factor(
    request: HttpRequest, assessment_id: int, factor_id: str, payload: FactorJudgementIn
) -> AssessmentOut:
    assessment = _visible(request, assessment_id)
    entry = FactorEntry(factor_id=factor_id, **payload.dict())
    return _out(
        assessment_record_factors(assessment=assessment, actor=caller(request), entries=[entry])
    )


@router.put("/{assessment_id}/summary", response=WRITE_RESPONSES)
def record_summary(
    request: HttpRequest, assessment_id: int, payload: AssessmentSummaryIn
) -> AssessmentOut:
    assessment = _visible(request, assessment_id)
    summary = AssessmentSummary(**payload.dict())
    return _out(
        assessment_record_summary(assessment=assessment, actor=caller(request), summary=summary)
    )


@router.post("/{assessment_id}/complete", response=WRITE_RESPONSES)
def complete(request: HttpRequest, assessment_id: int) -> AssessmentOut:
    assessment = _visible(request, assessment_id)
    return _out(assessment_complete(assessment=assessment, actor=caller(request)))


@framework_router.get("", response=FrameworkOut)
def get_framework(request: HttpRequest) -> FrameworkOut:
    """The risk framework in force: its version, categories and factors."""
    framework = current_framework()
    return FrameworkOut(
        version=framework.version,
        categories=[
            CategoryOut(id=c.id, name=c.name, description=c.description)
            for c in framework.categories
        ],
        factors=[
            FactorOut(
                id=f.id,
                category=f.category,
                name=f.name,
                description=f.description,
                guide_paragraphs=list(f.guide_paragraphs),
                indicators=list(f.indicators),
                crime_types=list(f.crime_types),
                intervention_kinds=list(f.intervention_kinds),
                safeguarding_first=f.safeguarding_first,
                origin=f.origin,
            )
            for f in framework.factors
        ],
    )
