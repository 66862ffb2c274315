"""The Local Profile on small hand-computed inputs, on nothing, and on a synthetic area."""

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from offramp.analysis.disclosure import SUPPRESSED
from offramp.analysis.profile import (
    AGE_BANDS,
    ProfileInputs,
    age_bands,
    ages_on,
    build_profile,
    rate_ratio,
)
from offramp.demo.profile_inputs import inputs_from_synthetic_area
from offramp.demo.synth import generate_area

START, END = date(2026, 1, 1), date(2026, 12, 31)
FRAMEWORK = {
    "networks": "Networks",
    "identity": "Identity",
    "gang_involvement": {"category": "networks", "label": "Gang involvement"},
    "family_network": {"category": "networks", "label": "Family"},
    "sense_of_belonging": {"category": "identity", "label": "Sense of belonging"},
    "power_and_status": {"category": "identity", "label": "Power and status"},
}
# Columns that hold numbers which are not counts of people (so may be 1-4).
NOT_COUNTS = {"Number of factors", "Available programmes addressing it", "Population", "Months"}


def inputs(**frames) -> ProfileInputs:
    """Empty inputs for 2026 with the given frames (lists of dicts; missing columns are NaN)."""
    empty = ProfileInputs.empty(START, END, FRAMEWORK)
    return replace(
        empty,
        **{
            name: pd.DataFrame(rows).reindex(columns=getattr(empty, name).columns)
            for name, rows in frames.items()
        },
    )


def people(count: int, first_id: int = 1, **fields) -> list[dict]:
    return [
        {"person_id": first_id + i, "date_of_birth": "2005-06-01", "sex": "male", **fields}
        for i in range(count)
    ]


def small_counts(profile) -> list[tuple[str, str, object]]:
    found: list[tuple[str, str, object]] = []
    for table in profile.tables():
        for column in table.frame.columns:
            if column in NOT_COUNTS or column.startswith("%"):
                continue
            for value in table.frame[column]:
                if isinstance(value, (int, np.integer)) and 0 < value < 5:
                    found.append((table.id, column, value))
    return found


def test_rate_ratio_and_log_interval_match_a_hand_computed_two_by_two():
    # Group: 10 referred of 1,000 residents; everyone else: 40 of 9,000.
    # RR = (10/1000) / (40/9000) = 0.01 / 0.004444 = 2.25
    # SE(ln RR) = sqrt(1/10 - 1/1000 + 1/40 - 1/9000) = sqrt(0.123889) = 0.351979;
    # 1.959964 x 0.351979 = 0.689866
    # 95% CI = exp(ln 2.25 -/+ 1.96 x 0.351979) = exp(0.810930 -/+ 0.689866) = 1.1287 to 4.4853
    ratio, low, high = rate_ratio([10], [1000], [40], [9000])
    assert ratio[0] == pytest.approx(2.25)
    assert low[0] == pytest.approx(1.1287, abs=1e-4)
    assert high[0] == pytest.approx(4.4853, abs=1e-4)


def test_disproportionality_table_flags_the_hand_computed_group_as_material():
    referred = people(10, ethnicity="black_african") + people(40, 11, ethnicity="white_irish")
    profile = build_profile(
        inputs(
            people=referred,
            referrals=[
                {
                    "referral_id": p["person_id"],
                    "person_id": p["person_id"],
                    "received_on": "2026-03-01",
                    "referring_agency_kind": "police",
                }
                for p in referred
            ],
            population=[
                {
                    "area": "x",
                    "sex": "male",
                    "age_band": "18-24",
                    "ethnicity": "black_african",
                    "population": 1000,
                },
                {
                    "area": "x",
                    "sex": "male",
                    "age_band": "18-24",
                    "ethnicity": "white_irish",
                    "population": 9000,
                },
            ],
        ),
        labels={"black_african": "Black African", "white_irish": "White Irish"},
    )
    table = next(t for t in profile.tables() if t.id == "disproportionality_referral")
    row = table.frame.set_index("Ethnic group").loc["Black African"]
    assert row["People referred"] == 10
    assert (row["Rate ratio"], row["95% CI lower"], row["95% CI upper"]) == (2.25, 1.13, 4.49)
    assert row["Material difference"] == "Yes"
    # White Irish: RR = (40/9000)/(10/1000) = 0.44, the same interval inverted: material too.
    assert table.frame.set_index("Ethnic group").loc["White Irish", "Rate ratio"] == 0.44


