"""The Local Profile's contract: the frames it reads (`ProfileInputs`) and the suppressed
tables it returns (`LocalProfile`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

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
