"""A fast, reproducible synthetic UK area ("Hartmoor") for Offramp demos, tests and benchmarks.

`generate_area` builds a whole borough with vectorised numpy from one seed: people in households,
partner agencies, organised crime groups and their members, the at-risk periphery around them,
the records agencies hold (offences, custody, youth justice, children's social care, school
exclusions), a relationship network, agency identifiers, evidence for the guide's risk factors,
the guide's eight case studies and a seed of referrals. `write_partner_extracts` writes the files
partner agencies would export, with realistic noise, plus the ground truth that links them.

Calibration follows the Home Office Prevent guide (2015): ~0.7% of people are organised
criminals in groups of about seven (¶1.3), just under 25% of them are under 25 (¶2.7, Figure 2),
~87% are male (Figure 3) and 57% were sanctioned before 18 (¶2.7, footnote 7).

Ethnicity, sex and age are never risk inputs. Ethnicity is drawn before anything else and no
later step reads it, so it is independent of involvement and of every risk factor. Age and sex
are used only to select organised criminals so that the group matches the guide's *descriptive*
statistics; at-risk people are selected on age alone (the guide's periphery is mostly young) and
every factor is derived from records, never from sex or ethnicity.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from offramp.analysis.nicknames import NICKNAMES
from offramp.demo.names import FAMILY_NAMES, GIVEN_NAMES
from offramp.partner_records import (
    CARE_EPISODES,
    GROUP_STATUSES,
    OFFENCE_CATEGORIES,
    OUTCOMES,
    RELATIONSHIP_KINDS,
    YOUTH_ORDERS,
)
from offramp.partner_records import EXCLUSION_REASONS as DFE_EXCLUSION_REASONS
from offramp.partner_records import GROUP_ROLES as ROLES

GENERATOR_VERSION = "1.0.0"
DEFAULT_TODAY = date(2026, 11, 1)
MIN_PEOPLE = 200

Progress = Callable[[str, int, int], None]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]
Obj = npt.NDArray[np.object_]

AREA_NAME = "Hartmoor"
WARDS = (
    "Abbeyfield",
    "Brackley Moor",
    "Castleton",
    "Dunmore",
    "Elmstead",
    "Foxhill",
    "Greenbank",
    "Harwood Vale",
)
_WARD_SHARE = np.array([0.15, 0.14, 0.13, 0.13, 0.12, 0.12, 0.11, 0.10])

ETHNICITIES = (
    "asian_bangladeshi",
    "asian_chinese",
    "asian_indian",
    "asian_pakistani",
    "asian_other",
    "black_african",
    "black_caribbean",
    "black_other",
    "mixed_white_asian",
    "mixed_white_black_african",
    "mixed_white_black_caribbean",
    "mixed_other",
    "white_english_welsh_scottish_ni_british",
    "white_irish",
    "white_gypsy_irish_traveller",
    "white_roma",
    "white_other",
    "other_arab",
    "other_any",
)
_ETH = {name: i for i, name in enumerate(ETHNICITIES)}
# Roughly a diverse English borough (Census 2021 shapes, not any real place).
_ETH_SHARE = np.array(
    [
        0.025,
        0.012,
        0.05,
        0.07,
        0.018,
        0.045,
        0.02,
        0.008,
        0.008,
        0.006,
        0.012,
        0.008,
        0.58,
        0.01,
        0.002,
        0.004,
        0.07,
        0.01,
        0.015,
    ]
)
_ETH_SHARE = _ETH_SHARE / _ETH_SHARE.sum()
# broad group used only to name the child of two parents: white, asian, black african,
# black caribbean, black other, mixed, other
_ETH_GROUP = np.array([1, 1, 1, 1, 1, 2, 3, 4, 5, 5, 5, 5, 0, 0, 0, 0, 0, 6, 6])

INVOLVEMENTS = ("none", "at_risk", "organised_criminal")
NONE, AT_RISK, OC = 0, 1, 2

FACTOR_IDS = (
    "early_prolific_offending",
    "gang_involvement",
    "late_serious_offending",
    "specialist_technical_skills",
    "specialist_criminal_skills",
    "professional_skills",
    "criminal_access",
    "family_network",
    "intimate_relationships",
    "associates",
    "prison_network",
    "online_network",
    "sense_of_belonging",
    "victim_of_exploitation",
    "transitional_periods",
    "pro_criminal_attitudes",
    "financial_difficulties",
    "power_and_status",
)
_CAT = {name: i for i, name in enumerate(OFFENCE_CATEGORIES)}
_NFA, _CUSTODY, _COMMUNITY, _YOUTH_CAUTION = 5, 3, 2, 1
_K = {name: i for i, name in enumerate(RELATIONSHIP_KINDS)}
_FAMILY_KINDS = np.array([_K["family_parent"], _K["family_sibling"], _K["family_other"]])
IDENTIFIER_TYPES = (
    "pnc",
    "nhs_number",
    "upn",
    "social_care_id",
    "yos_id",
    "prison_number",
    "probation_crn",
)
# Schools here record the first ten of the DfE's categories.
EXCLUSION_REASONS = DFE_EXCLUSION_REASONS[:10]
_EXCLUSION_REASON_P = np.array([0.35, 0.14, 0.06, 0.1, 0.05, 0.07, 0.04, 0.05, 0.04, 0.1])
CONSENTS = ("given", "refused", "not_sought", "not_yet_asked")
STAGES = ("new", "screening", "assessed", "closed")
CASE_STUDIES = ("simon", "misha", "paul", "jason", "david", "connor", "daniel", "paige")

# Countries a person or group can be linked to; the guide's source and transit countries first.
COUNTRIES = (
    "NL",
    "TR",
    "PK",
    "NG",
    "GH",
    "AL",
    "RO",
    "PL",
    "LT",
    "VN",
    "IE",
    "BD",
    "IN",
    "CN",
    "HK",
    "MY",
    "LK",
    "AF",
    "NP",
    "PH",
    "SO",
    "ZW",
    "JM",
    "SK",
    "CZ",
    "LV",
    "IT",
    "PT",
    "ES",
    "BG",
    "HU",
    "IQ",
    "SY",
    "EG",
    "MA",
    "SD",
    "ER",
    "KE",
    "LR",
    "FR",
)
_CC = {code: i for i, code in enumerate(COUNTRIES)}
_SOURCE_COUNTRIES = ("NL", "TR", "PK", "NG", "GH", "AL", "RO", "PL", "LT", "VN")

_YEAR = 365.2425
_MONTH = 30.436875


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


# --------------------------------------------------------------------------------------------
# Small vectorised helpers
# --------------------------------------------------------------------------------------------


def _rng(seed: int, stream: str) -> np.random.Generator:
    # One independent stream per stage, so adding draws to one stage never shifts another.
    return np.random.default_rng([seed, zlib.crc32(stream.encode())])


def _day(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def _ymd(days: I64) -> tuple[I64, I64, I64]:
    dt = days.astype("datetime64[D]")
    months = dt.astype("datetime64[M]")
    m = months.astype(np.int64)
    day = (dt - months.astype("datetime64[D]")).astype(np.int64) + 1
    return m // 12 + 1970, m % 12 + 1, day


def _age_on(dob: I64, on: I64 | int) -> I64:
    """Completed years of age on a date, exactly as a form would compute it."""
    by, bm, bd = _ymd(dob)
    oy, om, od = _ymd(np.broadcast_to(np.asarray(on, dtype=np.int64), dob.shape))
    return oy - by - ((om * 32 + od) < (bm * 32 + bd)).astype(np.int64)


def _birthday(dob: I64, years: I64 | int) -> I64:
    """The day a person born on `dob` reaches `years` of age."""
    dt = dob.astype("datetime64[D]")
    months = dt.astype("datetime64[M]")
    offset = dt - months.astype("datetime64[D]")
    shifted = months + (np.asarray(years, dtype=np.int64) * 12).astype("timedelta64[M]")
    return (shifted.astype("datetime64[D]") + offset).astype(np.int64)


def _uniform_day(rng: np.random.Generator, lo: I64, hi: I64) -> I64:
    """A day uniformly in [lo, hi] (inclusive), row by row."""
    return lo + np.floor(rng.random(len(lo)) * (hi - lo + 1)).astype(np.int64)


def _pick(rng: np.random.Generator, candidates: I64, k: int, weights: F64 | None = None) -> I64:
    """k distinct candidates, optionally weighted (Efraimidis-Spirakis keys), sorted."""
    k = min(int(k), len(candidates))
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    if weights is None:
        return np.sort(rng.choice(candidates, k, replace=False))
    keys = np.log(rng.random(len(candidates))) / weights
    return np.sort(candidates[np.argpartition(-keys, k - 1)[:k]])


def _choose_rows(rng: np.random.Generator, table: F64, rows: I64) -> I64:
    """For each row index, draw a column of `table` (rows are probability vectors)."""
    cum = np.cumsum(table, axis=1)
    cum[:, -1] = 1.0
    u = rng.random(len(rows))
    return (u[:, None] >= cum[rows]).sum(axis=1).astype(np.int64)


def _probs(names: Sequence[str], weights: Mapping[str, float]) -> F64:
    p = np.array([weights.get(n, 0.0) for n in names], dtype=np.float64)
    return p / p.sum()


def _between(rng: np.random.Generator, lo: int, hi: int, n: int) -> I64:
    return rng.integers(lo, hi + 1, size=n).astype(np.int64)


def _strings(values: I64, width: int) -> npt.NDArray[Any]:
    return np.strings.zfill(values.astype(np.dtypes.StringDType()), width)


def _letters(alphabet: str, idx: I64) -> npt.NDArray[Any]:
    return np.array(list(alphabet), dtype=np.dtypes.StringDType())[idx]


def _concat(*parts: npt.NDArray[Any] | str) -> Obj:
    out: Any = parts[0]
    for p in parts[1:]:
        out = np.strings.add(out, p)
    return np.asarray(out).astype(object)


def _unique_serials(rng: np.random.Generator, n: int, space: int) -> I64:
    """n distinct pseudo-random integers in [0, space): an affine map of a permutation."""
    multiplier = 7_919_333  # prime, so coprime with the powers of ten used as spaces
    perm = rng.permutation(n).astype(np.int64)
    return (perm * multiplier + int(rng.integers(space))) % space


def _dates(days: I64) -> npt.NDArray[np.datetime64]:
    return days.astype("datetime64[D]")


_NAT = np.iinfo(np.int64).min


def _join_codes(masks: I64, vocab: Sequence[str]) -> Obj:
    """Turn bitmasks over `vocab` into ';'-joined strings (once per distinct mask)."""
    uniq, inv = np.unique(masks, return_inverse=True)
    text = np.array(
        [";".join(v for b, v in enumerate(vocab) if int(m) >> b & 1) for m in uniq], dtype=object
    )
    return text[inv]


# --------------------------------------------------------------------------------------------
# Agencies
# --------------------------------------------------------------------------------------------

_FIXED_AGENCIES = (
    ("hartmoor-police", "Hartmoor Police", "police"),
    ("moorland-rocu", "Moorland Regional Organised Crime Unit", "police"),
    (
        "hartmoor-childrens-services",
        "Hartmoor Council Children's Services",
        "childrens_social_care",
    ),
    ("hartmoor-adult-social-care", "Hartmoor Council Adult Social Care", "adult_social_care"),
    ("hartmoor-community-safety", "Hartmoor Community Safety Partnership", "community_safety"),
    (
        "hartmoor-licensing-trading-standards",
        "Hartmoor Council Licensing and Trading Standards",
        "licensing_trading_standards",
    ),
    ("hartmoor-nhs-trust", "Hartmoor NHS Foundation Trust", "health"),
    ("hartmoor-probation", "Probation Service, Hartmoor Delivery Unit", "probation"),
    ("hartmoor-yjs", "Hartmoor Youth Justice Service", "youth_offending"),
    ("hmp-hartmoor", "HMP Hartmoor", "prison"),
    ("hmp-ravensworth", "HMP Ravensworth", "prison"),
    ("hmp-ashcombe-park", "HMP Ashcombe Park", "prison"),
    ("hmyoi-fenbridge", "HMYOI Fenbridge", "prison"),
    ("hartmoor-college", "Hartmoor College", "college"),
    ("moorside-sixth-form-college", "Moorside Sixth Form College", "college"),
    ("university-of-hartmoor", "University of Hartmoor", "university"),
    ("victim-support-hartmoor", "Victim Support (Hartmoor)", "voluntary"),
    ("hartmoor-youth-mentoring-trust", "Hartmoor Youth Mentoring Trust", "voluntary"),
    ("hartmoor-supporting-families", "Hartmoor Supporting Families Team", "families_programme"),
    ("hartmoor-homes", "Hartmoor Homes", "housing"),
    ("moorland-housing", "Moorland Housing Association", "housing"),
    ("hartmoor-jobcentre", "Hartmoor Jobcentre Plus", "job_centre"),
)
# the agencies the generator names directly
POLICE = "hartmoor-police"
ROCU = "moorland-rocu"
CSC = "hartmoor-childrens-services"
ASC = "hartmoor-adult-social-care"
LICENSING = "hartmoor-licensing-trading-standards"
HEALTH = "hartmoor-nhs-trust"
PROBATION = "hartmoor-probation"
YJS = "hartmoor-yjs"
UNIVERSITY = "university-of-hartmoor"
FAMILIES = "hartmoor-supporting-families"
HOUSING = "hartmoor-homes"
HOUSING_ASSOC = "moorland-housing"
JOBCENTRE = "hartmoor-jobcentre"
_PRISONS = ("HMP Hartmoor", "HMP Ravensworth", "HMP Ashcombe Park", "HMYOI Fenbridge")
_PRISON_IDS = ("hmp-hartmoor", "hmp-ravensworth", "hmp-ashcombe-park", "hmyoi-fenbridge")

_SAINTS = (
    "St Aidan's",
    "St Bede's",
    "St Cuthbert's",
    "St Hilda's",
    "St Oswald's",
    "St Wilfrid's",
    "St Chad's",
    "St Mary's",
    "St Joseph's",
    "St Michael's",
    "St Peter's",
    "St John's",
    "St Anne's",
    "St Patrick's",
    "Holy Trinity",
    "Christ Church",
    "All Saints",
    "St Thomas More",
    "St Margaret's",
    "St Luke's",
)
_PLACES = (
    "Moorside",
    "Oakfield",
    "Beechwood",
    "Hollins",
    "Ridgeway",
    "Millbrook",
    "Brookfield",
    "Highfield",
    "Westfield",
    "Lark Hill",
    "Fernlea",
    "Heather Lane",
    "Kingsway",
    "Parkside",
    "Stonecross",
    "Windmill",
    "Church Lane",
    "Meadowbank",
    "Rosehill",
    "Valley Road",
    "Greenside",
    "Hawthorn",
    "Ashfield",
    "Elm Tree",
    "Willow Park",
    "Castle View",
    "Mill Lane",
    "Bridge Street",
    "Crossley",
    "Linden",
)
_PRIMARY_SUFFIXES = (
    "Primary School",
    "Primary Academy",
    "Community Primary School",
    "Infant and Junior School",
    "C of E Primary School",
    "Junior School",
    "Nursery and Primary School",
    "Primary Free School",
)
_SECONDARY_SUFFIXES = ("High School", "Academy", "School")


@dataclass(frozen=True)
class _Agencies:
    frame: pd.DataFrame
    primary_ids: Obj
    primary_ward: I64
    secondary_ids: Obj
    secondary_ward: I64


def _slug(name: str) -> str:
    keep = "".join(c.lower() if c.isalnum() else "-" for c in name.replace("'", ""))
    return "-".join(part for part in keep.split("-") if part)


def _school_names(prefixes: Sequence[str], suffixes: Sequence[str], n: int) -> list[str]:
    combos = [f"{p} {s}" for p in prefixes for s in suffixes]
    # A fixed shuffle, so school names do not depend on the seed and slugs stay stable.
    order = np.random.default_rng(2015).permutation(len(combos))
    return [combos[i] for i in order[: min(n, len(combos))]]


def _build_agencies(n_people: int) -> _Agencies:
    prefixes = [*WARDS, *_PLACES, *_SAINTS]
    n_secondary = max(8, round(n_people * 0.062 / 1000))
    n_primary = max(8, round(n_people * 0.085 / 300))
    named = ("Hartmoor Academy", "St Aidan's High School")
    others = [
        s for s in _school_names(prefixes, _SECONDARY_SUFFIXES, n_secondary + 2) if s not in named
    ]
    secondary = [*named, *others[: n_secondary - 2]]
    primary = _school_names(prefixes, _PRIMARY_SUFFIXES, n_primary)
    rows = list(_FIXED_AGENCIES)
    rows += [(_slug(s), s, "school") for s in secondary + primary]
    frame = pd.DataFrame(rows, columns=["agency_id", "name", "kind"])
    return _Agencies(
        frame=frame,
        primary_ids=np.array([_slug(s) for s in primary], dtype=object),
        primary_ward=np.arange(len(primary), dtype=np.int64) % len(WARDS),
        secondary_ids=np.array([_slug(s) for s in secondary], dtype=object),
        secondary_ward=np.arange(len(secondary), dtype=np.int64) % len(WARDS),
    )


def _assign_school(rng: np.random.Generator, ward: I64, school_ward: I64) -> I64:
    order = np.argsort(school_ward, kind="stable")
    counts = np.bincount(school_ward, minlength=len(WARDS))
    starts = np.cumsum(counts) - counts
    pos = starts[ward] + np.floor(rng.random(len(ward)) * counts[ward]).astype(np.int64)
    return order[pos].astype(np.int64)


# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------

_GIVEN_POOLS = tuple(GIVEN_NAMES)
_FAMILY_POOLS = tuple(FAMILY_NAMES)


def _mix(pools: Sequence[str], **weights: float) -> list[float]:
    return [weights.get(p, 0.0) for p in pools]


def _g(**w: float) -> list[float]:
    return _mix(_GIVEN_POOLS, **w)


def _f(**w: float) -> list[float]:
    return _mix(_FAMILY_POOLS, **w)


# ethnicity -> which name pools its people's names come from
_GIVEN_MIX = np.array(
    [
        _g(south_asian_muslim=1),
        _g(chinese=1),
        _g(south_asian_indian=0.9, british=0.1),
        _g(south_asian_muslim=1),
        _g(south_asian_indian=0.4, south_asian_muslim=0.3, british=0.3),
        _g(african=0.85, british=0.15),
        _g(british=1),
        _g(british=0.6, african=0.4),
        _g(british=0.8, south_asian_muslim=0.1, south_asian_indian=0.1),
        _g(british=0.8, african=0.2),
        _g(british=1),
        _g(british=0.8, arab=0.1, african=0.1),
        _g(british=1),
        _g(british=1),
        _g(british=1),
        _g(eastern_european=1),
        _g(eastern_european=0.8, british=0.2),
        _g(arab=1),
        _g(british=0.4, arab=0.3, african=0.3),
    ]
)
_FAMILY_MIX = np.array(
    [
        _f(south_asian_muslim=1),
        _f(chinese=1),
        _f(south_asian_indian=1),
        _f(south_asian_muslim=1),
        _f(south_asian_indian=0.5, south_asian_muslim=0.3, british=0.2),
        _f(african=1),
        _f(caribbean=1),
        _f(caribbean=0.5, african=0.5),
        _f(british=0.6, south_asian_muslim=0.2, south_asian_indian=0.2),
        _f(british=0.6, african=0.4),
        _f(british=0.6, caribbean=0.4),
        _f(british=0.7, arab=0.15, eastern_european=0.15),
        _f(british=1),
        _f(british=1),
        _f(british=1),
        _f(eastern_european=1),
        _f(eastern_european=1),
        _f(arab=1),
        _f(arab=0.4, african=0.3, british=0.3),
    ]
)
_GIVEN_MIX = _GIVEN_MIX / _GIVEN_MIX.sum(axis=1, keepdims=True)
_FAMILY_MIX = _FAMILY_MIX / _FAMILY_MIX.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class _NameTables:
    vocab: Obj
    code: Mapping[str, int]
    given: Mapping[tuple[int, bool], tuple[I64, F64]]
    family: Mapping[int, tuple[I64, F64]]


@cache
def _names() -> _NameTables:
    words: dict[str, None] = {"": None}
    for by_sex in GIVEN_NAMES.values():
        for entries in by_sex.values():
            words.update((n, None) for n, _ in entries)
    for entries in FAMILY_NAMES.values():
        words.update((n, None) for n, _ in entries)
    for p in _CAST:
        words.update((w, None) for w in p[1:4])
    vocab = np.array(list(words), dtype=object)
    code = {w: i for i, w in enumerate(vocab)}

    def table(entries: Sequence[tuple[str, int]]) -> tuple[I64, F64]:
        weights = np.array([w for _, w in entries], dtype=np.float64)
        return np.array([code[n] for n, _ in entries], dtype=np.int64), weights / weights.sum()

    given = {
        (pi, sex == "male"): table(GIVEN_NAMES[pool][sex])
        for pi, pool in enumerate(_GIVEN_POOLS)
        for sex in ("male", "female")
    }
    family = {pi: table(FAMILY_NAMES[pool]) for pi, pool in enumerate(_FAMILY_POOLS)}
    return _NameTables(vocab=vocab, code=code, given=given, family=family)


def _draw_given(rng: np.random.Generator, pool: I64, male: Bool) -> I64:
    out = np.zeros(len(pool), dtype=np.int64)
    for (pi, is_male), (codes, p) in _names().given.items():
        idx = np.flatnonzero((pool == pi) & (male == is_male))
        out[idx] = codes[rng.choice(len(codes), size=len(idx), p=p)]
    return out


def _draw_family(rng: np.random.Generator, pool: I64) -> I64:
    out = np.zeros(len(pool), dtype=np.int64)
    for pi, (codes, p) in _names().family.items():
        idx = np.flatnonzero(pool == pi)
        out[idx] = codes[rng.choice(len(codes), size=len(idx), p=p)]
    return out


# --------------------------------------------------------------------------------------------
# Geography
# --------------------------------------------------------------------------------------------

_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # letters real postcode units use
_UNITS_PER_WARD = 4000


@cache
def _postcodes() -> Obj:
    """Every postcode unit, indexed ward * _UNITS_PER_WARD + unit; units are shuffled once (with
    a fixed seed) so a small area still gets varied postcodes."""
    units = np.random.default_rng(8).permutation(_UNITS_PER_WARD)
    return np.array(
        [
            f"HM{w + 1} {u % 10}{_UNIT_LETTERS[(u // 10) % 20]}{_UNIT_LETTERS[u // 200]}"
            for w in range(len(WARDS))
            for u in units
        ],
        dtype=object,
    )


# ethnicity -> nationality (ISO 3166 alpha-2) distribution
_NATIONALITY: tuple[Mapping[str, float], ...] = (
    {"GB": 0.75, "BD": 0.25},
    {"GB": 0.5, "CN": 0.3, "HK": 0.15, "MY": 0.05},
    {"GB": 0.75, "IN": 0.25},
    {"GB": 0.8, "PK": 0.2},
    {"GB": 0.6, "LK": 0.1, "AF": 0.1, "NP": 0.05, "PH": 0.1, "VN": 0.05},
    {"GB": 0.55, "NG": 0.2, "GH": 0.1, "SO": 0.1, "ZW": 0.05},
    {"GB": 0.95, "JM": 0.05},
    {"GB": 0.9, "NG": 0.05, "JM": 0.05},
    {"GB": 1.0},
    {"GB": 1.0},
    {"GB": 1.0},
    {"GB": 0.9, "ES": 0.05, "FR": 0.05},
    {"GB": 1.0},
    {"IE": 0.55, "GB": 0.45},
    {"GB": 0.9, "IE": 0.1},
    {"RO": 0.5, "SK": 0.25, "CZ": 0.25},
    {
        "PL": 0.3,
        "RO": 0.2,
        "LT": 0.1,
        "LV": 0.05,
        "IT": 0.07,
        "PT": 0.07,
        "ES": 0.05,
        "BG": 0.06,
        "AL": 0.05,
        "HU": 0.05,
    },
    {"GB": 0.5, "IQ": 0.15, "SY": 0.15, "EG": 0.1, "MA": 0.1},
    {"GB": 0.6, "AF": 0.1, "SD": 0.1, "ER": 0.1, "KE": 0.1},
)
# chance that a British national keeps family links to the heritage country
_HERITAGE_LINK = np.array(
    [
        0.4,
        0.3,
        0.35,
        0.45,
        0.3,
        0.4,
        0.25,
        0.2,
        0.1,
        0.1,
        0.1,
        0.1,
        0.0,
        0.3,
        0.05,
        0.3,
        0.5,
        0.4,
        0.3,
    ]
)
_NATION_CODES = ("GB", *COUNTRIES)


def _nationality_table() -> F64:
    return np.array([_probs(_NATION_CODES, m) for m in _NATIONALITY])


def _heritage_table() -> F64:
    table = np.array([[m.get(c, 0.0) for c in COUNTRIES] for m in _NATIONALITY])
    table[table.sum(axis=1) == 0, _CC["ES"]] = 1.0  # rows with no heritage abroad need a valid
    # distribution; _HERITAGE_LINK is zero for them, so the draw is never used
    return table / table.sum(axis=1, keepdims=True)


# --------------------------------------------------------------------------------------------
# The case studies (people 1..8) and their supporting cast (9..25): fixed at every size.
# --------------------------------------------------------------------------------------------

_WB = "white_english_welsh_scottish_ni_british"
# id, given, middle, family, dob, male, ethnicity, occupation, involvement, household, role,
# ward, linked countries
_CAST: tuple[tuple[Any, ...], ...] = (
    (1, "Simon", "Lee", "Hale", "1999-03-14", True, _WB, "", OC, 1, 0, 2, ""),
    (
        2,
        "Misha",
        "Anne",
        "Novak",
        "1976-06-02",
        False,
        "white_other",
        "solicitor",
        OC,
        2,
        0,
        4,
        "LR",
    ),
    (
        3,
        "Paul",
        "Andrew",
        "Byrne",
        "2007-01-20",
        True,
        "white_irish",
        "student_pilot",
        AT_RISK,
        3,
        2,
        1,
        "",
    ),
    (4, "Jason", "Mark", "Fletcher", "1995-09-08", True, _WB, "it_graduate", OC, 4, 0, 3, ""),
    (5, "David", "John", "Marsh", "1961-04-30", True, _WB, "welder", OC, 5, 0, 6, ""),
    (6, "Connor", "James", "Walsh", "2008-07-11", True, _WB, "", AT_RISK, 6, 0, 0, ""),
    (
        7,
        "Daniel",
        "Thomas",
        "Reid",
        "2011-10-03",
        True,
        "mixed_white_black_caribbean",
        "",
        AT_RISK,
        7,
        2,
        5,
        "",
    ),
    (8, "Paige", "Louise", "Turner", "2003-05-22", False, _WB, "", AT_RISK, 8, 0, 7, ""),
    (9, "Ryan", "Scott", "Holt", "1994-08-19", True, _WB, "", OC, 9, 0, 2, ""),
    (10, "Gary", "Wayne", "Dixon", "1980-02-11", True, _WB, "", OC, 10, 0, 2, "NL"),
    (11, "Marcus", "Anthony", "Shaw", "1972-12-05", True, _WB, "", OC, 11, 0, 4, "LR"),
    (12, "Richard", "Paul", "Byrne", "1966-05-17", True, "white_irish", "pilot", OC, 3, 0, 1, "NL"),
    (13, "Karen", "Ann", "Byrne", "1969-09-30", False, "white_irish", "", OC, 3, 1, 1, ""),
    (14, "Keith", "Anthony", "Barker", "1968-03-03", True, _WB, "", OC, 14, 0, 6, ""),
    (15, "Kyle", "Dean", "Foster", "2004-06-21", True, _WB, "", OC, 15, 0, 0, ""),
    (
        16,
        "Jordan",
        "Lee",
        "Reid",
        "2006-04-14",
        True,
        "mixed_white_black_caribbean",
        "",
        OC,
        7,
        2,
        5,
        "",
    ),
    (17, "Ruby", "", "Turner", "2024-02-10", False, _WB, "", NONE, 8, 2, 7, ""),
    (18, "Tracey", "Ann", "Turner", "1978-07-08", False, _WB, "", NONE, 18, 0, 7, ""),
    (19, "Donna", "Marie", "Reid", "1982-01-25", False, _WB, "", NONE, 7, 0, 5, ""),
    (
        20,
        "Liam",
        "Robert",
        "Price",
        "1990-10-16",
        True,
        _WB,
        "software_developer",
        OC,
        20,
        0,
        3,
        "",
    ),
    (21, "Sanjay", "Kumar", "Patel", "1975-10-12", True, "asian_indian", "", OC, 21, 0, 4, ""),
    (22, "Colin", "Peter", "Hughes", "1970-01-29", True, _WB, "", OC, 22, 0, 4, "NG"),
    (23, "Nathan", "Kwame", "Osei", "1998-11-02", True, "black_african", "", OC, 23, 0, 2, ""),
    (24, "Oliver", "James", "Webb", "1995-12-01", True, _WB, "", NONE, 24, 0, 3, ""),
    (25, "Adam", "Ali", "Hussain", "1993-05-05", True, "asian_pakistani", "", OC, 25, 0, 3, ""),
)
N_CAST = len(_CAST)
_CAST_MOVED = {7: 0, 16: 0, 19: 0}  # Daniel's family moved from Abbeyfield (guide 3.7 'Daniel')

# group id, reference, name, crime types, linked countries, status
_CAST_GROUPS = (
    (
        1,
        "Granite Kestrel",
        "drugs_supply_class_a;drugs_supply_class_b;money_laundering",
        "NL",
        "active",
    ),
    (2, "Amber Lapwing", "fraud;money_laundering", "LR", "disrupted"),
    (3, "Slate Heron", "fraud", "", "dormant"),
    (4, "Copper Wren", "fraud;modern_slavery", "NG", "disrupted"),
    (5, "Indigo Merlin", "fraud;cyber_crime", "", "disrupted"),
    (6, "Flint Badger", "firearms", "", "disrupted"),
    (7, "Sable Osprey", "drugs_supply_class_a;money_laundering", "NL", "disrupted"),
)
# person, group, role, start, end ("" = ongoing), source
_CAST_MEMBERSHIPS = (
    (10, 1, "principal", "2012-01-01", "", ROCU),
    (9, 1, "core", "2016-03-01", "2021-05-04", POLICE),
    (1, 1, "core", "2021-06-15", "", POLICE),
    (23, 1, "core", "2019-01-10", "", POLICE),
    (15, 1, "peripheral", "2020-06-01", "", POLICE),
    (16, 1, "peripheral", "2022-09-01", "", POLICE),
    (11, 2, "principal", "2015-02-01", "2022-02-01", ROCU),
    (2, 2, "enabler", "2018-04-01", "2021-03-15", ROCU),
    (21, 3, "principal", "2014-05-01", "", ROCU),
    (2, 3, "enabler", "2019-06-01", "2021-03-15", ROCU),
    (22, 4, "principal", "2013-09-01", "2021-09-20", ROCU),
    (2, 4, "enabler", "2020-01-10", "2021-03-15", ROCU),
    (20, 5, "principal", "2016-02-01", "2019-11-20", ROCU),
    (4, 5, "core", "2017-05-01", "2019-11-20", ROCU),
    (25, 5, "core", "2017-01-01", "2019-11-20", ROCU),
    (14, 6, "principal", "2010-01-01", "2013-06-12", ROCU),
    (5, 6, "enabler", "2011-09-01", "2013-06-12", ROCU),
    (12, 7, "principal", "2008-03-01", "2022-05-10", ROCU),
    (13, 7, "enabler", "2010-06-01", "2022-05-10", ROCU),
)
# person, date, category, outcome, custodial sentence months (0 if none), recording agency
_CAST_OFFENCES = (
    (1, "2011-06-10", "theft", "youth_caution", 0, POLICE),
    (1, "2012-09-03", "criminal_damage", "youth_caution", 0, POLICE),
    (1, "2014-05-20", "robbery", "conviction_community", 0, POLICE),
    (1, "2015-08-14", "drugs_supply_class_b", "conviction_community", 0, POLICE),
    (1, "2016-11-02", "weapons_possession", "conviction_community", 0, POLICE),
    (1, "2019-07-12", "drugs_supply_class_a", "conviction_custody", 30, POLICE),
    (1, "2023-04-18", "drugs_supply_class_a", "conviction_custody", 96, ROCU),
    (1, "2023-04-18", "money_laundering", "conviction_custody", 96, ROCU),
    (2, "2021-03-15", "fraud", "conviction_custody", 60, ROCU),
    (4, "2019-11-20", "fraud", "conviction_custody", 48, ROCU),
    (5, "2013-06-12", "firearms", "conviction_custody", 204, ROCU),
    (6, "2021-09-10", "drugs_supply_class_b", "youth_caution", 0, POLICE),
    (6, "2022-03-22", "drugs_supply_class_a", "conviction_community", 0, POLICE),
    (6, "2023-01-15", "drugs_supply_class_a", "conviction_community", 0, POLICE),
    (6, "2023-10-05", "weapons_possession", "conviction_community", 0, POLICE),
    (7, "2026-02-14", "theft", "youth_caution", 0, POLICE),
    (8, "2024-09-30", "drugs_supply_class_b", "caution", 0, POLICE),
    (9, "2010-05-11", "theft", "youth_caution", 0, POLICE),
    (9, "2011-03-02", "violence", "conviction_community", 0, POLICE),
    (9, "2015-07-21", "drugs_supply_class_b", "caution", 0, POLICE),
    (9, "2021-05-04", "drugs_supply_class_a", "conviction_custody", 144, POLICE),
    (10, "1996-07-09", "burglary", "youth_caution", 0, POLICE),
    (10, "2004-03-17", "drugs_supply_class_a", "conviction_custody", 48, POLICE),
    (10, "2016-10-04", "money_laundering", "no_further_action", 0, ROCU),
    (11, "2022-02-01", "fraud", "conviction_custody", 84, ROCU),
    (12, "2022-05-10", "drugs_supply_class_a", "conviction_custody", 216, ROCU),
    (13, "2022-05-10", "money_laundering", "conviction_custody", 18, ROCU),
    (14, "1984-08-20", "theft", "youth_caution", 0, POLICE),
    (14, "2013-06-12", "firearms", "conviction_custody", 240, ROCU),
    (15, "2018-09-12", "theft", "youth_caution", 0, POLICE),
    (15, "2019-04-03", "drugs_supply_class_b", "conviction_community", 0, POLICE),
    (15, "2020-11-25", "robbery", "conviction_community", 0, POLICE),
    (15, "2023-03-08", "drugs_supply_class_a", "conviction_custody", 30, POLICE),
    (16, "2021-08-19", "drugs_supply_class_b", "youth_caution", 0, POLICE),
    (16, "2023-02-07", "drugs_supply_class_a", "conviction_community", 0, POLICE),
    (16, "2025-06-12", "drugs_supply_class_a", "no_further_action", 0, POLICE),
    (20, "2006-05-18", "criminal_damage", "youth_caution", 0, POLICE),
    (20, "2019-11-20", "fraud", "conviction_custody", 72, ROCU),
    (21, "1992-05-06", "theft", "youth_caution", 0, POLICE),
    (21, "2021-06-09", "fraud", "conviction_custody", 42, ROCU),
    (22, "1986-06-30", "theft", "youth_caution", 0, POLICE),
    (22, "2021-09-20", "fraud", "conviction_custody", 60, ROCU),
    (23, "2013-02-14", "theft", "youth_caution", 0, POLICE),
    (23, "2014-06-25", "robbery", "conviction_community", 0, POLICE),
    (23, "2020-08-13", "drugs_supply_class_a", "conviction_custody", 36, POLICE),
    (25, "2019-11-20", "fraud", "conviction_custody", 36, ROCU),
)
# a, b, kind, start, end, source, confidence (household ties are generated like everyone's)
_CAST_TIES = (
    (10, 1, "co_offender", "2021-06-15", "", POLICE, "high"),
    (9, 10, "co_offender", "2016-03-01", "", POLICE, "high"),
    (1, 9, "associate_peer", "2011-01-01", "", POLICE, "medium"),
    (1, 23, "associate_peer", "2010-09-01", "", POLICE, "medium"),
    (1, 15, "associate_peer", "2020-06-01", "", POLICE, "medium"),
    (10, 23, "co_offender", "2019-01-10", "", POLICE, "high"),
    (15, 16, "co_offender", "2022-09-01", "", POLICE, "high"),
    (10, 15, "associate_peer", "2020-06-01", "", POLICE, "medium"),
    (2, 11, "intimate_partner", "2017-08-01", "", ROCU, "high"),
    (2, 21, "associate_client", "2019-06-01", "", ROCU, "high"),
    (2, 22, "associate_client", "2020-01-10", "", ROCU, "high"),
    (11, 21, "associate_peer", "2018-01-01", "", ROCU, "medium"),
    (4, 20, "online", "2016-09-01", "", ROCU, "high"),
    (4, 25, "co_offender", "2017-05-01", "", ROCU, "high"),
    (20, 25, "online", "2017-01-01", "", ROCU, "high"),
    (4, 24, "associate_peer", "2007-09-01", "", POLICE, "low"),
    (5, 14, "business", "2010-03-01", "", ROCU, "high"),
    (6, 15, "associate_peer", "2020-09-01", "", POLICE, "medium"),
    (6, 16, "associate_peer", "2021-01-01", "", POLICE, "medium"),
    (7, 15, "associate_peer", "2024-09-01", "", POLICE, "medium"),
    (18, 8, "family_parent", "2003-05-22", "", HEALTH, "high"),
)
# person, factor, status, evidence, source, observed on (factors with no record of their own)
_CAST_SOFT_FACTORS = (
    (
        5,
        "financial_difficulties",
        "present",
        "Business failed during the recession, leaving significant debts.",
        PROBATION,
        "2013-09-02",
    ),
    (
        8,
        "financial_difficulties",
        "present",
        "Claiming Universal Credit and in rent arrears with a young child.",
        JOBCENTRE,
        "2024-08-01",
    ),
    (
        8,
        "pro_criminal_attitudes",
        "possible",
        "Said at interview that selling cannabis to relatives harmed nobody.",
        POLICE,
        "2024-09-30",
    ),
    (
        7,
        "financial_difficulties",
        "possible",
        "Household on a low income in an area of high unemployment.",
        FAMILIES,
        "2025-06-01",
    ),
)
# person, kind, start, end, order or reason
_CAST_CARE = ((7, "child_in_need", "2025-06-01", ""),)
_CAST_YOS = (
    (1, "referral_order", "2014-07-01", "2015-01-01"),
    (6, "referral_order", "2022-04-20", "2022-12-20"),
    (6, "youth_rehabilitation_order", "2023-02-15", "2024-02-15"),
)
_CAST_EXCLUSIONS = (
    (1, "2012-10-01", "fixed_term", "physical_assault_against_pupil"),
    (1, "2014-03-03", "permanent", "persistent_disruptive_behaviour"),
    (6, "2022-01-10", "fixed_term", "drug_and_alcohol_related"),
    (7, "2025-05-09", "permanent", "persistent_disruptive_behaviour"),
)
# the factors the guide puts in bold for each case study (and the agency that referred them)
CASE_STUDY_FACTORS: Mapping[str, frozenset[str]] = {
    "simon": frozenset({"early_prolific_offending", "gang_involvement"}),
    "misha": frozenset({"intimate_relationships", "professional_skills", "criminal_access"}),
    "paul": frozenset({"family_network", "specialist_criminal_skills"}),
    "jason": frozenset({"specialist_technical_skills", "associates", "online_network"}),
    "david": frozenset({"financial_difficulties", "specialist_criminal_skills"}),
    "connor": frozenset({"gang_involvement", "early_prolific_offending"}),
    "daniel": frozenset({"gang_involvement", "family_network"}),
    "paige": frozenset({"financial_difficulties", "pro_criminal_attitudes"}),
}
_CASE_SUMMARIES = (
    "Drawn from street crime in a gang into a local organised crime group, taking over from an "
    "arrested member; later convicted of importing and supplying drugs and money laundering.",
    "A solicitor with no previous convictions, drawn in through a partner in an organised crime "
    "group: mortgage fraud, then backdated property papers and false identity documents for "
    "other groups. Sentenced to five years for fraud.",
    "Took flying lessons paid for by a father who used his pilot's skills for international drug "
    "trafficking; both parents were imprisoned for trafficking and laundering the proceeds.",
    "An IT student who learned card fraud on a website, became a moderator there and bought "
    "property with the proceeds. Imprisoned for four years; a Serious Crime Prevention Order "
    "followed release.",
    "A skilled welder and businessman who, after his business failed in the recession, converted "
    "decommissioned weapons into working firearms for a group met through an associate.",
    "Heavily involved in a gang with convictions for supplying drugs at a young age; a mentor on "
    "a Pathways Out style programme (Ending Gang and Youth Violence) helped him into training "
    "and work.",
    "Associated with a street gang, was permanently excluded and arrested for vehicle theft; an "
    "older brother is linked to drug supply. The family were supported by the Supporting "
    "Families programme and moved to another part of the borough.",
    "A young mother in financial difficulty, cautioned for selling cannabis to relatives, with a "
    "condition to attend Victim Support's Victim Awareness Course.",
)
# person, referring agency, referred on, consent, stage, concern
_CAST_REFERRALS = (
    (
        1,
        POLICE,
        "2026-05-11",
        "refused",
        "assessed",
        "Long-standing member of a local drug supply group, recently convicted again. Referred to "
        "consider offender management and deterrence alongside Pursue activity.",
    ),
    (
        2,
        PROBATION,
        "2024-02-01",
        "given",
        "closed",
        "Released on licence after a fraud sentence. Professional skills were exploited by several "
        "groups through a partner; support to avoid renewed contact is needed.",
    ),
    (
        3,
        POLICE,
        "2026-09-14",
        "not_yet_asked",
        "screening",
        "Both parents are serving sentences for drug trafficking and laundering. Is training as a "
        "pilot, paid for from family money, and may be targeted by the same network.",
    ),
    (
        4,
        PROBATION,
        "2025-11-03",
        "given",
        "assessed",
        "Released after a card fraud sentence and subject to a Serious Crime Prevention Order. "
        "Still has strong IT skills and online contacts from a fraud forum.",
    ),
    (
        5,
        PROBATION,
        "2022-05-16",
        "given",
        "closed",
        "Released on licence after converting weapons for a group. Debts from a failed business "
        "remain; engineering skills make re-approach likely.",
    ),
    (
        6,
        YJS,
        "2023-11-20",
        "given",
        "closed",
        "Young person with several drug supply convictions and links to a street gang supplying "
        "drugs for an organised group. Suitable for a gang exit and mentoring programme.",
    ),
    (
        7,
        FAMILIES,
        "2025-06-01",
        "given",
        "assessed",
        "Permanently excluded from secondary school, spends time with a street gang and has "
        "been arrested for vehicle theft. An older sibling is linked to drug supply; "
        "whole-family support is proposed.",
    ),
    (
        8,
        POLICE,
        "2026-10-20",
        "given",
        "new",
        "Cautioned for selling cannabis to relatives; money worries as a young parent. "
        "Referred for a victim awareness course and help with debts.",
    ),
)


def _cast_day(text: object) -> int:
    return _day(date.fromisoformat(str(text))) if text else _NAT


# --------------------------------------------------------------------------------------------
# People and households
# --------------------------------------------------------------------------------------------

_HEAD, _PARTNER, _CHILD, _GRANDPARENT, _SHARER = range(5)
_HH_SHARE = np.array([0.30, 0.26, 0.21, 0.11, 0.07, 0.05])  # see _HH_BASE for the types
_HH_BASE: tuple[tuple[int, ...], ...] = (
    (_HEAD,),
    (_HEAD, _PARTNER),
    (_HEAD, _PARTNER),
    (_HEAD,),
    (_SHARER, _SHARER),
    (_HEAD, _PARTNER, _GRANDPARENT),
)
_HH_EXTRA = (  # (counts, probabilities) of children (or extra sharers) per type
    ((0,), (1.0,)),
    ((0,), (1.0,)),
    ((1, 2, 3, 4), (0.38, 0.4, 0.16, 0.06)),
    ((1, 2, 3), (0.5, 0.35, 0.15)),
    ((0, 1, 2), (0.5, 0.35, 0.15)),
    ((0, 1, 2, 3), (0.2, 0.35, 0.3, 0.15)),
)
_HEAD_AGES = (  # (from, to, share) age bands of the household reference person by type
    ((18, 30, 0.16), (30, 45, 0.2), (45, 65, 0.3), (65, 80, 0.22), (80, 96, 0.12)),
    ((20, 30, 0.12), (30, 45, 0.2), (45, 65, 0.35), (65, 80, 0.25), (80, 93, 0.08)),
    ((23, 35, 0.3), (35, 45, 0.45), (45, 59, 0.25)),
    ((19, 30, 0.25), (30, 45, 0.5), (45, 56, 0.25)),
    ((18, 36, 1.0),),
    ((30, 56, 1.0),),
)
_HEAD_MALE = np.array([0.47, 0.5, 0.5, 0.12, 0.5, 0.5])


@dataclass
class _World:
    """Per-person arrays (index = person_id - 1), filled in stage by stage."""

    today: int
    dob: I64
    male: Bool
    eth: I64
    ward: I64
    postcode: I64
    prev_postcode: I64
    household: I64
    role: I64
    given: I64
    middle: I64
    family: I64
    nationality: Obj
    links: I64
    occupation: I64
    primary: I64
    secondary: I64
    involvement: I64
    pathway: I64
    juvenile: Bool

    @property
    def n(self) -> int:
        return len(self.dob)

    @property
    def cast(self) -> Bool:
        return np.arange(self.n) < N_CAST

    def age(self) -> I64:
        return _age_on(self.dob, self.today)


def _band_ages(rng: np.random.Generator, types: I64) -> F64:
    out = np.zeros(len(types))
    for t, bands in enumerate(_HEAD_AGES):
        idx = np.flatnonzero(types == t)
        share = np.array([b[2] for b in bands])
        band = rng.choice(len(bands), size=len(idx), p=share / share.sum())
        lo = np.array([b[0] for b in bands])[band]
        hi = np.array([b[1] for b in bands])[band]
        out[idx] = lo + rng.random(len(idx)) * (hi - lo)
    return out


def _household_layout(rng: np.random.Generator, n: int) -> tuple[I64, I64, I64]:
    """Household types, and for each of n people their household and role."""
    n_hh = int(n / 2.3 * 1.1) + 16
    types = rng.choice(len(_HH_SHARE), size=n_hh, p=_HH_SHARE).astype(np.int64)
    extra = np.zeros(n_hh, dtype=np.int64)
    for t, (counts, p) in enumerate(_HH_EXTRA):
        idx = np.flatnonzero(types == t)
        extra[idx] = rng.choice(np.array(counts), size=len(idx), p=np.array(p))
    base = np.array([len(b) for b in _HH_BASE])[types]
    size = base + extra
    hh = np.repeat(np.arange(n_hh), size)[:n]
    pos = np.arange(len(hh)) - (np.cumsum(size) - size)[hh]
    role_table = np.full((len(_HH_BASE), int(size.max()) + 1), _CHILD, dtype=np.int64)
    role_table[4, :] = _SHARER
    for t, b in enumerate(_HH_BASE):
        role_table[t, : len(b)] = b
    return types, hh.astype(np.int64), role_table[types[hh], pos]


def _person_ages(rng: np.random.Generator, types: I64, hh: I64, role: I64) -> F64:
    head = _band_ages(rng, types)[hh]
    n = len(hh)
    age = head.copy()
    partner = np.clip(head + rng.normal(0, 3.5, n), 18, 99)
    child = rng.random(n) * np.clip(head - 17, 0, 24)
    grand = np.clip(head + 22 + rng.random(n) * 10, 50, 101)
    sharer = 18 + rng.random(n) * 18
    age = np.where(role == _PARTNER, partner, age)
    age = np.where(role == _CHILD, child, age)
    age = np.where(role == _GRANDPARENT, grand, age)
    return np.where(role == _SHARER, sharer, age)


def _person_sex(rng: np.random.Generator, types: I64, hh: I64, role: I64) -> Bool:
    n = len(hh)
    head_male = rng.random(len(types)) < _HEAD_MALE[types]
    male = rng.random(n) < 0.51
    male = np.where(role == _HEAD, head_male[hh], male)
    male = np.where(role == _PARTNER, head_male[hh] ^ (rng.random(n) < 0.95), male)
    return np.where(role == _GRANDPARENT, rng.random(n) < 0.4, male)


def _mixed(a: I64, b: I64) -> I64:
    """The 'mixed' category a child of parents a and b is most often recorded under."""
    ga, gb = _ETH_GROUP[a], _ETH_GROUP[b]
    white_with = np.where(ga == 0, gb, np.where(gb == 0, ga, -1))
    out = np.select(
        [ga == 5, gb == 5, white_with == 1, white_with == 2, white_with == 3],
        [
            a,
            b,
            _ETH["mixed_white_asian"],
            _ETH["mixed_white_black_african"],
            _ETH["mixed_white_black_caribbean"],
        ],
        default=_ETH["mixed_other"],
    )
    return np.where(ga == gb, a, out).astype(np.int64)


def _person_ethnicity(rng: np.random.Generator, n_hh: int, hh: I64, role: I64) -> I64:
    n_eth = len(ETHNICITIES)
    hh_eth = rng.choice(n_eth, size=n_hh, p=_ETH_SHARE).astype(np.int64)
    eth = hh_eth[hh]
    own = rng.choice(n_eth, size=len(hh), p=_ETH_SHARE).astype(np.int64)
    redraw = (role == _SHARER) | ((role == _PARTNER) & (rng.random(len(hh)) < 0.12))
    eth = np.where(redraw, own, eth)
    partner_eth = np.full(n_hh, -1, dtype=np.int64)
    partner_eth[hh[role == _PARTNER]] = eth[role == _PARTNER]
    other = partner_eth[hh]
    mixed = (role == _CHILD) & (other >= 0) & (other != eth) & (rng.random(len(hh)) < 0.8)
    return np.where(mixed, _mixed(eth, np.maximum(other, 0)), eth)


def _person_names(
    rng: np.random.Generator, hh: I64, role: I64, eth: I64, male: Bool
) -> tuple[I64, I64, I64]:
    n = len(hh)
    given_pool = _choose_rows(rng, _GIVEN_MIX, eth)
    given = _draw_given(rng, given_pool, male)
    middle = _draw_given(rng, given_pool, male)
    middle_p = np.where(given_pool == _GIVEN_POOLS.index("british"), 0.65, 0.3)
    middle = np.where(rng.random(n) < middle_p, middle, 0)
    head_idx = np.flatnonzero(role != _SHARER)
    hh_eth = np.zeros(int(hh.max()) + 1, dtype=np.int64)
    hh_eth[hh[head_idx[::-1]]] = eth[head_idx[::-1]]  # first non-sharer of each household
    household_name = _draw_family(rng, _choose_rows(rng, _FAMILY_MIX, hh_eth))[hh]
    own_name = _draw_family(rng, _choose_rows(rng, _FAMILY_MIX, eth))
    keep_own = (
        (role == _SHARER)
        | ((role == _PARTNER) & (rng.random(n) < 0.35))
        | ((role == _GRANDPARENT) & (rng.random(n) < 0.5))
    )
    return given, middle, np.where(keep_own, own_name, household_name)


def _geography(rng: np.random.Generator, hh: I64) -> tuple[I64, I64, I64]:
    """Ward, postcode and previous postcode (-1 when not moved recently) per person."""
    n_hh = int(hh.max()) + 1
    units = int(min(_UNITS_PER_WARD, max(20, np.ceil(n_hh / len(WARDS) / 12))))
    ward = rng.choice(len(WARDS), size=n_hh, p=_WARD_SHARE).astype(np.int64)
    postcode = ward * _UNITS_PER_WARD + rng.integers(0, units, size=n_hh)
    moved = rng.random(n_hh) < 0.15
    prev_ward = np.where(rng.random(n_hh) < 0.7, ward, rng.integers(0, len(WARDS), size=n_hh))
    prev = prev_ward * _UNITS_PER_WARD + rng.integers(0, units, size=n_hh)
    prev = np.where(moved & (prev != postcode), prev, -1)
    return ward[hh], postcode[hh], prev[hh]


def _nationality(rng: np.random.Generator, eth: I64, age: I64) -> Obj:
    codes = np.array(_NATION_CODES, dtype=object)
    nat = _choose_rows(rng, _nationality_table(), eth)
    born_here = (age < 16) & (rng.random(len(eth)) < 0.6)
    return codes[np.where(born_here, 0, nat)]


def _heritage_links(rng: np.random.Generator, eth: I64, nationality: Obj) -> I64:
    """Overseas links as bitmasks over COUNTRIES: own nationality, family heritage, travel."""
    n = len(eth)
    uniq, inv = np.unique(nationality.astype(str), return_inverse=True)
    own = np.array([_CC.get(c, -1) for c in uniq], dtype=np.int64)[inv]
    heritage = _choose_rows(rng, _heritage_table(), eth)
    foreign = own >= 0
    country = np.where(foreign, own, heritage)
    linked = np.where(foreign, rng.random(n) < 0.8, rng.random(n) < _HERITAGE_LINK[eth])
    masks = np.where(linked, np.left_shift(1, country), 0).astype(np.int64)
    travel = rng.random(n) < 0.01
    extra = rng.integers(0, len(_SOURCE_COUNTRIES), size=n)
    return masks | np.where(travel, np.left_shift(1, extra), 0).astype(np.int64)


def _generic_people(rng: np.random.Generator, n: int, today: int, ag: _Agencies) -> _World:
    types, hh, role = _household_layout(rng, n)
    age_years = _person_ages(rng, types, hh, role)
    dob = today - np.floor(age_years * _YEAR).astype(np.int64) - 1
    male = _person_sex(rng, types, hh, role)
    eth = _person_ethnicity(rng, int(hh.max()) + 1, hh, role)
    given, middle, family = _person_names(rng, hh, role, eth, male)
    ward, postcode, prev = _geography(rng, hh)
    nationality = _nationality(rng, eth, _age_on(dob, today))
    zeros = np.zeros(n, dtype=np.int64)
    return _World(
        today=today,
        dob=dob,
        male=male,
        eth=eth,
        ward=ward,
        postcode=postcode,
        prev_postcode=prev,
        household=hh,
        role=role,
        given=given,
        middle=middle,
        family=family,
        nationality=nationality,
        links=_heritage_links(rng, eth, nationality),
        occupation=zeros.copy(),
        primary=_assign_school(rng, ward, ag.primary_ward),
        secondary=_assign_school(rng, ward, ag.secondary_ward),
        involvement=zeros.copy(),
        pathway=zeros.copy(),
        juvenile=np.zeros(n, dtype=bool),
    )


def _cast_people(today: int, ag: _Agencies) -> _World:
    names = _names()
    col = list(zip(*_CAST, strict=True))
    n = N_CAST
    ward = np.array(col[11], dtype=np.int64)
    rng = np.random.default_rng(1)  # fixed, so the cast's schools never depend on the seed
    ids = np.array(col[0], dtype=np.int64)
    moved = np.array([_CAST_MOVED.get(int(i), -1) for i in ids], dtype=np.int64)
    links = np.array(
        [sum(1 << _CC[c] for c in str(s).split(";") if c) for s in col[12]], dtype=np.int64
    )
    return _World(
        today=today,
        dob=np.array([_cast_day(d) for d in col[4]], dtype=np.int64),
        male=np.array(col[5], dtype=bool),
        eth=np.array([_ETH[e] for e in col[6]], dtype=np.int64),
        ward=ward,
        postcode=ward * _UNITS_PER_WARD + 3900 + ids,
        prev_postcode=np.where(moved >= 0, moved * _UNITS_PER_WARD + 3950 + ids, -1),
        household=np.array(col[9], dtype=np.int64),
        role=np.array(col[10], dtype=np.int64),
        given=np.array([names.code[g] for g in col[1]], dtype=np.int64),
        middle=np.array([names.code[m] for m in col[2]], dtype=np.int64),
        family=np.array([names.code[f] for f in col[3]], dtype=np.int64),
        nationality=np.array(["GB"] * n, dtype=object),
        links=links,
        occupation=np.array([_OCC.get(o, 0) for o in col[7]], dtype=np.int64),
        primary=_assign_school(rng, ward, ag.primary_ward),
        secondary=_assign_school(rng, ward, ag.secondary_ward),
        involvement=np.array(col[8], dtype=np.int64),
        pathway=np.zeros(n, dtype=np.int64),
        juvenile=np.zeros(n, dtype=bool),
    )


def _build_people(seed: int, n: int, today: int, ag: _Agencies) -> _World:
    cast = _cast_people(today, ag)
    gen = _generic_people(_rng(seed, "people"), n - N_CAST, today, ag)
    gen.household = gen.household + int(cast.household.max()) + 1
    merged = replace(cast)
    for f in fields(_World):
        if f.name != "today":
            setattr(merged, f.name, np.concatenate([getattr(cast, f.name), getattr(gen, f.name)]))
    return merged


# --------------------------------------------------------------------------------------------
# Involvement, pathways and occupations
# --------------------------------------------------------------------------------------------

OC_SHARE, AT_RISK_SHARE = 0.007, 0.03
OC_UNDER_25, OC_MALE, OC_SANCTIONED_UNDER_18 = 0.24, 0.87, 0.57

(
    P_NONE,
    P_FAMILY,
    P_GANG,
    P_BELONGING,
    P_EXPLOITED,
    P_INTIMATE,
    P_PRISON,
    P_TECH,
    P_PROFESSIONAL,
    P_ACCESS,
    P_SKILLS,
    P_FINANCIAL,
    P_LATE,
) = range(13)
_PATHWAY_BY_AGE = (  # pathway shares among at-risk people: under 18, 18-30, over 30
    {P_GANG: 0.4, P_BELONGING: 0.25, P_EXPLOITED: 0.2, P_TECH: 0.1, P_FINANCIAL: 0.05},
    {
        P_GANG: 0.24,
        P_INTIMATE: 0.16,
        P_PRISON: 0.12,
        P_TECH: 0.12,
        P_EXPLOITED: 0.06,
        P_FINANCIAL: 0.11,
        P_ACCESS: 0.06,
        P_SKILLS: 0.06,
        P_PROFESSIONAL: 0.04,
        P_BELONGING: 0.03,
    },
    {
        P_PROFESSIONAL: 0.17,
        P_ACCESS: 0.15,
        P_SKILLS: 0.15,
        P_FINANCIAL: 0.16,
        P_LATE: 0.15,
        P_PRISON: 0.12,
        P_INTIMATE: 0.1,
    },
)
_CAST_PATHWAY = {3: P_FAMILY, 6: P_GANG, 7: P_GANG, 8: P_FINANCIAL}

# Occupations recorded where they matter for the Ability factors (¶2.14-2.17):
# P professional, A access, T technical, S specialist (dual-use) skills; share of adults.
_OCCUPATIONS: tuple[tuple[str, str, float], ...] = (
    ("", "", 0.0),
    ("solicitor", "PA", 0.004),
    ("accountant", "P", 0.006),
    ("bank_worker", "PA", 0.006),
    ("mortgage_broker", "P", 0.002),
    ("procurement_officer", "PA", 0.003),
    ("police_staff", "A", 0.004),
    ("prison_officer", "A", 0.002),
    ("border_force_officer", "A", 0.001),
    ("port_worker", "A", 0.004),
    ("warehouse_worker", "A", 0.015),
    ("software_developer", "T", 0.012),
    ("it_student", "T", 0.004),
    ("it_graduate", "T", 0.003),
    ("welder", "S", 0.004),
    ("engineer", "S", 0.008),
    ("pilot", "S", 0.0005),
    ("student_pilot", "S", 0.0003),
    ("hgv_driver", "S", 0.01),
    ("armed_forces_veteran", "S", 0.006),
    ("firearms_dealer", "SA", 0.0003),
)
_OCC = {name: i for i, (name, _, _) in enumerate(_OCCUPATIONS)}


def _occ_flag(flag: str) -> Bool:
    return np.array([flag in f for _, f, _ in _OCCUPATIONS])


def _occ_with(flag: str) -> I64:
    return np.flatnonzero(_occ_flag(flag)).astype(np.int64)


def _select_involvement(w: _World, seed: int) -> None:
    rng = _rng(seed, "involvement")
    _select_organised_criminals(w, rng)
    _select_at_risk(w, rng)
    _assign_occupations(w, rng)


def _strata_counts(n_oc: int, cast: Bool, w: _World) -> tuple[int, int, int, int, int]:
    """How many sampled organised criminals are male/female and under/over 25, and sanctioned
    before 18, so that cast plus sample match the guide's figures."""
    cast_oc = cast & (w.involvement == OC)
    under = w.age() < 25
    total = n_oc - int(cast_oc.sum())

    def still_needed(share: float, among_cast: int) -> int:
        return int(np.clip(round(share * n_oc) - among_cast, 0, total))

    males = still_needed(OC_MALE, int((cast_oc & w.male).sum()))
    unders = still_needed(OC_UNDER_25, int((cast_oc & under).sum()))
    sanctioned = still_needed(OC_SANCTIONED_UNDER_18, int(w.juvenile[cast_oc].sum()))
    # sex and age independent within the sample, as far as whole people allow
    male_under = int(
        np.clip(
            round(males * unders / max(total, 1)),
            max(0, males + unders - total),
            min(males, unders),
        )
    )
    return total, males, unders, male_under, sanctioned


