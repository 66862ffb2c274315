"""What works: matching, events and Kaplan-Meier figures checked against values worked by hand."""

import math
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest
from lifelines.statistics import logrank_test

from offramp.analysis.disclosure import SUPPRESSED
from offramp.analysis.profile import Prepared, ProfileInputs, build_profile
from offramp.analysis.profile.what_works import DAYS_PER_MONTH, TOO_FEW, logrank_p, matched_cohorts

START, END = date(2026, 1, 1), date(2026, 12, 31)
FRAMEWORK = {"networks": "Networks", "gang_involvement": {"category": "networks", "label": "Gang"}}
INDEX = pd.Timestamp("2025-01-01")
PROGRAMME = 1


def days(n: int) -> str:
    return str((INDEX + pd.Timedelta(days=n)).date())


def fixture() -> ProfileInputs:
    """8 participants and 8 comparison people, all born 2000 (25-34 at index), no assessment and
    no sanction before the index date: one stratum. Plus three people who cannot be matched.

    Participants start the programme on 1 Jan 2025 (P8 on 1 Sep 2026) and the period ends on
    31 Dec 2026 (day 729 from the index). Events: a sanctioned offence on day 61 (P1), 122 (P2)
    and 240 (P3); P4 joins a group as a suspect on day 300. P5 has an offence with no further
    action, which is not an event.
    Comparison people's cases open on 1 Jan 2025; events on days 30, 90, 150, 200 and 400.
    """
    participants = list(range(1, 9))
    comparison = list(range(11, 19))
    unmatched = [21, 22, 23]  # a prior sanction; aged 50+; a factor present before the index
    everyone = participants + comparison + unmatched
    people = [
        {"person_id": p, "date_of_birth": "1960-01-01" if p == 22 else "2000-01-01", "sex": "male"}
        for p in everyone
    ]
    cases = [
        {
            "case_id": p,
            "person_id": p,
            "opened_on": "2024-12-01" if p in participants else days(0),
            "route": "panel",
            "status": "on_plan",
        }
        for p in everyone
    ]
    placements = [
        {
            "placement_id": p,
            "case_id": p,
            "person_id": p,
            "programme_id": PROGRAMME,
            "starts_on": "2026-09-01" if p == 8 else days(0),
            "status": "started",
        }
        for p in participants
    ]
    offence_days = {1: 61, 2: 122, 3: 240, 11: 30, 12: 90, 13: 150, 14: 200, 15: 400}
    offences = [
        {"person_id": p, "offence_date": days(d), "offence_category": "theft", "outcome": "caution"}
        for p, d in offence_days.items()
    ]
    offences += [
        {
            "person_id": 5,
            "offence_date": days(10),
            "offence_category": "theft",
            "outcome": "no_further_action",
        },
        {
            "person_id": 21,
            "offence_date": "2024-06-01",
            "offence_category": "theft",
            "outcome": "fine",
        },
    ]
    empty = ProfileInputs.empty(START, END, FRAMEWORK)

    def frame(name: str, rows: list[dict]) -> pd.DataFrame:
        return pd.DataFrame(rows).reindex(columns=getattr(empty, name).columns)

    return replace(
        empty,
        people=frame("people", people),
        cases=frame("cases", cases),
        placements=frame("placements", placements),
        offences=frame("offences", offences),
        memberships=frame(
            "memberships",
            [
                {
                    "person_id": 4,
                    "group_id": 1,
                    "category": "suspect_or_offender",
                    "started_on": days(300),
                },
                {"person_id": 16, "group_id": 1, "category": "victim", "started_on": days(20)},
            ],
        ),
        assessments=frame(
            "assessments", [{"assessment_id": 1, "person_id": 23, "completed_on": "2024-11-01"}]
        ),
        judgements=frame(
            "judgements",
            [{"assessment_id": 1, "factor_id": "gang_involvement", "judgement": "present"}],
        ),
        programmes=frame(
            "programmes",
            [
                {
                    "programme_id": PROGRAMME,
                    "name": "Mentoring",
                    "factor_ids": ["gang_involvement"],
                    "crime_types": [],
                    "capacity": 20.0,
                    "retired": False,
                }
            ],
        ),
    )


def test_matching_keeps_one_stratum_and_events_come_from_sanctions_and_escalation():
    cohorts = matched_cohorts(Prepared(fixture(), {})).set_index("person_id")
    assert sorted(cohorts.index) == [*range(1, 9), *range(11, 19)]  # 21-23 have no match
    assert (cohorts["weight"] == 1).all()
    assert cohorts.loc[1, "months"] == pytest.approx(61 / DAYS_PER_MONTH)
    assert cohorts.loc[4, ["event", "months"]].tolist() == [
        True,
        pytest.approx(300 / DAYS_PER_MONTH),
    ]
    assert not cohorts.loc[5, "event"]  # no further action is not an event
    assert not cohorts.loc[16, "event"]  # joining as a victim is not escalation
    assert cohorts.loc[8, "months"] == pytest.approx(121 / DAYS_PER_MONTH)  # censored at 31 Dec


