"""The synthetic area and `generate_area`, which builds it stage by stage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date

import pandas as pd

from .agencies import _build_agencies
from .constants import DEFAULT_TODAY, MIN_PEOPLE, Progress
from .evidence import _build_factor_evidence, _build_identifiers
from .groups import _build_groups
from .offences import _build_offences, _offences_frame
from .people import _build_people, _select_involvement
from .records import _build_records
from .referrals import _build_referrals, _case_studies_frame, _people_frame
from .relationships import _build_relationships, _finish_links
from .vectors import _day

# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SyntheticArea:
    """A synthetic borough: one DataFrame per table (column contract in docs/partner-extracts.md).

    `seed` and `today` record how it was made; every other field is a frame.
    """

    seed: int
    today: date
    agencies: pd.DataFrame
    people: pd.DataFrame
    identifiers: pd.DataFrame
    offences: pd.DataFrame
    groups: pd.DataFrame
    memberships: pd.DataFrame
    relationships: pd.DataFrame
    care_episodes: pd.DataFrame
    school_exclusions: pd.DataFrame
    youth_offending: pd.DataFrame
    prison_releases: pd.DataFrame
    factor_evidence: pd.DataFrame
    case_studies: pd.DataFrame
    referrals_seed: pd.DataFrame

    def frames(self) -> dict[str, pd.DataFrame]:
        """Every frame by name, in a stable order."""
        return {
            f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("seed", "today")
        }


_GENERATE_STAGES = (
    "agencies",
    "people",
    "involvement",
    "groups",
    "offences",
    "records",
    "relationships",
    "identifiers",
    "factor_evidence",
    "referrals",
    "frames",
)


def generate_area(
    *,
    people: int,
    seed: int,
    today: date = DEFAULT_TODAY,
    progress: Progress | None = None,
) -> SyntheticArea:
    """Generate a synthetic area of `people` people; the same seed gives identical frames."""
    if people < MIN_PEOPLE:
        raise ValueError(f"people must be at least {MIN_PEOPLE} (the case studies need room)")
    if seed < 0:
        raise ValueError("seed must be non-negative")
    steps = _Steps(progress, _GENERATE_STAGES)
    ag = _build_agencies(people)
    steps.done()
    w = _build_people(seed, people, _day(today), ag)
    steps.done()
    _select_involvement(w, seed)
    steps.done()
    grp = _build_groups(w, seed)
    steps.done()
    off = _build_offences(w, grp, seed)
    steps.done()
    rec = _build_records(w, off, seed)
    steps.done()
    rel = _build_relationships(w, grp, off, rec, seed)
    _finish_links(w, grp, rel, seed)
    steps.done()
    ids = _build_identifiers(w, off, rec, ag, seed)
    steps.done()
    fe = _build_factor_evidence(w, grp, off, rec, rel, seed)
    steps.done()
    refs = _build_referrals(w, fe, ag, seed)
    steps.done()
    area = SyntheticArea(
        seed=seed,
        today=today,
        agencies=ag.frame,
        people=_people_frame(w),
        identifiers=ids,
        offences=_offences_frame(w, off),
        groups=grp.frame,
        memberships=grp.memberships_frame(),
        relationships=rel.frame(),
        care_episodes=rec.care_frame(),
        school_exclusions=rec.exclusions_frame(ag),
        youth_offending=rec.yos_frame(),
        prison_releases=rec.releases_frame(),
        factor_evidence=fe,
        case_studies=_case_studies_frame(),
        referrals_seed=refs,
    )
    steps.done()
    return area


class _Steps:
    def __init__(self, progress: Progress | None, stages: Sequence[str]) -> None:
        self._progress = progress
        self._stages = stages
        self._done = 0

    def done(self) -> None:
        stage = self._stages[self._done]
        self._done += 1
        if self._progress is not None:
            self._progress(stage, self._done, len(self._stages))