def _select_organised_criminals(w: _World, rng: np.random.Generator) -> None:
    cast = w.cast
    w.juvenile[:N_CAST] = np.isin(np.arange(1, N_CAST + 1), _CAST_JUVENILE)
    n_oc = max(round(w.n * OC_SHARE), int((cast & (w.involvement == OC)).sum()))
    total, males, unders, male_under, sanctioned = _strata_counts(n_oc, cast, w)
    age = w.age()
    eligible = ~cast & (age >= 18) & (age <= 75)
    weight = np.where(age < 25, 1.0, np.exp(-0.5 * ((age - 36) / 11.0) ** 2) + 0.03)
    strata = (
        (True, True, male_under),
        (True, False, males - male_under),
        (False, True, unders - male_under),
        (False, False, total - males - (unders - male_under)),
    )
    chosen = []
    for is_male, is_under, k in strata:
        cand = np.flatnonzero(eligible & (w.male == is_male) & ((age < 25) == is_under))
        chosen.append(_pick(rng, cand, k, weight[cand]))
    sample = np.concatenate(chosen)
    w.involvement[sample] = OC
    # younger organised criminals more often started young (Figure 2 with ¶2.7)
    juvenile_weight = np.where(age[sample] < 30, 1.5, 1.0)
    w.juvenile[_pick(rng, sample, sanctioned, juvenile_weight)] = True


