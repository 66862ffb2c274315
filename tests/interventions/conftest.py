"""People with a completed assessment, cases with placements, and the national programmes.

The national catalogue is in every test database: it is installed after `migrate`.
"""

import datetime
import itertools
from collections.abc import Callable, Iterable

import pytest
from django.utils import timezone

from offramp.accounts.models import User
from offramp.assessments.framework import current_framework
from offramp.assessments.models import (
    Assessment,
    AssessmentStatus,
    FactorJudgement,
    Judgement,
    OverallConcern,
)
from offramp.cases.models import Case, CaseStatus, Placement, PlacementStatus, Route
from offramp.interventions.models import Programme
from offramp.interventions.services import ProgrammeDetails
from offramp.people.models import Person, PersonCategory
from offramp.referrals.services import referral_create
from tests.conftest import referral_request

MakeAssessed = Callable[..., Person]
MakeCase = Callable[..., Case]
Place = Callable[..., Placement]


def national(slug: str) -> Programme:
    return Programme.objects.get(slug=slug, national=True)


def local_details(**overrides: object) -> ProgrammeDetails:
    values: dict[str, object] = {
        "name": "Eastfield Boxing Academy",
        "description": "Evening boxing sessions with a mentor for young people leaving gangs.",
        "delivered_by": "Eastfield Boxing Club with the youth offending service",
        "kind": "mentoring",
        "factor_ids": ("gang_involvement", "sense_of_belonging"),
        "evidence_strength": "emerging",
        "min_age": 12,
        "max_age": 19,
        "crime_types": ("violence",),
        "capacity": 8,
        "evidence_note": "Started in 2025; no evaluation yet.",
    }
    values.update(overrides)
    return ProgrammeDetails(**values)  # type: ignore[arg-type]


def _judgements(
    assessment: Assessment, judgement: Judgement, factor_ids: Iterable[str], agency_id: int
) -> list[FactorJudgement]:
    return [
        FactorJudgement(
            assessment=assessment,
            factor_id=factor_id,
            judgement=judgement,
            evidence="Recorded by the partnership for this test.",
            source_agency_id=agency_id,
            evidence_date=datetime.date(2026, 1, 5),
        )
        for factor_id in factor_ids
    ]


@pytest.fixture
def assessed(coordinator: User) -> MakeAssessed:
    """A person whose latest completed assessment judges these factors present or possible."""

    def make(
        *,
        given_name: str = "Alex",
        family_name: str = "Morgan",
        born: datetime.date = datetime.date(2000, 2, 1),
        present: Iterable[str] = (),
        possible: Iterable[str] = (),
        crime_types: Iterable[str] = (),
    ) -> Person:
        agency = coordinator.agency
        assert agency is not None
        person = Person.objects.create(
            given_name=given_name,
            family_name=family_name,
            date_of_birth=born,
            created_by_agency=agency,
        )
        assessment = Assessment.objects.create(
            person=person,
            framework_version=current_framework().version,
            assessor=coordinator,
            agency=agency,
            status=AssessmentStatus.COMPLETED,
            completed_at=timezone.now(),
            summary="Assessed for the test.",
            overall_concern=OverallConcern.SIGNIFICANT_CONCERN,
            crime_types=list(crime_types),
        )
        FactorJudgement.objects.bulk_create(
            _judgements(assessment, Judgement.PRESENT, present, agency.pk)
            + _judgements(assessment, Judgement.POSSIBLE, possible, agency.pk)
        )
        return person

    return make


@pytest.fixture
def open_case(coordinator: User, school_dsl: User) -> MakeCase:
    """A case on a support plan (made directly: only its placements matter here)."""
    numbers = itertools.count(1)

    def make(person: Person | None = None) -> Case:
        number = next(numbers)
        referral = referral_create(
            referrer=school_dsl, request=referral_request(family_name=f"Case{number}")
        )
        agency = coordinator.agency
        assert agency is not None
        return Case.objects.create(
            reference=f"TEST-{number}",
            person=person or referral.person,
            person_category=PersonCategory.AT_RISK,
            referral=referral,
            lead_agency=agency,
            status=CaseStatus.ON_PLAN,
            route=Route.PANEL,
            route_reason="Significant concern: multi-agency response.",
            suggested_route=Route.PANEL,
            routed_by=coordinator,
        )

    return make


@pytest.fixture
def place(coordinator: User) -> Place:
    def make(case: Case, programme: Programme, status: str = PlacementStatus.PLANNED) -> Placement:
        today = timezone.localdate()
        return Placement.objects.create(
            case=case,
            programme=programme,
            provider=programme.delivered_by[:200],
            starts_on=today,
            expected_end_on=today + datetime.timedelta(days=90),
            status=status,
            added_by=coordinator,
        )

    return make
