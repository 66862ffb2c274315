"""What works: time to re-offending or escalation after a programme, against a matched comparison.

No Django. For each programme with placements, participants (index date: their first placement
on it getting under way) are compared with people who had a case but no placement on that
programme (index date: their first case opening), matched exactly on the categories of factors
present in their latest assessment before the index date, their age band on it and their prior
offending (0, 1-2 or 3+ sanctions before it). Age band is used only to find comparable people,
never as a risk input. Comparison people are weighted so that each stratum counts as much as it
does among participants (coarsened exact matching). The event is a sanctioned offence or joining
a group as a suspect or offender after the index date; people are censored at the period's end.
Method and limits: docs/local-profile.md.
"""

from __future__ import annotations

import warnings as python_warnings

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from scipy.stats import chi2

from offramp.analysis.disclosure import SUPPRESSED, THRESHOLD, suppress
from offramp.analysis.profile.model import STARTED, Chart, Table
from offramp.analysis.profile.prepared import Prepared, age_bands, ages_on

DAYS_PER_MONTH = 365.25 / 12
HORIZONS = (6, 12)  # months
MIN_ARM = 20
MIN_EVENTS = 5
NOT_A_SANCTION = "no_further_action"
ESCALATION_CATEGORY = "suspect_or_offender"
ARMS = ("Participants", "Comparison")
TOO_FEW = "too few people to say anything"


def prior_offending_band(sanctions: pd.Series) -> pd.Series:
    return pd.cut(sanctions, [-1, 0, 2, np.inf], labels=["0", "1-2", "3+"]).astype(str)


def matched_cohorts(ctx: Prepared) -> pd.DataFrame:
    """One row per person per programme arm: programme_id, person_id, arm, index_date, stratum,
    weight, months (follow-up) and event, for matched strata only."""
    placements = ctx.placements[
        ctx.placements["status"].isin(STARTED) & (ctx.placements["starts_on"] <= ctx.end)
    ]
    participants = (
        placements.groupby(["programme_id", "person_id"])["starts_on"]
        .min()
        .rename("index_date")
        .reset_index()
        .assign(arm=ARMS[0])
    )
    pool = (
        ctx.cases[ctx.cases["opened_on"] <= ctx.end]
        .groupby("person_id")["opened_on"]
        .min()
        .rename("index_date")
        .reset_index()
    )
    programmes = participants[["programme_id"]].drop_duplicates()
    comparison = programmes.merge(pool, how="cross")
    placed = ctx.placements[["programme_id", "person_id"]].drop_duplicates().assign(placed=True)
    comparison = comparison.merge(placed, on=["programme_id", "person_id"], how="left")
    comparison = comparison[comparison["placed"].isna()].drop(columns="placed").assign(arm=ARMS[1])
    rows = pd.concat([participants, comparison], ignore_index=True)
    rows = _with_covariates(ctx, rows)
    return _matched(rows)


def _with_covariates(ctx: Prepared, rows: pd.DataFrame) -> pd.DataFrame:
    rows = rows.reset_index(drop=True).assign(row=lambda f: np.arange(len(f)))
    # Categories with a factor present in the latest assessment completed by the index date.
    done = ctx.assessments.dropna(subset=["completed_on"])
    present = ctx.judgements[ctx.judgements["judgement"] == "present"].merge(
        ctx.factors[["factor_id", "category"]], on="factor_id", how="left"
    )
    present["category"] = present["category"].fillna(present["factor_id"])
    codes = {c: i for i, c in enumerate(sorted(present["category"].unique()))}
    bits = np.left_shift(np.int64(1), present["category"].map(codes).to_numpy(dtype=np.int64))
    masks = (
        present[["assessment_id"]]
        .assign(bit=bits, category=present["category"])
        .drop_duplicates(["assessment_id", "category"])
        .groupby("assessment_id")["bit"]
        .sum()
    )
    done = done.assign(categories=done["assessment_id"].map(masks).fillna(0).astype("int64"))
    ordered = rows.sort_values("index_date")
    latest = pd.merge_asof(
        ordered,
        done[["person_id", "completed_on", "categories"]].sort_values("completed_on"),
        left_on="index_date",
        right_on="completed_on",
        by="person_id",
        direction="backward",
    ).set_index("row")
    rows["categories"] = (
        latest["categories"].reindex(rows["row"]).fillna(0).astype("int64").to_numpy()
    )

    dob = rows["person_id"].map(ctx.people.set_index("person_id")["date_of_birth"])
    rows["age_band"] = age_bands(ages_on(dob, rows["index_date"]))

    sanctions = ctx.offences.loc[
        ctx.offences["outcome"] != NOT_A_SANCTION, ["person_id", "offence_date"]
    ]
    history = rows[["row", "person_id", "index_date"]].merge(sanctions, on="person_id")
    prior = history[history["offence_date"] < history["index_date"]].groupby("row").size()
    rows["prior_band"] = prior_offending_band(rows["row"].map(prior).fillna(0))
    reoffended = (
        history[history["offence_date"] > history["index_date"]]
        .groupby("row")["offence_date"]
        .min()
    )
    joined = ctx.memberships.loc[
        ctx.memberships["category"] == ESCALATION_CATEGORY, ["person_id", "started_on"]
    ]
    joins = rows[["row", "person_id", "index_date"]].merge(joined, on="person_id")
    escalated = joins[joins["started_on"] > joins["index_date"]].groupby("row")["started_on"].min()
    first_event = pd.concat([reoffended, escalated], axis=1).min(axis=1)
    event_date = rows["row"].map(first_event)
    rows["event"] = (event_date <= ctx.end).to_numpy()
    until = event_date.where(rows["event"], ctx.end)
    rows["months"] = ((until - rows["index_date"]).dt.days / DAYS_PER_MONTH).to_numpy()
    return rows[rows["index_date"] <= ctx.end].drop(columns="row")