def test_kaplan_meier_survival_matches_the_hand_computed_values():
    # Participants, in months: event 2.00 (8 at risk): S = 7/8 = 0.875; P8 censored at 3.98;
    # event 4.01 (6 at risk): S = 0.875 x 5/6 = 0.7292; event 7.89 (5): S = 0.7292 x 4/5 =
    # 0.5833; event 9.86 (4): S = 0.5833 x 3/4 = 0.4375; three censored at 23.95.
    # At 6 months: S = 0.7292 with 5 still followed (shown). Greenwood: V = 1/(8x7) + 1/(6x5)
    # = 0.051190; log-log interval S^exp(-/+1.96 sqrt(V)/ln S) = 0.7292^exp(+/-1.40397)
    # = 0.7292^4.0714 = 0.2764 to 0.7292^0.2456 = 0.9254.
    # At 12 months 3 are still followed, under 5: suppressed.
    # Comparison: events at 0.99, 2.96, 4.93, 6.57 and 13.14 months, 8 at risk from the start:
    # at 6 months S = 5/8 = 0.625 with 5 still followed.
    profile = build_profile(fixture())
    section = profile.section("what_works")
    summary = section.tables[0].frame.set_index("Programme").loc["Mentoring"]
    assert summary["Participants: people"] == 8 and summary["Comparison: people"] == 8
    assert summary["Participants: events"] == SUPPRESSED  # 4 events
    assert summary["Comparison: events"] == 5
    lower = 0.729167 ** math.exp(-1.959964 * math.sqrt(1 / 56 + 1 / 30) / math.log(0.729167))
    upper = 0.729167 ** math.exp(1.959964 * math.sqrt(1 / 56 + 1 / 30) / math.log(0.729167))
    assert (round(lower, 4), round(upper, 4)) == (0.2764, 0.9254)
    assert summary["Participants: survival at 6 months (95% CI)"] == "0.73 (0.28 to 0.93)"
    assert summary["Comparison: survival at 6 months (95% CI)"].startswith("0.62 (")
    assert summary["Participants: survival at 12 months (95% CI)"] == SUPPRESSED
    assert summary["Enough people to say anything?"] == "No"
    assert any(TOO_FEW in warning for warning in section.warnings)

    curve = section.tables[1].frame
    assert curve["Participants: survival"].iloc[0] == 1.0
    at_four = curve[curve["Months"] == round(122 / DAYS_PER_MONTH, 2)].iloc[0]
    assert at_four["Participants: survival"] == pytest.approx(0.729, abs=1e-3)
    assert at_four["Participants: at risk"] == 6
    late = curve[curve["Months"] > 10]
    assert (late["Participants: survival"] == SUPPRESSED).all()
    assert section.tables[1].chart.kind == "step"


def _lifelines_p(cohort: pd.DataFrame) -> float:
    a, b = (cohort[cohort["arm"] == arm] for arm in ("Participants", "Comparison"))
    return logrank_test(
        a["months"],
        b["months"],
        a["event"],
        b["event"],
        weights_A=a["weight"],
        weights_B=b["weight"],
    ).p_value


def test_log_rank_agrees_with_lifelines_with_and_without_weights():
    cohort = matched_cohorts(Prepared(fixture(), {}))
    assert logrank_p(cohort) == pytest.approx(_lifelines_p(cohort), rel=1e-9)
    rng = np.random.default_rng(7)
    for _ in range(5):
        size = 60
        weighted = pd.DataFrame(
            {
                "arm": np.where(rng.random(size) < 0.4, "Participants", "Comparison"),
                "months": rng.integers(1, 30, size).astype(float),  # ties on purpose
                "event": rng.random(size) < 0.5,
                "weight": rng.uniform(0.3, 2.5, size),
            }
        )
        weighted.loc[weighted["arm"] == "Participants", "weight"] = 1.0
        assert logrank_p(weighted) == pytest.approx(_lifelines_p(weighted), rel=1e-6)


def test_comparison_people_are_weighted_to_the_participants_mix_of_strata():
    from offramp.analysis.profile.what_works import _matched

    # Participants: 3 in stratum A, 1 in B. Comparison: 1 in A, 6 in B, 2 in C (no participant).
    strata = ["a"] * 3 + ["b"] + ["a"] + ["b"] * 6 + ["c"] * 2
    arms = ["Participants"] * 4 + ["Comparison"] * 9
    rows = pd.DataFrame(
        {
            "programme_id": 1,
            "person_id": range(len(arms)),
            "arm": arms,
            "categories": 0,
            "age_band": strata,
            "prior_band": "0",
        }
    )
    matched = _matched(rows)
    assert "c" not in set(matched["age_band"])
    weights = matched[matched["arm"] == "Comparison"].groupby("age_band")["weight"].first()
    # 7 matched comparison people for 4 participants: A weighs 3/1 x 7/4 = 5.25 and
    # B 1/6 x 7/4 = 0.2917, so comparison stands at 3:1 like the participants, and totals 7.
    assert weights["a"] == pytest.approx(5.25)
    assert weights["b"] == pytest.approx(7 / 24)
    assert matched.loc[matched["arm"] == "Comparison", "weight"].sum() == pytest.approx(7)
