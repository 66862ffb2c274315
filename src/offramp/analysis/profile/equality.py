"""Disproportionality at each decision point, and the upstream view of linked countries."""

from __future__ import annotations

import numpy as np
import pandas as pd

from offramp.analysis.disclosure import SUPPRESSED, suppress, suppression_mask

from .model import MATERIAL_HIGH, MATERIAL_LOW, PER_POPULATION, Chart, Section, Table
from .prepared import Prepared, _counts, is_material, rate_ratio

# --------------------------------------------------------------------------------------------
# Equality
# --------------------------------------------------------------------------------------------


def disproportionality_section(ctx: Prepared) -> Section:
    referred = ctx.referred
    population = ctx.population.groupby("ethnicity")["population"].sum()
    groups = list(
        dict.fromkeys(
            [
                *[k for k in ctx.labels if k in set(referred["ethnicity"]) | set(population.index)],
                *sorted(set(referred["ethnicity"]) | set(population.index)),
            ]
        )
    )
    referred_counts = (
        _counts(referred["ethnicity"], groups).reindex(groups, fill_value=0).to_numpy()
    )
    referred_mask = suppression_mask(referred_counts[:, None], row_totals=False)[:-1, 0]
    warnings: list[str] = []
    tables: list[Table] = []
    if ctx.population_total > 0:
        pop = population.reindex(groups, fill_value=0).to_numpy(dtype=float)
        total_referred, total_pop = referred_counts.sum(), pop.sum()
        ratio, low, high = rate_ratio(
            referred_counts, pop, total_referred - referred_counts, total_pop - pop
        )
        frame = pd.DataFrame(
            {
                "Ethnic group": [ctx.label(g) for g in groups],
                "People referred": referred_counts,
                "Population": pop.astype("int64"),
                "Referred per 10,000": np.where(
                    pop > 0,
                    np.round(referred_counts / np.where(pop > 0, pop, 1) * PER_POPULATION, 2),
                    np.nan,
                ),
                "Rate ratio": np.round(ratio, 2),
                "95% CI lower": np.round(low, 2),
                "95% CI upper": np.round(high, 2),
                "Material difference": np.where(is_material(ratio, low, high), "Yes", "No"),
            }
        )
        derived = [
            "Referred per 10,000",
            "Rate ratio",
            "95% CI lower",
            "95% CI upper",
            "Material difference",
        ]
        display = suppress(
            frame, counts=["People referred"], rates={c: ["People referred"] for c in derived}
        )
        tables.append(
            Table(
                "disproportionality_referral",
                "Referral rates by ethnic group compared with everyone else in the area",
                display,
                notes=(
                    "Rate ratio: the group's referral rate divided by the rate for everyone else "
                    "in the area; 95% interval by the log method.",
                    f"Material: the interval excludes 1 and the ratio is below {MATERIAL_LOW} or "
                    f"above {MATERIAL_HIGH}.",
                ),
                chart=Chart(
                    "bar", "Ethnic group", ("Rate ratio",), "Referral rate ratio by ethnic group"
                ),
            )
        )
    else:
        warnings.append(
            "No population figures were loaded, so referral rates cannot be "
            "compared with the area's population."
        )

    # Routes and outcomes compared within the referred cohort.
    cohort_cases = ctx.cases[
        ctx.cases["person_id"].isin(referred["person_id"]) & (ctx.cases["opened_on"] <= ctx.end)
    ]
    measures = pd.concat(
        [
            cohort_cases[["person_id"]].assign(kind="Route", value=cohort_cases["route"]),
            cohort_cases[["person_id"]].assign(kind="Outcome", value=cohort_cases["exit_reason"]),
        ]
    )
    measures = measures[measures["value"].fillna("").astype(str) != ""].drop_duplicates()
    measures = measures.merge(referred[["person_id", "ethnicity"]], on="person_id")
    grid = measures.groupby(["kind", "value", "ethnicity"]).size().unstack(["kind", "value"])
    grid = grid.reindex(groups).fillna(0).astype("int64")
    if grid.shape[1]:
        counts = grid.to_numpy()
        mask = suppression_mask(counts, row_totals=False)[:-1] | referred_mask[:, None]
        n = referred_counts[:, None].astype(float)
        ratio, low, high = rate_ratio(counts, n, counts.sum(axis=0) - counts, n.sum() - n)
        keys = list(grid.columns)
        long = pd.DataFrame(
            {
                "Measure": np.repeat([f"{k}: {ctx.label(v)}" for k, v in keys], len(groups)),
                "Ethnic group": np.tile([ctx.label(g) for g in groups], len(keys)),
                "People": counts.T.ravel(),
                "% of group's referred people": np.round(
                    100 * counts / np.where(n > 0, n, np.nan), 1
                ).T.ravel(),
                "Rate ratio": np.round(ratio, 2).T.ravel(),
                "95% CI lower": np.round(low, 2).T.ravel(),
                "95% CI upper": np.round(high, 2).T.ravel(),
                "Material difference": np.where(
                    is_material(ratio, low, high), "Yes", "No"
                ).T.ravel(),
            }
        )
        keep = np.tile(referred_counts > 0, len(keys))
        hidden = mask.T.ravel()
        long = long.astype({c: object for c in long.columns[2:]})
        long.loc[hidden, long.columns[2:]] = SUPPRESSED
        tables.append(
            Table(
                "disproportionality_routes",
                "Routes and outcomes by ethnic group compared with the rest of the referred cohort",
                long[keep].reset_index(drop=True),
                notes=(
                    "Among people referred in the period: the share of each ethnic group who "
                    "took each route or outcome, divided by the share of everyone else referred; "
                    "95% interval by the log method.",
                ),
            )
        )
    return Section(
        id="disproportionality",
        title="Disproportionality",
        intro=(
            "Whether any ethnic group is referred, routed or exits more or less often than "
            "others. A material difference is a reason to look at how referrals and decisions "
            "are made, not a finding about any group."
        ),
        tables=tuple(tables),
        warnings=tuple(warnings),
    )


