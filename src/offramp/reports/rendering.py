"""A report (the Local Profile, the upstream view) as a page, a document, a PDF, a CSV pack and
an XLSX workbook: all from the same suppressed tables, so no format shows more than another.

The PDF is WeasyPrint's rendering of the standalone HTML document with its print stylesheet.
"""

import csv
import io
import math
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from numbers import Number

import pandas as pd
from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from offramp.analysis.disclosure import LEGEND, SUPPRESSED, TOTAL_LABEL
from offramp.analysis.profile import LocalProfile, Section, Table
from offramp.spreadsheets import safe_cell

from .charts import ChartPicture, draw_chart

# A table this long is worth sorting (MoJ sortable table); shorter ones read at a glance.
SORTABLE_FROM_ROWS = 6
WIDE_FROM_COLUMNS = 4
SHEET_NAME_LIMIT = 31  # Excel's limit
ABOUT_SHEET = "About"


@dataclass(frozen=True)
class TableView:
    table: Table
    headers: list[str]
    numeric: list[bool]
    rows: list[list[str]]
    total: list[str] | None  # the "Total" row, kept out of sorting

    @cached_property
    def chart(self) -> ChartPicture | None:
        """Drawn when a page or document shows it: the CSV pack and workbook need none."""
        return draw_chart(self.table)

    @property
    def sortable(self) -> bool:
        return len(self.rows) >= SORTABLE_FROM_ROWS

    @property
    def wide(self) -> bool:
        """Too many columns to share the width with its chart: the chart goes below."""
        return len(self.headers) > WIDE_FROM_COLUMNS

    @property
    def header_cells(self) -> list[tuple[str, bool]]:
        return list(zip(self.headers, self.numeric, strict=True))

    @property
    def body_cells(self) -> list[list[tuple[str, bool]]]:
        return [list(zip(row, self.numeric, strict=True)) for row in self.rows]

    @property
    def total_cells(self) -> list[tuple[str, bool]]:
        return list(zip(self.total or [], self.numeric, strict=True))


@dataclass(frozen=True)
class SectionView:
    section: Section
    tables: list[TableView]


@dataclass(frozen=True)
class ReportDocument:
    """What every format of a report is made from."""

    kind: str  # "profile" or "upstream": the file names
    title: str
    area_name: str
    period_start: date
    period_end: date
    produced_at: datetime
    sections: list[SectionView]
    legend: str = LEGEND

    @property
    def tables(self) -> list[Table]:
        return [view.table for section in self.sections for view in section.tables]


def display_value(value: object) -> str:
    """A cell as people read it: counts with thousands separators, rates to two places."""
    if _blank(value):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, pd.Timestamp | datetime | date):
        return f"{value:%-d %b %Y}"
    if isinstance(value, Number):
        number = float(value)  # type: ignore[arg-type]
        if number.is_integer():
            return f"{int(number):,}"
        return f"{number:,.2f}"
    return str(value)


def _is_numeric_column(series: pd.Series) -> bool:
    """Numbers, or numbers suppressed as "[c]": aligned right, as GOV.UK tables do."""
    values = [v for v in series if not _blank(v) and v != ""]
    return bool(values) and all(
        v == SUPPRESSED or (isinstance(v, Number) and not isinstance(v, bool)) for v in values
    )


def table_view(table: Table) -> TableView:
    frame = table.frame
    rows = [[display_value(value) for value in row] for row in frame.itertuples(index=False)]
    total = None
    if rows and rows[-1] and rows[-1][0] == TOTAL_LABEL:
        total = rows.pop()
    return TableView(
        table=table,
        headers=[str(column) for column in frame.columns],
        numeric=[_is_numeric_column(frame[column]) for column in frame.columns],
        rows=rows,
        total=total,
    )


def build_document(
    *,
    kind: str,
    title: str,
    area_name: str,
    sections: Sequence[Section],
    period_start: date,
    period_end: date,
    produced_at: datetime,
) -> ReportDocument:
    views = [
        SectionView(section, [table_view(table) for table in section.tables])
        for section in sections
    ]
    return ReportDocument(
        kind=kind,
        title=title,
        area_name=area_name,
        period_start=period_start,
        period_end=period_end,
        produced_at=produced_at,
        sections=views,
    )