_CAST_JUVENILE = (1, 9, 10, 14, 15, 16, 20, 21, 22, 23)


def _select_at_risk(w: _World, rng: np.random.Generator) -> None:
    cast = w.cast
    age = w.age()
    oc_household = np.zeros(int(w.household.max()) + 1, dtype=bool)
    oc_household[w.household[(w.involvement == OC) & ~cast]] = True
    family = (
        ~cast
        & oc_household[w.household]
        & (w.involvement == NONE)
        & (age >= 10)
        & (age <= 35)
        & (rng.random(w.n) < 0.6)
    )
    w.involvement[family] = AT_RISK
    w.pathway[family] = P_FAMILY
    target = round(w.n * AT_RISK_SHARE) - int((w.involvement == AT_RISK).sum())
    weight = np.select(
        [(age >= 12) & (age <= 24), (age >= 25) & (age <= 30), (age > 30) & (age <= 60)],
        [1.0, 0.7, 0.08],
        default=0.0,
    )
    cand = np.flatnonzero(~cast & (w.involvement == NONE) & (weight > 0))
    chosen = _pick(rng, cand, target, weight[cand])
    w.involvement[chosen] = AT_RISK
    band = np.digitize(age[chosen], [18, 31])
    table = np.array([[shares.get(p, 0.0) for p in range(13)] for shares in _PATHWAY_BY_AGE])
    w.pathway[chosen] = _choose_rows(rng, table, band)
    for pid, pathway in _CAST_PATHWAY.items():
        w.pathway[pid - 1] = pathway


