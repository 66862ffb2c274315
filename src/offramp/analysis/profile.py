"""The area's SOC Local Profile (Prevent section), computed from frames extracted in bulk.

No Django: `ProfileInputs` (the frame contract) in, `LocalProfile` (sections of already-suppressed
tables) out. Every count is suppressed by `offramp.analysis.disclosure` before it leaves here, so
nothing in a `LocalProfile` is a count of 1-4 or lets one be worked out from a table's totals.

Ethnicity and sex are read here for equality monitoring only (the breakdowns of the guide's
Figures 2-4 and the disproportionality tables); age for the Figure 2 breakdown and to tell
whether a programme is open to a person. None of them is ever a risk input. What each table
means, the suppression rule and the statistics: docs/local-profile.md.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from offramp.analysis.disclosure import SUPPRESSED, THRESHOLD, suppress, suppression_mask

if TYPE_CHECKING:
    from offramp.demo.synth import SyntheticArea

AGE_BANDS = ("0-9", "10-13", "14-17", "18-24", "25-34", "35-49", "50+")
AGE_NOT_KNOWN = "not_known"
_AGE_EDGES = [0, 10, 14, 18, 25, 35, 50, np.inf]
SEXES = ("female", "male", "not_known")
PER_POPULATION = 10_000
# A difference in rates is "material" when the 95% interval excludes 1 AND the ratio is outside
# these bounds: the four-fifths rule used in equality monitoring, and its reciprocal.
MATERIAL_LOW, MATERIAL_HIGH = 0.8, 1.25
Z95 = 1.959963984540054
TOP_PATHWAYS = 10
MONTHLY_UP_TO = 24  # months; longer periods are shown by quarter
STARTED = ("started", "completed", "ended_early")
ENDED = ("completed", "ended_early")

Progress = Callable[[str, int, int], None]

_COLUMNS: dict[str, tuple[str, ...]] = {
    "people": (
        "person_id",
        "date_of_birth",
        "sex",
        "ethnicity",
        "area",
        "nationality",
        "linked_countries",
    ),
    "referrals": (
        "referral_id",
        "person_id",
        "received_on",
        "referring_agency",
        "referring_agency_kind",
        "status",
        "closure_reason",
    ),
    "referral_factors": ("referral_id", "factor_id"),
    "assessments": ("assessment_id", "person_id", "completed_on", "overall_concern", "crime_types"),
    "judgements": ("assessment_id", "factor_id", "judgement"),
    "cases": (
        "case_id",
        "person_id",
        "opened_on",
        "route",
        "status",
        "exited_on",
        "exit_reason",
        "person_category",
    ),
    "placements": (
        "placement_id",
        "case_id",
        "person_id",
        "programme_id",
        "starts_on",
        "ended_on",
        "status",
        "outcome",
    ),
    "programmes": (
        "programme_id",
        "name",
        "factor_ids",
        "crime_types",
        "capacity",
        "retired",
        "min_age",
        "max_age",
    ),
    "offences": ("person_id", "offence_date", "offence_category", "outcome"),
    "memberships": ("person_id", "group_id", "category", "role", "started_on"),
    "groups": ("group_id", "crime_types", "countries", "status"),
    "population": ("area", "sex", "age_band", "ethnicity", "population"),
}
_IDS = (
    "person_id",
    "referral_id",
    "assessment_id",
    "case_id",
    "placement_id",
    "programme_id",
    "group_id",
)
_DATES = {
    "people": ("date_of_birth",),
    "referrals": ("received_on",),
    "assessments": ("completed_on",),
    "cases": ("opened_on", "exited_on"),
    "placements": ("starts_on", "ended_on"),
    "offences": ("offence_date",),
    "memberships": ("started_on",),
}


@dataclass(frozen=True, eq=False)  # holds DataFrames, which do not compare
class ProfileInputs:
    period_start: date
    period_end: date
    people: pd.DataFrame
    referrals: pd.DataFrame
    referral_factors: pd.DataFrame
    assessments: pd.DataFrame
    judgements: pd.DataFrame
    cases: pd.DataFrame
    placements: pd.DataFrame
    programmes: pd.DataFrame
    offences: pd.DataFrame
    memberships: pd.DataFrame
    groups: pd.DataFrame
    population: pd.DataFrame
    framework: Mapping[str, Any]

    def __post_init__(self) -> None:
        if self.period_end < self.period_start:
            raise ValueError(
                f"the period ends ({self.period_end}) before it starts ({self.period_start})"
            )
        for name, columns in _COLUMNS.items():
            missing = [c for c in columns if c not in getattr(self, name).columns]
            if missing:
                raise ValueError(f"ProfileInputs.{name} has no column(s) {', '.join(missing)}")

    @classmethod
    def empty(
        cls, period_start: date, period_end: date, framework: Mapping[str, Any]
    ) -> ProfileInputs:
        """Inputs with every frame empty (but with its columns), for an area with no data yet."""
        frames = {
            name: pd.DataFrame({c: [] for c in columns}) for name, columns in _COLUMNS.items()
        }
        return cls(period_start=period_start, period_end=period_end, framework=framework, **frames)


@dataclass(frozen=True)
class Chart:
    """What to draw beside a table: `kind` "bar", "line", "step" (Kaplan-Meier) or "none"."""

    kind: Literal["bar", "line", "step", "none"]
    x: str | None = None
    y: tuple[str, ...] = ()
    title: str = ""


NO_CHART = Chart("none")


@dataclass(frozen=True, eq=False)
class Table:
    id: str
    title: str
    frame: pd.DataFrame
    notes: tuple[str, ...] = ()
    chart: Chart = NO_CHART


@dataclass(frozen=True, eq=False)
class Section:
    id: str
    title: str
    intro: str
    tables: tuple[Table, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class LocalProfile:
    period_start: date
    period_end: date
    sections: tuple[Section, ...]

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(f"no section {section_id!r} in the profile")

    def tables(self) -> Iterable[Table]:
        for section in self.sections:
            yield from section.tables


# --- shared helpers -------------------------------------------------------------------------


def ages_on(date_of_birth: pd.Series, on: pd.Series | pd.Timestamp) -> pd.Series:
    """Whole years of age on a date (NaN where either date is missing), vectorised."""
    on = on if isinstance(on, pd.Series) else pd.Series(on, index=date_of_birth.index)
    dob = pd.to_datetime(date_of_birth)
    on = pd.to_datetime(on)
    before_birthday = (on.dt.month * 100 + on.dt.day) < (dob.dt.month * 100 + dob.dt.day)
    return (on.dt.year - dob.dt.year - before_birthday).astype("float64")


def age_bands(ages: pd.Series) -> pd.Series:
    bands = pd.cut(ages, _AGE_EDGES, right=False, labels=list(AGE_BANDS))
    return bands.astype(object).where(bands.notna(), AGE_NOT_KNOWN).astype(str)


def rate_ratio(
    a: npt.ArrayLike, n: npt.ArrayLike, b: npt.ArrayLike, m: npt.ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rate ratio (a/n)/(b/m) with its 95% interval by the log method (Katz):
    SE(ln RR) = sqrt(1/a - 1/n + 1/b - 1/m). The interval is NaN when a or b is zero."""
    a, n, b, m = (np.asarray(v, dtype=float) for v in (a, n, b, m))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (a / n) / (b / m)
        se = np.sqrt(1 / a - 1 / n + 1 / b - 1 / m)
        usable = (a > 0) & (b > 0) & (n > 0) & (m > 0)
        low = np.where(usable, np.exp(np.log(ratio) - Z95 * se), np.nan)
        high = np.where(usable, np.exp(np.log(ratio) + Z95 * se), np.nan)
    ratio = np.where((n > 0) & (m > 0) & (b > 0), ratio, np.nan)
    return ratio, low, high


