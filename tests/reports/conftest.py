"""A small partnership for the reports: referrals, a routed case with a placement, a closed
referral, a group reaching abroad with a victim in it, and the analyst who reports on it all."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.cases.models import Case, Panel, Placement
from offramp.cases.models import Route as CaseRoute
from offramp.cases.services import PlacementRequest, RouteRequest, case_route, placement_add
from offramp.interventions.models import Programme
from offramp.networks.models import GroupMembership, GroupStatus, OrganisedCrimeGroup
from offramp.people.models import PersonCategory
from offramp.referrals.models import ClosureReason, Referral
from offramp.referrals.services import referral_close, referral_create
from tests.cases.conftest import complete_assessment, panel, programme  # noqa: F401
from tests.conftest import referral_request

PERIOD_START = datetime.date(2025, 1, 1)


@dataclass
class ReportWorld:
    referrals: list[Referral]
    case: Case
    placement: Placement
    programme: Programme
    group: OrganisedCrimeGroup


@pytest.fixture
def report_world(
    coordinator: User,
    school_dsl: User,
    other_dsl: User,
    analyst: User,
    agencies: dict[str, Agency],
    panel: Panel,  # noqa: F811
    programme: Programme,  # noqa: F811
) -> ReportWorld:
    routed = referral_create(referrer=school_dsl, request=referral_request())
    closed = referral_create(
        referrer=other_dsl,
        request=referral_request(
            given_name="Paige", family_name="Morris", date_of_birth=datetime.date(2008, 1, 3)
        ),
    )
    complete_assessment(
        routed,
        coordinator,
        present=["gang_involvement"],
        concern="significant_concern",
        crime_types=["drugs_supply"],
    )
    case = case_route(
        referral=routed,
        request=RouteRequest(
            route=CaseRoute.PANEL,
            reason="Gang involvement: the panel can offer the youth scheme.",
            person_category=PersonCategory.AT_RISK,
            panel=panel,
        ),
        actor=coordinator,
    )
    today = timezone.localdate()
    placement = placement_add(
        case=case,
        request=PlacementRequest(
            programme=programme,
            provider="Youth offending service",
            starts_on=today,
            expected_end_on=today + datetime.timedelta(days=90),
        ),
        actor=coordinator,
    )
    referral_close(referral=closed, actor=coordinator, reason=ClosureReason.NO_FURTHER_ACTION)
    person = closed.person
    person.nationality = "AL"
    person.linked_countries = ["NL", "GB"]
    person.save()
    group = OrganisedCrimeGroup.objects.create(
        reference="OCG-1",
        name="Station boys",
        crime_types=["drugs_supply"],
        countries=["NL", "AL"],
        status=GroupStatus.ACTIVE,
        source_agency=agencies["police"],
        recorded_by=analyst,
    )
    GroupMembership.objects.create(
        group=group,
        person=person,
        category=PersonCategory.VICTIM,
        source_agency=agencies["police"],
        confidence="medium",
        recorded_by=analyst,
    )
    return ReportWorld(
        referrals=[routed, closed],
        case=case,
        placement=placement,
        programme=programme,
        group=group,
    )


def period_query(start: datetime.date = PERIOD_START, end: datetime.date | None = None) -> str:
    end = end or timezone.localdate()
    return f"from={start.isoformat()}&to={end.isoformat()}"
