"""Partner extracts: the files each agency would export, with realistic noise.

The ground truth that links them is written beside them.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from offramp.analysis.nicknames import NICKNAMES
from offramp.partner_records import (
    OUTCOMES,
)

from .agencies import POLICE
from .area import SyntheticArea, _Steps
from .constants import AREA_NAME, GENERATOR_VERSION, I64, IDENTIFIER_TYPES, Bool, Obj, Progress
from .evidence import _probation_supervisions
from .vectors import (
    _NAT,
    _age_on,
    _concat,
    _day,
    _rng,
    _strings,
    _uniform_day,
    _unique_serials,
    _ymd,
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
