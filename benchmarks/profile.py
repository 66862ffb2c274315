"""Benchmark the Local Profile for a synthetic area.

    python benchmarks/profile.py --people 100000

Generates the synthetic area (timed, but outside the measured figure), turns it into profile
inputs with `inputs_from_synthetic_area`, then times the whole profile as an analyst gets it:
`build_profile` (every section, suppressed, with confidence intervals, disproportionality and
matched Kaplan-Meier) and its rendering to the self-contained HTML page with every chart drawn
(`offramp.reports.rendering`). In the same run it times a plain-pandas baseline of the same
aggregations as an analyst would write them in a notebook: naive groupbys, no suppression, no
intervals, no matching, no charts. Prints the times, their ratio and peak memory; exits 1 if
the profile takes TARGET_SECONDS or more.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import warnings
from datetime import date

import django
import pandas as pd
from django.utils import timezone
from lifelines import KaplanMeierFitter

from offramp.analysis.profile import (
    LocalProfile,
    ProfileInputs,
    age_bands,
    ages_on,
    build_profile,
)
from offramp.demo.profile_inputs import inputs_from_synthetic_area
from offramp.demo.synth import generate_area

TARGET_SECONDS = 10.0
PERIOD = (date(2024, 11, 1), date(2026, 10, 31))


def notebook_baseline(inputs: ProfileInputs) -> dict[str, object]:
    """The same figures as an analyst's notebook would get them: one groupby per table."""
    start, end = pd.Timestamp(inputs.period_start), pd.Timestamp(inputs.period_end)
    out: dict[str, object] = {}
    referrals = inputs.referrals[inputs.referrals["received_on"].between(start, end)]
    cases = inputs.cases
    opened = cases[cases["opened_on"].between(start, end)]
    exited = cases[cases["exited_on"].between(start, end)]
    out["activity"] = pd.concat(
        [
            referrals.groupby(referrals["received_on"].dt.to_period("M")).size(),
            opened.groupby(opened["opened_on"].dt.to_period("M")).size(),
            exited.groupby(exited["exited_on"].dt.to_period("M")).size(),
        ],
        axis=1,
    )
    out["sources"] = referrals["referring_agency_kind"].value_counts()
    out["routes"] = opened["route"].value_counts()
    out["exits"] = exited["exit_reason"].value_counts()
    referred = referrals.drop_duplicates("person_id").merge(inputs.people, on="person_id")
    referred["age_band"] = age_bands(ages_on(referred["date_of_birth"], referred["received_on"]))
    for column in ("age_band", "sex", "ethnicity"):
        out[column] = referred[column].value_counts(normalize=True)
    latest = (
        inputs.assessments[inputs.assessments["completed_on"].between(start, end)]
        .sort_values("completed_on")
        .groupby("person_id")
        .tail(1)
    )
    judged = inputs.judgements.merge(latest, on="assessment_id")
    out["prevalence"] = judged.groupby(["factor_id", "judgement"]).size().unstack(fill_value=0)
    present = judged[judged["judgement"] == "present"]
    out["pathways"] = (
        present.groupby("person_id")["factor_id"].agg(lambda f: tuple(sorted(f))).value_counts()
    )
    crimes = latest[["person_id", "crime_types"]].explode("crime_types")
    crimes = crimes.merge(present[["person_id", "factor_id"]], on="person_id")
    out["by_crime"] = crimes.groupby(["crime_types", "factor_id"]).size()
    placements = inputs.placements
    out["use"] = placements.groupby(["programme_id", "status"]).size().unstack(fill_value=0)
    out["outcomes"] = placements.groupby(["programme_id", "outcome"]).size()
    offered = set(inputs.programmes.explode("factor_ids")["factor_ids"].dropna())
    out["gaps"] = present[~present["factor_id"].isin(offered)]["factor_id"].value_counts()
    population = inputs.population.groupby("ethnicity")["population"].sum()
    out["referral_rates"] = referred["ethnicity"].value_counts() / population
    routes = cases.merge(referred[["person_id", "ethnicity"]], on="person_id")
    out["route_shares"] = pd.crosstab(routes["ethnicity"], routes["route"], normalize="index")
    people = inputs.people
    out["nationality"] = people["nationality"].value_counts()
    out["linked"] = people.explode("linked_countries")["linked_countries"].value_counts()
    out["groups"] = inputs.groups.explode("countries")["countries"].value_counts()
    # What works without matching: everyone placed against everyone else with a case.
    sanctions = inputs.offences[inputs.offences["outcome"] != "no_further_action"]
    for programme_id, placed in placements.groupby("programme_id"):
        first = placed.groupby("person_id")["starts_on"].min().rename("index_date").reset_index()
        after = first.merge(sanctions, on="person_id", how="left")
        after = after[after["offence_date"] > after["index_date"]]
        event = first["person_id"].isin(after["person_id"])
        months = (end - first["index_date"]).dt.days / 30.4
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out[f"km_{programme_id}"] = KaplanMeierFitter().fit(months, event).survival_function_
    return out


def render_page(profile: LocalProfile) -> str:
    from offramp.reports.rendering import profile_document, standalone_html

    document = profile_document(profile, area_name="Hartmoor", produced_at=timezone.now())
    return standalone_html(document)


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "offramp.config.settings.local")
    django.setup()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    began = time.perf_counter()
    area = generate_area(people=args.people, seed=args.seed)
    generated = time.perf_counter() - began
    began = time.perf_counter()
    inputs = inputs_from_synthetic_area(area, *PERIOD)
    adapted = time.perf_counter() - began
    print(f"synthetic area: {args.people:,} people in {generated:.2f} s (not timed below)")
    print(
        f"profile inputs: {len(inputs.referrals):,} referrals, {len(inputs.cases):,} cases, "
        f"{len(inputs.placements):,} placements, {len(inputs.offences):,} offences "
        f"in {adapted:.2f} s (not timed below)"
    )

    began = time.perf_counter()
    profile = build_profile(inputs)
    computed_seconds = time.perf_counter() - began
    page = render_page(profile)
    profile_seconds = time.perf_counter() - began
    began = time.perf_counter()
    notebook_baseline(inputs)
    baseline_seconds = time.perf_counter() - began

    tables = sum(1 for _ in profile.tables())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"build_profile:         {computed_seconds:6.2f} s ({tables} tables, suppressed)")
    rendered_seconds = profile_seconds - computed_seconds
    print(f"rendered page:         {rendered_seconds:6.2f} s ({len(page):,} bytes, with charts)")
    print(f"whole profile:         {profile_seconds:6.2f} s")
    print(f"plain-pandas baseline: {baseline_seconds:6.2f} s (same aggregations, unsuppressed)")
    print(f"ratio profile/baseline: {profile_seconds / baseline_seconds:.1f}x")
    print(f"peak memory: {peak_mb:,.0f} MB")
    ok = profile_seconds < TARGET_SECONDS
    print(f"target: under {TARGET_SECONDS:.0f} s: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
