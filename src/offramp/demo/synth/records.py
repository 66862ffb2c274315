"""Agency records: custody releases, youth justice, children's social care and school exclusions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from offramp.partner_records import (
    CARE_EPISODES,
    YOUTH_ORDERS,
)

from .agencies import _PRISONS, _Agencies
from .cast import _CAST_CARE, _CAST_EXCLUSIONS, _CAST_YOS, N_CAST, _cast_day
from .constants import (
    _COMMUNITY,
    _CUSTODY,
    _EXCLUSION_REASON_P,
    _MONTH,
    _YOUTH_CAUTION,
    EXCLUSION_REASONS,
    F64,
    I64,
    OC,
    Bool,
)
from .offences import _age_window, _Offences, _repeat
from .people import P_BELONGING, P_EXPLOITED, P_FAMILY, P_GANG, _World
from .vectors import _NAT, _age_on, _between, _birthday, _dates, _day, _rng, _uniform_day

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
