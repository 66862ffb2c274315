"""Cases need a panel, a programme in the catalogue and referrals that have been screened."""

import datetime
from collections.abc import Iterable

import pytest

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.assessments.framework import current_framework
from offramp.assessments.models import Assessment, Judgement, OverallConcern
from offramp.assessments.services import (
    AssessmentSummary,
    FactorEntry,
    assessment_complete,
    assessment_record_factors,
    assessment_record_summary,
    assessment_start,
)
from offramp.cases.models import Panel
from offramp.interventions.models import EvidenceStrength, Programme
from offramp.referrals.models import Referral
from offramp.referrals.services import referral_start_screening


@pytest.fixture
def panel(agencies: dict[str, Agency]) -> Panel:
    """The partnership's panel; the second school does not sit on it."""
    panel = Panel.objects.create(name="Hartmoor SOC Prevent panel")
    panel.member_agencies.set([a for key, a in agencies.items() if key != "other_school"])
    return panel


@pytest.fixture
def programme(db: None) -> Programme:
    return Programme.objects.create(
        slug="hartmoor-youth-scheme",
        name="Hartmoor youth scheme",
        description="Youth scheme for young people on the edge of gangs.",
        delivered_by="Youth offending service",
        kind="gang_exit",
        min_age=10,
        max_age=18,
        crime_types=["drugs_supply"],
        factor_ids=["gang_involvement"],
        capacity=2,
        evidence_strength=EvidenceStrength.PROMISING,
    )


@pytest.fixture
def significant(dsl_referral: Referral, coordinator: User) -> Referral:
    """Connor, assessed with significant concern: Offramp suggests the panel."""
    complete_assessment(
        dsl_referral,
        coordinator,
        present={"gang_involvement", "early_prolific_offending"},
        concern=OverallConcern.SIGNIFICANT_CONCERN,
    )
    return dsl_referral


def complete_assessment(
    referral: Referral,
    actor: User,
    *,
    present: Iterable[str] = (),
    concern: str,
    crime_types: Iterable[str] = (),
) -> Assessment:
    """Screens the referral and completes an assessment with these factors present."""
    referral_start_screening(referral=referral, actor=actor)
    assessment = assessment_start(person=referral.person, actor=actor, referral=referral)
    present = set(present)
    entries = [
        FactorEntry(
            factor_id=factor.id,
            judgement=Judgement.PRESENT if factor.id in present else Judgement.ABSENT,
            evidence="Seen by the assessor" if factor.id in present else "",
            evidence_date=datetime.date(2026, 1, 5) if factor.id in present else None,
            source_agency_id=actor.agency_id if factor.id in present else None,
        )
        for factor in current_framework().factors
    ]
    assessment_record_factors(assessment=assessment, actor=actor, entries=entries)
    assessment_record_summary(
        assessment=assessment,
        actor=actor,
        summary=AssessmentSummary(
            protective_factors="Attends school most days.",
            summary="Drawn towards older boys who deal.",
            overall_concern=concern,
        ),
    )
    Assessment.objects.filter(pk=assessment.pk).update(crime_types=list(crime_types))
    return assessment_complete(assessment=assessment, actor=actor)
