"""Clusters of linked records: the people in the index."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .model import NEEDS_REVIEW_PROBABILITY
from .records import validate_labels

CLUSTER_COLUMNS = [
    "unique_id",
    "cluster_id",
    "cluster_size",
    "min_probability",
    "mean_probability",
]


def cluster(
    pairs: pd.DataFrame,
    threshold: float = NEEDS_REVIEW_PROBABILITY,
    *,
    record_ids: Iterable[str] = (),
    labels: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Group records into people by linking pairs at or above ``threshold``, likeliest first.

    Reviewers' decisions (``labels``: unique_id_l, unique_id_r, is_match) win: an accepted
    pair is always linked, and the two records of a rejected pair never share a cluster, not
    even through other records (the link that would join them is skipped). Without
    rejections this is connected components. Every record in ``pairs`` or ``record_ids``
    (which adds records with no pairs at all) gets a row.

    Returns one row per record: unique_id, cluster_id (the smallest unique_id in the
    cluster, so stable while membership is), cluster_size, and the min and mean probability
    of the links holding the cluster together (accepted pairs count as 1; NaN when alone).
    """
    links = pairs.loc[
        pairs["match_probability"] >= threshold,
        ["unique_id_l", "unique_id_r", "match_probability"],
    ].astype({"unique_id_l": str, "unique_id_r": str, "match_probability": float})
    decisions = validate_labels(labels) if labels is not None else None
    if decisions is not None:
        accepted = decisions.loc[decisions["is_match"], ["unique_id_l", "unique_id_r"]]
        links = pd.concat([links, accepted.assign(match_probability=1.0)], ignore_index=True)
    every_id = (*record_ids, *pairs["unique_id_l"], *pairs["unique_id_r"])
    if decisions is None or decisions["is_match"].all():
        return _connected_components(every_id, links)
    forest = _Forest()
    for row in decisions[~decisions["is_match"]].itertuples():
        forest.forbid(row.unique_id_l, row.unique_id_r)
    for record_id in every_id:
        forest.add(str(record_id))
    links = links.sort_values(
        ["match_probability", "unique_id_l", "unique_id_r"], ascending=[False, True, True]
    )
    held_by: dict[str, list[float]] = {}
    for left, right, probability in links.itertuples(index=False):
        if forest.join(left, right):
            held_by.setdefault(left, []).append(probability)
    return forest.clusters(held_by)


def _connected_components(record_ids: Iterable[object], links: pd.DataFrame) -> pd.DataFrame:
    """What the union-find below gives when nothing is rejected, vectorised for a million
    records: each record takes the smallest id among its linked neighbours, and then its
    label's label, until nothing changes (as many rounds as the longest chain of links)."""
    ids = np.unique(
        np.array(
            [str(i) for i in record_ids] + [*links["unique_id_l"], *links["unique_id_r"]],
            dtype=object,
        )
    )
    left = np.searchsorted(ids, links["unique_id_l"].to_numpy(dtype=object))
    right = np.searchsorted(ids, links["unique_id_r"].to_numpy(dtype=object))
    component = np.arange(len(ids))
    while True:
        smaller = np.minimum(component[left], component[right])
        joined = component.copy()
        np.minimum.at(joined, left, smaller)
        np.minimum.at(joined, right, smaller)
        joined = joined[joined]
        if np.array_equal(joined, component):
            break
        component = joined
    held = pd.Series(links["match_probability"].to_numpy(dtype=float)).groupby(component[left])
    return pd.DataFrame(
        {
            "unique_id": ids,
            "cluster_id": ids[component],
            "cluster_size": np.bincount(component, minlength=len(ids))[component],
            "min_probability": held.min().reindex(component).to_numpy(),
            "mean_probability": held.mean().reindex(component).to_numpy(),
        }
    )


class _Forest:
    """Union-find over record ids that refuses any join across a rejected pair."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}
        self._rejected: dict[str, set[str]] = {}  # root -> ids its members were rejected with

    def add(self, node: str) -> None:
        self._parent.setdefault(node, node)

    def forbid(self, left: str, right: str) -> None:
        for one, other in ((left, right), (right, left)):
            self.add(one)
            self._rejected.setdefault(self.root(one), set()).add(other)

    def root(self, node: str) -> str:
        self.add(node)
        while self._parent[node] != node:
            self._parent[node] = self._parent[self._parent[node]]
            node = self._parent[node]
        return node

    def join(self, left: str, right: str) -> bool:
        """Link two records' clusters; False if a rejected pair forbids it."""
        a, b = self.root(left), self.root(right)
        if a == b:
            return True
        if any(self.root(other) == b for other in self._rejected.get(a, ())):
            return False
        keep, merged = sorted((a, b))
        self._parent[merged] = keep
        self._rejected.setdefault(keep, set()).update(self._rejected.pop(merged, set()))
        return True

    def clusters(self, held_by: dict[str, list[float]]) -> pd.DataFrame:
        members: dict[str, list[str]] = {}
        for node in sorted(self._parent):
            members.setdefault(self.root(node), []).append(node)
        probabilities: dict[str, list[float]] = {}
        for node, values in held_by.items():
            probabilities.setdefault(self.root(node), []).extend(values)
        rows = []
        for root, group in members.items():
            values = probabilities.get(root, [])
            low = min(values) if values else math.nan
            mean = sum(values) / len(values) if values else math.nan
            rows += [(node, group[0], len(group), low, mean) for node in group]
        return pd.DataFrame(rows, columns=CLUSTER_COLUMNS).sort_values(
            "unique_id", ignore_index=True
        )