def test_small_groups_are_suppressed_in_disproportionality_and_breakdowns():
    referred = people(3, ethnicity="asian_chinese") + people(30, 4, ethnicity="white_irish")
    profile = build_profile(
        inputs(
            people=referred,
            referrals=[
                {
                    "referral_id": p["person_id"],
                    "person_id": p["person_id"],
                    "received_on": "2026-03-01",
                }
                for p in referred
            ],
            population=[
                {"area": "x", "sex": "male", "age_band": "18-24", "ethnicity": e, "population": n}
                for e, n in [("asian_chinese", 500), ("white_irish", 5000), ("other_any", 100)]
            ],
        )
    )
    table = next(t for t in profile.tables() if t.id == "disproportionality_referral")
    chinese = table.frame.set_index("Ethnic group").loc["Asian chinese"]
    assert chinese["People referred"] == SUPPRESSED and chinese["Rate ratio"] == SUPPRESSED
    # ...and White Irish is hidden too, or the total of 33 would give the 3 away.
    assert table.frame.set_index("Ethnic group").loc["White irish", "People referred"] == SUPPRESSED
    assert small_counts(profile) == []


def present(assessment_id: int, *factor_ids: str) -> list[dict]:
    return [
        {"assessment_id": assessment_id, "factor_id": f, "judgement": "present"} for f in factor_ids
    ]


def assessed_people(combinations: list[tuple[int, tuple[str, ...]]]) -> dict:
    """`count` people assessed in June with each combination of present factors."""
    rows, assessments, judgements = [], [], []
    next_id = 1
    for count, factors in combinations:
        for person in people(count, next_id):
            rows.append(person)
            assessments.append(
                {
                    "assessment_id": next_id,
                    "person_id": next_id,
                    "completed_on": "2026-06-01",
                    "crime_types": ["drugs_supply"],
                }
            )
            judgements += present(next_id, *factors)
            next_id += 1
    return {"people": rows, "assessments": assessments, "judgements": judgements}


def test_pathways_are_the_most_common_combinations_with_small_ones_suppressed():
    frames = assessed_people(
        [
            (6, ("gang_involvement", "family_network")),
            (5, ("gang_involvement", "family_network", "sense_of_belonging")),
            (2, ("family_network", "sense_of_belonging")),
            (9, ("power_and_status",)),  # one factor is not a combination
        ]
    )
    frame = build_profile(inputs(**frames)).section("pathways").tables[0].frame
    assert frame.to_dict("list") == {
        "Combination of factors present": [
            "Family + Gang involvement",
            "Family + Gang involvement + Sense of belonging",
            "Family + Sense of belonging",
        ],
        "Number of factors": [2, 3, 2],
        "People": [6, 5, SUPPRESSED],
        "% of people with a factor present": [27.3, 22.7, SUPPRESSED],
    }


def test_gaps_are_factors_present_that_no_available_programme_addresses():
    frames = assessed_people(
        [
            (7, ("gang_involvement", "sense_of_belonging")),
            (6, ("power_and_status",)),
        ]
    )
    programmes = [
        {
            "programme_id": 1,
            "name": "Gang exit",
            "factor_ids": ["gang_involvement"],
            "crime_types": [],
            "capacity": 10.0,
            "retired": False,
            "min_age": None,
            "max_age": None,
        },
        # Addresses belonging, but only for children: the adults in the cohort are unserved.
        {
            "programme_id": 2,
            "name": "Youth club",
            "factor_ids": ["sense_of_belonging"],
            "crime_types": [],
            "capacity": np.nan,
            "retired": False,
            "min_age": 10,
            "max_age": 17,
        },
        # Retired, so power and status is a gap.
        {
            "programme_id": 3,
            "name": "Old scheme",
            "factor_ids": ["power_and_status"],
            "crime_types": [],
            "capacity": 5.0,
            "retired": True,
            "min_age": None,
            "max_age": None,
        },
    ]
    section = build_profile(inputs(programmes=programmes, **frames)).section("gaps")
    gaps, coverage = (t.frame for t in section.tables)
    assert gaps.to_dict("records") == [
        {"Factor": "Power and status", "Category": "Identity", "People with the factor present": 6}
    ]
    by_factor = coverage.set_index("Factor")
    assert by_factor.loc["Sense of belonging", "People with no programme open to their age"] == 7
    assert by_factor.loc["Gang involvement", "People with no programme open to their age"] == 0
    assert section.warnings


