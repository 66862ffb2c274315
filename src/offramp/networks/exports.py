"""A group and its periphery as GraphML, GEXF (Gephi) and i2 Analyst's Notebook CSVs.

Through the export service (offramp.exports): the daily limit, approval, the marking and the
access log apply as to every export. The stored file is a ZIP of all three; each can be
downloaded on its own. The people are those of the group's pathway map (its members, everyone
linked to it, and everyone within two ties of a member), read as the requester through the
scoping rules; the network engine writes the files and each person's link to the group is
added as a `category` column — a victim is "victim", with no role, in every format.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError

from offramp.access.permissions import Capability
from offramp.access.scoping import groups_visible_to
from offramp.accounts.models import User
from offramp.analysis.network import (
    Memberships,
    Network,
    Ties,
    build_graph,
    communities,
    compute_exposure,
    confidence_from_levels,
    write_gexf,
    write_graphml,
    write_i2_csv,
)
from offramp.audit.services import AuditObject
from offramp.exports.registry import Exporter, ExportFile, ExportInput, Marking, Produced
from offramp.people.models import PersonCategory
from offramp.spreadsheets import safe_cell

from .models import OrganisedCrimeGroup
from .selectors import GroupMap, dates_array, group_map, today_view

KIND = "network"
GRAPHML, GEXF, I2_NODES, I2_EDGES = (
    "network.graphml",
    "network.gexf",
    "i2-entities.csv",
    "i2-links.csv",
)
# Download format: the files of the stored ZIP it holds (the first format is the ZIP itself).
FORMAT_FILES: dict[str, tuple[str, ...]] = {
    "zip": (GRAPHML, GEXF, I2_NODES, I2_EDGES),
    "graphml": (GRAPHML,),
    "gexf": (GEXF,),
    "i2": (I2_NODES, I2_EDGES),
}
FORMAT_LABELS: dict[str, str] = {
    "zip": "Download all formats (ZIP)",
    "graphml": "Download GraphML",
    "gexf": "Download GEXF (Gephi)",
    "i2": "Download i2 Analyst's Notebook CSVs (ZIP)",
}
CONTENT_TYPES = {
    ".graphml": "application/xml",
    ".gexf": "application/xml",
    ".zip": "application/zip",
}
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
GEXF_NS = "http://www.gexf.net/1.2draft"
CATEGORY = "category"


def _group(user: User, request: ExportInput) -> OrganisedCrimeGroup:
    parameters = dict(request.parameters)
    unknown = sorted(set(parameters) - {"group_id"})
    if unknown:
        raise ValidationError(f"Unknown network export options: {', '.join(unknown)}")
    group_id = parameters.get("group_id")
    if not isinstance(group_id, int) or isinstance(group_id, bool):
        raise ValidationError({"group_id": "Choose the group to export"})
    group = groups_visible_to(user).filter(pk=group_id).first()
    if group is None:
        raise PermissionDenied("You cannot export this group.")
    return group


def _network(mapped: GroupMap) -> Network:
    """The map's people and ties; the members are the suspects and offenders linked to it."""
    ids = [p.person.id for p in mapped.people]
    ties = mapped.ties
    links = [p.link for p in mapped.people if p.link is not None and p.kind == "member"]
    return Network(
        person_ids=np.array(ids, dtype=np.int64),
        labels=tuple(p.person.name for p in mapped.people),
        ties=Ties.from_columns(
            ids=[tie.pk for tie in ties],
            source=np.array([tie.person_a_id for tie in ties], dtype=np.int64),
            target=np.array([tie.person_b_id for tie in ties], dtype=np.int64),
            tie_type=np.array([tie.tie_type for tie in ties], dtype=str),
            started=dates_array(tie.started_on for tie in ties),
            ended=dates_array(tie.ended_on for tie in ties),
            confidence=confidence_from_levels([tie.confidence for tie in ties]),
            weight=[tie.weight for tie in ties],
        ),
        memberships=Memberships.from_columns(
            person=np.array([link.person_id for link in links], dtype=np.int64),
            group=np.array([link.group_id for link in links], dtype=np.int64),
            role=np.array([link.role for link in links], dtype=str),
            started=dates_array(link.started_on for link in links),
        ),
    )


def _xml(root: ElementTree.Element, namespace: str, marking: Marking) -> bytes:
    ElementTree.register_namespace("", namespace)
    note = marking.text.replace("--", "- -")  # "--" may not appear inside an XML comment
    body = ElementTree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n<!-- {note} -->\n{body}\n'.encode()


def _graphml(path: Path, categories: Mapping[str, str], marking: Marking) -> bytes:
    ns = {"g": GRAPHML_NS}
    root = ElementTree.parse(path).getroot()
    graph = root.find("g:graph", ns)
    assert graph is not None
    key = ElementTree.Element(
        f"{{{GRAPHML_NS}}}key",
        {"id": f"n_{CATEGORY}", "for": "node", "attr.name": CATEGORY, "attr.type": "string"},
    )
    root.insert(list(root).index(graph), key)
    for node in graph.findall("g:node", ns):
        category = categories.get(node.get("id", ""), "")
        if category:
            data = ElementTree.SubElement(node, f"{{{GRAPHML_NS}}}data", {"key": f"n_{CATEGORY}"})
            data.text = category
    return _xml(root, GRAPHML_NS, marking)


