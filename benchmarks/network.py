"""Benchmark network exposure for everyone at once.

    python benchmarks/network.py --people 100000 --ties 300000

Builds a synthetic network (mostly local ties, as in households and neighbourhoods, plus
long-range ones; every tie type; a fifth of ties ended; about 1% of people current group
members) and times the graph build and `compute_exposure`. Baselines, run in the same process
on the same graph and lengths: NetworkX's multi_source_dijkstra (distances and paths, which
must agree with Offramp's), and one igraph Dijkstra per member (timed on a sample, scaled).
Exits 1 if exposure takes longer than the target.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import date
from typing import TypeVar

import networkx as nx
import numpy as np

from offramp.analysis.network import (
    CONFIDENCE_LEVELS,
    TIE_TYPES,
    Memberships,
    Network,
    Ties,
    build_graph,
    compute_exposure,
    periphery,
)

TARGET_SECONDS = 5.0
AS_OF = date(2025, 6, 1)
SAMPLED_MEMBERS = 20
T = TypeVar("T")


def synthetic_network(people: int, ties: int, seed: int) -> Network:
    rng = np.random.default_rng(seed)
    source = rng.integers(0, people, ties)
    local = rng.random(ties) < 0.7
    offset = np.where(local, rng.integers(1, 40, ties), rng.integers(1, people, ties))
    target = (source + offset) % people
    ended = np.where(
        rng.random(ties) < 0.2,
        np.datetime64(AS_OF) - rng.integers(0, 15 * 365, ties).astype("timedelta64[D]"),
        np.datetime64("NaT"),
    )
    members = rng.choice(people, max(1, people // 100), replace=False)
    return Network(
        person_ids=np.arange(people, dtype=np.int64),
        ties=Ties.from_columns(
            source=source,
            target=target,
            tie_type=rng.integers(0, len(TIE_TYPES), ties),
            ended=ended,
            confidence=rng.choice(list(CONFIDENCE_LEVELS.values()), ties),
        ),
        memberships=Memberships.from_columns(
            person=members, group=members % 60, role=rng.integers(0, 4, len(members))
        ),
    )


def timed(label: str, work: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - start
    print(f"  {label:<52} {seconds:8.2f} s")
    return result, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--ties", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    network = synthetic_network(args.people, args.ties, args.seed)
    print(
        f"Network exposure: {args.people:,} people, {args.ties:,} ties,"
        f" {len(network.memberships.person):,} current group members"
    )
    graph, build_seconds = timed(
        "build the graph (Offramp, igraph)", lambda: build_graph(network, as_of=AS_OF)
    )
    exposure, seconds = timed("exposure for everyone (Offramp)", lambda: compute_exposure(graph))
    near, _ = timed("periphery (within two ties)", lambda: periphery(exposure))
    members = np.flatnonzero(graph.is_member)

    oracle = nx.Graph()
    oracle.add_nodes_from(range(args.people))
    ends = zip(graph.source.tolist(), graph.target.tolist(), graph.length.tolist(), strict=True)
    for a, b, length in ends:
        if length < oracle.get_edge_data(a, b, {"weight": np.inf})["weight"]:
            oracle.add_edge(a, b, weight=length)
    (distance, _paths), nx_seconds = timed(
        "baseline: NetworkX multi_source_dijkstra",
        lambda: nx.multi_source_dijkstra(oracle, set(members.tolist()), weight="weight"),
    )
    expected = np.full(args.people, np.inf)
    expected[list(distance)] = list(distance.values())
    reached = np.isfinite(expected)
    same_reach = bool(np.array_equal(reached, np.isfinite(exposure.distance)))
    worst = float(np.max(np.abs(expected[reached] - exposure.distance[reached]), initial=0.0))

    sample = members[:SAMPLED_MEMBERS].tolist()
    weights = graph.length.tolist()
    _, sample_seconds = timed(
        f"baseline: one Dijkstra per member, {len(sample)} of them",
        lambda: [graph.graph.distances(source=[m], weights=weights) for m in sample],
    )
    per_member_seconds = sample_seconds * len(members) / max(1, len(sample))

    print(f"  periphery: {len(near):,} people not in a group within two ties of one")
    print(f"  distances agree with NetworkX: {same_reach} reach, max difference {worst:.1e}")
    print(f"Exposure for everyone: {seconds:.2f} s (target {TARGET_SECONDS:.0f} s)")
    print(
        f"  {nx_seconds / seconds:6.1f}× faster than NetworkX multi_source_dijkstra"
        f" ({nx_seconds:.2f} s)"
    )
    print(
        f"  {per_member_seconds / seconds:6.1f}× faster than one Dijkstra per member"
        f" ({per_member_seconds:.1f} s, scaled from {len(sample)})"
    )
    print(f"  with the graph build: {build_seconds + seconds:.2f} s")
    return 0 if seconds <= TARGET_SECONDS and same_reach and worst < 1e-6 else 1


if __name__ == "__main__":
    sys.exit(main())
