"""The relationship network: families, partners, associates, prison and online ties."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from offramp.partner_records import (
    RELATIONSHIP_KINDS,
)

from .agencies import _PRISON_IDS, CSC, HEALTH, HOUSING, HOUSING_ASSOC, POLICE, ROCU
from .cast import _CAST_GROUPS, _CAST_TIES, N_CAST, _cast_day
from .constants import (
    _CAT,
    _CC,
    _FAMILY_KINDS,
    _K,
    _SOURCE_COUNTRIES,
    _YEAR,
    AT_RISK,
    I64,
    WARDS,
    Obj,
)
from .groups import _Groups
from .offences import _Offences
from .people import (
    _CHILD,
    _GRANDPARENT,
    _HEAD,
    _PARTNER,
    _SHARER,
    P_ACCESS,
    P_BELONGING,
    P_EXPLOITED,
    P_FINANCIAL,
    P_GANG,
    P_INTIMATE,
    P_LATE,
    P_PRISON,
    P_PROFESSIONAL,
    P_SKILLS,
    P_TECH,
    _World,
)
from .records import _Records
from .vectors import _NAT, _birthday, _dates, _rng, _uniform_day

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
