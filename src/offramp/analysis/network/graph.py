"""Tie types, the ties and group memberships held as arrays, and the graph built from them
(each tie's length from its type, end date and confidence)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Final

import igraph as ig
import numpy as np
import numpy.typing as npt

from .arrays import BoolArray, CodeArray, DateArray, FloatArray, IntArray


class TieType(StrEnum):
    """A relationship between two people, read from the tie's source to its target.

    FAMILY_PARENT: the source is a parent of the target; FAMILY_CHILD: the source is a child of
    the target. Every other type reads the same both ways.
    """

    FAMILY_PARENT = "family_parent"
    FAMILY_CHILD = "family_child"
    FAMILY_SIBLING = "family_sibling"
    FAMILY_OTHER = "family_other"
    INTIMATE_PARTNER = "intimate_partner"
    ASSOCIATE_PEER = "associate_peer"
    ASSOCIATE_COLLEAGUE = "associate_colleague"
    ASSOCIATE_CLIENT = "associate_client"
    ASSOCIATE_NEIGHBOUR = "associate_neighbour"
    CO_OFFENDER = "co_offender"
    PRISON = "prison"  # in the same establishment at the same time
    ONLINE_COMMUNITY = "online_community"  # members of the same online community
    ONLINE_PLATFORM = "online_platform"  # in direct contact through an online platform
    BUSINESS = "business"

    def reversed(self) -> TieType:
        """The same tie read from target to source."""
        if self is TieType.FAMILY_PARENT:
            return TieType.FAMILY_CHILD
        if self is TieType.FAMILY_CHILD:
            return TieType.FAMILY_PARENT
        return self


class MembershipRole(StrEnum):
    PRINCIPAL = "principal"
    CORE = "core"
    PERIPHERAL = "peripheral"
    ENABLER = "enabler"


# Arrays hold a tie type or role as its index in these tuples.
TIE_TYPES: Final[tuple[TieType, ...]] = tuple(TieType)
MEMBERSHIP_ROLES: Final[tuple[MembershipRole, ...]] = tuple(MembershipRole)

# The length of an ongoing, certain tie: closer relationships are shorter. The one table to
# change; docs/network-analysis.md gives the reasons.
BASE_LENGTH: Final[Mapping[TieType, float]] = MappingProxyType(
    {
        TieType.FAMILY_PARENT: 1.0,
        TieType.FAMILY_CHILD: 1.0,
        TieType.FAMILY_SIBLING: 1.0,
        TieType.FAMILY_OTHER: 1.5,
        TieType.INTIMATE_PARTNER: 1.0,
        TieType.ASSOCIATE_PEER: 1.5,
        TieType.ASSOCIATE_COLLEAGUE: 2.0,
        TieType.ASSOCIATE_CLIENT: 2.0,
        TieType.ASSOCIATE_NEIGHBOUR: 3.0,
        TieType.CO_OFFENDER: 1.0,
        TieType.PRISON: 2.0,
        TieType.ONLINE_COMMUNITY: 3.0,
        TieType.ONLINE_PLATFORM: 2.0,
        TieType.BUSINESS: 2.0,
    }
)
# A tie that has ended grows longer: its length doubles every half-life after the end date.
FADING_HALF_LIFE_YEARS: Final = 2.0
DAYS_PER_YEAR: Final = 365.25
# Length is divided by confidence, so an uncertain tie never brings anyone closer.
CONFIDENCE_LEVELS: Final[Mapping[str, float]] = MappingProxyType(
    {"high": 1.0, "medium": 0.75, "low": 0.5}
)

# The guide's Networks factor (national.yaml id) that a person's own tie is evidence for.
NETWORK_FACTOR: Final[Mapping[TieType, str]] = MappingProxyType(
    {
        TieType.FAMILY_PARENT: "family_network",
        TieType.FAMILY_CHILD: "family_network",
        TieType.FAMILY_SIBLING: "family_network",
        TieType.FAMILY_OTHER: "family_network",
        TieType.INTIMATE_PARTNER: "intimate_relationships",
        TieType.ASSOCIATE_PEER: "associates",
        TieType.ASSOCIATE_COLLEAGUE: "associates",
        TieType.ASSOCIATE_CLIENT: "associates",
        TieType.ASSOCIATE_NEIGHBOUR: "associates",
        TieType.CO_OFFENDER: "associates",
        TieType.BUSINESS: "associates",
        TieType.PRISON: "prison_network",
        TieType.ONLINE_COMMUNITY: "online_network",
        TieType.ONLINE_PLATFORM: "online_network",
    }
)
GUIDE_PARAGRAPH: Final[Mapping[str, str]] = MappingProxyType(
    {
        "family_network": "2.18",
        "intimate_relationships": "2.19",
        "associates": "2.20",
        "prison_network": "2.23",
        "online_network": "2.24",
    }
)
# Risk concentrates within a few steps of people involved and fades with distance
# (Papachristos): factor suggestions and the periphery stop at two ties.
PERIPHERY_MAX_HOPS: Final = 2
# Two path lengths closer than this (relative) are equal: sums of the same lengths in another
# order differ in the last bits.
LENGTH_TOLERANCE: Final = 1e-9
LEIDEN_ITERATIONS: Final = 2

_TIE_CODE: Final = {tie_type.value: code for code, tie_type in enumerate(TIE_TYPES)}
_ROLE_CODE: Final = {role.value: code for code, role in enumerate(MEMBERSHIP_ROLES)}
_BASE_LENGTH_BY_CODE: Final = np.array([BASE_LENGTH[t] for t in TIE_TYPES], dtype=np.float64)


def _codes(values: object, names: Mapping[str, int], what: str) -> CodeArray:
    array = np.asarray(values)
    if array.dtype.kind in "iu":
        bad = (array < 0) | (array >= len(names))
        if bad.any():
            raise ValueError(f"{what} code {array[bad][0]} is not one of 0..{len(names) - 1}")
        return array.astype(np.int8)
    values = [str(value) for value in array.tolist()]
    codes = [names.get(value, -1) for value in values]
    if -1 in codes:
        unknown = values[codes.index(-1)]
        raise ValueError(f"unknown {what} {unknown!r}; expected one of {', '.join(names)}")
    return np.asarray(codes, dtype=np.int8)


def _dates(values: npt.ArrayLike | None, count: int) -> DateArray:
    if values is None:
        return np.full(count, np.datetime64("NaT"), dtype="datetime64[D]")
    return np.asarray(values, dtype="datetime64[D]")


def _floats(values: npt.ArrayLike | None, count: int) -> FloatArray:
    if values is None:
        return np.ones(count, dtype=np.float64)
    return np.asarray(values, dtype=np.float64)


def confidence_from_levels(levels: Sequence[str]) -> FloatArray:
    """Map recorded confidence levels (high, medium, low) to the numbers lengths divide by."""
    unknown = sorted(set(levels) - set(CONFIDENCE_LEVELS))
    if unknown:
        raise ValueError(f"unknown confidence level {unknown[0]!r}; expected high, medium or low")
    return np.array([CONFIDENCE_LEVELS[level] for level in levels], dtype=np.float64)


def _check_same_length(what: str, **arrays: npt.NDArray[np.generic]) -> None:
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"{what} columns differ in length: {lengths}")


def _first(mask: BoolArray) -> int:
    return int(np.flatnonzero(mask)[0])


@dataclass(frozen=True, eq=False)
class Ties:
    """Typed, dated ties, one per row. Build with `Ties.from_columns`."""

    source: IntArray  # person ids
    target: IntArray
    tie_type: CodeArray  # index into TIE_TYPES
    started: DateArray  # NaT: not known
    ended: DateArray  # NaT: ongoing
    confidence: FloatArray  # in (0, 1]
    weight: FloatArray  # recorded strength (e.g. number of calls); only communities use it
    ids: IntArray  # the tie's own id, so a path can name its source record

    def __post_init__(self) -> None:
        _check_same_length("tie", **{f.name: getattr(self, f.name) for f in fields(self)})
        checks = [
            (self.source == self.target, "ties a person to themselves"),
            (~((self.confidence > 0) & (self.confidence <= 1)), "confidence is not in (0, 1]"),
            (~(self.weight > 0), "weight is not positive"),
            (self.ended < self.started, "ended before it started"),
        ]
        for bad, reason in checks:
            if bad.any():
                row = _first(bad)
                raise ValueError(f"tie {self.ids[row]} (row {row}) {reason}")

    @classmethod
    def from_columns(
        cls,
        *,
        source: npt.ArrayLike,
        target: npt.ArrayLike,
        tie_type: npt.ArrayLike,
        started: npt.ArrayLike | None = None,
        ended: npt.ArrayLike | None = None,
        confidence: npt.ArrayLike | None = None,
        weight: npt.ArrayLike | None = None,
        ids: npt.ArrayLike | None = None,
    ) -> Ties:
        """Columns as arrays or lists; tie types as names or codes; omitted columns default to
        unknown start, ongoing, confidence 1, weight 1 and ids 0..n-1."""
        source_ids = np.asarray(source, dtype=np.int64)
        count = len(source_ids)
        return cls(
            source=source_ids,
            target=np.asarray(target, dtype=np.int64),
            tie_type=_codes(tie_type, _TIE_CODE, "tie type"),
            started=_dates(started, count),
            ended=_dates(ended, count),
            confidence=_floats(confidence, count),
            weight=_floats(weight, count),
            ids=np.arange(count, dtype=np.int64)
            if ids is None
            else np.asarray(ids, dtype=np.int64),
        )

    def __len__(self) -> int:
        return len(self.source)


@dataclass(frozen=True, eq=False)
class Memberships:
    """Memberships of organised crime groups, one per row."""

    person: IntArray
    group: IntArray
    role: CodeArray  # index into MEMBERSHIP_ROLES
    started: DateArray  # NaT: not known
    ended: DateArray  # NaT: still a member

    def __post_init__(self) -> None:
        _check_same_length("membership", **{f.name: getattr(self, f.name) for f in fields(self)})

    @classmethod
    def from_columns(
        cls,
        *,
        person: npt.ArrayLike,
        group: npt.ArrayLike,
        role: npt.ArrayLike,
        started: npt.ArrayLike | None = None,
        ended: npt.ArrayLike | None = None,
    ) -> Memberships:
        people = np.asarray(person, dtype=np.int64)
        return cls(
            person=people,
            group=np.asarray(group, dtype=np.int64),
            role=_codes(role, _ROLE_CODE, "membership role"),
            started=_dates(started, len(people)),
            ended=_dates(ended, len(people)),
        )

    @classmethod
    def empty(cls) -> Memberships:
        return cls.from_columns(person=[], group=[], role=np.array([], dtype=np.int8))

    def current(self, day: np.datetime64) -> BoolArray:
        """Memberships in force on `day`."""
        started = np.isnat(self.started) | (self.started <= day)
        not_ended = np.isnat(self.ended) | (self.ended > day)
        return started & not_ended


@dataclass(frozen=True, eq=False)
class Network:
    """People (by id), the ties between them and group memberships."""

    person_ids: IntArray
    ties: Ties
    memberships: Memberships = field(default_factory=Memberships.empty)
    labels: tuple[str, ...] | None = None  # names for exports; the id when absent
    _order: IntArray = field(init=False, repr=False)
    _sorted_ids: IntArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "person_ids", np.asarray(self.person_ids, dtype=np.int64))
        order = np.argsort(self.person_ids, kind="stable").astype(np.int64)
        sorted_ids = self.person_ids[order]
        if np.any(sorted_ids[1:] == sorted_ids[:-1]):
            raise ValueError("person ids are not unique")
        object.__setattr__(self, "_order", order)
        object.__setattr__(self, "_sorted_ids", sorted_ids)
        if self.labels is not None and len(self.labels) != len(self.person_ids):
            raise ValueError("labels and person ids differ in length")

    def positions(self, person_ids: npt.ArrayLike, what: str = "person id") -> IntArray:
        """Each id's index in `person_ids`; an unknown id is an error."""
        wanted = np.asarray(person_ids, dtype=np.int64)
        found = np.searchsorted(self._sorted_ids, wanted)
        known = found < len(self._sorted_ids)
        known[known] = self._sorted_ids[found[known]] == wanted[known]
        if not known.all():
            raise ValueError(f"{what} {wanted[~known][0]} is not among the people")
        return self._order[found]


