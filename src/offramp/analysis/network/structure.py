"""The periphery of current members, connected components, communities and centrality."""

from __future__ import annotations

import random
from dataclasses import dataclass

import igraph as ig
import numpy as np
import numpy.typing as npt

from .arrays import FloatArray, IntArray
from .exposure import Exposure, PeripheryEntry
from .graph import LEIDEN_ITERATIONS, PERIPHERY_MAX_HOPS, NetworkGraph


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
