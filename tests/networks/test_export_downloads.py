"""Issue 12: a network export is a ZIP, and every way of downloading it hands over the bytes
as they were stored, with the right type: the exports pages, the network pages and the API
(which used to decode the ZIP as text and answer 500)."""

import base64
import io
import zipfile

import pytest
from django.urls import reverse

from offramp.accounts.models import User
from offramp.exports.models import ExportRecord
from tests.api.test_api import api_client
from tests.conftest import signed_in

from .conftest import NetworkWorld
from .test_exports import export_group

ALL_FILES = ["network.graphml", "network.gexf", "i2-entities.csv", "i2-links.csv"]
ZIPS = {"zip": ALL_FILES, "i2": ["i2-entities.csv", "i2-links.csv"]}


def _names(body: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None
        return archive.namelist()


@pytest.fixture
def export(network: NetworkWorld, coordinator: User) -> ExportRecord:
    return export_group(coordinator, network)


@pytest.mark.parametrize("route", ["exports:download", "networks:export-download"])
@pytest.mark.parametrize("fmt", ["zip", "i2"])
def test_the_pages_send_the_zip_as_bytes(
    route: str, fmt: str, export: ExportRecord, coordinator: User
) -> None:
    response = signed_in(coordinator).get(reverse(route, args=[export.pk]), {"format": fmt})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith(f'attachment; filename="{export.reference}')
    assert _names(response.content) == ZIPS[fmt]


def test_the_exports_page_offers_each_format_of_a_network_export(
    export: ExportRecord, coordinator: User
) -> None:
    client = signed_in(coordinator)
    page = client.get(reverse("exports:detail", args=[export.pk])).content.decode()
    download = reverse("exports:download", args=[export.pk])
    for fmt in ("zip", "graphml", "gexf", "i2"):
        assert f"{download}?format={fmt}" in page
    gexf = client.get(download, {"format": "gexf"})
    assert gexf["Content-Type"] == "application/xml"
    assert gexf.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')


@pytest.mark.parametrize("fmt", ["", "zip", "i2"])
def test_the_api_sends_a_zip_in_base64(fmt: str, export: ExportRecord, coordinator: User) -> None:
    query = {"format": fmt} if fmt else {}
    response = api_client(coordinator).get(f"/api/v1/exports/{export.pk}/file", query)
    assert response.status_code == 200
    file = response.json()
    assert (file["content_type"], file["encoding"]) == ("application/zip", "base64")
    assert file["filename"].endswith(".zip")
    assert _names(base64.b64decode(file["content"])) == ZIPS[fmt or "zip"]


def test_the_api_sends_a_text_file_as_text(export: ExportRecord, coordinator: User) -> None:
    response = api_client(coordinator).get(
        f"/api/v1/exports/{export.pk}/file", {"format": "graphml"}
    )
    file = response.json()
    assert (file["content_type"], file["encoding"]) == ("application/xml", "utf-8")
    assert file["content"].startswith('<?xml version="1.0" encoding="utf-8"?>')
