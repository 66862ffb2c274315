"""Small vectorised helpers: days, ages, draws and string columns over numpy arrays."""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from .constants import F64, I64, Obj

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
