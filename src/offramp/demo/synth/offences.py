"""Offences, custody and sentences."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from offramp.partner_records import (
    OFFENCE_CATEGORIES,
    OUTCOMES,
)

from .agencies import POLICE, ROCU
from .cast import _CAST_OFFENCES, _cast_day
from .constants import _CAT, _CUSTODY, _MONTH, AT_RISK, F64, I64, NONE, OC, Obj
from .groups import _Groups
from .people import (
    P_BELONGING,
    P_EXPLOITED,
    P_FAMILY,
    P_FINANCIAL,
    P_GANG,
    P_INTIMATE,
    P_LATE,
    P_PRISON,
    P_TECH,
    _World,
)
from .vectors import _age_on, _between, _birthday, _dates, _probs, _rng, _uniform_day

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
