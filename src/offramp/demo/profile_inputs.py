"""The synthetic area (offramp.demo.synth) as Local Profile inputs, for benchmarks and tests.

The synthetic area has people, records and referrals but no casework, so this invents routes,
cases, placements and outcomes for it, seeded, in the shape the profile reads. It lives with the
demo, not in the analysis core, because none of it is real.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from offramp.analysis.profile.model import ENDED, ProfileInputs
from offramp.analysis.profile.prepared import age_bands, ages_on
from offramp.demo.synth import SyntheticArea

_SYNTH_STATUS = {
    "new": "received",
    "screening": "screening",
    "assessed": "assessed",
    "closed": "closed",
}
_SYNTH_ROUTES = np.array(
    ["panel"] * 6 + ["signpost", "signpost", "children_safeguarding", "pursue"]
)
_SYNTH_EXITS = np.array(
    ["risk_reduced", "risk_reduced", "moved_away", "consent_withdrawn", "escalated_to_pursue"]
)
_SYNTH_OUTCOMES = np.array(["achieved", "partly_achieved", "not_achieved"])
EVIDENCE_STRENGTHS = ("strong", "promising", "emerging", "practice")


def _split(codes: pd.Series) -> pd.Series:
    """ ";"-joined codes as lists ([] for none)."""
    codes = codes.fillna("").astype(str)
    empty = pd.Series([[]] * len(codes), index=codes.index, dtype=object)
    return codes.str.split(";").where(codes != "", empty)


def inputs_from_synthetic_area(
    area: SyntheticArea, period_start: date, period_end: date
) -> ProfileInputs:
    """Profile inputs for the synthetic area (offramp.demo.synth), for benchmarks and tests.

    The synthetic area has referrals but no casework, so this makes it deterministically: every
    referral at stage assessed or closed gets an assessment (its person's factor evidence as
    judgements) three weeks later and, when a factor is present, a case two weeks after that,
    routed by person id; panel cases get a placement on the first available programme that
    addresses one of their factors.
    """
    from offramp.framework import get_framework
    from offramp.interventions.catalogue import load_catalogue

    framework = get_framework()
    today = pd.Timestamp(area.today)
    mapping: dict[str, Any] = {c.id: c.name for c in framework.categories}
    mapping |= {f.id: {"category": f.category, "label": f.name} for f in framework.factors}
    crime_types = pd.DataFrame(
        [(f.id, c) for f in framework.factors for c in f.crime_types],
        columns=["factor_id", "crime_type"],
    )

    src = area.people
    people = pd.DataFrame(
        {
            "person_id": src["person_id"],
            "date_of_birth": src["date_of_birth"].astype("datetime64[ns]"),
            "sex": src["sex"],
            "ethnicity": src["ethnicity"],
            "area": src["ward"],
            "nationality": src["nationality"],
            "linked_countries": _split(src["linked_countries"]),
        }
    )
    seed = area.referrals_seed.reset_index(drop=True)
    kinds = area.agencies.set_index("agency_id")["kind"]
    stage = seed["stage"]
    referrals = pd.DataFrame(
        {
            "referral_id": np.arange(1, len(seed) + 1, dtype=np.int64),
            "person_id": seed["person_id"],
            "received_on": seed["referred_on"].astype("datetime64[ns]"),
            "referring_agency": seed["referring_agency_id"],
            "referring_agency_kind": seed["referring_agency_id"].map(kinds),
            "status": stage.map(_SYNTH_STATUS),
            "closure_reason": np.where(
                stage == "closed",
                np.where(seed["person_id"] % 2 == 0, "routed", "no_further_action"),
                "",
            ),
        }
    )
    referral_factors = (
        referrals[["referral_id"]]
        .assign(factor_id=_split(seed["factor_ids"]))
        .explode("factor_id")
        .dropna()
    )

    assessed = referrals[stage.isin(["assessed", "closed"])].drop_duplicates("person_id")
    assessments = pd.DataFrame(
        {
            "assessment_id": np.arange(1, len(assessed) + 1, dtype=np.int64),
            "person_id": assessed["person_id"].to_numpy(),
            "completed_on": (assessed["received_on"] + pd.Timedelta(days=21))
            .clip(upper=today)
            .to_numpy(),
            "overall_concern": "some_concern",
        }
    )
    evidence = area.factor_evidence.drop_duplicates(["person_id", "factor_id"])
    judgements = evidence.merge(assessments[["assessment_id", "person_id"]], on="person_id")
    judgements = judgements.rename(columns={"status": "judgement"})[
        ["assessment_id", "factor_id", "judgement"]
    ]
    crimes = (
        judgements[judgements["judgement"] == "present"]
        .merge(crime_types, on="factor_id")
        .drop_duplicates(["assessment_id", "crime_type"])
        .groupby("assessment_id")["crime_type"]
        .agg(list)
    )
    assessments["crime_types"] = assessments["assessment_id"].map(crimes)
    assessments["crime_types"] = assessments["crime_types"].where(
        assessments["crime_types"].notna(), pd.Series([[]] * len(assessments), dtype=object)
    )

    with_present = assessments[
        assessments["assessment_id"].isin(
            judgements.loc[judgements["judgement"] == "present", "assessment_id"]
        )
    ]
    pid = with_present["person_id"].to_numpy()
    opened = (with_present["completed_on"] + pd.Timedelta(days=14)).to_numpy()
    route = _SYNTH_ROUTES[pid % len(_SYNTH_ROUTES)]
    victims = set(evidence.loc[evidence["factor_id"] == "victim_of_exploitation", "person_id"])
    is_victim = np.isin(pid, list(victims))
    route = np.where(is_victim, "national_referral_mechanism", route)
    exited = (pid % 3 == 0) & (opened + np.timedelta64(180, "D") <= today.to_datetime64())
    cases = pd.DataFrame(
        {
            "case_id": np.arange(1, len(pid) + 1, dtype=np.int64),
            "person_id": pid,
            "opened_on": opened,
            "route": route,
            "status": np.where(
                exited, "exited", np.where(route == "panel", "on_plan", "routed_elsewhere")
            ),
            "exited_on": np.where(exited, opened + np.timedelta64(180, "D"), np.datetime64("NaT")),
            "exit_reason": np.where(exited, _SYNTH_EXITS[pid % len(_SYNTH_EXITS)], ""),
            "person_category": np.where(is_victim, "victim", "at_risk"),
        }
    )

    catalogue = load_catalogue(framework=framework, evidence_strengths=EVIDENCE_STRENGTHS)
    programmes = pd.DataFrame(
        {
            "programme_id": np.arange(1, len(catalogue.entries) + 1, dtype=np.int64),
            "name": [e.name for e in catalogue.entries],
            "factor_ids": [list(e.factor_ids) for e in catalogue.entries],
            "crime_types": [list(e.crime_types) for e in catalogue.entries],
            "capacity": [
                np.nan if e.capacity is None else float(e.capacity) for e in catalogue.entries
            ],
            "retired": False,
            "min_age": [e.min_age for e in catalogue.entries],
            "max_age": [e.max_age for e in catalogue.entries],
        }
    )
    offers = (
        programmes[["programme_id", "factor_ids"]]
        .explode("factor_ids")
        .rename(columns={"factor_ids": "factor_id"})
    )
    panel = cases[cases["route"] == "panel"].merge(
        assessments[["person_id", "assessment_id"]], on="person_id"
    )
    wanted = panel.merge(judgements[judgements["judgement"] == "present"], on="assessment_id")
    wanted = wanted.merge(offers, on="factor_id").sort_values(["case_id", "programme_id"])
    # One or two programmes per case, chosen by case id so the programmes share the cases out.
    wanted = wanted.assign(rank=wanted.groupby("case_id").cumcount())
    counts = wanted.groupby("case_id")["rank"].transform("max") + 1
    chosen = wanted[
        (wanted["rank"] == wanted["case_id"] % counts)
        | (wanted["rank"] == (wanted["case_id"] + 3) % counts)
    ]
    chosen = chosen.drop_duplicates(["case_id", "programme_id"]).reset_index(drop=True)
    starts = chosen["opened_on"] + pd.Timedelta(days=28)
    ends = starts + pd.Timedelta(days=120)
    key = chosen["case_id"].to_numpy() + chosen["programme_id"].to_numpy()
    status = np.where(
        starts > today,
        "planned",
        np.where(ends > today, "started", np.where(key % 5 == 0, "ended_early", "completed")),
    )
    placements = pd.DataFrame(
        {
            "placement_id": np.arange(1, len(chosen) + 1, dtype=np.int64),
            "case_id": chosen["case_id"],
            "person_id": chosen["person_id"],
            "programme_id": chosen["programme_id"],
            "starts_on": starts,
            "ended_on": ends.where(np.isin(status, ENDED)),
            "status": status,
            "outcome": np.where(np.isin(status, ENDED), _SYNTH_OUTCOMES[key % 3], ""),
        }
    )

    offences = area.offences[["person_id", "offence_date", "offence_category", "outcome"]].astype(
        {"offence_date": "datetime64[ns]"}
    )
    memberships = pd.DataFrame(
        {
            "person_id": area.memberships["person_id"],
            "group_id": area.memberships["group_id"],
            "category": "suspect_or_offender",
            "role": area.memberships["role"],
            "started_on": area.memberships["start_date"].astype("datetime64[ns]"),
        }
    )
    groups = pd.DataFrame(
        {
            "group_id": area.groups["group_id"],
            "crime_types": _split(area.groups["crime_types"]),
            "countries": _split(area.groups["linked_countries"]),
            "status": area.groups["status"],
        }
    )
    bands = age_bands(ages_on(people["date_of_birth"], pd.Timestamp(period_end)))
    population = (
        people.assign(age_band=bands)
        .groupby(["area", "sex", "age_band", "ethnicity"])
        .size()
        .rename("population")
        .reset_index()
    )
    return ProfileInputs(
        period_start=period_start,
        period_end=period_end,
        people=people,
        referrals=referrals,
        referral_factors=referral_factors,
        assessments=assessments,
        judgements=judgements,
        cases=cases,
        placements=placements,
        programmes=programmes,
        offences=offences,
        memberships=memberships,
        groups=groups,
        population=population,
        framework=mapping,
    )
