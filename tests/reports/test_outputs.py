"""The profile's files: a PDF whose every page renders, a CSV pack with one CSV per table and
no count under 5, and a workbook with a sheet per table. Each download is logged."""

import csv
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from offramp.accounts.models import User
from offramp.audit.models import AuditAction, AuditEntry
from offramp.reports.services import ReportKind, report_produce
from tests.conftest import signed_in

from .conftest import PERIOD_START, ReportWorld, period_query


def _download(user: User, route: str) -> bytes:
    response = signed_in(user).get(f"{reverse(route)}?{period_query()}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return response.content


def _table_ids(analyst: User) -> list[str]:
    document = report_produce(
        user=analyst,
        kind=ReportKind.PROFILE,
        period_start=PERIOD_START,
        period_end=timezone.localdate(),
    )
    return [table.id for table in document.tables]


# Columns of small whole numbers that count no one: a programme's places, a pathway's size.
NOT_COUNTS_OF_PEOPLE = frozenset({"Places", "Number of factors"})


def _small_counts(header: list[str], rows: list[list[str]]) -> list[str]:
    """Cells that read as a whole number from 1 to 4 (shares and rates have a decimal point)."""
    return [
        f"{column}: {cell}"
        for row in rows
        for column, cell in zip(header, row, strict=False)
        if column not in NOT_COUNTS_OF_PEOPLE and cell.strip() in {"1", "2", "3", "4"}
    ]


def test_the_pdf_opens_and_every_page_renders(
    report_world: ReportWorld, analyst: User, tmp_path: Path
) -> None:
    content = _download(analyst, "reports:profile-pdf")
    assert content.startswith(b"%PDF-")
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is missing: install poppler-utils (make browser does)")
    pdf = tmp_path / "profile.pdf"
    pdf.write_bytes(content)
    result = subprocess.run(
        ["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "page")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert not result.stderr.strip(), result.stderr  # poppler reports damaged pages here
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 5  # a title page and a page per section at least
    assert all(page.stat().st_size > 0 for page in pages)
    entry = AuditEntry.objects.get(object_type="report.profile")
    assert entry.action == AuditAction.DISCLOSURE and entry.object_id.endswith(" pdf")


def test_the_csv_pack_and_workbook_hold_every_table_and_no_small_count(
    report_world: ReportWorld, analyst: User
) -> None:
    table_ids = _table_ids(analyst)
    pack = zipfile.ZipFile(io.BytesIO(_download(analyst, "reports:profile-pack")))
    names = pack.namelist()
    assert sorted(names) == sorted(f"{table_id}.csv" for table_id in table_ids)
    for name in names:
        header, *rows = csv.reader(io.StringIO(pack.read(name).decode("utf-8")))
        assert not _small_counts(header, rows), f"{name} shows a count under 5"
    assert [n for n in names if "[c]" in pack.read(n).decode()]  # two referrals: all [c]

    workbook = load_workbook(io.BytesIO(_download(analyst, "reports:profile-xlsx")))
    about, *sheets = workbook.worksheets
    assert about.title == "About"
    assert len(sheets) == len(table_ids)
    for sheet in sheets:
        _title, header, *rows = sheet.iter_rows(values_only=True)
        cells = [["" if v is None else str(v) for v in row] for row in rows]
        assert not _small_counts([str(h) for h in header], cells), sheet.title
    legend = [row[0] for row in about.iter_rows(values_only=True) if row[0]]
    assert any(str(line).startswith("[c]:") for line in legend)
    formats = AuditEntry.objects.filter(object_type="report.profile").values_list("object_id")
    assert sorted(f[0].rsplit(" ", 1)[-1] for f in formats) == ["csv", "xlsx"]
