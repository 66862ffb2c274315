"""The area's partner agencies: fixed services, prisons and generated schools."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .constants import I64, WARDS, Obj

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