def _gexf(path: Path, categories: Mapping[str, str], marking: Marking) -> bytes:
    ns = {"x": GEXF_NS}
    root = ElementTree.parse(path).getroot()
    declared = root.find("x:graph/x:attributes[@class='node']", ns)
    assert declared is not None
    attribute_id = str(len(declared))
    ElementTree.SubElement(
        declared,
        f"{{{GEXF_NS}}}attribute",
        {"id": attribute_id, "title": CATEGORY, "type": "string"},
    )
    for node in root.findall("x:graph/x:nodes/x:node", ns):
        category = categories.get(node.get("id", ""), "")
        values = node.find("x:attvalues", ns)
        if category and values is not None:
            ElementTree.SubElement(
                values, f"{{{GEXF_NS}}}attvalue", {"for": attribute_id, "value": category}
            )
    return _xml(root, GEXF_NS, marking)


def _csv(path: Path, marking: Marking, categories: Mapping[str, str] | None = None) -> bytes:
    """The marking as the first row (start i2's import at row 2), then the engine's rows."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    if categories is not None:
        rows = [[*rows[0], CATEGORY]] + [[*row, categories.get(row[0], "")] for row in rows[1:]]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(marking.text)])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def network_files(mapped: GroupMap, marking: Marking) -> dict[str, bytes]:
    """Every format's files, marked, with each person's link to the group as `category`."""
    graph = build_graph(_network(mapped), as_of=mapped.view.as_of)
    extra: dict[str, Any] = {"exposure": compute_exposure(graph), "community": communities(graph)}
    categories = {str(p.person.id): p.link.category if p.link else "" for p in mapped.people}
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        write_graphml(graph, out / GRAPHML, **extra)
        write_gexf(graph, out / GEXF, **extra)
        write_i2_csv(graph, out / I2_NODES, out / I2_EDGES, **extra)
        return {
            GRAPHML: _graphml(out / GRAPHML, categories, marking),
            GEXF: _gexf(out / GEXF, categories, marking),
            I2_NODES: _csv(out / I2_NODES, marking, categories),
            I2_EDGES: _csv(out / I2_EDGES, marking),
        }


def _zip(files: Mapping[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, body in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0)), body)
    return out.getvalue()


class NetworkExporter(Exporter):
    kind = KIND
    title = "Network of an organised crime group"
    audit_name = "network"
    capability = Capability.MANAGE_NETWORKS
    formats = tuple(FORMAT_FILES)

    def validate(self, *, user: User, request: ExportInput) -> None:
        _group(user, request)

    def _map(self, user: User, request: ExportInput) -> GroupMap:
        return group_map(user=user, group=_group(user, request), view=today_view())

    def count(self, *, user: User, request: ExportInput) -> int:
        mapped = self._map(user, request)
        return len(mapped.people) + len(mapped.ties)

    def produce(self, *, user: User, request: ExportInput, marking: Marking) -> Produced:
        mapped = self._map(user, request)
        files = network_files(mapped, marking)
        consulted: list[Any] = [
            mapped.group,
            *(AuditObject("person", p.person.id, person_id=p.person.id) for p in mapped.people),
        ]
        victims = sum(
            1 for p in mapped.people if p.link and p.link.category == PersonCategory.VICTIM
        )
        return Produced(
            body=_zip(files),
            filename=f"{marking.reference}-{mapped.group.reference}-network.zip",
            content_type="application/zip",
            rows=len(mapped.people) + len(mapped.ties),
            consulted=consulted,
            summary={"people": len(mapped.people), "ties": len(mapped.ties), "victims": victims},
        )

    def render(self, *, stored: bytes, filename: str, fmt: str) -> ExportFile:
        names = FORMAT_FILES.get(fmt)
        if names is None:
            return super().render(stored=stored, filename=filename, fmt=fmt)
        with zipfile.ZipFile(io.BytesIO(stored)) as archive:
            files = {name: archive.read(name) for name in names}
        base = filename.removesuffix(".zip")
        if len(files) == 1:
            [(name, body)] = files.items()
            suffix = Path(name).suffix
            return ExportFile(body, f"{base}{suffix}", CONTENT_TYPES[suffix])
        return ExportFile(_zip(files), f"{base}-{fmt}.zip", CONTENT_TYPES[".zip"])

    def describe(self, request: ExportInput) -> str:
        group_id = request.parameters.get("group_id")
        group = OrganisedCrimeGroup.objects.filter(pk=group_id).first() if group_id else None
        reference = group.reference if group else "a group no longer held"
        return f"{self.title}: {reference}, its links and everyone within two ties of a member"
