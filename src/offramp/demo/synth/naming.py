"""Names by heritage, and the area's geography.

Wards, postcodes, nationality and linked countries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from offramp.demo.names import FAMILY_NAMES, GIVEN_NAMES

from .cast import _CAST
from .constants import _CC, COUNTRIES, F64, I64, WARDS, Bool, Obj
from .vectors import _probs

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
