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

from collections.abc import Callable, Collection, Mapping

from .activity import (
    activity_section,
    characteristics_section,
    factors_section,
    pathways_section,
    referrals_and_routes_section,
)
from .equality import disproportionality_section, upstream_section
from .model import AGE_BANDS, Chart, LocalProfile, ProfileInputs, Progress, Section, Table
from .prepared import Prepared, age_bands, ages_on, rate_ratio
from .provision import gaps_section, interventions_section
from .what_works import what_works

__all__ = [
    "AGE_BANDS",
    "Chart",
    "LocalProfile",
    "Prepared",
    "ProfileInputs",
    "Progress",
    "Section",
    "Table",
    "age_bands",
    "ages_on",
    "build_profile",
    "rate_ratio",
]


# --------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------


def _what_works_section(ctx: Prepared) -> Section:
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
    ("population", activity_section),
    ("referrals", referrals_and_routes_section),
    ("characteristics", characteristics_section),
    ("factors", factors_section),
    ("pathways", pathways_section),
    ("interventions", interventions_section),
    ("gaps", gaps_section),
    ("disproportionality", disproportionality_section),
    ("upstream", upstream_section),
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
