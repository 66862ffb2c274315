"""Agency identifiers, and evidence for the guide's factors.

The evidence is derived from the records, so it never contradicts them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from offramp.partner_records import (
    OFFENCE_CATEGORIES,
    RELATIONSHIP_KINDS,
)

from .agencies import (
    _PRISON_IDS,
    ASC,
    CSC,
    FAMILIES,
    HEALTH,
    HOUSING,
    JOBCENTRE,
    POLICE,
    PROBATION,
    YJS,
    _Agencies,
)
from .cast import _CAST_SOFT_FACTORS, _cast_day
from .constants import (
    _CAT,
    _COMMUNITY,
    _CUSTODY,
    _FAMILY_KINDS,
    _K,
    _MONTH,
    _NFA,
    _YEAR,
    AT_RISK,
    I64,
    OC,
    Bool,
    Obj,
)
from .groups import _DRUG_TYPES, _Groups
from .offences import _Offences
from .people import _OCCUPATIONS, P_FINANCIAL, _occ_flag, _World
from .records import _Records
from .relationships import _Ties
from .vectors import (
    _birthday,
    _concat,
    _dates,
    _letters,
    _rng,
    _strings,
    _uniform_day,
    _unique_serials,
    _ymd,
)

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
