"""Exposure: every person's shortest path to a current group member, with the path that
explains it and the Networks factors it may be evidence for."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

import igraph as ig
import numpy as np

from .arrays import BoolArray, FloatArray, IntArray
from .graph import GUIDE_PARAGRAPH, LENGTH_TOLERANCE, NETWORK_FACTOR, NetworkGraph, TieType


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
