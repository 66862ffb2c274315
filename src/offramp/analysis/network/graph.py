"""Network exposure, periphery, communities and centrality over people and their ties.

No Django: arrays in, results out. Offramp uses network proximity only as a reason to offer
support, always with the path that explains it; nothing here is a score that labels a person
(docs/adr/0001). The definitions, and why each constant has its value, are in
docs/network-analysis.md.

Typical use::

    graph = build_graph(network, as_of=date.today())
    exposure = compute_exposure(graph)
    exposure.explain(person_id)        # distance, path, nearest members, factor suggestions
    periphery(exposure)                # non-members within two ties of a member
"""

from __future__ import annotations

import csv
import os
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Final, Literal, TypeAlias
from xml.sax.saxutils import escape, quoteattr

import igraph as ig
import numpy as np
import numpy.typing as npt

from offramp.spreadsheets import safe_cell

IntArray: TypeAlias = npt.NDArray[np.int64]
CodeArray: TypeAlias = npt.NDArray[np.int8]
FloatArray: TypeAlias = npt.NDArray[np.float64]
DateArray: TypeAlias = npt.NDArray[np.datetime64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
StrPath: TypeAlias = str | os.PathLike[str]


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


@dataclass(frozen=True)
class PathStep:
    from_person: int
    to_person: int
    tie_id: int
    tie_type: TieType  # read from from_person: FAMILY_PARENT means from_person is the parent
    length: float


@dataclass(frozen=True)
class TiePath:
    """From a person to a current group member, tie by tie."""

    people: tuple[int, ...]
    steps: tuple[PathStep, ...]

    @property
    def length(self) -> float:
        return sum((step.length for step in self.steps), 0.0)


@dataclass(frozen=True)
class FactorSuggestion:
    """A Networks factor the person's own tie may be evidence for, with the path behind it.

    A suggestion for a coordinator to accept or reject, never a finding.
    """

    factor_id: str
    guide_paragraph: str
    tie_type: TieType  # the person's own tie, the first step of `path`
    rule: str
    path: TiePath


SUGGESTION_RULE: Final = (
    "The person's own tie is the first of one or two ties to a current group member;"
    " the shortest such path is shown."
)


@dataclass(frozen=True)
class PersonExposure:
    person_id: int
    is_member: bool
    distance: float  # sum of tie lengths to the nearest current member; inf when none
    steps: int  # ties on `path`: the fewest among shortest paths; -1 when none
    hops: int  # fewest ties to any current member, whatever their lengths; -1 when none
    nearest_members: tuple[int, ...]  # every member at `distance`, by id
    path: TiePath | None
    factor_suggestions: tuple[FactorSuggestion, ...]


@dataclass(frozen=True)
class PeripheryEntry:
    person_id: int
    distance: float
    steps: int
    hops: int
    nearest_member: int


@dataclass(frozen=True, eq=False)
class Exposure:
    """Exposure of everyone at once, per person position (see `NetworkGraph.person_ids`).

    Among equally short paths the one shown has the fewest ties, then the lowest positions.
    `shortest_in_*` lists, per person, every neighbour one tie nearer a member along a shortest
    path and the tie to them (CSR layout: person p's run starts at shortest_in_start[p]).
    """

    graph: NetworkGraph
    distance: FloatArray
    steps: IntArray
    hops: IntArray
    nearest_member: IntArray  # position of the member `path` ends at; -1 when none
    next_person: IntArray  # the next position on the path shown; -1 at members and when none
    next_edge: IntArray
    shortest_in_start: IntArray
    shortest_in_person: IntArray
    shortest_in_edge: IntArray

    def path(self, person_id: int) -> TiePath | None:
        position = self.graph.position(person_id)
        return self._path_from(position) if self.distance[position] < np.inf else None

    def nearest_members(self, person_id: int) -> tuple[int, ...]:
        """Every current member at the shortest distance, found by walking back along all
        shortest paths."""
        position = self.graph.position(person_id)
        seen, pending, found = {position}, [position], []
        while pending:
            here = pending.pop()
            if self.graph.is_member[here]:
                found.append(here)
                continue
            for before in self._shortest_in(here)[0].tolist():
                if before not in seen:
                    seen.add(before)
                    pending.append(before)
        return tuple(sorted(int(self.graph.person_ids[p]) for p in found))

    def factor_suggestions(self, person_id: int) -> tuple[FactorSuggestion, ...]:
        """Per Networks factor, the shortest path of one or two ties from the person to a
        current group member whose first tie is of that factor's kind; shortest first."""
        best: dict[str, FactorSuggestion] = {}
        for path in self._paths_of_one_or_two_ties(self.graph.position(person_id)):
            first = path.steps[0]
            factor = NETWORK_FACTOR[first.tie_type]
            held = best.get(factor)
            if held is None or _path_order(path) < _path_order(held.path):
                best[factor] = FactorSuggestion(
                    factor, GUIDE_PARAGRAPH[factor], first.tie_type, SUGGESTION_RULE, path
                )
        return tuple(sorted(best.values(), key=lambda s: (s.path.length, s.factor_id)))

    def explain(self, person_id: int) -> PersonExposure:
        position = self.graph.position(person_id)
        return PersonExposure(
            person_id=person_id,
            is_member=bool(self.graph.is_member[position]),
            distance=float(self.distance[position]),
            steps=int(self.steps[position]),
            hops=int(self.hops[position]),
            nearest_members=self.nearest_members(person_id),
            path=self.path(person_id),
            factor_suggestions=self.factor_suggestions(person_id),
        )

    def _shortest_in(self, position: int) -> tuple[IntArray, IntArray]:
        start, stop = self.shortest_in_start[position], self.shortest_in_start[position + 1]
        return self.shortest_in_person[start:stop], self.shortest_in_edge[start:stop]

    def _step(self, position: int, edge: int, other: int) -> PathStep:
        ids = self.graph.person_ids
        return PathStep(
            from_person=int(ids[position]),
            to_person=int(ids[other]),
            tie_id=int(self.graph.network.ties.ids[self.graph.tie_rows[edge]]),
            tie_type=self.graph.tie_type_between(edge, position),
            length=float(self.graph.length[edge]),
        )

    def _path_from(self, position: int) -> TiePath:
        people, steps = [int(self.graph.person_ids[position])], []
        while self.next_person[position] >= 0:
            following = int(self.next_person[position])
            steps.append(self._step(position, int(self.next_edge[position]), following))
            people.append(int(self.graph.person_ids[following]))
            position = following
        return TiePath(tuple(people), tuple(steps))

    def _paths_of_one_or_two_ties(self, position: int) -> Iterator[TiePath]:
        graph = self.graph
        for edge in graph.graph.incident(position):
            near = graph.other_end(edge, position)
            first = self._step(position, edge, near)
            if graph.is_member[near]:
                yield TiePath((first.from_person, first.to_person), (first,))
                continue
            for onward in graph.graph.incident(near):
                member = graph.other_end(onward, near)
                if member != position and graph.is_member[member]:
                    second = self._step(near, onward, member)
                    people = (first.from_person, first.to_person, second.to_person)
                    yield TiePath(people, (first, second))


def _path_order(path: TiePath) -> tuple[float, int, tuple[int, ...]]:
    return (path.length, len(path.steps), tuple(step.tie_id for step in path.steps))


def compute_exposure(graph: NetworkGraph) -> Exposure:
    """Shortest paths from every person to the nearest current group member, all at once.

    One Dijkstra from a virtual source tied to every current member by zero-length edges
    gives each person's distance; the ties on which that distance is exact (the shortest-path
    graph) then give the fewest ties, the path and the member at its end.
    """
    count = len(graph.person_ids)
    members = np.flatnonzero(graph.is_member)
    distance, hops = _distances_from_members(graph, members)
    # Each tie both ways: (from the member side, towards the person, edge).
    before = np.concatenate((graph.source, graph.target))
    after = np.concatenate((graph.target, graph.source))
    edges = np.tile(np.arange(len(graph.source), dtype=np.int64), 2)
    lengths = np.concatenate((graph.length, graph.length))
    with np.errstate(invalid="ignore"):  # inf - inf where neither end reaches a member
        slack = distance[before] + lengths - distance[after]
    on_shortest = np.isfinite(distance[before]) & (
        slack <= LENGTH_TOLERANCE * np.maximum(1.0, distance[after])
    )
    before, after, edges = before[on_shortest], after[on_shortest], edges[on_shortest]
    order = np.lexsort((edges, before, after))
    before, after, edges = before[order], after[order], edges[order]
    steps = _fewest_ties(count, members, before, after)
    next_person, next_edge = _next_on_path(count, steps, before, after, edges)
    return Exposure(
        graph=graph,
        distance=distance,
        steps=steps,
        hops=hops,
        nearest_member=_path_ends(graph.is_member, next_person),
        next_person=next_person,
        next_edge=next_edge,
        shortest_in_start=np.searchsorted(after, np.arange(count + 1)).astype(np.int64),
        shortest_in_person=before,
        shortest_in_edge=edges,
    )


def _as_counts(distances: list[float]) -> IntArray:
    """igraph's hop distances from the virtual source, less its own edge; -1 unreachable."""
    array = np.asarray(distances, dtype=np.float64)
    return np.where(np.isfinite(array), array - 1, -1).astype(np.int64)


def _distances_from_members(graph: NetworkGraph, members: IntArray) -> tuple[FloatArray, IntArray]:
    count = len(graph.person_ids)
    with_source = graph.graph.copy()
    with_source.add_vertices(1)
    with_source.add_edges([(count, int(member)) for member in members])
    weights = np.concatenate((graph.length, np.zeros(len(members))))
    distance = np.asarray(
        with_source.distances(source=[count], weights=weights.tolist())[0][:count],
        dtype=np.float64,
    )
    hops = _as_counts(with_source.distances(source=[count])[0][:count])
    return distance, hops


def _fewest_ties(count: int, members: IntArray, before: IntArray, after: IntArray) -> IntArray:
    """Fewest ties to a member using only ties on shortest paths: any path in that graph is a
    shortest path, so a breadth-first search finds the shortest path with fewest ties."""
    from_source = np.column_stack((np.full(len(members), count), members))
    edges = np.concatenate((from_source, np.column_stack((before, after))))
    on_shortest = ig.Graph(n=count + 1, edges=edges.tolist(), directed=True)
    return _as_counts(on_shortest.distances(source=[count], mode="out")[0][:count])


def _next_on_path(
    count: int, steps: IntArray, before: IntArray, after: IntArray, edges: IntArray
) -> tuple[IntArray, IntArray]:
    """Per person, the first (lowest position, then edge) shortest-path tie to someone one tie
    nearer a member; the arrays arrive sorted by (after, before, edge)."""
    one_nearer = steps[before] == steps[after] - 1
    after, before, edges = after[one_nearer], before[one_nearer], edges[one_nearer]
    people, first = np.unique(after, return_index=True)
    next_person = np.full(count, -1, dtype=np.int64)
    next_edge = np.full(count, -1, dtype=np.int64)
    next_person[people] = before[first]
    next_edge[people] = edges[first]
    return next_person, next_edge


def _path_ends(is_member: BoolArray, next_person: IntArray) -> IntArray:
    """The member each path ends at, by pointer jumping: log(longest path) vector steps."""
    positions = np.arange(len(is_member), dtype=np.int64)
    end = np.where(is_member, positions, next_person)
    reachable = end >= 0
    while True:
        jumped = end.copy()
        jumped[reachable] = end[end[reachable]]
        if np.array_equal(jumped, end):
            return end
        end = jumped


def periphery(
    exposure: Exposure, *, max_hops: int = PERIPHERY_MAX_HOPS
) -> tuple[PeripheryEntry, ...]:
    """People who are not current members but are within `max_hops` ties of one, nearest
    (shortest distance, then fewest ties, then id) first."""
    graph = exposure.graph
    hops = exposure.hops
    chosen = np.flatnonzero(~graph.is_member & (hops >= 1) & (hops <= max_hops))
    ids = graph.person_ids
    chosen = chosen[np.lexsort((ids[chosen], exposure.steps[chosen], exposure.distance[chosen]))]
    return tuple(
        PeripheryEntry(
            person_id=int(ids[p]),
            distance=float(exposure.distance[p]),
            steps=int(exposure.steps[p]),
            hops=int(hops[p]),
            nearest_member=int(ids[exposure.nearest_member[p]]),
        )
        for p in chosen
    )


def components(graph: NetworkGraph) -> IntArray:
    """Connected component per person position, numbered in order of their first person."""
    return np.asarray(graph.graph.connected_components().membership, dtype=np.int64)


def communities(graph: NetworkGraph, *, seed: int = 0, resolution: float = 1.0) -> IntArray:
    """Leiden communities (modularity) per person position, numbered in order of their first
    person. Edges weigh weight ÷ length, so strong, recent, certain ties bind most. The same
    seed gives the same answer."""
    weights = graph.network.ties.weight[graph.tie_rows] / graph.length
    ig.set_random_number_generator(random.Random(seed))
    try:
        found = graph.graph.community_leiden(
            objective_function="modularity",
            weights=weights.tolist(),
            resolution=resolution,
            n_iterations=LEIDEN_ITERATIONS,
        )
    finally:
        ig.set_random_number_generator(random)
    return _numbered_by_first_appearance(np.asarray(found.membership, dtype=np.int64))


def _numbered_by_first_appearance(labels: IntArray) -> IntArray:
    distinct, first = np.unique(labels, return_index=True)
    renumber = np.empty(len(distinct), dtype=np.int64)
    renumber[np.argsort(first)] = np.arange(len(distinct))
    return renumber[np.searchsorted(distinct, labels)]


@dataclass(frozen=True, eq=False)
class Centrality:
    person_ids: IntArray
    degree: IntArray  # distinct people tied to, within the people measured
    betweenness: FloatArray  # shortest paths (counted in ties) through the person, unscaled


def centrality(graph: NetworkGraph, *, person_ids: npt.ArrayLike | None = None) -> Centrality:
    """Degree and betweenness within the network of the given people (default everyone),
    each pair of people counted once however many ties they share."""
    positions = (
        np.arange(len(graph.person_ids))
        if person_ids is None
        else np.sort(graph.network.positions(person_ids))
    )
    among = graph.graph.induced_subgraph(positions.tolist())
    among.simplify(multiple=True, loops=True)
    return Centrality(
        person_ids=graph.person_ids[positions],
        degree=np.asarray(among.degree(), dtype=np.int64),
        betweenness=np.asarray(among.betweenness(directed=False), dtype=np.float64),
    )


def member_centrality(graph: NetworkGraph) -> Centrality:
    """Degree and betweenness of current group members within the members' own network: who
    holds it together. (Betweenness over everyone costs people × ties, too slow at 100,000.)"""
    return centrality(graph, person_ids=graph.person_ids[graph.is_member])


# ---- exports ---------------------------------------------------------------------------------

ColumnKind: TypeAlias = Literal["string", "boolean", "long", "double"]
Value: TypeAlias = str | bool | int | float | None  # None: not known, left empty


@dataclass(frozen=True)
class Column:
    name: str
    kind: ColumnKind
    values: list[Value]


def node_columns(
    graph: NetworkGraph,
    *,
    exposure: Exposure | None = None,
    community: IntArray | None = None,
) -> list[Column]:
    """One row per person; docs/network-analysis.md lists the columns."""
    network = graph.network
    labels = network.labels or tuple(str(i) for i in graph.person_ids.tolist())
    groups: list[list[str]] = [[] for _ in labels]
    roles: list[list[str]] = [[] for _ in labels]
    memberships = network.memberships
    current = np.flatnonzero(memberships.current(np.datetime64(graph.as_of, "D")))
    positions = network.positions(memberships.person[current])
    for position, group, role in zip(
        positions.tolist(),
        memberships.group[current].tolist(),
        memberships.role[current].tolist(),
        strict=True,
    ):
        groups[position].append(str(group))
        roles[position].append(MEMBERSHIP_ROLES[role].value)
    columns = [
        Column("label", "string", list(labels)),
        Column("group_member", "boolean", graph.is_member.tolist()),
        Column("groups", "string", [";".join(g) for g in groups]),
        Column("roles", "string", [";".join(r) for r in roles]),
        Column("component", "long", components(graph).tolist()),
    ]
    if community is not None:
        columns.append(Column("community", "long", community.tolist()))
    if exposure is not None:
        reached = exposure.distance < np.inf
        nearest = graph.person_ids[exposure.nearest_member]
        columns += [
            Column("distance_to_member", "double", _where(reached, exposure.distance)),
            Column("steps_to_member", "long", _where(reached, exposure.steps)),
            Column("nearest_member", "long", _where(reached, nearest)),
        ]
    return columns


def edge_columns(graph: NetworkGraph) -> list[Column]:
    """One row per edge (tie started by `as_of`); docs/network-analysis.md lists the columns."""
    ties = graph.network.ties
    rows = graph.tie_rows
    return [
        Column("tie_id", "long", ties.ids[rows].tolist()),
        Column("tie_type", "string", [TIE_TYPES[c].value for c in ties.tie_type[rows].tolist()]),
        Column("started", "string", _iso_dates(ties.started[rows])),
        Column("ended", "string", _iso_dates(ties.ended[rows])),
        Column("confidence", "double", ties.confidence[rows].tolist()),
        Column("weight", "double", ties.weight[rows].tolist()),
        Column("length", "double", graph.length.tolist()),
    ]


def _where(known: BoolArray, values: npt.NDArray[np.generic]) -> list[Value]:
    return [v if k else None for k, v in zip(known.tolist(), values.tolist(), strict=True)]


def _iso_dates(values: DateArray) -> list[Value]:
    return [None if np.isnat(v) else str(v) for v in values]


def _text(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _endpoints(graph: NetworkGraph) -> tuple[list[str], list[str], list[str]]:
    ids = graph.person_ids
    return (
        [str(i) for i in ids.tolist()],
        [str(i) for i in ids[graph.source].tolist()],
        [str(i) for i in ids[graph.target].tolist()],
    )


def _tag(name: str, attributes: Mapping[str, str], *, empty: bool = False) -> str:
    pairs = "".join(f" {key}={quoteattr(value)}" for key, value in attributes.items())
    return f"<{name}{pairs}{'/' if empty else ''}>"


def _escape(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def _cells(column: Column, before: str, after: str) -> list[str]:
    """Each row's value between `before` and `after`, or "" where it is not known. Built a
    column at a time: element by element (ElementTree) takes about 20 times longer."""
    texts = [_text(value) for value in column.values]
    if column.kind == "string":
        texts = [_escape(text) for text in texts]
    return [
        "" if value is None else f"{before}{text}{after}"
        for value, text in zip(column.values, texts, strict=True)
    ]


def _write_xml(path: StrPath, lines: Iterator[str]) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n')
        out.writelines(f"{line}\n" for line in lines)


_GRAPHML_NS: Final = "http://graphml.graphdrawing.org/xmlns"


def write_graphml(
    graph: NetworkGraph,
    path: StrPath,
    *,
    exposure: Exposure | None = None,
    community: IntArray | None = None,
) -> None:
    """GraphML (yEd, Gephi, igraph, NetworkX): undirected, one edge per tie."""
    nodes = node_columns(graph, exposure=exposure, community=community)
    _write_xml(path, _graphml_lines(graph, nodes, edge_columns(graph)))


def _graphml_lines(graph: NetworkGraph, nodes: list[Column], edges: list[Column]) -> Iterator[str]:
    yield _tag("graphml", {"xmlns": _GRAPHML_NS})
    for prefix, target, columns in (("n", "node", nodes), ("e", "edge", edges)):
        for index, column in enumerate(columns):
            key = {"id": f"{prefix}{index}", "for": target, "attr.name": column.name}
            yield "  " + _tag("key", key | {"attr.type": column.kind}, empty=True)
    yield '  <graph id="offramp" edgedefault="undirected">'
    person_ids, sources, targets = _endpoints(graph)
    node_data = _graphml_data("n", nodes)
    for row, person_id in enumerate(person_ids):
        data = "".join(cells[row] for cells in node_data)
        yield f'    <node id="{person_id}">\n{data}    </node>'
    edge_data = _graphml_data("e", edges)
    for row, (source, target) in enumerate(zip(sources, targets, strict=True)):
        data = "".join(cells[row] for cells in edge_data)
        yield f'    <edge id="e{row}" source="{source}" target="{target}">\n{data}    </edge>'
    yield "  </graph>"
    yield "</graphml>"


def _graphml_data(prefix: str, columns: list[Column]) -> list[list[str]]:
    return [
        _cells(column, f'      <data key="{prefix}{index}">', "</data>\n")
        for index, column in enumerate(columns)
    ]


_GEXF_NS: Final = "http://www.gexf.net/1.2draft"


def write_gexf(
    graph: NetworkGraph,
    path: StrPath,
    *,
    exposure: Exposure | None = None,
    community: IntArray | None = None,
) -> None:
    """GEXF 1.2 for Gephi: node labels and edge weights (the tie's weight) are native, the
    other columns attributes."""
    nodes = node_columns(graph, exposure=exposure, community=community)
    _write_xml(path, _gexf_lines(graph, nodes, edge_columns(graph)))


def _gexf_lines(graph: NetworkGraph, nodes: list[Column], edges: list[Column]) -> Iterator[str]:
    labels, nodes = nodes[0], nodes[1:]
    weight = next(column for column in edges if column.name == "weight")
    yield _tag("gexf", {"xmlns": _GEXF_NS, "version": "1.2"})
    yield "  " + _tag("meta", {"lastmodifieddate": graph.as_of.isoformat()})
    yield "    <creator>Offramp</creator>"
    yield "  </meta>"
    yield '  <graph defaultedgetype="undirected" mode="static">'
    for target, columns in (("node", nodes), ("edge", edges)):
        yield "    " + _tag("attributes", {"class": target})
        for index, column in enumerate(columns):
            declared = {"id": str(index), "title": column.name, "type": column.kind}
            yield "      " + _tag("attribute", declared, empty=True)
        yield "    </attributes>"
    person_ids, sources, targets = _endpoints(graph)
    yield "    <nodes>"
    node_values = _gexf_values(nodes)
    label_values = _cells(labels, ' label="', '"')
    for row, person_id in enumerate(person_ids):
        values = "".join(cells[row] for cells in node_values)
        yield f'      <node id="{person_id}"{label_values[row]}>\n{_attvalues(values)}      </node>'
    yield "    </nodes>"
    yield "    <edges>"
    edge_values = _gexf_values(edges)
    weight_values = _cells(weight, ' weight="', '"')
    for row, (source, target) in enumerate(zip(sources, targets, strict=True)):
        values = "".join(cells[row] for cells in edge_values)
        ends = f'id="{row}" source="{source}" target="{target}"{weight_values[row]}'
        yield f"      <edge {ends}>\n{_attvalues(values)}      </edge>"
    yield "    </edges>"
    yield "  </graph>"
    yield "</gexf>"


def _gexf_values(columns: list[Column]) -> list[list[str]]:
    return [
        _cells(column, f'          <attvalue for="{index}" value="', '"/>\n')
        for index, column in enumerate(columns)
    ]


def _attvalues(values: str) -> str:
    return f"        <attvalues>\n{values}        </attvalues>\n"


def write_i2_csv(
    graph: NetworkGraph,
    nodes_path: StrPath,
    edges_path: StrPath,
    *,
    exposure: Exposure | None = None,
    community: IntArray | None = None,
) -> None:
    """Entity and link CSVs for i2 Analyst's Notebook's import: every entity is a Person keyed
    by `entity_id`; every link joins `from_entity_id` to `to_entity_id`. Dates YYYY-MM-DD."""
    nodes = node_columns(graph, exposure=exposure, community=community)
    edges = edge_columns(graph)
    person_ids, sources, targets = _endpoints(graph)
    _write_csv(
        nodes_path,
        ["entity_id", "entity_type", *(c.name for c in nodes)],
        [[i, "Person"] for i in person_ids],
        nodes,
    )
    _write_csv(
        edges_path,
        ["from_entity_id", "to_entity_id", *(c.name for c in edges)],
        [[s, t] for s, t in zip(sources, targets, strict=True)],
        edges,
    )


def _write_csv(
    path: StrPath, header: list[str], keys: list[list[str]], columns: list[Column]
) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row, key in enumerate(keys):
            cells = [*key, *(_text(column.values[row]) for column in columns)]
            writer.writerow([safe_cell(cell) for cell in cells])  # names are people's input