def _matched(rows: pd.DataFrame) -> pd.DataFrame:
    """Keep strata that hold both arms; weight comparison people up or down so each stratum
    weighs as much as among participants (the arm totals are unchanged)."""
    rows = rows.assign(
        stratum=rows["categories"].astype(str) + "|" + rows["age_band"] + "|" + rows["prior_band"]
    )
    per_arm = rows.groupby(["programme_id", "stratum", "arm"]).size().unstack("arm", fill_value=0)
    per_arm = per_arm.reindex(columns=list(ARMS), fill_value=0)
    both = per_arm[(per_arm[ARMS[0]] > 0) & (per_arm[ARMS[1]] > 0)].reset_index()
    both.columns.name = None
    rows = rows.merge(both, on=["programme_id", "stratum"])
    totals = rows.groupby(["programme_id", "arm"]).size().unstack("arm", fill_value=0)
    totals = totals.reindex(columns=list(ARMS), fill_value=0)
    scale = rows["programme_id"].map(totals[ARMS[1]] / totals[ARMS[0]])
    comparison_weight = rows[ARMS[0]] / rows[ARMS[1]] * scale
    rows["weight"] = np.where(rows["arm"] == ARMS[0], 1.0, comparison_weight)
    return rows.drop(columns=list(ARMS))


def _fit(arm: pd.DataFrame) -> KaplanMeierFitter:
    with python_warnings.catch_warnings():
        python_warnings.simplefilter("ignore")  # lifelines warns that weights are not integers
        return KaplanMeierFitter().fit(arm["months"], arm["event"], weights=arm["weight"])


def _at_risk(months: np.ndarray, times: np.ndarray) -> np.ndarray:
    """People (unweighted) still followed at each time: what disclosure control must look at."""
    ordered = np.sort(months)
    return len(ordered) - np.searchsorted(ordered, times, side="left")


def _estimate(fit: KaplanMeierFitter, months: np.ndarray, at: float) -> str:
    if _at_risk(months, np.array([at]))[0] < THRESHOLD:
        return SUPPRESSED if months.max(initial=0) >= at else "Not followed that long"
    survival = float(fit.survival_function_at_times(at).iloc[0])
    band = fit.confidence_interval_survival_function_
    row = band[band.index <= at].iloc[-1]
    return f"{survival:.2f} ({row.iloc[0]:.2f} to {row.iloc[1]:.2f})"


def _curve(fits: dict[str, KaplanMeierFitter], arms: dict[str, pd.DataFrame]) -> pd.DataFrame:
    times = np.unique(np.concatenate([[0.0], *(a["months"].to_numpy() for a in arms.values())]))
    frame = pd.DataFrame({"Months": np.round(times, 2)})
    shown_anywhere = np.zeros(len(times), dtype=bool)
    for name, fit in fits.items():
        survival = fit.survival_function_.iloc[:, 0]
        band = fit.confidence_interval_survival_function_
        position = np.searchsorted(survival.index.to_numpy(), times, side="right") - 1
        at_risk = _at_risk(arms[name]["months"].to_numpy(), times)
        hidden = at_risk < THRESHOLD
        shown_anywhere |= ~hidden
        columns = {
            f"{name}: survival": survival.to_numpy()[position],
            f"{name}: 95% CI lower": band.iloc[:, 0].to_numpy()[position],
            f"{name}: 95% CI upper": band.iloc[:, 1].to_numpy()[position],
            f"{name}: at risk": at_risk,
        }
        for column, values in columns.items():
            shown = pd.Series(
                np.round(values, 3) if values.dtype.kind == "f" else values, dtype=object
            )
            shown[hidden] = SUPPRESSED
            frame[column] = shown.to_numpy()
    # A time where every arm is suppressed would only tell when someone's follow-up ended.
    return frame[shown_anywhere].reset_index(drop=True)


