"""What every section shares: cleaned frames, ages, rate ratios and counts, computed once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .model import (
    _AGE_EDGES,
    _COLUMNS,
    _DATES,
    _IDS,
    AGE_BANDS,
    AGE_NOT_KNOWN,
    MATERIAL_HIGH,
    MATERIAL_LOW,
    MONTHLY_UP_TO,
    PER_POPULATION,
    Z95,
    ProfileInputs,
)

# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------


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
