"""Activity, characteristics, referrals and routes, factors and pathways."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from offramp.analysis.disclosure import SUPPRESSED, THRESHOLD, suppress

from .model import AGE_BANDS, SEXES, STARTED, TOP_PATHWAYS, Chart, Section, Table
from .prepared import Prepared, _counts, _share

# --------------------------------------------------------------------------------------------
# Activity
# --------------------------------------------------------------------------------------------


def activity_section(ctx: Prepared) -> Section:
    buckets = ctx.buckets()
    freq = buckets.freqstr
    period_word = "Month" if freq.startswith("M") else "Quarter"

    def per_bucket(dates: pd.Series) -> np.ndarray:
        return np.asarray(dates.dt.to_period(freq).value_counts().reindex(buckets, fill_value=0))

    cases = ctx.cases
    exits = cases[cases["exited_on"].between(ctx.start, ctx.end)]
    flows = pd.DataFrame(
        {
            period_word: buckets.astype(str),
            "Referrals": per_bucket(ctx.referrals_in["received_on"]),
            "Cases opened": per_bucket(ctx.cases_opened["opened_on"]),
            "Cases exited": per_bucket(exits["exited_on"]),
        }
    )
    rates = {}
    if ctx.population_total > 0:
        flows["Referrals per 10,000 population"] = ctx.rate(flows["Referrals"])
        rates["Referrals per 10,000 population"] = ["Referrals"]
    flow_table = suppress(flows, counts=["Referrals", "Cases opened", "Cases exited"], rates=rates)

    # A case is on a plan from its first placement that got under way until it exits.
    started = ctx.placements[ctx.placements["status"].isin(STARTED)]
    plan_start = started.groupby("case_id")["starts_on"].min().rename("plan_start")
    planned = cases.merge(plan_start, left_on="case_id", right_index=True)
    ends = buckets.to_timestamp(how="end").normalize().to_numpy()
    ends = np.minimum(ends, ctx.end.to_datetime64())
    on_plan = (
        (planned["plan_start"].to_numpy()[:, None] <= ends)
        & ~(planned["exited_on"].to_numpy()[:, None] <= ends)
    ).sum(axis=0)
    stock = pd.DataFrame({period_word: buckets.astype(str), "Cases on a support plan": on_plan})
    stock_table = suppress(stock, counts=["Cases on a support plan"], column_totals=False)

    open_at_end = cases[(cases["opened_on"] <= ctx.end) & ~(cases["exited_on"] <= ctx.end)]
    summary = pd.DataFrame(
        {
            "Measure": [
                "People referred",
                "Referrals received",
                "Cases opened",
                "People on a case during the period",
                "Cases open at the end of the period",
            ],
            "Number": [
                len(ctx.referred),
                len(ctx.referrals_in),
                len(ctx.cases_opened),
                len(ctx.on_cases),
                len(open_at_end),
            ],
        }
    )
    summary["Per 10,000 population"] = ctx.rate(summary["Number"])
    summary_table = suppress(
        summary, counts=["Number"], rates={"Per 10,000 population": ["Number"]}, column_totals=False
    )
    warnings = []
    if ctx.population_total <= 0:
        summary_table = summary_table.drop(columns="Per 10,000 population")
        warnings.append(
            "No population figures were loaded, so rates per 10,000 population are not shown."
        )
    return Section(
        id="population",
        title="At-risk population and cases",
        intro=(
            "People referred and cases over the period, with rates per 10,000 people living in "
            "the area where population figures are loaded."
        ),
        tables=(
            Table("summary", "The period at a glance", summary_table),
            Table(
                "activity",
                f"Referrals, cases opened and cases exited by {period_word.lower()}",
                flow_table,
                chart=Chart(
                    "line",
                    period_word,
                    ("Referrals", "Cases opened", "Cases exited"),
                    f"Referrals, cases opened and exited by {period_word.lower()}",
                ),
            ),
            Table(
                "on_plan",
                f"Cases on a support plan at the end of each {period_word.lower()}",
                stock_table,
                notes=(
                    "A case is on a plan from the start of its first placement until it exits.",
                ),
                chart=Chart(
                    "line",
                    period_word,
                    ("Cases on a support plan",),
                    "Cases on a support plan over time",
                ),
            ),
        ),
        warnings=tuple(warnings),
    )


def _breakdown(ctx: Prepared, column: str, title: str, label: str, order: Sequence[str]) -> Table:
    referred = _counts(ctx.referred[column], order)
    on_cases = _counts(ctx.on_cases[column], order)
    keys = list(dict.fromkeys([*referred.index, *on_cases.index]))
    frame = pd.DataFrame(
        {
            label: [ctx.label(k) if column != "age_band" else k for k in keys],
            "People referred": referred.reindex(keys, fill_value=0).to_numpy(),
            "People on a case": on_cases.reindex(keys, fill_value=0).to_numpy(),
        }
    )
    frame["% of people referred"] = _share(frame["People referred"])
    frame["% of people on a case"] = _share(frame["People on a case"])
    display = suppress(
        frame,
        counts=["People referred", "People on a case"],
        rates={
            "% of people referred": ["People referred"],
            "% of people on a case": ["People on a case"],
        },
    )
    if ctx.population_total > 0 and column in ctx.population.columns:
        population = ctx.population.groupby(column)["population"].sum()
        share = _share(population.reindex(keys, fill_value=0))
        display["% of area population"] = [*share, np.nan]
    return Table(
        f"by_{column}",
        title,
        display,
        notes=(
            "People are counted once, with their age at their first referral in the period "
            "or when their case opened (or at the start of the period).",
        )
        if column == "age_band"
        else (),
        chart=Chart("bar", label, ("% of people referred", "% of people on a case"), title),
    )


def characteristics_section(ctx: Prepared) -> Section:
    ethnicity_order = [
        k
        for k in ctx.labels
        if k in set(ctx.people["ethnicity"]) | set(ctx.population["ethnicity"])
    ]
    return Section(
        id="characteristics",
        title="Age, sex and ethnicity",
        intro=(
            "Who is referred and who is supported, in the style of the Prevent guide's Figures "
            "2-4. These are recorded for equality monitoring only: they are never risk factors."
        ),
        tables=(
            _breakdown(
                ctx, "age_band", "Age of people referred and on cases", "Age band", [*AGE_BANDS]
            ),
            _breakdown(ctx, "sex", "Sex of people referred and on cases", "Sex", SEXES),
            _breakdown(
                ctx,
                "ethnicity",
                "Ethnicity of people referred and on cases",
                "Ethnic group",
                ethnicity_order,
            ),
        ),
    )


def _one_way(
    ctx: Prepared,
    values: pd.Series,
    *,
    table_id: str,
    title: str,
    label: str,
    count: str,
    notes: tuple[str, ...] = (),
) -> Table:
    counted = _counts(values.fillna("").astype(str))
    frame = pd.DataFrame({label: [ctx.label(k) for k in counted.index], count: counted.to_numpy()})
    share = f"% of {count.lower()}"
    frame[share] = _share(frame[count])
    display = suppress(frame, counts=[count], rates={share: [count]})
    return Table(table_id, title, display, notes=notes, chart=Chart("bar", label, (count,), title))


def referrals_and_routes_section(ctx: Prepared) -> Section:
    exits = ctx.cases[ctx.cases["exited_on"].between(ctx.start, ctx.end)]
    return Section(
        id="referrals",
        title="Referrals and routes",
        intro="Where referrals came from, which routes cases took and why cases ended.",
        tables=(
            _one_way(
                ctx,
                ctx.referrals_in["referring_agency_kind"],
                table_id="referral_sources",
                title="Referrals by kind of referring agency",
                label="Kind of agency",
                count="Referrals",
            ),
            _one_way(
                ctx,
                ctx.cases_opened["route"],
                table_id="routes",
                title="Routes of cases opened in the period",
                label="Route",
                count="Cases",
            ),
            _one_way(
                ctx,
                exits["exit_reason"],
                table_id="exit_reasons",
                title="Why cases exited in the period",
                label="Reason",
                count="Cases exited",
            ),
        ),
    )


def factors_section(ctx: Prepared) -> Section:
    assessed = len(ctx.assessed)
    pf = ctx.person_factors
    by_factor = pf.groupby(["factor_id", "judgement"]).size().unstack(fill_value=0)
    by_factor = by_factor.reindex(columns=["present", "possible"], fill_value=0)
    factors = ctx.factors.merge(by_factor, left_on="factor_id", right_index=True, how="right")
    factors["factor_label"] = factors["factor_label"].fillna(factors["factor_id"])
    factors["category"] = factors["category"].fillna("unknown")
    frame = pd.DataFrame(
        {
            "Category": factors["category"].map(lambda c: ctx.category_labels.get(c, ctx.label(c))),
            "Factor": factors["factor_label"],
            "Present": factors["present"].to_numpy(),
            "Possible": factors["possible"].to_numpy(),
        }
    ).sort_values(["Present", "Factor"], ascending=[False, True])
    frame["% of people assessed: present"] = (
        np.round(100 * frame["Present"] / assessed, 1) if assessed else np.nan
    )
    prevalence = suppress(
        frame,
        counts=["Present", "Possible"],
        rates={"% of people assessed: present": ["Present"]},
        column_totals=False,
    )

    present = pf[pf["judgement"] == "present"]
    categories = [*ctx.category_labels] or sorted(present["category"].unique())
    by_category = present.drop_duplicates(["person_id", "category"])
    category_counts = _counts(by_category["category"], categories)
    category_frame = pd.DataFrame(
        {
            "Category": [ctx.category_labels.get(c, ctx.label(c)) for c in category_counts.index],
            "People with a factor present": category_counts.to_numpy(),
        }
    )
    category_frame["% of people assessed"] = (
        np.round(100 * category_frame["People with a factor present"] / assessed, 1)
        if assessed
        else np.nan
    )
    category_table = suppress(
        category_frame,
        counts=["People with a factor present"],
        rates={"% of people assessed": ["People with a factor present"]},
        column_totals=False,
    )

    crimes = ctx.assessed[["person_id", "crime_types"]].explode("crime_types").dropna()
    crimes = crimes[crimes["crime_types"].astype(str) != ""]
    crime_people = crimes.groupby("crime_types")["person_id"].nunique()
    crime_categories = crimes.merge(by_category[["person_id", "category"]], on="person_id")
    grid = (
        crime_categories.groupby(["crime_types", "category"])
        .size()
        .unstack(fill_value=0)
        .reindex(index=crime_people.index, columns=categories, fill_value=0)
    )
    category_names = [ctx.category_labels.get(c, ctx.label(c)) for c in categories]
    crime_frame = pd.DataFrame(grid.to_numpy(), columns=category_names)
    crime_frame.insert(0, "People assessed", crime_people.to_numpy())
    crime_frame.insert(0, "Crime type", [ctx.label(c) for c in crime_people.index])
    crime_table = suppress(
        crime_frame, counts=["People assessed", *category_names], column_totals=False
    )
    note = (
        f"Each person's latest assessment completed in the period; people assessed: "
        f"{assessed if assessed == 0 or assessed >= THRESHOLD else SUPPRESSED}."
    )
    return Section(
        id="factors",
        title="Risk factors",
        intro=(
            "How often each risk factor was judged present or possible, by category and by the "
            "crime types the assessments named."
        ),
        tables=(
            Table(
                "factor_prevalence",
                "Risk factors judged present or possible",
                prevalence,
                notes=(note,),
                chart=Chart(
                    "bar",
                    "Factor",
                    ("Present", "Possible"),
                    "Risk factors judged present or possible",
                ),
            ),
            Table(
                "factor_categories",
                "People with a factor present, by category",
                category_table,
                notes=(note,),
                chart=Chart(
                    "bar",
                    "Category",
                    ("People with a factor present",),
                    "People with a factor present, by category",
                ),
            ),
            Table(
                "factors_by_crime_type",
                "People with a factor present in each category, by crime type",
                crime_table,
                notes=(
                    note,
                    "A person whose assessment names several crime types is counted under each.",
                ),
            ),
        ),
    )


def pathways_section(ctx: Prepared) -> Section:
    present = ctx.person_factors[ctx.person_factors["judgement"] == "present"]
    codes = {f: i for i, f in enumerate(sorted(present["factor_id"].unique()))}
    if len(codes) > 62:
        raise ValueError("pathways: more than 62 distinct factors are present; cannot combine")
    bits = np.left_shift(np.int64(1), present["factor_id"].map(codes).to_numpy(dtype=np.int64))
    masks = pd.Series(bits, index=present["person_id"].to_numpy()).groupby(level=0).sum()
    sizes = pd.Series([int(m).bit_count() for m in masks.unique()], index=masks.unique())
    combined = masks[masks.map(sizes) >= 2]
    top = combined.value_counts().head(TOP_PATHWAYS)
    labels_by_code = present.drop_duplicates("factor_id").set_index("factor_id")["factor_label"]
    names = [labels_by_code[f] for f in codes]
    combos = [
        " + ".join(names[i] for i in range(len(names)) if int(mask) >> i & 1) for mask in top.index
    ]
    frame = pd.DataFrame(
        {
            "Combination of factors present": combos,
            "Number of factors": [int(m).bit_count() for m in top.index],
            "People": top.to_numpy(),
        }
    )
    with_any = masks.size
    frame["% of people with a factor present"] = (
        np.round(100 * frame["People"] / with_any, 1) if with_any else np.nan
    )
    display = suppress(
        frame,
        counts=["People"],
        rates={"% of people with a factor present": ["People"]},
        column_totals=False,
    )
    return Section(
        id="pathways",
        title="Pathways: the most common combinations of factors",
        intro=(
            f"The {TOP_PATHWAYS} most common combinations of two or more factors judged present "
            "together in one person's latest assessment (guide ¶1.12: pathways into serious and "
            "organised crime)."
        ),
        tables=(
            Table(
                "pathways",
                "Most common combinations of factors present",
                display,
                chart=Chart(
                    "bar",
                    "Combination of factors present",
                    ("People",),
                    "Most common combinations of factors present",
                ),
            ),
        ),
    )
