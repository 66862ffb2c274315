"""Exports of a network for analysts' tools: GraphML, GEXF and i2 Analyst's Notebook CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Final, Literal, TypeAlias
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import numpy.typing as npt

from offramp.spreadsheets import safe_cell

from .arrays import BoolArray, DateArray, IntArray, StrPath
from .exposure import Exposure
from .graph import MEMBERSHIP_ROLES, TIE_TYPES, NetworkGraph
from .structure import components

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