def is_material(ratio: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    excludes_one = (low > 1) | (high < 1)
    return excludes_one & ((ratio < MATERIAL_LOW) | (ratio > MATERIAL_HIGH))


class Prepared:
    """The inputs, cleaned (dates as datetime64[ns], ids as int64), and the cohorts every
    section shares, computed once. `outcomes.py` works from this too."""

    def __init__(self, inputs: ProfileInputs, labels: Mapping[str, str]) -> None:
        self.inputs = inputs
        self.labels = labels
        self.start = pd.Timestamp(inputs.period_start)
        self.end = pd.Timestamp(inputs.period_end)
        frames = {name: _clean(getattr(inputs, name), name) for name in _COLUMNS}
        self.people = frames["people"].drop_duplicates("person_id")
        self.referrals = frames["referrals"]
        self.assessments = frames["assessments"]
        self.judgements = frames["judgements"]
        self.cases = frames["cases"]
        self.placements = frames["placements"]
        self.programmes = frames["programmes"]
        self.offences = frames["offences"]
        self.memberships = frames["memberships"]
        self.groups = frames["groups"]
        self.population = frames["population"]
        self.factors, self.category_labels = _framework_tables(inputs.framework)
        self.population_total = float(self.population["population"].sum())

        self.referrals_in = self.referrals[
            self.referrals["received_on"].between(self.start, self.end)
        ]
        first_referral = self.referrals_in.sort_values("received_on").drop_duplicates("person_id")[
            ["person_id", "received_on"]
        ]
        self.referred = self._with_person(first_referral, "received_on")
        cases = self.cases
        self.cases_opened = cases[cases["opened_on"].between(self.start, self.end)]
        self.cases_on = cases[
            (cases["opened_on"] <= self.end)
            & (cases["exited_on"].isna() | (cases["exited_on"] >= self.start))
        ]
        on_cases = self.cases_on.sort_values("opened_on").drop_duplicates("person_id")
        on_cases = on_cases.assign(seen_on=on_cases["opened_on"].clip(lower=self.start))
        self.on_cases = self._with_person(on_cases[["person_id", "seen_on"]], "seen_on")
        self.person_factors = self._latest_assessed_factors()

    def label(self, value: object) -> str:
        text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
        return self.labels.get(
            text, text.replace("_", " ").capitalize() if text else "Not recorded"
        )

    def labelled(self, values: pd.Series) -> pd.Series:
        return values.map(self.label)

    def _with_person(self, frame: pd.DataFrame, on: str) -> pd.DataFrame:
        """`frame` (person_id, a date) with the person's age band on that date, sex, ethnicity."""
        merged = frame.merge(self.people, on="person_id", how="left")
        merged["age_band"] = age_bands(ages_on(merged["date_of_birth"], merged[on]))
        for column in ("sex", "ethnicity"):
            merged[column] = merged[column].fillna("not_known").replace("", "not_known")
        return merged

    def _latest_assessed_factors(self) -> pd.DataFrame:
        """Present/possible factors of each person's latest assessment completed in the period."""
        done = self.assessments[self.assessments["completed_on"].between(self.start, self.end)]
        latest = done.sort_values(["completed_on", "assessment_id"]).drop_duplicates(
            "person_id", keep="last"
        )
        self.assessed = latest
        judged = self.judgements[self.judgements["judgement"].isin(["present", "possible"])]
        factors = judged.merge(latest[["assessment_id", "person_id"]], on="assessment_id")
        factors = factors.merge(self.factors, on="factor_id", how="left")
        factors["category"] = factors["category"].fillna("unknown")
        factors["factor_label"] = factors["factor_label"].fillna(factors["factor_id"])
        return factors[
            ["person_id", "assessment_id", "factor_id", "factor_label", "category", "judgement"]
        ]

    def buckets(self) -> pd.PeriodIndex:
        months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
        return pd.period_range(self.start, self.end, freq="M" if months <= MONTHLY_UP_TO else "Q")

    def rate(self, counts: pd.Series | np.ndarray) -> pd.Series | np.ndarray | float:
        if self.population_total <= 0:
            return np.nan
        return np.round(np.asarray(counts, dtype=float) / self.population_total * PER_POPULATION, 2)


def _clean(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    frame = frame.copy()
    for column in _DATES.get(name, ()):
        # Calendar days, so that a moment late on the period's last day still falls inside it.
        values = pd.to_datetime(frame[column])
        if values.dt.tz is not None:
            values = values.dt.tz_localize(None)
        frame[column] = values.astype("datetime64[ns]").dt.normalize()
    for column in _IDS:
        if column in frame.columns:
            frame[column] = frame[column].astype("int64")
    return frame


def _framework_tables(framework: Mapping[str, Any]) -> tuple[pd.DataFrame, dict[str, str]]:
    """Factors (factor_id, category, factor_label) and category labels from the mapping."""
    factors = [
        (key, value["category"], value.get("label", key))
        for key, value in framework.items()
        if isinstance(value, Mapping)
    ]
    categories = {key: str(value) for key, value in framework.items() if isinstance(value, str)}
    frame = pd.DataFrame(factors, columns=["factor_id", "category", "factor_label"])
    return frame, categories


def _counts(values: pd.Series, order: Sequence[str] = ()) -> pd.Series:
    """value_counts with every value of `order` present (zero when absent), in that order first."""
    counted = values.value_counts()
    extra = [v for v in counted.index if v not in set(order)]
    return counted.reindex([*order, *sorted(extra, key=str)], fill_value=0).astype("int64")


def _share(counts: pd.Series | np.ndarray) -> np.ndarray:
    counts = np.asarray(counts, dtype=float)
    total = counts.sum()
    return np.round(100 * counts / total, 1) if total else np.full(len(counts), np.nan)


def _joined(*frames: pd.DataFrame) -> pd.DataFrame:
    """Side-by-side parts of one table suppressed separately (their labels appear once)."""
    first, *rest = frames
    return pd.concat([first, *(f.iloc[:, 1:] for f in rest)], axis=1)


# --- sections -------------------------------------------------------------------------------


def _activity_section(ctx: Prepared) -> Section:
    buckets = ctx.buckets()
    freq = buckets.freqstr
    period_word = "Month" if freq.startswith("M") else "Quarter"

    def per_bucket(dates: pd.Series) -> np.ndarray:
        return dates.dt.to_period(freq).value_counts().reindex(buckets, fill_value=0).to_numpy()

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


def _characteristics_section(ctx: Prepared) -> Section:
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


def _referrals_and_routes_section(ctx: Prepared) -> Section:
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


def _factors_section(ctx: Prepared) -> Section:
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


def _pathways_section(ctx: Prepared) -> Section:
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


def _interventions_section(ctx: Prepared) -> Section:
    placements = ctx.placements
    programmes = ctx.programmes[
        ~ctx.programmes["retired"].astype(bool)
        | ctx.programmes["programme_id"].isin(placements["programme_id"])
    ].sort_values("name")
    ids = programmes["programme_id"].to_numpy()

    def per_programme(rows: pd.DataFrame) -> np.ndarray:
        return rows["programme_id"].value_counts().reindex(ids, fill_value=0).to_numpy()

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


def _gaps_section(ctx: Prepared) -> Section:
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


def _disproportionality_section(ctx: Prepared) -> Section:
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


def _upstream_section(ctx: Prepared) -> Section:
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


def _what_works_section(ctx: Prepared) -> Section:
    # outcomes builds on this module's types, so it is imported here rather than at the top.
    from offramp.analysis.outcomes import what_works

    tables, warnings = what_works(ctx)
    return Section(
        id="what_works",
        title="What works",
        intro=(
            "For each programme: time to re-offending or escalation into a group for people who "
            "took part, against similar people with a case who did not (matched on the "
            "categories of factors present, age band and prior offending). Kaplan-Meier curves "
            "with 95% intervals; guide ¶3.2."
        ),
        tables=tuple(tables),
        warnings=tuple(warnings),
    )


_SECTIONS: tuple[tuple[str, Callable[[Prepared], Section]], ...] = (
    ("population", _activity_section),
    ("referrals", _referrals_and_routes_section),
    ("characteristics", _characteristics_section),
    ("factors", _factors_section),
    ("pathways", _pathways_section),
    ("interventions", _interventions_section),
    ("gaps", _gaps_section),
    ("disproportionality", _disproportionality_section),
    ("upstream", _upstream_section),
    ("what_works", _what_works_section),
)


def build_profile(
    inputs: ProfileInputs,
    *,
    progress: Progress | None = None,
    labels: Mapping[str, str] | None = None,
    only: Collection[str] | None = None,
) -> LocalProfile:
    """Every section of the Local Profile for the inputs' period, suppressed for sharing —
    or, with `only`, just the sections with those ids (each stands on its own).

    `labels` maps stored values (ethnicity, sex, route, agency kind, crime type ids...) to the
    words shown; values without one are shown tidied ("children_safeguarding" ->
    "Children safeguarding").
    """
    ctx = Prepared(inputs, labels or {})
    chosen = [(stage, builder) for stage, builder in _SECTIONS if only is None or stage in only]
    sections = []
    for done, (stage, builder) in enumerate(chosen, start=1):
        sections.append(builder(ctx))
        if progress is not None:
            progress(stage, done, len(chosen))
    return LocalProfile(inputs.period_start, inputs.period_end, tuple(sections))


# --- the synthetic demo area as profile inputs ------------------------------------------------

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
