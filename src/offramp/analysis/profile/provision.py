"""Interventions delivered and the gaps no programme covers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from offramp.analysis.disclosure import suppress

from .model import ENDED, STARTED, Chart, Section, Table
from .prepared import Prepared, _joined, ages_on

# --------------------------------------------------------------------------------------------
# Provision
# --------------------------------------------------------------------------------------------


def interventions_section(ctx: Prepared) -> Section:
    placements = ctx.placements
    programmes = ctx.programmes[
        ~ctx.programmes["retired"].astype(bool)
        | ctx.programmes["programme_id"].isin(placements["programme_id"])
    ].sort_values("name")
    ids = programmes["programme_id"].to_numpy()

    def per_programme(rows: pd.DataFrame) -> np.ndarray:
        return np.asarray(rows["programme_id"].value_counts().reindex(ids, fill_value=0))

    names = programmes["name"].to_numpy()
    use = pd.DataFrame(
        {
            "Programme": names,
            "Places": programmes["capacity"]
            .map(lambda c: "No fixed limit" if pd.isna(c) else str(int(c)))
            .to_numpy(),
            "Waiting (agreed, not started)": per_programme(
                placements[placements["status"] == "planned"]
            ),
            "Under way": per_programme(placements[placements["status"] == "started"]),
        }
    )
    in_use = use["Waiting (agreed, not started)"] + use["Under way"]
    capacity = programmes["capacity"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        use["% of places in use"] = np.where(
            capacity > 0, np.round(100 * in_use / capacity, 1), np.nan
        )
    use_part = suppress(
        use,
        counts=["Waiting (agreed, not started)", "Under way"],
        rates={"% of places in use": ["Waiting (agreed, not started)", "Under way"]},
        row_totals=True,
        total_label="Total",
    ).rename(columns={"Total": "Places in use"})
    started_in = placements[
        placements["status"].isin(STARTED) & placements["starts_on"].between(ctx.start, ctx.end)
    ]
    started_part = suppress(
        pd.DataFrame({"Programme": names, "Started in the period": per_programme(started_in)}),
        counts=["Started in the period"],
    )
    use_table = _joined(use_part, started_part)

    ended = placements[
        placements["status"].isin(ENDED) & placements["ended_on"].between(ctx.start, ctx.end)
    ]
    completed = ended[ended["status"] == "completed"]
    outcome_columns = {
        "Completed: aims achieved": completed[completed["outcome"] == "achieved"],
        "Completed: aims partly achieved": completed[completed["outcome"] == "partly_achieved"],
        "Completed: aims not achieved": completed[completed["outcome"] == "not_achieved"],
        "Completed: no outcome recorded": completed[
            ~completed["outcome"].isin(["achieved", "partly_achieved", "not_achieved"])
        ],
        "Ended early": ended[ended["status"] == "ended_early"],
    }
    outcomes = pd.DataFrame({"Programme": names})
    for column, rows in outcome_columns.items():
        outcomes[column] = per_programme(rows)
    outcome_table = suppress(
        outcomes, counts=list(outcome_columns), row_totals=True, total_label="Total"
    ).rename(columns={"Total": "Ended in the period"})
    return Section(
        id="interventions",
        title="Interventions",
        intro=(
            "Places on each programme, how many are in use, waiting lists, and how placements "
            "that ended in the period went."
        ),
        tables=(
            Table(
                "programme_use",
                "Places, use and waiting by programme",
                use_table,
                notes=("Waiting and under way are the placements' current status.",),
                chart=Chart(
                    "bar",
                    "Programme",
                    ("Waiting (agreed, not started)", "Under way"),
                    "Places in use by programme",
                ),
            ),
            Table(
                "programme_outcomes",
                "Placements that ended in the period, by outcome",
                outcome_table,
            ),
        ),
    )


def gaps_section(ctx: Prepared) -> Section:
    present = ctx.person_factors[ctx.person_factors["judgement"] == "present"][
        ["person_id", "factor_id", "factor_label", "category"]
    ]
    available = ctx.programmes[~ctx.programmes["retired"].astype(bool)]
    offers = available[["programme_id", "factor_ids", "min_age", "max_age"]].explode("factor_ids")
    offers = offers.rename(columns={"factor_ids": "factor_id"}).dropna(subset=["factor_id"])
    people = present.groupby(["factor_id", "factor_label", "category"])["person_id"].nunique()
    people = people.rename("people").reset_index()
    programmes = offers.groupby("factor_id")["programme_id"].nunique().rename("programmes")
    coverage = people.merge(programmes, left_on="factor_id", right_index=True, how="left")
    coverage["programmes"] = coverage["programmes"].fillna(0).astype("int64")

    # Programmes that address the factor but none open to the person's age (unknown age: open).
    ages = ages_on(
        present["person_id"].map(ctx.people.set_index("person_id")["date_of_birth"]), ctx.end
    )
    present = present.assign(age=ages.to_numpy())
    pairs = present.merge(offers, on="factor_id", how="left")
    fits = pairs["programme_id"].notna() & ~(
        (pairs["age"] < pairs["min_age"].astype(float))
        | (pairs["age"] > pairs["max_age"].astype(float))
    )
    fitted = pairs.assign(fits=fits).groupby(["person_id", "factor_id"])["fits"].any()
    unserved = (~fitted).groupby(level="factor_id").sum().rename("unserved")
    coverage = coverage.merge(unserved, left_on="factor_id", right_index=True, how="left")
    coverage = coverage.sort_values(["programmes", "people"], ascending=[True, False])
    frame = pd.DataFrame(
        {
            "Factor": coverage["factor_label"].to_numpy(),
            "Category": coverage["category"]
            .map(lambda c: ctx.category_labels.get(c, ctx.label(c)))
            .to_numpy(),
            "People with the factor present": coverage["people"].to_numpy(),
            "Available programmes addressing it": coverage["programmes"].to_numpy(),
            "People with no programme open to their age": coverage["unserved"]
            .fillna(0)
            .astype("int64")
            .to_numpy(),
        }
    )
    coverage_table = suppress(
        frame,
        counts=["People with the factor present", "People with no programme open to their age"],
        column_totals=False,
    )
    gaps = frame[frame["Available programmes addressing it"] == 0][
        ["Factor", "Category", "People with the factor present"]
    ]
    gaps_table = suppress(gaps, counts=["People with the factor present"], column_totals=False)
    warnings = (
        ()
        if len(gaps) == 0
        else (
            f"{len(gaps)} factor(s) present in the cohort are addressed by no available programme.",
        )
    )
    return Section(
        id="gaps",
        title="Gaps in provision",
        intro=(
            "Factors judged present in people's latest assessments that no available (not "
            "retired) programme addresses, and how many people they affect: the review of "
            "interventions the Prevent guide suggests at ¶3.10."
        ),
        tables=(
            Table(
                "gaps",
                "Factors present that no available programme addresses",
                gaps_table,
                chart=Chart(
                    "bar",
                    "Factor",
                    ("People with the factor present",),
                    "People with a factor no programme addresses",
                ),
            ),
            Table(
                "coverage",
                "Programmes available for each factor present",
                coverage_table,
                notes=("Age is used here only to tell whether a programme is open to a person.",),
            ),
        ),
        warnings=warnings,
    )