def _assign_occupations(w: _World, rng: np.random.Generator) -> None:
    age = w.age()
    share = np.array([s for _, _, s in _OCCUPATIONS])
    general = ~w.cast & (age >= 18) & (age <= 66)
    cum = np.cumsum(share)
    u = rng.random(w.n)
    drawn = np.minimum(np.searchsorted(cum, u, side="right"), len(share)) % len(share)
    w.occupation = np.where(general, drawn, w.occupation).astype(np.int64)
    w.occupation[(w.occupation == _OCC["it_student"]) & (age > 25)] = _OCC["it_graduate"]
    by_pathway = {P_PROFESSIONAL: "P", P_ACCESS: "A", P_SKILLS: "S", P_TECH: "T"}
    for pathway, flag in by_pathway.items():
        idx = np.flatnonzero(~w.cast & (w.pathway == pathway) & (age >= 18))
        options = _occ_with(flag)
        w.occupation[idx] = options[rng.integers(0, len(options), size=len(idx))]
    students = ~w.cast & (w.pathway == P_TECH) & (age >= 18) & (age <= 24)
    w.occupation[students] = _OCC["it_student"]


# --------------------------------------------------------------------------------------------
# Organised crime groups and memberships
# --------------------------------------------------------------------------------------------

_GROUP_TYPES = _probs(
    OFFENCE_CATEGORIES,
    {
        "drugs_supply_class_a": 0.45,
        "drugs_supply_class_b": 0.1,
        "fraud": 0.12,
        "money_laundering": 0.05,
        "firearms": 0.04,
        "modern_slavery": 0.07,
        "cyber_crime": 0.05,
        "robbery": 0.04,
        "burglary": 0.03,
        "theft": 0.05,
    },
)
_GROUP_LINKS = {  # where a group's overseas links lie, by its main crime type (¶2.22)
    "drugs": {
        "NL": 0.3,
        "TR": 0.15,
        "PK": 0.15,
        "AL": 0.2,
        "NG": 0.05,
        "PL": 0.05,
        "LT": 0.05,
        "VN": 0.05,
    },
    "people": {"VN": 0.3, "AL": 0.25, "RO": 0.2, "NG": 0.15, "LT": 0.1},
    "money": {"NG": 0.3, "GH": 0.2, "RO": 0.2, "LT": 0.1, "NL": 0.1, "TR": 0.1},
}
_ADJECTIVES = (
    "Amber",
    "Azure",
    "Bronze",
    "Cobalt",
    "Copper",
    "Crimson",
    "Ember",
    "Granite",
    "Indigo",
    "Ivory",
    "Jade",
    "Onyx",
    "Quartz",
    "Russet",
    "Sable",
    "Silver",
    "Slate",
    "Topaz",
    "Umber",
    "Violet",
    "Willow",
    "Flint",
    "Hazel",
    "Iron",
    "Saffron",
    "Cedar",
    "Coral",
    "Dusk",
    "Frost",
    "Garnet",
    "Linen",
    "Ochre",
)
_NOUNS = (
    "Badger",
    "Curlew",
    "Falcon",
    "Heron",
    "Kestrel",
    "Lapwing",
    "Merlin",
    "Osprey",
    "Plover",
    "Raven",
    "Skylark",
    "Swift",
    "Wren",
    "Otter",
    "Stoat",
    "Marten",
    "Beacon",
    "Bridge",
    "Harbour",
    "Lantern",
    "Meadow",
    "Quarry",
    "Summit",
    "Tide",
    "Thistle",
    "Bracken",
    "Comet",
    "Delta",
    "Ember",
    "Fjord",
    "Glacier",
    "Harrier",
    "Ibis",
    "Juniper",
    "Kite",
    "Larch",
    "Mistral",
    "Nightjar",
    "Orchard",
    "Pennant",
)
_DRUG_TYPES = np.array([_CAT["drugs_supply_class_a"], _CAT["drugs_supply_class_b"]])


@dataclass
class _Groups:
    frame: pd.DataFrame
    primary_type: I64  # by group index (group_id - 1)
    crime_mask: I64
    person: I64  # membership rows
    group: I64
    role: I64
    start: I64
    end: I64
    source: Obj

    def memberships_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "person_id": self.person + 1,
                "group_id": self.group + 1,
                "role": np.array(ROLES, dtype=object)[self.role],
                "start_date": _dates(self.start),
                "end_date": _dates(self.end),
                "source_agency_id": self.source,
            }
        )

    def members(self, n: int) -> Bool:
        out = np.zeros(n, dtype=bool)
        out[self.person] = True
        return out

    def first_group(self, n: int) -> I64:
        out = np.full(n, -1, dtype=np.int64)
        out[self.person[::-1]] = self.group[::-1]
        return out


def _group_names(n: int) -> Obj:
    combos = [f"{a} {b}" for a in _ADJECTIVES for b in _NOUNS]
    used = {g[1] for g in _CAST_GROUPS}
    pool = [c for c in combos if c not in used]
    order = np.random.default_rng(1993).permutation(len(pool))
    names = [pool[i] for i in order]
    # beyond the code-name space, repeat with a numeral rather than run out
    return np.array(
        [
            names[i % len(names)] + ("" if i < len(names) else f" {i // len(names) + 1}")
            for i in range(n)
        ],
        dtype=object,
    )


def _group_table(rng: np.random.Generator, n_sampled: int) -> tuple[pd.DataFrame, I64, I64]:
    primary = rng.choice(len(OFFENCE_CATEGORIES), size=n_sampled, p=_GROUP_TYPES)
    mask = np.left_shift(1, primary).astype(np.int64)
    laundering = rng.random(n_sampled) < 0.4
    mask |= np.where(laundering, 1 << _CAT["money_laundering"], 0)
    second = rng.choice(len(OFFENCE_CATEGORIES), size=n_sampled, p=_GROUP_TYPES)
    mask |= np.where(rng.random(n_sampled) < 0.2, np.left_shift(1, second), 0)
    links = _group_links(rng, primary)
    cast_mask = np.array(
        [sum(1 << _CAT[c] for c in g[2].split(";")) for g in _CAST_GROUPS], dtype=np.int64
    )
    cast_primary = np.array([_CAT[g[2].split(";")[0]] for g in _CAST_GROUPS], dtype=np.int64)
    n_cast = len(_CAST_GROUPS)
    status = rng.choice(3, size=n_sampled, p=[0.7, 0.15, 0.15])
    frame = pd.DataFrame(
        {
            "group_id": np.arange(1, n_cast + n_sampled + 1, dtype=np.int64),
            "reference": [f"OCG-HM-{i:03d}" for i in range(1, n_cast + n_sampled + 1)],
            "name": np.concatenate(
                [np.array([g[1] for g in _CAST_GROUPS], dtype=object), _group_names(n_sampled)]
            ),
            "crime_types": np.concatenate(
                [
                    np.array([g[2] for g in _CAST_GROUPS], dtype=object),
                    _join_codes(mask, OFFENCE_CATEGORIES),
                ]
            ),
            "linked_countries": np.concatenate(
                [
                    np.array([g[3] for g in _CAST_GROUPS], dtype=object),
                    _join_codes(links, COUNTRIES),
                ]
            ),
            "status": np.concatenate(
                [
                    np.array([g[4] for g in _CAST_GROUPS], dtype=object),
                    np.array(GROUP_STATUSES, dtype=object)[status],
                ]
            ),
        }
    )
    return (
        frame,
        np.concatenate([cast_primary, primary]).astype(np.int64),
        np.concatenate([cast_mask, mask]),
    )


def _group_links(rng: np.random.Generator, primary: I64) -> I64:
    kind = np.select(
        [
            np.isin(
                primary,
                [_CAT["drugs_supply_class_a"], _CAT["drugs_supply_class_b"], _CAT["firearms"]],
            ),
            primary == _CAT["modern_slavery"],
        ],
        ["drugs", "people"],
        default="money",
    )
    masks = np.zeros(len(primary), dtype=np.int64)
    count = rng.choice(3, size=len(primary), p=[0.4, 0.4, 0.2])
    for name, weights in _GROUP_LINKS.items():
        idx = np.flatnonzero(kind == name)
        codes = np.array([_CC[c] for c in weights])
        p = np.array(list(weights.values()))
        for draw in range(2):
            pick = codes[rng.choice(len(codes), size=len(idx), p=p / p.sum())]
            masks[idx] |= np.where(count[idx] > draw, np.left_shift(1, pick), 0)
    return masks


def _build_groups(w: _World, seed: int) -> _Groups:
    rng = _rng(seed, "groups")
    sampled = np.flatnonzero((w.involvement == OC) & ~w.cast)
    n_groups = max(1, round(len(sampled) / 7)) if len(sampled) else 0
    frame, primary, crime_mask = _group_table(rng, n_groups)
    person, group, role = _sampled_memberships(rng, w, sampled, n_groups)
    start, end, source = _membership_dates(rng, w, person, group, frame)
    cast = list(zip(*_CAST_MEMBERSHIPS, strict=True))
    return _Groups(
        frame=frame,
        primary_type=primary,
        crime_mask=crime_mask,
        person=np.concatenate([np.array(cast[0]) - 1, person]).astype(np.int64),
        group=np.concatenate([np.array(cast[1]) - 1, group]).astype(np.int64),
        role=np.concatenate([[ROLES.index(r) for r in cast[2]], role]).astype(np.int64),
        start=np.concatenate([[_cast_day(d) for d in cast[3]], start]).astype(np.int64),
        end=np.concatenate([[_cast_day(d) for d in cast[4]], end]).astype(np.int64),
        source=np.concatenate([np.array(cast[5], dtype=object), source]),
    )


def _sampled_memberships(
    rng: np.random.Generator, w: _World, sampled: I64, n_groups: int
) -> tuple[I64, I64, I64]:
    if n_groups == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    offset = len(_CAST_GROUPS)
    attraction = rng.lognormal(0.0, 0.8, size=n_groups)
    people = rng.permutation(sampled)
    group = rng.choice(n_groups, size=len(people), p=attraction / attraction.sum())
    seeded = min(n_groups, len(people))
    group[:seeded] = np.arange(seeded)  # every group has at least one member
    age = w.age()[people]
    role = np.where(
        age < 25,
        np.where(rng.random(len(people)) < 0.7, 2, 1),
        rng.choice([1, 2, 3], size=len(people), p=[0.45, 0.3, 0.25]),
    )
    # a second group for some, most often enablers who sell their services widely
    second = rng.random(len(people)) < np.where(role == 3, 0.4, 0.08)
    extra_group = group[second] + 1 + rng.integers(0, max(n_groups - 1, 1), int(second.sum()))
    person = np.concatenate([people, people[second]])
    group = np.concatenate([group, extra_group % n_groups])
    role = np.concatenate([role, role[second]])
    keep = np.unique(person * (n_groups + 1) + group, return_index=True)[1]
    person, group, role = person[keep], group[keep], role[keep]
    role = _with_principals(person, group, role, w.dob)
    return person, group + offset, role


def _with_principals(person: I64, group: I64, role: I64, dob: I64) -> I64:
    """The oldest non-enabler member of each group leads it."""
    order = np.lexsort((dob[person], role == 3, group))
    first = np.ones(len(order), dtype=bool)
    first[1:] = group[order][1:] != group[order][:-1]
    out = role.copy()
    out[order[first]] = 0
    return out


def _membership_dates(
    rng: np.random.Generator, w: _World, person: I64, group: I64, frame: pd.DataFrame
) -> tuple[I64, I64, Obj]:
    n = len(person)
    earliest = _birthday(w.dob[person], 17)
    start = np.maximum(earliest, w.today - np.floor(rng.random(n) * 12 * _YEAR).astype(np.int64))
    start = np.minimum(start, w.today - 1)
    status = frame["status"].to_numpy()[group] if n else np.empty(0, dtype=object)
    ended = (status == "disrupted") | (rng.random(n) < 0.1)
    end = _uniform_day(rng, start, np.full(n, w.today - 1, dtype=np.int64))
    end = np.where(ended, end, _NAT)
    source = np.where(rng.random(n) < 0.4, ROCU, POLICE).astype(object)
    return start, end, source


# --------------------------------------------------------------------------------------------
# Offences, custody and sentences
# --------------------------------------------------------------------------------------------


def _cats(**weights: float) -> F64:
    return _probs(OFFENCE_CATEGORIES, weights)


def _outs(**weights: float) -> F64:
    return _probs(OUTCOMES, weights)


_CATEGORY_PROFILES: Mapping[str, F64] = {
    "minor": _cats(
        theft=0.3,
        criminal_damage=0.15,
        public_order=0.15,
        violence=0.15,
        drugs_possession=0.2,
        burglary=0.05,
    ),
    "general_adult": _cats(
        theft=0.28,
        criminal_damage=0.13,
        public_order=0.15,
        violence=0.17,
        drugs_possession=0.18,
        burglary=0.04,
        fraud=0.03,
        drugs_supply_class_b=0.015,
        indecent_images=0.005,
    ),
    "gang": _cats(
        drugs_supply_class_a=0.2,
        drugs_supply_class_b=0.2,
        robbery=0.15,
        weapons_possession=0.15,
        violence=0.2,
        theft=0.1,
    ),
    "exploited": _cats(drugs_supply_class_a=0.5, drugs_supply_class_b=0.3, theft=0.1, fraud=0.1),
    "storing": _cats(
        drugs_possession=0.4, money_laundering=0.3, weapons_possession=0.1, drugs_supply_class_b=0.2
    ),
    "cyber": _cats(cyber_crime=0.6, fraud=0.4),
    "acquisitive": _cats(theft=0.5, fraud=0.3, burglary=0.2),
    "late": _cats(
        drugs_supply_class_a=0.2,
        drugs_supply_class_b=0.2,
        fraud=0.2,
        money_laundering=0.15,
        burglary=0.1,
        robbery=0.05,
        indecent_images=0.1,
    ),
    "prison": _cats(
        violence=0.3, robbery=0.2, burglary=0.2, drugs_supply_class_a=0.15, weapons_possession=0.15
    ),
    "oc_general": _cats(
        violence=0.25,
        drugs_possession=0.15,
        weapons_possession=0.15,
        theft=0.15,
        drugs_supply_class_b=0.15,
        public_order=0.15,
    ),
}
# (youth, adult) outcome distributions
_OUTCOME_PROFILES: Mapping[str, tuple[F64, F64]] = {
    "any": (
        _outs(
            youth_caution=0.35,
            conviction_community=0.3,
            conviction_custody=0.03,
            fine=0.02,
            no_further_action=0.3,
        ),
        _outs(
            caution=0.2,
            conviction_community=0.2,
            conviction_custody=0.1,
            fine=0.2,
            no_further_action=0.3,
        ),
    ),
    "sanction": (
        _outs(youth_caution=0.45, conviction_community=0.45, conviction_custody=0.05, fine=0.05),
        _outs(caution=0.25, conviction_community=0.35, conviction_custody=0.2, fine=0.2),
    ),
    "serious": (
        _outs(youth_caution=0.45, conviction_community=0.45, conviction_custody=0.05, fine=0.05),
        _outs(
            caution=0.05,
            conviction_community=0.25,
            conviction_custody=0.45,
            fine=0.05,
            no_further_action=0.2,
        ),
    ),
    "nfa": (_outs(no_further_action=1.0), _outs(no_further_action=1.0)),
}
# custodial sentence range in months by category
_SENTENCE = np.array(
    [
        (24, 120),
        (6, 48),
        (1, 6),
        (6, 60),
        (18, 96),
        (6, 36),
        (1, 12),
        (6, 72),
        (12, 96),
        (60, 180),
        (6, 36),
        (36, 144),
        (12, 60),
        (6, 36),
        (1, 12),
        (1, 6),
    ]
)
_ROCU_CATEGORIES = np.isin(
    np.arange(len(OFFENCE_CATEGORIES)),
    [_CAT["money_laundering"], _CAT["firearms"], _CAT["modern_slavery"], _CAT["cyber_crime"]],
)

# pathway -> batches of (share of people, min count, max count, from age, to age or None for
# today, category profile, outcome profile)
_PATHWAY_OFFENCES: Mapping[int, tuple[tuple[float, int, int, int, int | None, str, str], ...]] = {
    P_FAMILY: ((0.3, 1, 2, 12, None, "minor", "any"),),
    P_GANG: ((0.6, 3, 7, 10, 17, "gang", "sanction"), (0.5, 1, 2, 10, None, "gang", "any")),
    P_BELONGING: ((0.5, 1, 2, 10, None, "minor", "any"),),
    P_EXPLOITED: ((1.0, 1, 1, 12, None, "exploited", "nfa"),),
    P_INTIMATE: ((0.3, 1, 1, 16, None, "storing", "any"),),
    P_PRISON: ((0.8, 1, 3, 16, None, "minor", "any"),),
    P_TECH: ((0.3, 1, 1, 12, None, "cyber", "any"),),
    P_FINANCIAL: ((0.3, 1, 1, 16, None, "acquisitive", "any"),),
    P_LATE: ((1.0, 1, 2, 25, None, "late", "sanction"),),
}


@dataclass
class _Offences:
    person: I64
    day: I64
    category: I64
    outcome: I64
    sentence: I64  # custodial months, 0 otherwise
    agency: Obj

    def age(self, w: _World) -> I64:
        return _age_on(w.dob[self.person], self.day)


@dataclass
class _OffenceBatch:
    person: I64
    lo: I64
    hi: I64
    categories: F64 | I64  # a profile (probabilities) or fixed categories per row
    outcomes: tuple[F64, F64]


def _age_window(w: _World, person: I64, age_lo: int, age_hi: int | None) -> tuple[I64, I64]:
    lo = _birthday(w.dob[person], age_lo)
    hi = np.full(len(person), w.today - 1, dtype=np.int64)
    if age_hi is not None:
        hi = np.minimum(hi, _birthday(w.dob[person], age_hi + 1) - 1)
    return lo, hi


def _repeat(rng: np.random.Generator, people: I64, share: float, lo: int, hi: int) -> I64:
    chosen = people[rng.random(len(people)) < share]
    return np.repeat(chosen, rng.integers(lo, hi + 1, size=len(chosen)))


def _batch(
    rng: np.random.Generator,
    w: _World,
    people: I64,
    spec: tuple[float, int, int, int, int | None, str, str],
) -> _OffenceBatch:
    share, c_lo, c_hi, a_lo, a_hi, categories, outcomes = spec
    person = _repeat(rng, people, share, c_lo, c_hi)
    lo, hi = _age_window(w, person, a_lo, a_hi)
    return _OffenceBatch(
        person, lo, hi, _CATEGORY_PROFILES[categories], _OUTCOME_PROFILES[outcomes]
    )


def _realise(rng: np.random.Generator, w: _World, b: _OffenceBatch) -> _Offences:
    ok = b.lo <= b.hi
    person, lo, hi = b.person[ok], b.lo[ok], b.hi[ok]
    day = _uniform_day(rng, lo, hi)
    n = len(person)
    if isinstance(b.categories, np.ndarray) and b.categories.dtype == np.int64:
        category = b.categories[ok]
    else:
        category = rng.choice(len(OFFENCE_CATEGORIES), size=n, p=b.categories)
    youth = _age_on(w.dob[person], day) < 18
    outcome = np.where(
        youth,
        rng.choice(len(OUTCOMES), size=n, p=b.outcomes[0]),
        rng.choice(len(OUTCOMES), size=n, p=b.outcomes[1]),
    ).astype(np.int64)
    lo_m, hi_m = _SENTENCE[category, 0], _SENTENCE[category, 1]
    months = lo_m + np.floor(rng.random(n) * (hi_m - lo_m + 1)).astype(np.int64)
    months = np.where(youth, np.clip(months, 4, 24), months)  # detention and training orders
    sentence = np.where(outcome == _CUSTODY, months, 0)
    agency = np.where(_ROCU_CATEGORIES[category] & (rng.random(n) < 0.5), ROCU, POLICE)
    return _Offences(
        person, day, category.astype(np.int64), outcome, sentence, agency.astype(object)
    )