def upstream_section(ctx: Prepared) -> Section:
    people = ctx.people
    nationality = people[["person_id", "nationality"]].rename(columns={"nationality": "country"})
    linked = people[["person_id", "linked_countries"]].explode("linked_countries")
    linked = linked.rename(columns={"linked_countries": "country"})
    victims = set(ctx.cases.loc[ctx.cases["person_category"] == "victim", "person_id"]) | set(
        ctx.memberships.loc[ctx.memberships["category"] == "victim", "person_id"]
    )
    tied = pd.concat([nationality, linked])
    tied = tied[tied["country"].notna() & (tied["country"].astype(str) != "")]
    victim_ties = tied[tied["person_id"].isin(victims)].drop_duplicates()
    group_countries = ctx.groups[["group_id", "countries", "crime_types"]].explode("countries")
    group_countries = group_countries[group_countries["countries"].fillna("").astype(str) != ""]
    commodities = group_countries.explode("crime_types").dropna(subset=["crime_types"])
    commodities = (
        commodities.drop_duplicates(["countries", "crime_types"])
        .sort_values("crime_types")
        .assign(crime_types=lambda f: f["crime_types"].map(ctx.label))
        .groupby("countries")["crime_types"]
        .agg("; ".join)
    )
    counts = (
        pd.DataFrame(
            {
                "People: nationality": _counts(
                    nationality["country"][nationality["country"].astype(str) != ""]
                ),
                "People: linked": _counts(
                    linked["country"].dropna()[linked["country"].dropna() != ""]
                ),
                "Victims": victim_ties.groupby("country")["person_id"].nunique(),
                "Groups": group_countries.groupby("countries")["group_id"].nunique(),
            }
        )
        .fillna(0)
        .astype("int64")
    )
    counts = counts.sort_values(["People: linked", "Groups"], ascending=False)
    frame = counts.reset_index(names="Country")
    frame["Country"] = frame["Country"].astype(str)
    frame["Commodities (crime types of linked groups)"] = (
        frame["Country"].map(commodities).fillna("")
    )
    display = suppress(
        frame,
        counts=["People: nationality", "People: linked", "Victims", "Groups"],
        rates={"Commodities (crime types of linked groups)": ["Groups"]},
        column_totals=False,
    )
    return Section(
        id="upstream",
        title="Upstream: countries linked to people, victims and groups",
        intro=(
            "Source and transit countries behind local serious and organised crime, for partners "
            "working abroad (guide ¶2.22). Family ties to, or travel to, a country are not in "
            "themselves an indicator of anything."
        ),
        tables=(
            Table(
                "upstream_countries",
                "Countries linked to people, victims and groups",
                display,
                notes=("Countries are ISO 3166 codes.",),
                chart=Chart(
                    "bar",
                    "Country",
                    ("People: linked", "Groups"),
                    "People and groups linked to each country",
                ),
            ),
        ),
    )
