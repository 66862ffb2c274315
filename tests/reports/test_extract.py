"""The extract reads the small partnership into the frames of the profile contract, in bulk,
through the reports scoping selector only."""

import pandas as pd
import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from offramp.accounts.models import User
from offramp.analysis.profile import ProfileInputs
from offramp.reports.extract import profile_inputs
from offramp.reports.population import PopulationRow, population_replace

from .conftest import PERIOD_START, ReportWorld


def _inputs(user: User) -> ProfileInputs:
    return profile_inputs(user=user, period_start=PERIOD_START, period_end=timezone.localdate())


def test_the_frames_hold_the_partnerships_records(report_world: ReportWorld, analyst: User) -> None:
    inputs = _inputs(analyst)
    routed, closed = report_world.referrals
    referrals = inputs.referrals.set_index("referral_id")
    assert set(referrals.index) == {routed.pk, closed.pk}
    assert referrals.at[routed.pk, "status"] == "closed"
    assert referrals.at[routed.pk, "closure_reason"] == "routed"
    assert referrals.at[closed.pk, "closure_reason"] == "no_further_action"
    assert referrals.at[routed.pk, "referring_agency_kind"] == "school"
    assert referrals["received_on"].dtype == "datetime64[ns]"
    assert referrals["received_on"].max() == pd.Timestamp(timezone.localdate())

    factors = inputs.referral_factors
    assert set(factors.loc[factors["referral_id"] == routed.pk, "factor_id"]) == {
        "gang_involvement",
        "associates",
    }
    case = inputs.cases.set_index("case_id").loc[report_world.case.pk]
    assert (case["route"], case["person_category"]) == ("panel", "at_risk")
    assert pd.isna(case["exited_on"])

    placement = inputs.placements.set_index("placement_id").loc[report_world.placement.pk]
    assert placement["person_id"] == routed.person_id
    assert placement["status"] == "planned"
    assert pd.isna(placement["ended_on"])  # not ended: its status change is not an end

    assessment = inputs.assessments.iloc[0]
    assert assessment["crime_types"] == ["drugs_supply"]
    assert assessment["overall_concern"] == "significant_concern"
    present = inputs.judgements[inputs.judgements["judgement"] == "present"]
    assert present["factor_id"].tolist() == ["gang_involvement"]

    programme = inputs.programmes.set_index("programme_id").loc[report_world.programme.pk]
    assert programme["capacity"] == 2.0 and not programme["retired"]
    assert programme["factor_ids"] == ["gang_involvement"]

    group = inputs.groups.iloc[0]
    assert group["countries"] == ["NL", "AL"]
    membership = inputs.memberships.iloc[0]
    assert (membership["person_id"], membership["category"]) == (closed.person_id, "victim")
    assert inputs.offences.empty and list(inputs.offences.columns) == [
        "person_id",
        "offence_date",
        "offence_category",
        "outcome",
    ]
    for frame in (inputs.referrals, inputs.cases, inputs.placements, inputs.people):
        assert frame["person_id"].dtype == "int64"


def test_people_are_only_those_another_frame_mentions(
    report_world: ReportWorld, analyst: User
) -> None:
    from offramp.people.models import Person

    Person.objects.create(
        given_name="Not",
        family_name="Involved",
        date_of_birth="1990-01-01",
        created_by_agency=report_world.group.source_agency,
    )
    people = _inputs(analyst).people.set_index("person_id")
    assert set(people.index) == {r.person_id for r in report_world.referrals}
    closed = report_world.referrals[1].person_id
    assert people.at[closed, "linked_countries"] == ["NL", "GB"]
    assert people.at[closed, "nationality"] == "AL"
    assert "given_name" not in people.columns  # no names ever reach a report


def test_extraction_is_a_handful_of_queries_whatever_the_size(
    report_world: ReportWorld, analyst: User
) -> None:
    with CaptureQueriesContext(connection) as queries:
        _inputs(analyst)
    assert len(queries) <= 15


def test_population_denominators_come_with_the_inputs(analyst: User) -> None:
    population_replace(
        rows=[PopulationRow("Northgate", "female", "10-13", "white_irish", 120)], source="t.csv"
    )
    population = _inputs(analyst).population
    assert population.to_dict("records") == [
        {
            "area": "Northgate",
            "sex": "female",
            "age_band": "10-13",
            "ethnicity": "white_irish",
            "population": 120,
        }
    ]


@pytest.mark.parametrize("persona", ["school_dsl", "health_panel_member", "auditor"])
def test_only_those_who_produce_reports_may_extract(
    persona: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        _inputs(user)


def test_the_coordinator_may_extract_too(coordinator: User) -> None:
    assert _inputs(coordinator).referrals.empty