def _general_batches(rng: np.random.Generator, w: _World) -> list[_OffenceBatch]:
    age = w.age()
    none = ~w.cast & (w.involvement == NONE)
    youth = np.flatnonzero(none & (age >= 12))
    adult = np.flatnonzero(none & (age >= 18))
    return [
        _batch(rng, w, youth, (0.025, 1, 2, 10, 17, "minor", "any")),
        _batch(rng, w, adult, (0.06, 1, 4, 18, None, "general_adult", "any")),
    ]


def _at_risk_batches(rng: np.random.Generator, w: _World) -> list[_OffenceBatch]:
    batches = []
    generic = ~w.cast & (w.involvement == AT_RISK)
    for pathway, specs in _PATHWAY_OFFENCES.items():
        people = np.flatnonzero(generic & (w.pathway == pathway))
        batches += [_batch(rng, w, people, spec) for spec in specs]
    return batches


def _oc_batches(rng: np.random.Generator, w: _World, grp: _Groups) -> list[_OffenceBatch]:
    oc = ~w.cast & (w.involvement == OC)
    juvenile = np.flatnonzero(oc & w.juvenile)
    prolific = juvenile[rng.random(len(juvenile)) < 0.6]
    occasional = np.setdiff1d(juvenile, prolific)
    adults = np.flatnonzero(oc)
    person = _repeat(rng, adults, 1.0, 1, 6)
    own_type = grp.primary_type[np.maximum(grp.first_group(w.n), 0)][person]
    general = rng.choice(
        len(OFFENCE_CATEGORIES), size=len(person), p=_CATEGORY_PROFILES["oc_general"]
    )
    category = np.where(rng.random(len(person)) < 0.6, own_type, general).astype(np.int64)
    lo, hi = _age_window(w, person, 18, None)
    return [
        _batch(rng, w, prolific, (1.0, 3, 8, 10, 17, "gang", "sanction")),
        _batch(rng, w, occasional, (1.0, 1, 2, 10, 17, "minor", "sanction")),
        _OffenceBatch(person, lo, hi, category, _OUTCOME_PROFILES["serious"]),
    ]


def _prison_leavers(rng: np.random.Generator, w: _World) -> _Offences:
    """A custodial sentence for each prison-pathway person, released in the last three years."""
    person = np.flatnonzero(~w.cast & (w.pathway == P_PRISON))
    n = len(person)
    months = _between(rng, 6, 48, n)
    released_ago = _between(rng, 30, 1095, n)
    day = w.today - released_ago - np.round(months * _MONTH / 2).astype(np.int64) - 150
    ok = day >= _birthday(w.dob[person], 18)
    category = rng.choice(len(OFFENCE_CATEGORIES), size=n, p=_CATEGORY_PROFILES["prison"])
    return _Offences(
        person[ok],
        day[ok],
        category[ok].astype(np.int64),
        np.full(int(ok.sum()), _CUSTODY, dtype=np.int64),
        months[ok],
        np.full(int(ok.sum()), POLICE, dtype=object),
    )


def _cast_offences() -> _Offences:
    col = list(zip(*_CAST_OFFENCES, strict=True))
    return _Offences(
        np.array(col[0], dtype=np.int64) - 1,
        np.array([_cast_day(d) for d in col[1]], dtype=np.int64),
        np.array([_CAT[c] for c in col[2]], dtype=np.int64),
        np.array([OUTCOMES.index(o) for o in col[3]], dtype=np.int64),
        np.array(col[4], dtype=np.int64),
        np.array(col[5], dtype=object),
    )


def _build_offences(w: _World, grp: _Groups, seed: int) -> _Offences:
    rng = _rng(seed, "offences")
    batches = _general_batches(rng, w) + _at_risk_batches(rng, w) + _oc_batches(rng, w, grp)
    parts = [_cast_offences(), _prison_leavers(rng, w)] + [_realise(rng, w, b) for b in batches]
    merged = _Offences(
        *(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(_Offences))
    )
    order = np.lexsort((merged.day, merged.person))
    return _Offences(*(getattr(merged, f.name)[order] for f in fields(_Offences)))


def _offences_frame(w: _World, off: _Offences) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "offence_id": np.arange(1, len(off.person) + 1, dtype=np.int64),
            "person_id": off.person + 1,
            "offence_date": _dates(off.day),
            "offence_category": np.array(OFFENCE_CATEGORIES, dtype=object)[off.category],
            "outcome": np.array(OUTCOMES, dtype=object)[off.outcome],
            "age_at_offence": off.age(w),
            "recording_agency_id": off.agency,
        }
    )


# --------------------------------------------------------------------------------------------
# Agency records: custody releases, youth justice, children's social care, exclusions
# --------------------------------------------------------------------------------------------


@dataclass
class _Records:
    release_person: I64
    release_day: I64
    release_months: I64
    release_prison: I64
    yos_person: I64
    yos_start: I64
    yos_end: I64
    yos_order: I64
    care_person: I64
    care_type: I64
    care_start: I64
    care_end: I64
    excl_person: I64
    excl_day: I64
    excl_permanent: Bool
    excl_reason: I64
    excl_school: I64

    def releases_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "person_id": self.release_person + 1,
                "establishment": np.array(_PRISONS, dtype=object)[self.release_prison],
                "release_date": _dates(self.release_day),
                "sentence_months": self.release_months,
            }
        )

    def yos_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "person_id": self.yos_person + 1,
                "start_date": _dates(self.yos_start),
                "end_date": _dates(self.yos_end),
                "order_type": np.array(YOUTH_ORDERS, dtype=object)[self.yos_order],
            }
        )

    def care_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "person_id": self.care_person + 1,
                "episode_type": np.array(CARE_EPISODES, dtype=object)[self.care_type],
                "start_date": _dates(self.care_start),
                "end_date": _dates(self.care_end),
            }
        )

    def exclusions_frame(self, ag: _Agencies) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "person_id": self.excl_person + 1,
                "agency_id": ag.secondary_ids[self.excl_school],
                "exclusion_date": _dates(self.excl_day),
                "exclusion_type": np.where(self.excl_permanent, "permanent", "fixed_term").astype(
                    object
                ),
                "reason": np.array(EXCLUSION_REASONS, dtype=object)[self.excl_reason],
            }
        )


def _build_records(w: _World, off: _Offences, seed: int) -> _Records:
    rng = _rng(seed, "records")
    r_person, r_day, r_months, r_prison = _releases(rng, w, off)
    y_person, y_start, y_end, y_order = _youth_orders(rng, w, off)
    c_person, c_type, c_start, c_end = _care_episodes(rng, w)
    e_person, e_day, e_permanent, e_reason, e_school = _exclusions(rng, w)
    return _Records(
        release_person=r_person,
        release_day=r_day,
        release_months=r_months,
        release_prison=r_prison,
        yos_person=y_person,
        yos_start=y_start,
        yos_end=y_end,
        yos_order=y_order,
        care_person=c_person,
        care_type=c_type,
        care_start=c_start,
        care_end=c_end,
        excl_person=e_person,
        excl_day=e_day,
        excl_permanent=e_permanent,
        excl_reason=e_reason,
        excl_school=e_school,
    )


def _releases(rng: np.random.Generator, w: _World, off: _Offences) -> tuple[I64, I64, I64, I64]:
    custody = np.flatnonzero(off.outcome == _CUSTODY)
    person = off.person[custody]
    months = off.sentence[custody]
    delay = _between(rng, 60, 240, len(custody))
    # the cast's dates are part of their story, so their court delay is fixed
    delay = np.where(person < N_CAST, 135, delay)
    day = off.day[custody] + delay + np.round(months * _MONTH / 2).astype(np.int64)
    keep = day < w.today
    # one release per sentence; concurrent sentences from the same day count once
    first = np.unique(person * 100_000 + off.day[custody], return_index=True)[1]
    keep &= np.isin(np.arange(len(custody)), first)
    person, day, months = person[keep], day[keep], months[keep]
    young = _age_on(w.dob[person], day) < 21
    adult_male = np.where((rng.random(len(person)) < 0.6) | (person < N_CAST), 0, 1)
    prison = np.where(young, 3, np.where(w.male[person], adult_male, 2))
    return person, day, months, prison.astype(np.int64)


_YOS_FOUNDED = _day(date(2000, 6, 1))  # youth offending teams began work in 2000


def _youth_orders(rng: np.random.Generator, w: _World, off: _Offences) -> tuple[I64, I64, I64, I64]:
    youth = (off.age(w) < 18) & ~(off.person < N_CAST)
    caution = youth & (off.outcome == _YOUTH_CAUTION) & (rng.random(len(youth)) < 0.3)
    community = youth & (off.outcome == _COMMUNITY)
    custody = youth & (off.outcome == _CUSTODY)
    idx = np.flatnonzero(caution | community | custody)
    order = np.select(
        [caution[idx], custody[idx], rng.random(len(idx)) < 0.6], [0, 3, 1], default=2
    )
    start = off.day[idx] + _between(rng, 20, 90, len(idx))
    months = np.where(order == 3, off.sentence[idx], _between(rng, 3, 12, len(idx)))
    end = start + np.round(months * _MONTH).astype(np.int64)
    ok = (start < w.today) & (start >= _YOS_FOUNDED)
    col = list(zip(*_CAST_YOS, strict=True))
    return (
        np.concatenate([np.array(col[0]) - 1, off.person[idx][ok]]).astype(np.int64),
        np.concatenate([[_cast_day(d) for d in col[2]], start[ok]]).astype(np.int64),
        np.concatenate([[_cast_day(d) for d in col[3]], end[ok]]).astype(np.int64),
        np.concatenate([[YOUTH_ORDERS.index(o) for o in col[1]], order[ok]]).astype(np.int64),
    )


# (looked after, in need, protection) chance by who a person is
_CARE_P = {
    "general": (0.008, 0.045, 0.012),
    P_BELONGING: (0.6, 0.5, 0.1),
    P_GANG: (0.08, 0.25, 0.05),
    P_EXPLOITED: (0.1, 0.3, 0.6),
    P_FAMILY: (0.05, 0.3, 0.1),
    "oc_juvenile": (0.12, 0.2, 0.05),
}


def _care_probabilities(w: _World) -> F64:
    p = np.tile(np.array(_CARE_P["general"]), (w.n, 1))
    for pathway in (P_BELONGING, P_GANG, P_EXPLOITED, P_FAMILY):
        p[w.pathway == pathway] = _CARE_P[pathway]
    p[(w.involvement == OC) & w.juvenile] = _CARE_P["oc_juvenile"]
    p[w.age() > 40] = 0.0
    p[w.cast] = 0.0
    return p


def _care_episodes(rng: np.random.Generator, w: _World) -> tuple[I64, I64, I64, I64]:
    p = _care_probabilities(w)
    hit = rng.random(p.shape) < p
    person, kind = np.nonzero(hit)
    person, kind = person.astype(np.int64), kind.astype(np.int64)
    lo, hi = _age_window(w, person, 0, 17)
    start = _uniform_day(rng, lo, hi)
    end = np.minimum(
        start + np.round(_between(rng, 3, 48, len(person)) * _MONTH).astype(np.int64),
        _birthday(w.dob[person], 18),
    )
    end = np.where(end >= w.today, _NAT, end)
    col = list(zip(*_CAST_CARE, strict=True))
    return (
        np.concatenate([np.array(col[0]) - 1, person]).astype(np.int64),
        np.concatenate([[CARE_EPISODES.index(k) for k in col[1]], kind]).astype(np.int64),
        np.concatenate([[_cast_day(d) for d in col[2]], start]).astype(np.int64),
        np.concatenate([[_cast_day(d) for d in col[3]], end]).astype(np.int64),
    )


# (fixed-term, permanent) exclusion chance
_EXCLUSION_P = {
    "general": (0.03, 0.003),
    P_GANG: (0.6, 0.2),
    P_BELONGING: (0.45, 0.12),
    P_EXPLOITED: (0.3, 0.05),
    P_FAMILY: (0.2, 0.03),
    "oc_juvenile": (0.5, 0.2),
}


def _exclusions(rng: np.random.Generator, w: _World) -> tuple[I64, I64, Bool, I64, I64]:
    p = np.tile(np.array(_EXCLUSION_P["general"]), (w.n, 1))
    for pathway in (P_GANG, P_BELONGING, P_EXPLOITED, P_FAMILY):
        p[w.pathway == pathway] = _EXCLUSION_P[pathway]
    p[(w.involvement == OC) & w.juvenile] = _EXCLUSION_P["oc_juvenile"]
    age = w.age()
    p[(age < 11) | (age > 40) | w.cast] = 0.0
    fixed = _repeat(rng, np.flatnonzero(rng.random(w.n) < p[:, 0]), 1.0, 1, 3)
    permanent = np.flatnonzero(rng.random(w.n) < p[:, 1])
    person = np.concatenate([fixed, permanent])
    lo, hi = _age_window(w, person, 11, 15)
    ok = lo <= hi
    person = person[ok]
    day = _uniform_day(rng, lo[ok], hi[ok])
    is_perm = np.concatenate([np.zeros(len(fixed), bool), np.ones(len(permanent), bool)])[ok]
    reason = rng.choice(
        len(EXCLUSION_REASONS), size=len(person), p=_EXCLUSION_REASON_P / _EXCLUSION_REASON_P.sum()
    )
    col = list(zip(*_CAST_EXCLUSIONS, strict=True))
    cast_person = np.array(col[0], dtype=np.int64) - 1
    person = np.concatenate([cast_person, person]).astype(np.int64)
    return (
        person,
        np.concatenate([[_cast_day(d) for d in col[1]], day]).astype(np.int64),
        np.concatenate([np.array(col[2]) == "permanent", is_perm]),
        np.concatenate([[EXCLUSION_REASONS.index(r) for r in col[3]], reason]).astype(np.int64),
        w.secondary[person],
    )


# --------------------------------------------------------------------------------------------
# Relationships
# --------------------------------------------------------------------------------------------

_CONFIDENCE = ("high", "medium", "low")


@dataclass
class _Ties:
    a: I64
    b: I64
    kind: I64
    start: I64
    end: I64
    source: Obj
    confidence: I64

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "person_a": self.a + 1,
                "person_b": self.b + 1,
                "kind": np.array(RELATIONSHIP_KINDS, dtype=object)[self.kind],
                "start_date": _dates(self.start),
                "end_date": _dates(self.end),
                "source_agency_id": self.source,
                "confidence": np.array(_CONFIDENCE, dtype=object)[self.confidence],
            }
        )


@dataclass
class _Pairs:
    """Proposed ties before dates and sources; `source` may be '' to mean 'by kind'."""

    a: I64
    b: I64
    kind: I64
    source: Obj

    @staticmethod
    def of(a: I64, b: I64, kind: I64 | int, source: str = "") -> _Pairs:
        n = len(a)
        return _Pairs(
            a.astype(np.int64),
            b.astype(np.int64),
            np.broadcast_to(np.asarray(kind, dtype=np.int64), (n,)).copy(),
            np.full(n, source, dtype=object),
        )


_GENERATION = np.array([1, 1, 2, 0, 1])  # by household role: who is the older generation
_HH_KIND = np.full((5, 5), _K["family_other"], dtype=np.int64)
_HH_KIND[_HEAD, _PARTNER] = _HH_KIND[_PARTNER, _HEAD] = _K["intimate_partner"]
for _r in (_HEAD, _PARTNER):
    _HH_KIND[_r, _CHILD] = _HH_KIND[_CHILD, _r] = _K["family_parent"]
_HH_KIND[_GRANDPARENT, _HEAD] = _HH_KIND[_HEAD, _GRANDPARENT] = _K["family_parent"]
_HH_KIND[_CHILD, _CHILD] = _K["family_sibling"]
_HH_KIND[_SHARER, :] = _HH_KIND[:, _SHARER] = _K["associate_peer"]


def _household_pairs(w: _World) -> _Pairs:
    order = np.argsort(w.household, kind="stable")
    _, starts, sizes = np.unique(w.household[order], return_index=True, return_counts=True)
    a_parts, b_parts = [], []
    for s in np.unique(sizes[sizes > 1]):
        iu = np.triu_indices(int(s), 1)
        st = starts[sizes == s][:, None]
        a_parts.append(order[(st + iu[0]).ravel()])
        b_parts.append(order[(st + iu[1]).ravel()])
    a = np.concatenate(a_parts) if a_parts else np.empty(0, dtype=np.int64)
    b = np.concatenate(b_parts) if b_parts else np.empty(0, dtype=np.int64)
    swap = _GENERATION[w.role[a]] > _GENERATION[w.role[b]]
    a, b = np.where(swap, b, a), np.where(swap, a, b)
    return _Pairs.of(a, b, _HH_KIND[w.role[a], w.role[b]])


def _sorted_neighbours(
    rng: np.random.Generator, keys: Sequence[I64], people: I64, max_offset: int, share: float
) -> tuple[I64, I64]:
    """Pair people with someone close to them in a sort by `keys` (same ward and age, ...)."""
    order = people[np.lexsort(tuple(k[people] for k in reversed(keys)))]
    n = len(order)
    pos = np.flatnonzero(rng.random(n) < share)
    other = pos + rng.integers(1, max_offset + 1, size=len(pos))
    ok = other < n
    return order[pos[ok]], order[other[ok]]


def _social_pairs(rng: np.random.Generator, w: _World) -> list[_Pairs]:
    generic = ~w.cast
    age = w.age()
    per_year = max(1, int(w.n / len(WARDS) / 85))
    people = np.flatnonzero(generic & (age >= 8) & (age <= 70))
    a, b = _sorted_neighbours(rng, (w.ward, w.dob), people, 2 * per_year, 0.85)
    peers = (w.ward[a] == w.ward[b]) & (np.abs(w.dob[a] - w.dob[b]) < 3 * _YEAR)
    adults = np.flatnonzero(generic & (age >= 16))
    na, nb = _sorted_neighbours(rng, (w.postcode,), adults, 3, 0.5)
    near = w.postcode[na] == w.postcode[nb]
    noise = rng.integers(0, 1 << 30, size=w.n)
    fa, fb = _sorted_neighbours(rng, (w.family, w.ward, noise), np.flatnonzero(generic), 2, 0.4)
    kin = (w.family[fa] == w.family[fb]) & (w.ward[fa] == w.ward[fb])
    return [
        _Pairs.of(fa[kin], fb[kin], _K["family_other"]),
        _Pairs.of(a[peers], b[peers], _K["associate_peer"]),
        _Pairs.of(na[near], nb[near], _K["associate_neighbour"]),
    ]


def _group_pairs(rng: np.random.Generator, grp: _Groups) -> list[_Pairs]:
    sampled = grp.group >= len(_CAST_GROUPS)
    person, group, role = grp.person[sampled], grp.group[sampled], grp.role[sampled]
    order = np.argsort(group, kind="stable")
    _, starts, sizes = np.unique(group[order], return_index=True, return_counts=True)
    a_parts, b_parts = [], []
    for s in np.unique(sizes[sizes > 1]):
        iu = np.triu_indices(int(s), 1)
        st = starts[sizes == s][:, None]
        a_parts.append(order[(st + iu[0]).ravel()])
        b_parts.append(order[(st + iu[1]).ravel()])
    if not a_parts:
        return []
    ia, ib = np.concatenate(a_parts), np.concatenate(b_parts)
    enabler = (role[ia] == 3) | (role[ib] == 3)
    u = rng.random(len(ia))
    kind = np.where(
        enabler,
        np.where(u < 0.5, _K["business"], _K["associate_client"]),
        np.where(u < 0.6, _K["co_offender"], _K["associate_peer"]),
    )
    principals = person[role == 0]
    partner = principals[rng.permutation(len(principals))]
    cross = rng.random(len(principals)) < 0.5
    return [
        _Pairs.of(person[ia], person[ib], kind, POLICE),
        _Pairs.of(principals[cross], partner[cross], _K["business"], ROCU),
    ]


# pathway -> (kind of tie to a group member, pool of members to choose from)
_PERIPHERY_TIES = {
    P_GANG: ("associate_peer", "young_drugs"),
    P_EXPLOITED: ("associate_peer", "drugs"),
    P_INTIMATE: ("intimate_partner", "opposite_sex"),
    P_PRISON: ("prison", "released"),
    P_TECH: ("online", "cyber"),
    P_PROFESSIONAL: ("associate_client", "any"),
    P_ACCESS: ("associate_colleague", "any"),
    P_SKILLS: ("business", "any"),
    P_FINANCIAL: ("business", "any"),
    P_LATE: ("associate_peer", "any"),
    P_BELONGING: ("associate_peer", "young_drugs"),
}


