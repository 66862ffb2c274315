"""Network exports through the export service: GraphML, GEXF and i2 CSVs of a group and its
periphery, marked, capped, logged — and a victim is "victim" in every format, never a member."""

import csv
import io
import zipfile
from typing import Any
from xml.etree import ElementTree

import networkx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from offramp.accounts.models import User
from offramp.audit.models import AuditAction, AuditEntry
from offramp.exports.models import ExportRecord, ExportStatus
from offramp.exports.registry import ExportInput
from offramp.exports.services import OverDailyLimit, export_download, export_request
from offramp.networks.models import NamingPurpose
from tests.conftest import signed_in

from .conftest import NetworkWorld

GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"
GEXF = "{http://www.gexf.net/1.2draft}"


def export_group(user: User, network: NetworkWorld, **extra: Any) -> ExportRecord:
    return export_request(
        user=user,
        kind="network",
        purpose="Mapping Granite Kestrel",
        request=ExportInput(parameters={"group_id": network.group.pk}),
        **extra,
    )


def download(export: ExportRecord, user: User, fmt: str) -> bytes:
    return export_download(export=export, user=user, fmt=fmt).body


def test_the_graphml_reads_in_networkx_with_each_persons_link_to_the_group(
    network: NetworkWorld, analyst: User, names_for_analyst: NamingPurpose
) -> None:
    export = export_group(analyst, network)
    assert (export.status, export.row_count) == (ExportStatus.READY, 5 + 4)
    body = download(export, analyst, "graphml")
    assert b"<!-- OFFICIAL-SENSITIVE \xe2\x80\x94 exported by Sam Lee (Hartmoor Police)" in body
    graph = networkx.read_graphml(io.BytesIO(body))
    people = network.people
    nodes = {
        graph.nodes[str(p.pk)]["label"]: graph.nodes[str(p.pk)]
        for p in people.values()
        if str(p.pk) in graph
    }
    assert set(nodes) == {"Dan Boyd", "Lee Carter", "Mia Rowe", "Connor Walsh", "Jade Price"}
    assert nodes["Mia Rowe"]["category"] == "victim"
    assert nodes["Mia Rowe"]["group_member"] is False
    assert nodes["Mia Rowe"].get("roles", "") == ""
    assert (nodes["Lee Carter"]["category"], nodes["Lee Carter"]["roles"]) == (
        "suspect_or_offender",
        "core",
    )
    assert "category" not in nodes["Jade Price"]  # not linked to the group: left empty
    assert graph.number_of_edges() == 4


def test_the_gexf_and_the_i2_files_say_the_same(
    network: NetworkWorld, analyst: User, names_for_analyst: NamingPurpose
) -> None:
    export = export_group(analyst, network)
    root = ElementTree.fromstring(download(export, analyst, "gexf"))
    declared = {
        a.get("title"): a.get("id")
        for a in root.iter(f"{GEXF}attribute")
        if a.get("title") in ("category", "roles")
    }
    values = {
        node.get("label"): {v.get("for"): v.get("value") for v in node.iter(f"{GEXF}attvalue")}
        for node in root.iter(f"{GEXF}node")
    }
    assert values["Mia Rowe"][declared["category"]] == "victim"
    assert values["Mia Rowe"].get(declared["roles"], "") == ""  # no role, ever

    with zipfile.ZipFile(io.BytesIO(download(export, analyst, "i2"))) as archive:
        assert archive.namelist() == ["i2-entities.csv", "i2-links.csv"]
        entities = list(
            csv.reader(io.StringIO(archive.read("i2-entities.csv").decode("utf-8-sig")))
        )
        links = list(csv.reader(io.StringIO(archive.read("i2-links.csv").decode("utf-8-sig"))))
    assert entities[0][0].startswith("OFFICIAL-SENSITIVE — exported by Sam Lee")
    header = entities[1]
    rows = {row[header.index("label")]: dict(zip(header, row, strict=True)) for row in entities[2:]}
    assert (rows["Mia Rowe"]["category"], rows["Mia Rowe"]["roles"]) == ("victim", "")
    assert rows["Dan Boyd"]["roles"] == "principal"
    assert links[1][:3] == ["from_entity_id", "to_entity_id", "tie_id"]
    assert len(links) == 2 + 4

    with zipfile.ZipFile(io.BytesIO(download(export, analyst, "zip"))) as archive:
        assert sorted(archive.namelist()) == sorted(
            ["network.graphml", "network.gexf", "i2-entities.csv", "i2-links.csv"]
        )


def test_every_person_in_the_file_is_logged_as_consulted_by_the_requester(
    network: NetworkWorld, coordinator: User
) -> None:
    export = export_group(coordinator, network)
    logged = AuditEntry.objects.filter(
        action=AuditAction.CONSULTATION, purpose=f"network export {export.reference}"
    )
    assert {entry.person_id for entry in logged if entry.person_id} == {
        p.pk for name, p in network.people.items() if name != "sam"
    }
    assert {entry.actor_id for entry in logged} == {coordinator.pk}


def test_the_daily_limit_and_approval_apply(
    network: NetworkWorld, analyst: User, auditor: User, settings: Any
) -> None:
    settings.OFFRAMP_EXPORT_DAILY_ROW_LIMIT = 5
    with pytest.raises(OverDailyLimit):
        export_group(analyst, network)
    waiting = export_group(analyst, network, ask_approval=True, justification="Gephi workshop")
    assert waiting.status == ExportStatus.AWAITING_APPROVAL


@pytest.mark.parametrize("persona", ["school_dsl", "health_panel_member", "auditor"])
def test_only_network_users_export_networks(
    persona: str, request: pytest.FixtureRequest, network: NetworkWorld
) -> None:
    with pytest.raises(PermissionDenied):
        export_group(request.getfixturevalue(persona), network)
    assert not ExportRecord.objects.exists()


def test_an_export_asks_for_a_group_and_nothing_else(network: NetworkWorld, analyst: User) -> None:
    for parameters in ({}, {"group_id": "1"}, {"group_id": network.group.pk, "all": True}):
        with pytest.raises(ValidationError):
            export_request(
                user=analyst,
                kind="network",
                purpose="x",
                request=ExportInput(parameters=parameters),
            )


def test_the_export_pages_ask_download_and_belong_to_the_requester(
    network: NetworkWorld, analyst: User, coordinator: User
) -> None:
    client = signed_in(analyst)
    url = reverse("networks:group-export", args=[network.group.pk])
    form = client.get(url).content.decode()
    assert "Export the network of OCG-HM-001" in form and "9" in form
    response = client.post(url, {"purpose": "Gephi workshop"})
    export = ExportRecord.objects.get(kind="network")
    assert response["Location"] == reverse("networks:export-detail", args=[export.pk])
    detail = client.get(response["Location"]).content.decode()
    assert "Download GEXF (Gephi)" in detail
    file = client.get(reverse("networks:export-download", args=[export.pk]), {"format": "gexf"})
    assert (
        file["Content-Disposition"]
        == f'attachment; filename="{export.reference}-OCG-HM-001-network.gexf"'
    )
    other = signed_in(coordinator).get(reverse("networks:export-detail", args=[export.pk]))
    assert other.status_code == 404