def profile_document(
    profile: LocalProfile,
    *,
    area_name: str,
    produced_at: datetime,
) -> ReportDocument:
    return build_document(
        kind="profile",
        title=f"{area_name} SOC Local Profile: Prevent section",
        area_name=area_name,
        sections=profile.sections,
        period_start=profile.period_start,
        period_end=profile.period_end,
        produced_at=produced_at,
    )


def standalone_html(document: ReportDocument) -> str:
    """The report as one self-contained HTML file (styles and charts inline): the PDF's source,
    and the profile.html the command writes."""
    return render_to_string("reports/document.html", {"document": document})


def pdf_bytes(document: ReportDocument) -> bytes:
    from weasyprint import HTML  # imported when needed: it loads Pango and friends

    # No base_url: the document is self-contained, so WeasyPrint fetches nothing.
    pdf: bytes = HTML(string=standalone_html(document)).write_pdf()
    return pdf


def _csv_text(frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([safe_cell(str(column)) for column in frame.columns])
    for row in frame.itertuples(index=False):
        writer.writerow(["" if _blank(value) else safe_cell(value) for value in row])
    return buffer.getvalue()


def _blank(value: object) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def csv_pack(document: ReportDocument) -> bytes:
    """A zip holding one CSV per table, named by the table's id."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as pack:
        for table in document.tables:
            pack.writestr(f"{table.id}.csv", _csv_text(table.frame))
    return buffer.getvalue()


def _sheet_names(tables: Sequence[Table]) -> list[str]:
    names: list[str] = [ABOUT_SHEET]
    for table in tables:
        base = table.id[:SHEET_NAME_LIMIT]
        name, number = base, 2
        while name.lower() in (n.lower() for n in names):
            suffix = f"-{number}"
            name, number = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix, number + 1
        names.append(name)
    return names[1:]


def _excel_value(value: object) -> object:
    if _blank(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, str | Number | date):
        return safe_cell(value)
    return safe_cell(str(value))


def _excel_row(values: Iterable[object]) -> list[object]:
    """A row for `append`, each cell through `_excel_value` (openpyxl runs text starting `=`
    as a formula)."""
    return [_excel_value(value) for value in values]


def xlsx_bytes(document: ReportDocument) -> bytes:
    """One workbook: an "About" sheet (period, legend, contents), then a sheet per table."""
    workbook = Workbook()
    about = workbook.active
    about.title = ABOUT_SHEET
    bold = Font(bold=True)
    about.append(_excel_row([document.title]))
    about["A1"].font = bold
    about.append([f"Period: {document.period_start:%-d %B %Y} to {document.period_end:%-d %B %Y}"])
    about.append([f"Produced: {document.produced_at:%-d %B %Y %H:%M} UTC"])
    about.append([document.legend])
    about.append([])
    about.append(["Sheet", "Table"])
    tables = document.tables
    names = _sheet_names(tables)
    for name, table in zip(names, tables, strict=True):
        about.append(_excel_row([name, table.title]))
        sheet = workbook.create_sheet(name)
        sheet.append(_excel_row([table.title]))
        sheet["A1"].font = bold
        sheet.append(_excel_row([str(column) for column in table.frame.columns]))
        for cell in sheet[2]:
            cell.font = bold
        for row in table.frame.itertuples(index=False):
            sheet.append(_excel_row(row))
        for note in table.notes:
            sheet.append(_excel_row([note]))
        for position, column in enumerate(table.frame.columns, start=1):
            width = max(len(str(column)), 10)
            sheet.column_dimensions[get_column_letter(position)].width = min(width + 2, 60)
    about.column_dimensions["A"].width = 32
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def long_csv(document: ReportDocument) -> str:
    """Every table in one CSV, a figure a line (table, title, row, column, value): one file
    that partners can filter, whatever the shape of each table."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["table", "title", "row", "column", "value"])
    for table in document.tables:
        figures = [str(column) for column in table.frame.columns][1:]
        for row in table.frame.itertuples(index=False):
            for column, value in zip(figures, row[1:], strict=True):
                cells = [table.id, table.title, row[0], column, "" if _blank(value) else value]
                writer.writerow([safe_cell(cell) for cell in cells])
    return buffer.getvalue()
