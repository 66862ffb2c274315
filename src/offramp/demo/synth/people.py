"""People in households, then who is involved and how.

Who is at risk or an organised criminal, on which pathway, in which occupation.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from .agencies import _Agencies, _assign_school
from .cast import _CAST, _CAST_MOVED, N_CAST, _cast_day
from .constants import (
    _CC,
    _ETH,
    _ETH_GROUP,
    _ETH_SHARE,
    _SOURCE_COUNTRIES,
    _WARD_SHARE,
    _YEAR,
    AT_RISK,
    ETHNICITIES,
    F64,
    I64,
    NONE,
    OC,
    WARDS,
    Bool,
    Obj,
)
from .naming import (
    _FAMILY_MIX,
    _GIVEN_MIX,
    _GIVEN_POOLS,
    _HERITAGE_LINK,
    _NATION_CODES,
    _UNITS_PER_WARD,
    _draw_family,
    _draw_given,
    _heritage_table,
    _names,
    _nationality_table,
)
from .vectors import _age_on, _choose_rows, _pick, _rng

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