def _member_pools(w: _World, grp: _Groups, rec: _Records) -> dict[str, I64]:
    members = np.flatnonzero(grp.members(w.n))
    age = w.age()[members]
    mask = grp.crime_mask[np.maximum(grp.first_group(w.n), 0)][members]
    drugs = mask & ((1 << _CAT["drugs_supply_class_a"]) | (1 << _CAT["drugs_supply_class_b"]))
    cyber = mask & ((1 << _CAT["cyber_crime"]) | (1 << _CAT["fraud"]))
    released = np.isin(members, rec.release_person)
    pools = {
        "any": members,
        "drugs": members[drugs > 0],
        "young_drugs": members[(drugs > 0) & (age < 30)],
        "cyber": members[cyber > 0],
        "released": members[released],
        "male": members[w.male[members]],
        "female": members[~w.male[members]],
    }
    return {k: (v if len(v) else members) for k, v in pools.items()}


def _periphery_pairs(rng: np.random.Generator, w: _World, grp: _Groups, rec: _Records) -> _Pairs:
    pools = _member_pools(w, grp, rec)
    parts = []
    generic = ~w.cast & (w.involvement == AT_RISK)
    for pathway, (kind, pool_name) in _PERIPHERY_TIES.items():
        people = np.flatnonzero(generic & (w.pathway == pathway))
        if pathway == P_BELONGING:
            # looked-after children are usually two steps away, through gang-involved peers
            gang = np.flatnonzero(generic & (w.pathway == P_GANG))
            via = rng.random(len(people)) < 0.7
            if len(gang):
                parts.append(
                    _Pairs.of(
                        people[via],
                        gang[rng.integers(0, len(gang), int(via.sum()))],
                        _K["associate_peer"],
                        POLICE,
                    )
                )
                people = people[~via]
        if pathway == P_INTIMATE:
            targets = np.where(
                w.male[people],
                pools["female"][rng.integers(0, len(pools["female"]), len(people))],
                pools["male"][rng.integers(0, len(pools["male"]), len(people))],
            )
        else:
            pool = pools[pool_name]
            targets = pool[rng.integers(0, len(pool), len(people))]
        parts.append(_Pairs.of(people, targets, _K[kind], POLICE))
    gang = np.flatnonzero(generic & (w.pathway == P_GANG))
    if len(gang) > 1:
        parts.append(_Pairs.of(gang, rng.permutation(gang), _K["associate_peer"], POLICE))
    return _concat_pairs(parts)


def _prison_pairs(rng: np.random.Generator, w: _World, rec: _Records) -> _Pairs:
    order = np.lexsort((rec.release_day, rec.release_prison))
    p, day, prison = rec.release_person[order], rec.release_day[order], rec.release_prison[order]
    together = (prison[1:] == prison[:-1]) & (np.abs(day[1:] - day[:-1]) < 120)
    together &= (rng.random(len(together)) < 0.4) & (p[1:] >= N_CAST) & (p[:-1] >= N_CAST)
    src = np.array(_PRISON_IDS, dtype=object)[prison[:-1][together]]
    pairs = _Pairs.of(p[:-1][together], p[1:][together], _K["prison"])
    pairs.source = src
    return pairs


def _concat_pairs(parts: Sequence[_Pairs]) -> _Pairs:
    if not parts:
        return _Pairs.of(np.empty(0, np.int64), np.empty(0, np.int64), 0)
    return _Pairs(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(_Pairs)))


def _cast_ties() -> _Ties:
    col = list(zip(*_CAST_TIES, strict=True))
    return _Ties(
        np.array(col[0], dtype=np.int64) - 1,
        np.array(col[1], dtype=np.int64) - 1,
        np.array([_K[k] for k in col[2]], dtype=np.int64),
        np.array([_cast_day(d) for d in col[3]], dtype=np.int64),
        np.array([_cast_day(d) for d in col[4]], dtype=np.int64),
        np.array(col[5], dtype=object),
        np.array([_CONFIDENCE.index(c) for c in col[6]], dtype=np.int64),
    )


def _build_relationships(
    w: _World, grp: _Groups, off: _Offences, rec: _Records, seed: int
) -> _Ties:
    rng = _rng(seed, "relationships")
    cast_pairs = _cast_ties()
    proposed = _concat_pairs(
        [
            _Pairs.of(cast_pairs.a, cast_pairs.b, cast_pairs.kind, "cast"),
            _household_pairs(w),
            *_group_pairs(rng, grp),
            _periphery_pairs(rng, w, grp, rec),
            _prison_pairs(rng, w, rec),
            *_social_pairs(rng, w),
        ]
    )
    keep = proposed.a != proposed.b
    lo, hi = np.minimum(proposed.a, proposed.b), np.maximum(proposed.a, proposed.b)
    key = np.where(keep, lo * w.n + hi, -1)
    first = np.unique(key, return_index=True)[1]
    first = first[key[first] >= 0]
    first.sort()
    pairs = _Pairs(*(getattr(proposed, f.name)[first] for f in fields(_Pairs)))
    return _dated_ties(rng, w, pairs, cast_pairs)


# kind -> (youngest age at which such a tie starts, chance it has ended)
_TIE_TIMING = {
    "family_parent": (0, 0.0),
    "family_sibling": (0, 0.0),
    "family_other": (0, 0.0),
    "intimate_partner": (16, 0.25),
    "associate_peer": (8, 0.1),
    "associate_colleague": (18, 0.3),
    "associate_client": (18, 0.2),
    "associate_neighbour": (16, 0.2),
    "co_offender": (12, 0.1),
    "prison": (15, 0.0),
    "online": (12, 0.1),
    "business": (18, 0.2),
}


def _dated_ties(rng: np.random.Generator, w: _World, pairs: _Pairs, cast: _Ties) -> _Ties:
    n = len(pairs.a)
    min_age = np.array([_TIE_TIMING[k][0] for k in RELATIONSHIP_KINDS])[pairs.kind]
    p_end = np.array([_TIE_TIMING[k][1] for k in RELATIONSHIP_KINDS])[pairs.kind]
    younger = np.maximum(w.dob[pairs.a], w.dob[pairs.b])
    lo = np.minimum(_birthday(younger, min_age), w.today - 1)
    span = np.minimum(w.today - 1 - lo, int(15 * _YEAR))
    start = w.today - 1 - np.floor(rng.random(n) * (span + 1)).astype(np.int64)
    start = np.where(np.isin(pairs.kind, _FAMILY_KINDS), younger, start)
    end = _uniform_day(rng, start, np.full(n, w.today - 1, dtype=np.int64))
    end = np.where(rng.random(n) < p_end, end, _NAT)
    source, confidence = _tie_sources(rng, w, pairs)
    is_cast = pairs.source == "cast"
    n_cast = int(is_cast.sum())
    # the cast's own ties come first after de-duplication, in the order they were written
    start[:n_cast], end[:n_cast] = cast.start, cast.end
    source[:n_cast], confidence[:n_cast] = cast.source, cast.confidence
    return _Ties(pairs.a, pairs.b, pairs.kind, start, end, source, confidence)


def _tie_sources(rng: np.random.Generator, w: _World, pairs: _Pairs) -> tuple[Obj, I64]:
    n = len(pairs.a)
    kind = pairs.kind
    u = rng.random(n)
    household = w.household[pairs.a] == w.household[pairs.b]
    source = np.select(
        [
            pairs.source != "",
            household,
            kind == _K["family_other"],
            kind == _K["associate_neighbour"],
        ],
        [
            pairs.source,
            np.where(u < 0.6, HOUSING, HOUSING_ASSOC),
            np.where(u < 0.7, HEALTH, CSC),
            HOUSING,
        ],
        default=POLICE,
    ).astype(object)
    confidence = np.select(
        [household, kind == _K["family_other"], source == POLICE],
        [0, 1, rng.choice(3, size=n, p=[0.3, 0.4, 0.3])],
        default=rng.choice(3, size=n, p=[0.2, 0.5, 0.3]),
    ).astype(np.int64)
    return source, confidence


def _finish_links(w: _World, grp: _Groups, rel: _Ties, seed: int) -> None:
    """Organised criminals share their groups' overseas links; some partners and associates
    pick them up too (¶2.22)."""
    rng = _rng(seed, "links")
    sampled = grp.person >= N_CAST
    person = grp.person[sampled]
    group_links = np.array(
        [sum(1 << _CC[c] for c in str(s).split(";") if c) for s in grp.frame["linked_countries"]],
        dtype=np.int64,
    )
    share = rng.random(len(person)) < 0.7
    np.bitwise_or.at(w.links, person[share], group_links[grp.group[sampled][share]])
    member = grp.members(w.n)
    a_side = member[rel.b] & ~member[rel.a] & (rel.a >= N_CAST) & (rng.random(len(rel.a)) < 0.2)
    np.bitwise_or.at(w.links, rel.a[a_side], w.links[rel.b[a_side]])
    risk = ~w.cast & (w.involvement == AT_RISK) & (rng.random(w.n) < 0.1)
    country = rng.integers(0, len(_SOURCE_COUNTRIES), size=w.n)
    w.links |= np.where(risk, np.left_shift(1, country), 0).astype(np.int64)


# --------------------------------------------------------------------------------------------
# Identifiers
# --------------------------------------------------------------------------------------------

