"""Organised crime groups and their memberships."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from offramp.partner_records import GROUP_ROLES as ROLES
from offramp.partner_records import (
    GROUP_STATUSES,
    OFFENCE_CATEGORIES,
)

from .agencies import POLICE, ROCU
from .cast import _CAST_GROUPS, _CAST_MEMBERSHIPS, _cast_day
from .constants import _CAT, _CC, _YEAR, COUNTRIES, I64, OC, Bool, Obj
from .people import _World
from .vectors import _NAT, _birthday, _dates, _join_codes, _probs, _rng, _uniform_day

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