def tie_lengths(ties: Ties, *, as_of: date) -> FloatArray:
    """length = BASE_LENGTH[type] × 2^(years since the tie ended / half-life) ÷ confidence.

    A tie still ongoing on `as_of` (no end date, or ending later) does not fade.
    """
    day = np.datetime64(as_of, "D")
    ended = ~np.isnat(ties.ended) & (ties.ended < day)
    days_since_end = np.zeros(len(ties), dtype=np.float64)
    days_since_end[ended] = (day - ties.ended[ended]).astype(np.int64)
    fading = np.exp2(days_since_end / (DAYS_PER_YEAR * FADING_HALF_LIFE_YEARS))
    return _BASE_LENGTH_BY_CODE[ties.tie_type] * fading / ties.confidence


@dataclass(frozen=True, eq=False)
class NetworkGraph:
    """The network as it stood on `as_of`: ties started by then (or of unknown start) are
    edges, in the order of `tie_rows`; vertices are people in the order of `person_ids`."""

    network: Network
    as_of: date
    tie_rows: IntArray  # the Ties row of each edge
    source: IntArray  # person positions
    target: IntArray
    length: FloatArray
    is_member: BoolArray  # a current group member, per person position
    graph: ig.Graph

    @property
    def person_ids(self) -> IntArray:
        return self.network.person_ids

    def position(self, person_id: int) -> int:
        return int(self.network.positions([person_id])[0])

    def tie_type_between(self, edge: int, from_position: int) -> TieType:
        """The edge's tie type read from `from_position` to the other end."""
        tie_type = TIE_TYPES[int(self.network.ties.tie_type[self.tie_rows[edge]])]
        return tie_type if self.source[edge] == from_position else tie_type.reversed()

    def other_end(self, edge: int, position: int) -> int:
        return int(self.target[edge] if self.source[edge] == position else self.source[edge])


def build_graph(network: Network, *, as_of: date) -> NetworkGraph:
    """The graph of ties started by `as_of` (ended ones fade), current members marked."""
    day = np.datetime64(as_of, "D")
    ties = network.ties
    rows = np.flatnonzero(np.isnat(ties.started) | (ties.started <= day)).astype(np.int64)
    source = network.positions(ties.source[rows], "tie source")
    target = network.positions(ties.target[rows], "tie target")
    is_member = np.zeros(len(network.person_ids), dtype=np.bool_)
    memberships = network.memberships
    current = memberships.person[memberships.current(day)]
    is_member[network.positions(current, "group member")] = True
    graph = ig.Graph(n=len(network.person_ids), edges=np.column_stack((source, target)).tolist())
    return NetworkGraph(
        network=network,
        as_of=as_of,
        tie_rows=rows,
        source=source,
        target=target,
        length=tie_lengths(ties, as_of=as_of)[rows],
        is_member=is_member,
        graph=graph,
    )