_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def _nhs_numbers(rng: np.random.Generator, n: int) -> Obj:
    """Ten digits whose check digit deliberately fails the NHS modulus 11 check, so no value
    can ever be a real person's NHS number."""
    body = 400_000_000 + _unique_serials(rng, n, 400_000_000)
    digits = (body[:, None] // 10 ** np.arange(8, -1, -1)) % 10
    total = (digits * np.arange(10, 1, -1)).sum(axis=1)
    valid = (11 - total % 11) % 11  # 10 means no valid check digit exists
    wrong = (valid + 1 + rng.integers(0, 9, size=n)) % 10
    check = np.where(valid == 10, rng.integers(0, 10, size=n), wrong)
    return _concat(_strings(body, 9), _strings(check, 1))


def _pnc_ids(rng: np.random.Generator, first_year: I64) -> Obj:
    n = len(first_year)
    width = 6 if n < 500_000 else 7
    serial = _unique_serials(rng, n, 10**width)
    letter = _letters(_CHECK_LETTERS, rng.integers(0, len(_CHECK_LETTERS), size=n))
    return _concat(_strings(first_year % 100, 2), "/", _strings(serial, width), letter)


def _upns(w: _World, person: I64, school_code: I64) -> Obj:
    """Unique pupil numbers: check letter, LA code 999 (none is real), DfE establishment,
    two-digit year of issue, serial within school and year."""
    year = _ymd(_birthday(w.dob[person], 4))[0] % 100
    group = school_code * 100 + year
    order = np.lexsort((person, group))
    first = np.searchsorted(group[order], group[order])
    serial = np.empty(len(person), dtype=np.int64)
    serial[order] = np.arange(len(person)) - first
    number = ((999 * 10_000 + school_code) * 100 + year) * 1000 + serial % 1000
    digits = (number[:, None] // 10 ** np.arange(11, -1, -1)) % 10
    check = (digits * np.arange(2, 14)).sum(axis=1) % 23
    return _concat(_letters(_CHECK_LETTERS, check), _strings(number, 12))


def _prison_numbers(rng: np.random.Generator, n: int) -> Obj:
    serial = _unique_serials(rng, n, 2 * 676 * 10_000)
    letters = np.array(
        [a + b for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"],
        dtype=np.dtypes.StringDType(),
    )
    return _concat(
        _letters("AG", serial // 6_760_000),
        _strings(serial % 10_000, 4),
        letters[(serial // 10_000) % 676],
    )


def _prefixed(rng: np.random.Generator, prefix: str, n: int, width: int) -> Obj:
    return _concat(prefix, _strings(_unique_serials(rng, n, 10**width), width))


def _probation_supervisions(
    today: int,
    rel_person: I64,
    rel_day: I64,
    rel_months: I64,
    off_person: I64,
    off_day: I64,
    off_outcome: I64,
    off_age: I64,
) -> tuple[I64, I64, I64, I64]:
    """Licences after release and adult community orders: (person, type, start, end), type 0 is
    licence. Derived only from offences and releases so extracts can rebuild it."""
    community = (off_outcome == _COMMUNITY) & (off_age >= 18)
    c_start = off_day[community] + 42
    c_end = c_start + 365
    l_end = rel_day + np.round(rel_months * _MONTH / 2).astype(np.int64)
    person = np.concatenate([rel_person, off_person[community]])
    kind = np.concatenate([np.zeros(len(rel_person)), np.ones(int(community.sum()))])
    start = np.concatenate([rel_day, c_start])
    end = np.concatenate([l_end, c_end])
    ok = start < today
    return person[ok], kind[ok].astype(np.int64), start[ok], end[ok]


def _build_identifiers(
    w: _World, off: _Offences, rec: _Records, ag: _Agencies, seed: int
) -> pd.DataFrame:
    rng = _rng(seed, "identifiers")
    blocks: list[tuple[I64, Obj | str, str, Obj]] = []
    everyone = np.arange(w.n, dtype=np.int64)
    blocks.append((everyone, HEALTH, "nhs_number", _nhs_numbers(rng, w.n)))
    police, first = np.unique(off.person, return_index=True)
    blocks.append((police, POLICE, "pnc", _pnc_ids(rng, _ymd(off.day[first])[0])))
    blocks.append(_upn_block(w, rec, ag))
    csc = np.unique(rec.care_person)
    blocks.append((csc, CSC, "social_care_id", _prefixed(rng, "CS", len(csc), 7)))
    yos = np.unique(rec.yos_person)
    blocks.append((yos, YJS, "yos_id", _prefixed(rng, "YJ", len(yos), 6)))
    blocks.append(_prison_block(rng, w, off, rec))
    supervised = np.unique(
        _probation_supervisions(
            w.today,
            rec.release_person,
            rec.release_day,
            rec.release_months,
            off.person,
            off.day,
            off.outcome,
            off.age(w),
        )[0]
    )
    crn = _concat(
        _letters("ABCDEFGHJKLMNPRSTVWXY", rng.integers(0, 21, len(supervised))),
        _strings(_unique_serials(rng, len(supervised), 10**6), 6),
    )
    blocks.append((supervised, PROBATION, "probation_crn", crn))
    return pd.DataFrame(
        {
            "person_id": np.concatenate([b[0] for b in blocks]) + 1,
            "agency_id": np.concatenate(
                [np.broadcast_to(np.asarray(b[1], dtype=object), b[0].shape) for b in blocks]
            ),
            "identifier_type": np.concatenate(
                [np.full(len(b[0]), b[2], dtype=object) for b in blocks]
            ),
            "value": np.concatenate([b[3] for b in blocks]),
        }
    )


def _upn_block(w: _World, rec: _Records, ag: _Agencies) -> tuple[I64, Obj, str, Obj]:
    age = w.age()
    sixth_form = (age >= 16) & (age <= 17) & (w.dob % 20 < 9)  # about 45% stay on
    on_roll = ((age >= 4) & (age <= 15)) | sixth_form
    pupils = np.union1d(np.flatnonzero(on_roll), rec.excl_person)
    primary = age[pupils] <= 10
    school_code = np.where(primary, 2000 + w.primary[pupils], 4000 + w.secondary[pupils])
    agency = np.where(
        primary, ag.primary_ids[w.primary[pupils]], ag.secondary_ids[w.secondary[pupils]]
    )
    return pupils, agency, "upn", _upns(w, pupils, school_code)


def _prison_block(
    rng: np.random.Generator, w: _World, off: _Offences, rec: _Records
) -> tuple[I64, Obj, str, Obj]:
    """Prison numbers for everyone ever in custody, issued where they were first released
    from (or, if still inside, the local men's or women's prison)."""
    custody = np.unique(off.person[off.outcome == _CUSTODY])
    first_release = np.where(w.male, 0, 2)
    order = np.argsort(rec.release_day)[::-1]
    first_release[rec.release_person[order]] = rec.release_prison[order]
    agency = np.array(_PRISON_IDS, dtype=object)[first_release[custody]]
    return custody, agency, "prison_number", _prison_numbers(rng, len(custody))


# --------------------------------------------------------------------------------------------
# Factor evidence: derived from the records, so it never contradicts them
# --------------------------------------------------------------------------------------------

_ASSOCIATE_KINDS = np.array(
    [
        _K[k]
        for k in (
            "associate_peer",
            "associate_colleague",
            "associate_client",
            "associate_neighbour",
            "co_offender",
            "business",
        )
    ]
)
_LATE_CATEGORIES = np.array(
    [
        _CAT[c]
        for c in (
            "drugs_supply_class_a",
            "drugs_supply_class_b",
            "burglary",
            "robbery",
            "fraud",
            "money_laundering",
            "indecent_images",
        )
    ]
)
_GANG_CATEGORIES = np.array(
    [
        _CAT[c]
        for c in ("drugs_supply_class_a", "drugs_supply_class_b", "robbery", "weapons_possession")
    ]
)
_EXPLOIT_CATEGORIES = np.array(
    [_CAT[c] for c in ("drugs_supply_class_a", "drugs_supply_class_b", "theft", "fraud")]
)


@dataclass
class _Evidence:
    person: I64
    factor: str
    present: Bool
    text: Obj
    source: Obj
    day: I64


def _ev(
    person: I64, factor: str, present: Bool | bool, text: Obj | str, source: Obj | str, day: I64
) -> _Evidence:
    n = len(person)
    return _Evidence(
        person.astype(np.int64),
        factor,
        np.broadcast_to(present, (n,)).copy(),
        np.broadcast_to(np.asarray(text, dtype=object), (n,)).copy(),
        np.broadcast_to(np.asarray(source, dtype=object), (n,)).copy(),
        day.astype(np.int64),
    )


def _ties_to_members(rel: _Ties, member: Bool, kinds: I64) -> tuple[I64, I64, I64]:
    """(person, tie start, kind) for every tie of the given kinds from someone to a member."""
    sel = np.isin(rel.kind, kinds)
    a, b, start, kind = rel.a[sel], rel.b[sel], rel.start[sel], rel.kind[sel]
    to_b, to_a = member[b], member[a]
    return (
        np.concatenate([a[to_b], b[to_a]]),
        np.concatenate([start[to_b], start[to_a]]),
        np.concatenate([kind[to_b], kind[to_a]]),
    )


def _first_per_person(person: I64, *cols: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], ...]:
    _, idx = np.unique(person, return_index=True)
    return (person[idx], *(c[idx] for c in cols))


def _early_prolific(w: _World, off: _Offences) -> _Evidence:
    sanction = (off.outcome != _NFA) & (off.age(w) < 18)
    person, day, age = off.person[sanction], off.day[sanction], off.age(w)[sanction]
    count = np.bincount(person, minlength=w.n)
    rank = np.arange(len(person)) - np.searchsorted(person, person)  # offences sorted by person
    third = rank == 2
    p = person[third]
    first_age = age[np.searchsorted(person, p)]
    text = _concat(
        _strings(count[p], 1),
        " criminal sanctions recorded before the age of 18, the first at age ",
        _strings(first_age, 1),
        ".",
    )
    return _ev(p, "early_prolific_offending", True, text, POLICE, day[third])


def _late_serious(w: _World, off: _Offences) -> _Evidence:
    person, first = np.unique(off.person, return_index=True)
    age = off.age(w)[first]
    cat = off.category[first]
    ok = (age >= 25) & np.isin(cat, _LATE_CATEGORIES) & (off.outcome[first] != _NFA)
    words = np.array(
        [c.replace("_", " ") for c in OFFENCE_CATEGORIES], dtype=np.dtypes.StringDType()
    )
    text = _concat(
        "First recorded offence at age ",
        _strings(age[ok], 1),
        " (",
        words[cat[ok]],
        ") with no earlier history.",
    )
    return _ev(
        person[ok], "late_serious_offending", True, text, off.agency[first][ok], off.day[first][ok]
    )


def _gang(w: _World, grp: _Groups, off: _Offences, rec: _Records, rel: _Ties) -> _Evidence:
    drug_groups = (grp.crime_mask & ((1 << _DRUG_TYPES[0]) | (1 << _DRUG_TYPES[1]))) > 0
    in_drug_group = np.zeros(w.n, dtype=bool)
    in_drug_group[grp.person[drug_groups[grp.group]]] = True
    kinds = np.array([_K["associate_peer"], _K["co_offender"]])
    person, start, _ = _ties_to_members(rel, in_drug_group, kinds)
    young_offence = np.zeros(w.n, dtype=bool)
    young_offence[off.person[off.age(w) < 25]] = True
    young_offence[rec.excl_person] = True
    serious = np.zeros(w.n, dtype=bool)
    serious[off.person[(off.age(w) < 25) & np.isin(off.category, _GANG_CATEGORIES)]] = True
    person, start = _first_per_person(person[young_offence[person]], start[young_offence[person]])
    text = (
        "Police intelligence places them with a street group supplying drugs for an "
        "organised crime group."
    )
    return _ev(person, "gang_involvement", serious[person], text, POLICE, start)


def _occupation_factor(
    w: _World, member: Bool, rel: _Ties, flag: str, factor: str, lead: str, offences: Bool
) -> _Evidence:
    person, start, _ = _ties_to_members(rel, member, np.arange(len(RELATIONSHIP_KINDS)))
    tied = np.zeros(w.n, dtype=bool)
    tied[person] = True
    has = _occ_flag(flag)[w.occupation]
    who = np.flatnonzero(has & (tied | offences))
    words = np.array(
        [o.replace("_", " ") for o, _, _ in _OCCUPATIONS], dtype=np.dtypes.StringDType()
    )
    text = _concat(lead, words[w.occupation[who]], ").")
    day = np.full(len(who), w.today - 1, dtype=np.int64)
    first_tie = np.full(w.n, w.today - 1, dtype=np.int64)
    np.minimum.at(first_tie, person, start)
    day = np.minimum(day, np.maximum(first_tie[who], _birthday(w.dob[who], 18)))
    return _ev(who, factor, offences[who], text, POLICE, day)


def _ability(w: _World, off: _Offences, member: Bool, rel: _Ties) -> list[_Evidence]:
    def offended(*cats: str) -> Bool:
        out = np.zeros(w.n, dtype=bool)
        out[off.person[np.isin(off.category, [_CAT[c] for c in cats])]] = True
        return out

    return [
        _occupation_factor(
            w,
            member,
            rel,
            "T",
            "specialist_technical_skills",
            "Has specialist IT skills (recorded occupation: ",
            offended("cyber_crime", "fraud"),
        ),
        _occupation_factor(
            w,
            member,
            rel,
            "S",
            "specialist_criminal_skills",
            "Has dual-use skills sought by organised crime groups (recorded occupation: ",
            offended("firearms", "drugs_supply_class_a"),
        ),
        _occupation_factor(
            w,
            member,
            rel,
            "P",
            "professional_skills",
            "Works in a profession organised crime relies on (recorded occupation: ",
            offended("fraud", "money_laundering"),
        ),
        _occupation_factor(
            w,
            member,
            rel,
            "A",
            "criminal_access",
            "Has insider access to information, goods or premises (recorded occupation: ",
            offended("fraud", "money_laundering", "firearms"),
        ),
    ]


def _networks(w: _World, grp: _Groups, rel: _Ties, rec: _Records) -> list[_Evidence]:
    member = grp.members(w.n)
    out = []
    fam_p, fam_start, _ = _ties_to_members(rel, member, _FAMILY_KINDS)
    ten = _birthday(w.dob, 10)
    # whichever end is not the member: for family ties the relative's membership date matters
    fam_p, fam_start = _first_per_person(fam_p, fam_start)
    fam_ok = w.age()[fam_p] >= 10
    out.append(
        _ev(
            fam_p[fam_ok],
            "family_network",
            True,
            "A close family member is recorded as a member of an organised crime group.",
            POLICE,
            np.maximum(fam_start, ten[fam_p])[fam_ok],
        )
    )
    for kinds, factor, text, present in (
        (
            np.array([_K["intimate_partner"]]),
            "intimate_relationships",
            "A current or former partner is recorded as a member of an organised crime group.",
            True,
        ),
        (
            _ASSOCIATE_KINDS,
            "associates",
            "Known associate of a member of an organised crime group.",
            False,
        ),
        (
            np.array([_K["online"]]),
            "online_network",
            "Active in an online community linked to an organised crime group.",
            True,
        ),
    ):
        p, start, _ = _ties_to_members(rel, member, kinds)
        p, start = _first_per_person(p, start)
        out.append(_ev(p, factor, present, text, POLICE, start))
    out.append(_prison_network(w, member, rel, rec))
    return out


def _prison_network(w: _World, member: Bool, rel: _Ties, rec: _Records) -> _Evidence:
    p, _, _ = _ties_to_members(rel, member, np.arange(len(RELATIONSHIP_KINDS)))
    tied = np.zeros(w.n, dtype=bool)
    tied[p] = True
    order = np.argsort(rec.release_day)[::-1]
    person, day, prison = _first_per_person(
        rec.release_person[order], rec.release_day[order], rec.release_prison[order]
    )
    ok = tied[person]
    return _ev(
        person[ok],
        "prison_network",
        True,
        "Released from custody with known associates who are organised crime group members.",
        np.array(_PRISON_IDS, dtype=object)[prison[ok]],
        day[ok],
    )


def _belonging(rec: _Records) -> list[_Evidence]:
    looked_after = rec.care_type == 0
    la_p, la_day = _first_per_person(rec.care_person[looked_after], rec.care_start[looked_after])
    yos_p, yos_day = _first_per_person(rec.yos_person, rec.yos_start)
    return [
        _ev(
            la_p,
            "sense_of_belonging",
            True,
            "Has been looked after by the local authority.",
            CSC,
            la_day,
        ),
        _ev(
            yos_p, "sense_of_belonging", False, "Known to the Youth Justice Service.", YJS, yos_day
        ),
    ]


def _exploitation(
    w: _World, off: _Offences, rec: _Records, member: Bool, rel: _Ties
) -> list[_Evidence]:
    p, _, _ = _ties_to_members(rel, member, np.arange(len(RELATIONSHIP_KINDS)))
    tied = np.zeros(w.n, dtype=bool)
    tied[p] = True
    nfa = (off.outcome == _NFA) & np.isin(off.category, _EXPLOIT_CATEGORIES) & tied[off.person]
    o_p, o_day = _first_per_person(off.person[nfa], off.day[nfa])
    cp = (rec.care_type == 2) & tied[rec.care_person]
    c_p, c_day = _first_per_person(rec.care_person[cp], rec.care_start[cp])
    return [
        _ev(
            o_p,
            "victim_of_exploitation",
            False,
            "Arrested for an offence others directed; no further action after exploitation "
            "concerns were raised.",
            POLICE,
            o_day,
        ),
        _ev(
            c_p,
            "victim_of_exploitation",
            False,
            "Subject to a child protection plan with concerns about criminal exploitation.",
            CSC,
            c_day,
        ),
    ]


# factor -> (chance for organised criminals, at-risk people, everyone else; the statement)
_SOFT_FACTORS = {
    "financial_difficulties": (0.3, 0.25, 0.003, "Reports serious debts and no regular income."),
    "transitional_periods": (0.15, 0.2, 0.003, "Recent family breakdown and loss of work."),
    "pro_criminal_attitudes": (
        0.4,
        0.15,
        0.001,
        "Says the offending had no victim and sees nothing wrong in it.",
    ),
    "power_and_status": (
        0.35,
        0.15,
        0.001,
        "Seeks status through association with violence and visible wealth.",
    ),
}
_SOFT_SOURCES = {
    "financial_difficulties": (JOBCENTRE, HOUSING),
    "transitional_periods": (HEALTH, ASC, FAMILIES),
    "pro_criminal_attitudes": (POLICE, PROBATION),
    "power_and_status": (POLICE, YJS),
}


def _soft(
    rng: np.random.Generator, w: _World, has_probation: Bool, has_yos: Bool
) -> list[_Evidence]:
    out = []
    tiers = np.where(w.involvement == OC, 0, np.where(w.involvement == AT_RISK, 1, 2))
    for factor, (*chances, text) in _SOFT_FACTORS.items():
        p = np.array(chances)[tiers]
        if factor == "financial_difficulties":
            p = np.where(w.pathway == P_FINANCIAL, 1.0, p)
        who = np.flatnonzero((rng.random(w.n) < p) & ~w.cast & (w.age() >= 12))
        options = np.array(_SOFT_SOURCES[factor], dtype=object)
        source = options[rng.integers(0, len(options), len(who))]
        # an agency can only have observed what it holds a record for
        source = np.where((source == PROBATION) & ~has_probation[who], POLICE, source)
        source = np.where((source == YJS) & ~has_yos[who], POLICE, source)
        lo = np.maximum(_birthday(w.dob[who], 12), w.today - int(3 * _YEAR))
        day = _uniform_day(rng, lo, np.full(len(who), w.today - 1, dtype=np.int64))
        out.append(_ev(who, factor, rng.random(len(who)) < 0.4, text, source, day))
    return out


def _cast_soft() -> list[_Evidence]:
    return [
        _ev(np.array([p - 1]), f, s == "present", t, src, np.array([_cast_day(d)]))
        for p, f, s, t, src, d in _CAST_SOFT_FACTORS
    ]


def _observed(w: _World, parts: Sequence[_Evidence]) -> I64:
    """Evidence dates, kept between a person's tenth birthday and yesterday."""
    person = np.concatenate([p.person for p in parts])
    day = np.concatenate([p.day for p in parts])
    return np.clip(day, _birthday(w.dob[person], 10), w.today - 1)


def _build_factor_evidence(
    w: _World, grp: _Groups, off: _Offences, rec: _Records, rel: _Ties, seed: int
) -> pd.DataFrame:
    rng = _rng(seed, "factors")
    member = grp.members(w.n)
    has_probation = np.zeros(w.n, dtype=bool)
    has_probation[
        _probation_supervisions(
            w.today,
            rec.release_person,
            rec.release_day,
            rec.release_months,
            off.person,
            off.day,
            off.outcome,
            off.age(w),
        )[0]
    ] = True
    has_yos = np.zeros(w.n, dtype=bool)
    has_yos[rec.yos_person] = True
    parts = [
        _early_prolific(w, off),
        _gang(w, grp, off, rec, rel),
        _late_serious(w, off),
        *_ability(w, off, member, rel),
        *_networks(w, grp, rel, rec),
        *_belonging(rec),
        *_exploitation(w, off, rec, member, rel),
        *_cast_soft(),
        *_soft(rng, w, has_probation, has_yos),
    ]
    frame = pd.DataFrame(
        {
            "person_id": np.concatenate([p.person for p in parts]) + 1,
            "factor_id": np.concatenate(
                [np.full(len(p.person), p.factor, dtype=object) for p in parts]
            ),
            "status": np.where(
                np.concatenate([p.present for p in parts]), "present", "possible"
            ).astype(object),
            "evidence": np.concatenate([p.text for p in parts]),
            "source_agency_id": np.concatenate([p.source for p in parts]),
            "observed_on": _dates(_observed(w, parts)),
        }
    )
    # Prevent work starts around secondary-school age; younger children are safeguarded, not
    # assessed against the framework.
    frame = frame[w.age()[frame["person_id"].to_numpy() - 1] >= 10]
    frame = frame.drop_duplicates(["person_id", "factor_id"], keep="first")
    return frame.sort_values(["person_id", "factor_id"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Referrals
# --------------------------------------------------------------------------------------------

# A partnership hears of about a third of the people at risk in its area; the rest are
# found, if at all, by screening partner data.
REFERRAL_SHARE = 0.3
SCHOOL_REFERRAL_SHARE_OF_CHILDREN = 0.5
# pathway -> (referring agency kinds, the concern in the referrer's words, default factor)
_REFERRAL_BY_PATHWAY: Mapping[int, tuple[tuple[str, ...], str, str]] = {
    P_FAMILY: (
        ("families", "school", "police"),
        "Close family members are believed to be involved in organised crime and this "
        "person spends time at addresses linked to them. Staff are worried about who is "
        "influencing their choices.",
        "family_network",
    ),
    P_GANG: (
        ("school", "police", "yjs"),
        "Seen regularly with older peers linked to local drug supply, with missing episodes "
        "and unexplained cash. Concern that they are being drawn into a street group that "
        "supplies drugs for an organised crime group.",
        "gang_involvement",
    ),
    P_BELONGING: (
        ("csc", "school"),
        "Known to children's services after a disrupted upbringing. Spends time with "
        "peers linked to a street group and appears to be looking for belonging "
        "there.",
        "sense_of_belonging",
    ),
    P_EXPLOITED: (
        ("health", "csc", "police"),
        "Found carrying drugs far from home and showed signs of being controlled by "
        "others. Likely a victim of criminal exploitation; safeguarding comes first.",
        "victim_of_exploitation",
    ),
    P_INTIMATE: (
        ("police", "health"),
        "A partner is believed to be involved in organised crime. Concern that they are "
        "being pressed to store or move drugs, cash or weapons.",
        "intimate_relationships",
    ),
    P_PRISON: (
        ("probation", "police"),
        "Recently released from custody and back in contact with people met in prison who "
        "are linked to organised crime. Struggling to find work and stable housing.",
        "prison_network",
    ),
    P_TECH: (
        ("university", "police"),
        "Has strong IT skills and is active in online communities that trade stolen data "
        "and hacking tools. Concern about recruitment into cyber-enabled fraud.",
        "specialist_technical_skills",
    ),
    P_PROFESSIONAL: (
        ("licensing", "police"),
        "Works in a regulated profession and has clients linked to organised crime. "
        "Unusual transactions suggest they may be used as a professional enabler.",
        "professional_skills",
    ),
    P_ACCESS: (
        ("police",),
        "Has access to sensitive information or premises through work, and contact with "
        "people linked to organised crime suggests a risk of corruption.",
        "criminal_access",
    ),
    P_SKILLS: (
        ("police", "licensing"),
        "Has skills in demand by organised crime groups, such as engineering, driving or "
        "flying, and has recently been approached by a group member.",
        "specialist_criminal_skills",
    ),
    P_FINANCIAL: (
        ("jobcentre", "housing"),
        "Facing serious debt after losing work and has been offered quick money by "
        "people linked to organised crime.",
        "financial_difficulties",
    ),
    P_LATE: (
        ("police",),
        "No history until a recent serious offence; associates are linked to an organised "
        "crime group.",
        "late_serious_offending",
    ),
}
_REFERRER_IDS = {
    "families": FAMILIES,
    "police": POLICE,
    "yjs": YJS,
    "csc": CSC,
    "health": HEALTH,
    "probation": PROBATION,
    "university": UNIVERSITY,
    "licensing": LICENSING,
    "jobcentre": JOBCENTRE,
    "housing": HOUSING,
}


def _referrers(rng: np.random.Generator, w: _World, ag: _Agencies, who: I64) -> Obj:
    age = w.age()[who]
    out = np.empty(len(who), dtype=object)
    for pathway, (kinds, _, _) in _REFERRAL_BY_PATHWAY.items():
        idx = np.flatnonzero(w.pathway[who] == pathway)
        kind = np.array(kinds, dtype=object)[rng.integers(0, len(kinds), len(idx))]
        school = ag.secondary_ids[w.secondary[who[idx]]]
        resolved = np.array([_REFERRER_IDS.get(k, "") for k in kind], dtype=object)
        out[idx] = np.where(kind == "school", np.where(age[idx] < 19, school, POLICE), resolved)
    # Schools are the commonest source of referrals of children, whatever the pathway.
    by_school = (age < 19) & (rng.random(len(who)) < SCHOOL_REFERRAL_SHARE_OF_CHILDREN)
    out[by_school] = ag.secondary_ids[w.secondary[who[by_school]]]
    return out


def _referral_factors(fe: pd.DataFrame, who: I64, default: Obj) -> Obj:
    held = fe[fe["person_id"].isin(who + 1)]
    joined = held.groupby("person_id")["factor_id"].agg(lambda s: ";".join(sorted(s)))
    text = joined.reindex(who + 1).to_numpy(dtype=object)
    missing = pd.isna(text)
    return np.where(missing, default, text).astype(object)


def _build_referrals(w: _World, fe: pd.DataFrame, ag: _Agencies, seed: int) -> pd.DataFrame:
    rng = _rng(seed, "referrals")
    at_risk = np.flatnonzero(~w.cast & (w.involvement == AT_RISK))
    who = _pick(rng, at_risk, max(4, round(len(at_risk) * REFERRAL_SHARE)))
    n = len(who)
    concerns = np.array([""] * 13, dtype=object)
    defaults = np.array([""] * 13, dtype=object)
    for pathway, (_, concern, factor) in _REFERRAL_BY_PATHWAY.items():
        concerns[pathway], defaults[pathway] = concern, factor
    child = w.age()[who] < 18
    consent = np.where(
        child,
        rng.choice(4, size=n, p=[0.4, 0.1, 0.3, 0.2]),
        rng.choice(4, size=n, p=[0.55, 0.15, 0.0, 0.3]),
    )
    stage = rng.permutation(np.arange(n) % len(STAGES))
    cast = list(zip(*_CAST_REFERRALS, strict=True))
    cast_ids = np.array(cast[0], dtype=np.int64) - 1
    generic = pd.DataFrame(
        {
            "person_id": who + 1,
            "referring_agency_id": _referrers(rng, w, ag, who),
            "referred_on": _dates(w.today - _between(rng, 1, 540, n)),
            "concern": concerns[w.pathway[who]],
            "factor_ids": _referral_factors(fe, who, defaults[w.pathway[who]]),
            "consent": np.array(CONSENTS, dtype=object)[consent],
            "stage": np.array(STAGES, dtype=object)[stage],
        }
    )
    cast_frame = pd.DataFrame(
        {
            "person_id": cast_ids + 1,
            "referring_agency_id": np.array(cast[1], dtype=object),
            "referred_on": _dates(np.array([_cast_day(d) for d in cast[2]], dtype=np.int64)),
            "concern": np.array(cast[5], dtype=object),
            "factor_ids": np.array(
                [";".join(sorted(CASE_STUDY_FACTORS[c])) for c in CASE_STUDIES], dtype=object
            ),
            "consent": np.array(cast[3], dtype=object),
            "stage": np.array(cast[4], dtype=object),
        }
    )
    return pd.concat([cast_frame, generic], ignore_index=True)


# --------------------------------------------------------------------------------------------
# Frames
# --------------------------------------------------------------------------------------------


def _people_frame(w: _World) -> pd.DataFrame:
    vocab = _names().vocab
    postcodes = np.append(_postcodes(), "")  # index -1 is "no previous postcode"
    return pd.DataFrame(
        {
            "person_id": np.arange(1, w.n + 1, dtype=np.int64),
            "given_name": vocab[w.given],
            "middle_name": vocab[w.middle],
            "family_name": vocab[w.family],
            "date_of_birth": _dates(w.dob),
            "sex": np.where(w.male, "male", "female").astype(object),
            "ethnicity": np.array(ETHNICITIES, dtype=object)[w.eth],
            "nationality": w.nationality,
            "linked_countries": _join_codes(w.links, COUNTRIES),
            "ward": np.array(WARDS, dtype=object)[w.ward],
            "postcode": postcodes[w.postcode],
            "involvement": np.array(INVOLVEMENTS, dtype=object)[w.involvement],
            "occupation": np.array([o for o, _, _ in _OCCUPATIONS], dtype=object)[w.occupation],
            "previous_postcode": postcodes[w.prev_postcode],
        }
    )


def _case_studies_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_id": np.arange(1, len(CASE_STUDIES) + 1, dtype=np.int64),
            "case_study": np.array(CASE_STUDIES, dtype=object),
            "summary": np.array(_CASE_SUMMARIES, dtype=object),
        }
    )


# --------------------------------------------------------------------------------------------
# Partner extracts
# --------------------------------------------------------------------------------------------

NAME_TYPO_RATE, NICKNAME_RATE, DOB_SWAP_RATE = 0.03, 0.05, 0.01
_AGENCY_ID_TYPE = {
    "police": "pnc",
    "childrens_social_care": "social_care_id",
    "health": "nhs_number",
    "prison": "prison_number",
    "probation": "probation_crn",
    "youth_offending": "yos_id",
    "school": "upn",
}
_HEALTH_SETTINGS = (
    "gp_practice",
    "emergency_department",
    "urgent_treatment_centre",
    "community_services",
    "outpatients",
)


def _typo_variants(name: str) -> list[str]:
    """Three misspellings of a name: adjacent letters swapped, a letter dropped, one doubled."""
    if len(name) < 3:
        return [name] * 3
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    i, j, k = (int(x) for x in rng.integers(1, len(name) - 1, size=3))
    return [
        name[:i] + name[i + 1] + name[i] + name[i + 2 :],
        name[:j] + name[j + 1 :],
        name[:k] + name[k] + name[k:],
    ]


@dataclass(frozen=True)
class _PeopleView:
    """What the extracts need about people, with names as codes into a noisy vocabulary."""

    today: int
    dob: I64
    male: Bool
    postcode: Obj
    previous: Obj
    given: I64
    middle: I64
    family: I64
    vocab: pa.Array
    typos: I64
    nicknames: I64
    nickname_count: I64
    ids: Mapping[str, Obj]
    id_agency: Mapping[str, Obj]

    def holders(self, id_type: str) -> I64:
        return np.flatnonzero(self.ids[id_type] != "").astype(np.int64)


def _people_view(area: SyntheticArea) -> _PeopleView:
    people = area.people
    n = len(people)
    names = pd.concat([people["given_name"], people["middle_name"], people["family_name"]])
    codes, uniques = pd.factorize(names, sort=True)
    base = [str(u) for u in uniques]
    extra: dict[str, int] = {}
    vocab = list(base)

    def code(word: str) -> int:
        if word not in extra:
            extra[word] = len(vocab)
            vocab.append(word)
        return extra[word]

    typos = np.array([[code(t) for t in _typo_variants(u)] for u in base], dtype=np.int64)
    variants = [sorted(NICKNAMES.get(u, ())) for u in base]
    width = max(1, max(len(v) for v in variants))
    nicknames = np.full((len(base), width), -1, dtype=np.int64)
    for i, options in enumerate(variants):
        nicknames[i, : len(options)] = [code(o) for o in options]
    ids, agency = _identifier_lookup(area.identifiers, n)
    return _PeopleView(
        today=_day(area.today),
        dob=_to_days(people["date_of_birth"]),
        male=(people["sex"] == "male").to_numpy(),
        postcode=people["postcode"].to_numpy(dtype=object),
        previous=people["previous_postcode"].to_numpy(dtype=object),
        given=codes[:n].astype(np.int64),
        middle=codes[n : 2 * n].astype(np.int64),
        family=codes[2 * n :].astype(np.int64),
        vocab=pa.array(vocab, type=pa.string()),
        typos=typos,
        nicknames=nicknames,
        nickname_count=np.array([len(v) for v in variants], dtype=np.int64),
        ids=ids,
        id_agency=agency,
    )


def _identifier_lookup(ids: pd.DataFrame, n: int) -> tuple[dict[str, Obj], dict[str, Obj]]:
    values: dict[str, Obj] = {}
    agencies: dict[str, Obj] = {}
    for id_type in IDENTIFIER_TYPES:
        rows = ids[ids["identifier_type"] == id_type]
        person = rows["person_id"].to_numpy() - 1
        values[id_type] = np.full(n, "", dtype=object)
        values[id_type][person] = rows["value"].to_numpy(dtype=object)
        agencies[id_type] = np.full(n, "", dtype=object)
        agencies[id_type][person] = rows["agency_id"].to_numpy(dtype=object)
    return values, agencies


def _to_days(col: pd.Series) -> I64:
    days = col.to_numpy(dtype="datetime64[D]")
    return np.where(np.isnat(days), _NAT, days.astype(np.int64))


def _date_array(days: I64, missing: Bool | None = None) -> pa.Array:
    mask = days == _NAT if missing is None else (days == _NAT) | missing
    return pa.array(np.where(mask, 0, days).astype(np.int32), type=pa.date32(), mask=mask)


def _swap_day_month(rng: np.random.Generator, dob: I64) -> I64:
    y, m, d = _ymd(dob)
    swap = (rng.random(len(dob)) < DOB_SWAP_RATE) & (d <= 12) & (d != m)
    months = ((y - 1970) * 12 + d - 1).astype("timedelta64[M]") + np.datetime64("1970-01", "M")
    swapped = (months.astype("datetime64[D]") + (m - 1).astype("timedelta64[D]")).astype(np.int64)
    return np.where(swap, swapped, dob)


def _noisy_names(
    rng: np.random.Generator, v: _PeopleView, person: I64, keep_middle: float
) -> tuple[I64, I64, I64]:
    n = len(person)
    given, middle, family = v.given[person], v.middle[person], v.family[person]
    count = v.nickname_count[given]
    nick = (rng.random(n) < NICKNAME_RATE) & (count > 0)
    choice = np.floor(rng.random(n) * np.maximum(count, 1)).astype(np.int64)
    given = np.where(nick, v.nicknames[given, choice], given)
    typo = rng.random(n) < NAME_TYPO_RATE
    in_given = rng.random(n) < 0.4
    variant = rng.integers(0, 3, size=n)
    base_given = given < len(v.typos)
    given = np.where(
        typo & in_given & base_given, v.typos[np.minimum(given, len(v.typos) - 1), variant], given
    )
    family = np.where(typo & ~in_given, v.typos[family, variant], family)
    # factorize(sort=True) puts the empty string first, so code 0 is "no middle name"
    middle = np.where(rng.random(n) < keep_middle, middle, 0)
    return given, middle, family


def _names_columns(
    v: _PeopleView, given: I64, middle: I64, family: I64, *, upper_family: bool = False
) -> dict[str, pa.Array]:
    family_vocab = pa.compute.utf8_upper(v.vocab) if upper_family else v.vocab
    return {
        "given_name": pa.DictionaryArray.from_arrays(pa.array(given.astype(np.int32)), v.vocab),
        "middle_name": pa.DictionaryArray.from_arrays(pa.array(middle.astype(np.int32)), v.vocab),
        "family_name": pa.DictionaryArray.from_arrays(
            pa.array(family.astype(np.int32)), family_vocab
        ),
    }


def _identity(
    rng: np.random.Generator,
    v: _PeopleView,
    person: I64,
    *,
    keep_middle: float = 0.6,
    stale: float = 0.2,
    upper_family: bool = False,
    short_sex: bool = False,
) -> dict[str, pa.Array]:
    """Names, date of birth, sex and postcode as one agency recorded them, with noise."""
    given, middle, family = _noisy_names(rng, v, person, keep_middle)
    moved = (v.previous[person] != "") & (rng.random(len(person)) < stale)
    sexes = ("M", "F") if short_sex else ("male", "female")
    return {
        **_names_columns(v, given, middle, family, upper_family=upper_family),
        "date_of_birth": _date_array(_swap_day_month(rng, v.dob[person])),
        "sex": pa.array(np.where(v.male[person], sexes[0], sexes[1])),
        "postcode": pa.array(
            np.where(moved, v.previous[person], v.postcode[person]), type=pa.string()
        ),
    }


def _cross_reference(rng: np.random.Generator, values: Obj, known: float = 0.9) -> pa.Array:
    """Another agency's identifier as this agency holds it: sometimes not recorded."""
    return pa.array(np.where(rng.random(len(values)) < known, values, ""), type=pa.string())


@dataclass
class _Extract:
    columns: dict[str, pa.Array | npt.NDArray[Any]]
    truth: dict[str, npt.NDArray[Any]] | None


def _shuffled(rng: np.random.Generator, *cols: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], ...]:
    order = rng.permutation(len(cols[0]))
    return tuple(c[order] for c in cols)


def _pick_columns(d: Mapping[str, pa.Array], *names: str) -> dict[str, pa.Array]:
    return {n: d[n] for n in names}


def _police_nominals(area: SyntheticArea, v: _PeopleView, rng: np.random.Generator) -> _Extract:
    (person,) = _shuffled(rng, v.holders("pnc"))
    ident = _identity(rng, v, person, keep_middle=0.7, stale=0.4, upper_family=True, short_sex=True)
    return _Extract(
        {
            "pnc": v.ids["pnc"][person],
            **_pick_columns(
                ident,
                "family_name",
                "given_name",
                "middle_name",
                "date_of_birth",
                "sex",
                "postcode",
            ),
        },
        {"person_id": person + 1},
    )


def _police_offences(area: SyntheticArea, v: _PeopleView, rng: np.random.Generator) -> _Extract:
    o = area.offences
    (row,) = _shuffled(rng, np.arange(len(o)))
    person = o["person_id"].to_numpy()[row] - 1
    day = _to_days(o["offence_date"])[row]
    reference = _concat(
        "HM/",
        _strings(_ymd(day)[0] % 100, 2),
        "/",
        _strings(_unique_serials(rng, len(row), 10**7), 7),
    )
    return _Extract(
        {
            "crime_reference": reference,
            "pnc": v.ids["pnc"][person],
            "offence_date": _date_array(day),
            "offence_category": o["offence_category"].to_numpy(dtype=object)[row],
            "outcome": o["outcome"].to_numpy(dtype=object)[row],
            "recording_agency_id": o["recording_agency_id"].to_numpy(dtype=object)[row],
        },
        {"person_id": person + 1, "offence_id": o["offence_id"].to_numpy()[row]},
    )


def _ocg_groups(area: SyntheticArea, v: _PeopleView, rng: np.random.Generator) -> _Extract:
    g = area.groups
    return _Extract(
        {
            c: g[c].to_numpy(dtype=object)
            for c in ("reference", "name", "crime_types", "linked_countries", "status")
        },
        None,
    )


def _ocg_nominals(area: SyntheticArea, v: _PeopleView, rng: np.random.Generator) -> _Extract:
    (person,) = _shuffled(rng, np.unique(area.memberships["person_id"].to_numpy()) - 1)
    ident = _identity(rng, v, person, stale=0.3, upper_family=True, short_sex=True)
    links = area.people["linked_countries"].to_numpy(dtype=object)[person]
    return _Extract(
        {
            "pnc": v.ids["pnc"][person],
            **_pick_columns(ident, "family_name", "given_name", "date_of_birth", "sex", "postcode"),
            "overseas_links": links,
        },
        {"person_id": person + 1},
    )


def _ocg_memberships(area: SyntheticArea, v: _PeopleView, rng: np.random.Generator) -> _Extract:
    m = area.memberships
    (row,) = _shuffled(rng, np.arange(len(m)))
    person = m["person_id"].to_numpy()[row] - 1
    group = m["group_id"].to_numpy()[row]
    refs = area.groups["reference"].to_numpy(dtype=object)[group - 1]
    return _Extract(
        {
            "group_reference": refs,
            "pnc": v.ids["pnc"][person],
            "role": m["role"].to_numpy(dtype=object)[row],
            "start_date": _date_array(_to_days(m["start_date"])[row]),
            "end_date": _date_array(_to_days(m["end_date"])[row]),
            "source_agency_id": m["source_agency_id"].to_numpy(dtype=object)[row],
        },
        {"person_id": person + 1, "group_id": group},
    )


def _per_row_identity(
    rng: np.random.Generator, v: _PeopleView, frame: pd.DataFrame, **kw: Any
) -> tuple[I64, I64, dict[str, pa.Array]]:
    (row,) = _shuffled(rng, np.arange(len(frame)))
    person = frame["person_id"].to_numpy()[row] - 1
    return row, person, _identity(rng, v, person, **kw)


def _childrens_social_care(
    area: SyntheticArea, v: _PeopleView, rng: np.random.Generator
) -> _Extract:
    c = area.care_episodes
    row, person, ident = _per_row_identity(rng, v, c, keep_middle=0.8, stale=0.15)
    return _Extract(
        {
            "social_care_id": v.ids["social_care_id"][person],
            **_pick_columns(
                ident,
                "given_name",
                "middle_name",
                "family_name",
                "date_of_birth",
                "sex",
                "postcode",
            ),
            "episode_type": c["episode_type"].to_numpy(dtype=object)[row],
            "start_date": _date_array(_to_days(c["start_date"])[row]),
            "end_date": _date_array(_to_days(c["end_date"])[row]),
        },
        {"person_id": person + 1},
    )


def _year_group(v: _PeopleView, person: I64) -> Obj:
    y, m, _ = _ymd(np.array([v.today], dtype=np.int64))
    year = int(y[0]) if int(m[0]) >= 9 else int(y[0]) - 1
    age = _age_on(v.dob[person], _day(date(year, 8, 31)))
    labels = np.array(["N", "R", *[str(i) for i in range(1, 14)]], dtype=object)
    return labels[np.clip(age - 3, 0, len(labels) - 1)]


def _school_pupils(area: SyntheticArea, v: _PeopleView, rng: np.random.Generator) -> _Extract:
    holders = v.holders("upn")
    age = _age_on(v.dob[holders], v.today)
    (person,) = _shuffled(rng, holders[(age >= 4) & (age <= 17)])
    ident = _identity(rng, v, person, keep_middle=0.9, stale=0.1)
    return _Extract(
        {
            "upn": v.ids["upn"][person],
            "school_agency_id": v.id_agency["upn"][person],
            **_pick_columns(
                ident,
                "given_name",
                "middle_name",
                "family_name",
                "date_of_birth",
                "sex",
                "postcode",
            ),
            "year_group": _year_group(v, person),
        },
        {"person_id": person + 1},
    )


def _school_exclusions(area: SyntheticArea, v: _PeopleView, rng: np.random.Generator) -> _Extract:
    e = area.school_exclusions
    row, person, ident = _per_row_identity(rng, v, e, stale=0.1)
    return _Extract(
        {
            "upn": v.ids["upn"][person],
            "school_agency_id": e["agency_id"].to_numpy(dtype=object)[row],
            **_pick_columns(ident, "given_name", "family_name", "date_of_birth"),
            "exclusion_date": _date_array(_to_days(e["exclusion_date"])[row]),
            "exclusion_type": e["exclusion_type"].to_numpy(dtype=object)[row],
            "reason": e["reason"].to_numpy(dtype=object)[row],
        },
        {"person_id": person + 1},
    )


def _youth_offending(area: SyntheticArea, v: _PeopleView, rng: np.random.Generator) -> _Extract:
    y = area.youth_offending
    row, person, ident = _per_row_identity(rng, v, y, stale=0.2)
    return _Extract(
        {
            "yos_id": v.ids["yos_id"][person],
            "pnc": _cross_reference(rng, v.ids["pnc"][person]),
            **_pick_columns(ident, "given_name", "family_name", "date_of_birth", "sex", "postcode"),
            "order_type": y["order_type"].to_numpy(dtype=object)[row],
            "start_date": _date_array(_to_days(y["start_date"])[row]),
            "end_date": _date_array(_to_days(y["end_date"])[row]),
        },
        {"person_id": person + 1},
    )


def _prison_releases(area: SyntheticArea, v: _PeopleView, rng: np.random.Generator) -> _Extract:
    r = area.prison_releases
    row, person, ident = _per_row_identity(rng, v, r, stale=0.5, upper_family=True)
    return _Extract(
        {
            "prison_number": v.ids["prison_number"][person],
            "pnc": _cross_reference(rng, v.ids["pnc"][person], 0.95),
            **_pick_columns(ident, "given_name", "family_name", "date_of_birth"),
            "establishment": r["establishment"].to_numpy(dtype=object)[row],
            "release_date": _date_array(_to_days(r["release_date"])[row]),
            "sentence_months": r["sentence_months"].to_numpy()[row],
            "release_postcode": ident["postcode"],
        },
        {"person_id": person + 1},
    )


def _probation_caseload(area: SyntheticArea, v: _PeopleView, rng: np.random.Generator) -> _Extract:
    r, o = area.prison_releases, area.offences
    person, kind, start, end = _probation_supervisions(
        v.today,
        r["person_id"].to_numpy() - 1,
        _to_days(r["release_date"]),
        r["sentence_months"].to_numpy(),
        o["person_id"].to_numpy() - 1,
        _to_days(o["offence_date"]),
        o["outcome"].map(OUTCOMES.index).to_numpy(),
        o["age_at_offence"].to_numpy(),
    )
    recent = end >= v.today - 2 * 365  # the caseload keeps two years of closed cases
    person, kind, start, end = _shuffled(
        rng, person[recent], kind[recent], start[recent], end[recent]
    )
    ident = _identity(rng, v, person, keep_middle=0.7, stale=0.3, short_sex=True)
    return _Extract(
        {
            "crn": v.ids["probation_crn"][person],
            "pnc": _cross_reference(rng, v.ids["pnc"][person], 0.95),
            **_pick_columns(
                ident,
                "given_name",
                "middle_name",
                "family_name",
                "date_of_birth",
                "sex",
                "postcode",
            ),
            "supervision_type": np.array(["licence", "community_order"], dtype=object)[kind],
            "start_date": _date_array(start),
            "end_date": _date_array(end),
        },
        {"person_id": person + 1},
    )


def _health_contacts(area: SyntheticArea, v: _PeopleView, rng: np.random.Generator) -> _Extract:
    involved = (area.people["involvement"] != "none").to_numpy()
    n = len(involved)
    chosen = np.flatnonzero(rng.random(n) < np.where(involved, 0.35, 0.2))
    person = np.repeat(chosen, rng.choice([1, 2], size=len(chosen), p=[0.8, 0.2]))
    (person,) = _shuffled(rng, person)
    lo = np.maximum(v.dob[person], v.today - 730)
    day = _uniform_day(rng, lo, np.full(len(person), v.today - 1, dtype=np.int64))
    nhs = v.ids["nhs_number"][person].astype(np.dtypes.StringDType())
    spaced = _concat(
        np.strings.slice(nhs, 0, 3),
        " ",
        np.strings.slice(nhs, 3, 6),
        " ",
        np.strings.slice(nhs, 6, 10),
    )
    ident = _identity(rng, v, person, stale=0.25)
    setting = rng.choice(len(_HEALTH_SETTINGS), size=len(person), p=[0.45, 0.2, 0.1, 0.15, 0.1])
    return _Extract(
        {
            "nhs_number": np.where(rng.random(len(person)) < 0.7, spaced, nhs.astype(object)),
            **_pick_columns(ident, "given_name", "family_name", "date_of_birth", "sex", "postcode"),
            "contact_date": _date_array(day),
            "setting": np.array(_HEALTH_SETTINGS, dtype=object)[setting],
        },
        {"person_id": person + 1},
    )


def _take(col: pd.Series, row: I64) -> pa.Array:
    return pa.array(col).take(pa.array(row))


def _relationships(area: SyntheticArea, v: _PeopleView, rng: np.random.Generator) -> _Extract:
    r = area.relationships
    (row,) = _shuffled(rng, np.arange(len(r)))
    codes, sources = pd.factorize(r["source_agency_id"])
    codes = codes[row]
    kinds = dict(zip(area.agencies["agency_id"], area.agencies["kind"], strict=True))
    # the identifier type the recording agency holds for the people it names
    type_code = np.array(
        [
            IDENTIFIER_TYPES.index(_AGENCY_ID_TYPE[kinds[s]]) if kinds[s] in _AGENCY_ID_TYPE else -1
            for s in sources
        ]
    )[codes]
    no_dob = (
        (codes == list(sources).index(POLICE)) & (rng.random(len(row)) < 0.15)
        if POLICE in set(sources)
        else np.zeros(len(row), dtype=bool)
    )
    cols: dict[str, pa.Array | npt.NDArray[Any]] = {
        "source_agency_id": _take(r["source_agency_id"], row),
        "kind": _take(r["kind"], row),
        "start_date": _date_array(_to_days(r["start_date"])[row]),
        "end_date": _date_array(_to_days(r["end_date"])[row]),
        "confidence": _take(r["confidence"], row),
    }
    type_names = pa.array([*IDENTIFIER_TYPES, ""])
    truth = {}
    for end in ("a", "b"):
        person = r[f"person_{end}"].to_numpy()[row] - 1
        ref = np.full(len(row), "", dtype=object)
        for t, id_type in enumerate(IDENTIFIER_TYPES):
            at = type_code == t
            ref[at] = v.ids[id_type][person[at]]
        held = np.where(ref != "", type_code, -1)
        given, _, family = _noisy_names(rng, v, person, 0.0)
        names = _names_columns(v, given, given, family)
        cols |= {
            f"{end}_identifier_type": pa.DictionaryArray.from_arrays(
                pa.array(np.where(held >= 0, held, len(IDENTIFIER_TYPES)).astype(np.int32)),
                type_names,
            ),
            f"{end}_identifier": pa.array(ref, type=pa.string()),
            f"{end}_given_name": names["given_name"],
            f"{end}_family_name": names["family_name"],
            f"{end}_date_of_birth": _date_array(_swap_day_month(rng, v.dob[person]), no_dob),
        }
        truth[f"person_{end}"] = person + 1
    return _Extract(cols, truth)


_EXTRACTS: tuple[
    tuple[str, Callable[[SyntheticArea, _PeopleView, np.random.Generator], _Extract]], ...
] = (
    ("police_nominals", _police_nominals),
    ("police_offences", _police_offences),
    ("ocg_groups", _ocg_groups),
    ("ocg_nominals", _ocg_nominals),
    ("ocg_memberships", _ocg_memberships),
    ("childrens_social_care", _childrens_social_care),
    ("school_pupils", _school_pupils),
    ("school_exclusions", _school_exclusions),
    ("youth_offending", _youth_offending),
    ("prison_releases", _prison_releases),
    ("probation_caseload", _probation_caseload),
    ("health_contacts", _health_contacts),
    ("relationships", _relationships),
)
EXTRACT_FILES = tuple(f"{name}.csv" for name, _ in _EXTRACTS)


def _write_csv(path: Path, columns: Mapping[str, pa.Array | npt.NDArray[Any]]) -> int:
    table = pa.table({k: c if isinstance(c, pa.Array) else pa.array(c) for k, c in columns.items()})
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="needed"))
    return table.num_rows


def write_partner_extracts(
    area: SyntheticArea,
    out_dir: Path,
    *,
    seed: int,
    progress: Progress | None = None,
) -> list[Path]:
    """Write one CSV per partner-agency system, the truth/ files that map every extract row to
    the true person, and manifest.json. Returns every path written."""
    out_dir = Path(out_dir)
    (out_dir / "truth").mkdir(parents=True, exist_ok=True)
    steps = _Steps(progress, [*(name for name, _ in _EXTRACTS), "manifest"])
    view = _people_view(area)
    written: list[Path] = []
    listing = []
    for name, build in _EXTRACTS:
        extract = build(area, view, _rng(seed, name))
        path = out_dir / f"{name}.csv"
        rows = _write_csv(path, extract.columns)
        written.append(path)
        entry: dict[str, Any] = {"path": path.name, "rows": rows, "truth": None}
        if extract.truth is not None:
            truth_path = out_dir / "truth" / f"{name}.csv"
            _write_csv(truth_path, {"row": np.arange(1, rows + 1), **extract.truth})
            written.append(truth_path)
            entry["truth"] = f"truth/{name}.csv"
        listing.append(entry)
        steps.done()
    manifest = out_dir / "manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "generator_version": GENERATOR_VERSION,
                "seed": seed,
                "area_seed": area.seed,
                "today": area.today.isoformat(),
                "area": AREA_NAME,
                "counts": {name: len(frame) for name, frame in area.frames().items()},
                "files": listing,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    written.append(manifest)
    steps.done()
    return written