def logrank_p(cohort: pd.DataFrame) -> float:
    """Weighted log-rank test of participants against comparison (lifelines' formula, without
    its per-call overhead): observed minus expected events among participants at each time,
    over its hypergeometric variance, against chi-squared with one degree of freedom."""
    times, position = np.unique(cohort["months"].to_numpy(), return_inverse=True)
    weight = cohort["weight"].to_numpy(dtype=float)
    first = (cohort["arm"] == ARMS[0]).to_numpy()
    event = cohort["event"].to_numpy(dtype=bool)

    def at_each_time(values: np.ndarray) -> np.ndarray:
        return np.bincount(position, weights=values, minlength=len(times))

    def still_followed(values: np.ndarray) -> np.ndarray:
        return at_each_time(values)[::-1].cumsum()[::-1]

    n, n_first = still_followed(weight), still_followed(weight * first)
    d, d_first = at_each_time(weight * event), at_each_time(weight * event * first)
    with np.errstate(divide="ignore", invalid="ignore"):
        correction = (n - d) / (n - 1)
        correction[~np.isfinite(correction)] = 1.0
        observed_minus_expected = (d_first - n_first * d / n).sum()
        variance = (correction * d / n**2 * n_first * (n - n_first)).sum()
    if variance <= 0:
        return float("nan")
    return float(chi2.sf(observed_minus_expected**2 / variance, 1))


def what_works(ctx: Prepared) -> tuple[list[Table], list[str]]:
    """The "What works" tables (a summary, then one Kaplan-Meier table per programme) and the
    warnings to show beside them."""
    cohorts = matched_cohorts(ctx)
    names = ctx.programmes.set_index("programme_id")["name"]
    summary_rows, curves, warnings = [], [], []
    for programme_id, cohort in cohorts.groupby("programme_id", sort=False):
        name = str(names.get(programme_id, programme_id))
        arms = {arm: cohort[cohort["arm"] == arm] for arm in ARMS}
        people = {arm: len(rows) for arm, rows in arms.items()}
        events = {arm: int(rows["event"].sum()) for arm, rows in arms.items()}
        too_few = min(people.values()) < MIN_ARM or sum(events.values()) < MIN_EVENTS
        if too_few:
            warnings.append(
                f"{name}: {TOO_FEW} (fewer than {MIN_ARM} people in an arm or fewer than "
                f"{MIN_EVENTS} events in all)."
            )
        row: dict[str, object] = {"Programme": name}
        for arm in ARMS:
            row[f"{arm}: people"] = people[arm]
            row[f"{arm}: events"] = events[arm]
        row["Log-rank p"] = np.nan
        row["Enough people to say anything?"] = "No" if too_few else "Yes"
        summary_rows.append(row)
        if min(people.values()) < THRESHOLD:
            # Every estimate would be suppressed: nothing to fit or draw.
            for horizon in HORIZONS:
                for arm in ARMS:
                    row[f"{arm}: survival at {horizon} months (95% CI)"] = SUPPRESSED
            continue
        fits = {arm: _fit(rows) for arm, rows in arms.items()}
        for horizon in HORIZONS:
            for arm in ARMS:
                row[f"{arm}: survival at {horizon} months (95% CI)"] = _estimate(
                    fits[arm], arms[arm]["months"].to_numpy(), horizon
                )
        if sum(events.values()):
            row["Log-rank p"] = round(logrank_p(cohort), 3)
        curves.append(
            Table(
                f"what_works_{programme_id}",
                f"{name}: time to re-offending or escalation",
                _curve(fits, arms),
                notes=(
                    "Survival: the share not yet re-offending or escalating. Rows where fewer "
                    f"than {THRESHOLD} people were still followed in an arm are suppressed.",
                ),
                chart=Chart(
                    "step",
                    "Months",
                    tuple(f"{arm}: survival" for arm in ARMS),
                    f"{name}: share not re-offending or escalating over time, by arm",
                ),
            )
        )
    counts = [f"{arm}: {what}" for arm in ARMS for what in ("people", "events")]
    summary = pd.DataFrame(
        summary_rows,
        columns=[
            "Programme",
            *counts,
            *(f"{arm}: survival at {h} months (95% CI)" for h in HORIZONS for arm in ARMS),
            "Log-rank p",
            "Enough people to say anything?",
        ],
    )
    summary[counts] = summary[counts].astype("int64")
    summary_table = Table(
        "what_works_summary",
        "Re-offending or escalation after each programme, against matched comparison people",
        suppress(summary, counts=counts, column_totals=False),
        notes=(
            "Event: a sanctioned offence (any outcome but no further action) or joining an "
            "organised crime group as a suspect or offender, after the index date.",
            "Comparison people are weighted to match participants' mix of factor categories, "
            "age band and prior offending; people in strata without a match are left out.",
        ),
    )
    if not summary_rows:
        warnings.append("No programme has placements to evaluate yet.")
    return [summary_table, *curves], warnings