def test_an_empty_area_gives_every_section_without_numbers_or_errors():
    stages = []
    profile = build_profile(
        ProfileInputs.empty(START, END, FRAMEWORK),
        progress=lambda stage, done, total: stages.append((stage, done, total)),
    )
    assert [s.id for s in profile.sections] == [
        "population",
        "referrals",
        "characteristics",
        "factors",
        "pathways",
        "interventions",
        "gaps",
        "disproportionality",
        "upstream",
        "what_works",
    ]
    assert stages[-1] == ("what_works", 10, 10)
    for table in profile.tables():
        numbers = pd.to_numeric(table.frame.stack(), errors="coerce").dropna()
        assert (numbers == 0).all(), table.id
    assert "No programme has placements to evaluate yet." in profile.section("what_works").warnings


def test_a_synthetic_area_profile_publishes_no_count_under_five():
    area = generate_area(people=3000, seed=11)
    profile = build_profile(inputs_from_synthetic_area(area, date(2024, 11, 1), date(2026, 10, 31)))
    assert small_counts(profile) == []
    assert sum(len(t.frame) for t in profile.tables()) > 50
    # A section asked for on its own (the upstream view) is the same as in the whole profile.
    inputs_again = inputs_from_synthetic_area(area, date(2024, 11, 1), date(2026, 10, 31))
    alone = build_profile(inputs_again, only=("upstream",))
    assert [section.id for section in alone.sections] == ["upstream"]
    upstream = zip(
        alone.section("upstream").tables, profile.section("upstream").tables, strict=True
    )
    for table, whole in upstream:
        pd.testing.assert_frame_equal(table.frame, whole.frame)
    for table in profile.tables():
        chart = table.chart
        assert chart.kind == "none" or {chart.x, *chart.y} <= set(table.frame.columns), table.id


def test_age_bands_follow_the_contract_and_unknown_dates_are_not_known():
    dob = pd.Series(pd.to_datetime(["2016-06-02", "2012-06-01", "2008-01-01", None, "1970-01-01"]))
    ages = ages_on(dob, pd.Timestamp("2026-06-01"))
    assert ages.tolist()[:3] == [9, 14, 18]
    assert age_bands(ages).tolist() == ["0-9", "14-17", "18-24", "not_known", "50+"]
    assert AGE_BANDS == ("0-9", "10-13", "14-17", "18-24", "25-34", "35-49", "50+")


def test_inputs_missing_a_column_or_with_a_backwards_period_are_refused():
    empty = ProfileInputs.empty(START, END, FRAMEWORK)
    with pytest.raises(ValueError, match="referrals has no column"):
        replace(empty, referrals=pd.DataFrame({"referral_id": []}))
    with pytest.raises(ValueError, match="ends"):
        replace(empty, period_end=date(2025, 1, 1))


def test_upstream_counts_people_victims_and_groups_per_country():
    linked = people(6, nationality="AL", linked_countries=["NL", "AL"])
    victims = people(5, 7, nationality="VN", linked_countries=[])
    groups = [
        {
            "group_id": g,
            "crime_types": ["drugs_supply", "firearms"],
            "countries": ["NL"],
            "status": "active",
        }
        for g in range(1, 6)
    ] + [{"group_id": 6, "crime_types": ["fraud"], "countries": ["TR"], "status": "active"}]
    profile = build_profile(
        inputs(
            people=linked + victims,
            cases=[
                {
                    "case_id": p["person_id"],
                    "person_id": p["person_id"],
                    "opened_on": "2026-02-01",
                    "person_category": "victim",
                }
                for p in victims
            ],
            groups=groups,
        ),
        labels={"drugs_supply": "Drugs supply", "firearms": "Firearms"},
    )
    table = profile.section("upstream").tables[0].frame.set_index("Country")
    assert table.loc["AL", ["People: nationality", "People: linked"]].tolist() == [6, 6]
    assert table.loc["NL", ["People: linked", "Groups"]].tolist() == [6, 5]
    assert table.loc["NL", "Commodities (crime types of linked groups)"] == "Drugs supply; Firearms"
    assert table.loc["VN", "Victims"] == 5
    # One group linked to Turkey: its count and what it deals in are suppressed.
    assert table.loc["TR", "Groups"] == SUPPRESSED
    assert table.loc["TR", "Commodities (crime types of linked groups)"] == SUPPRESSED
