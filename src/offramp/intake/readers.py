"""Reading an extract file (CSV, XLSX or JSON) into a header and rows of strings.

The three formats give the same thing: the column names (stripped, lower case) and, per data
row, its values as strings ("" where empty). Rows are numbered from 1, the first row after the
header (the first object of a JSON list). A file that cannot be read raises `ExtractError` with
row errors naming the file and, where it applies, the row or line.
"""

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import PurePath

from django.conf import settings

FORMATS = ("csv", "xlsx", "json")
MAX_ERRORS = 200  # past this many the rest are counted, not listed


@dataclass(frozen=True)
class RowError:
    """One problem: the file, the data row (None for the whole file or its header), the
    column ("" for a whole row), the value as found, and why it is refused."""

    file: str
    row: int | None
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "reason": self.reason,
        }

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row is not None else "the file"
        column = f", column {self.column}" if self.column else ""
        value = f" {self.value!r}:" if self.value else ":"
        return f"{self.file}, {where}{column}:{value} {self.reason}"


class ExtractError(ValueError):
    """The file is refused. `errors` lists every problem found (up to MAX_ERRORS, then one line
    saying how many more there are)."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors[:20]))


class ErrorList:
    """Collects a file's problems, listing the first MAX_ERRORS and counting the rest."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.listed: list[RowError] = []
        self.unlisted = 0

    def add(self, row: int | None, column: str, value: object, reason: str) -> None:
        if len(self.listed) < MAX_ERRORS:
            self.listed.append(RowError(self.file, row, column, str(value)[:200], reason))
        else:
            self.unlisted += 1

    def __bool__(self) -> bool:
        return bool(self.listed)

    def all(self) -> list[RowError]:
        if not self.unlisted:
            return list(self.listed)
        more = RowError(
            self.file,
            None,
            "",
            "",
            f"… and {self.unlisted:,} more problems not listed: fix those above and import "
            "the file again to see the rest",
        )
        return [*self.listed, more]

    def raise_if_any(self) -> None:
        if self.listed:
            raise ExtractError(self.all())


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[str]]  # each as long as columns


def max_bytes() -> int:
    return int(settings.OFFRAMP_IMPORT_MAX_BYTES)


def file_format(file_name: str) -> str:
    return PurePath(file_name).suffix.lower().lstrip(".")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"


def size_errors(file_name: str, size: int) -> list[RowError]:
    limit = max_bytes()
    if size == 0:
        return [RowError(file_name, None, "", "", "The file is empty: there is nothing to import")]
    if size <= limit:
        return []
    parts = -(-size // limit)
    reason = (
        f"The file is {_megabytes(size)}, over the limit of {_megabytes(limit)} "
        f"({limit:,} bytes). Split the extract into {parts} or more files of fewer rows, each "
        "with the header row, and import them one after another"
    )
    return [RowError(file_name, None, "", f"{size:,} bytes", reason)]


def read_table(data: bytes, file_name: str) -> Table:
    """The file's header and rows (its size already checked by `size_errors`). Refuses an
    unreadable file, or one without a header or rows."""
    fmt = file_format(file_name)
    if fmt not in FORMATS:
        raise ExtractError(
            [
                RowError(
                    file_name,
                    None,
                    "",
                    f".{fmt}" if fmt else "",
                    "Offramp reads extracts as CSV (.csv), Excel (.xlsx) or JSON (.json) "
                    "files: save the extract in one of these",
                )
            ]
        )
    table = {"csv": _read_csv, "xlsx": _read_xlsx, "json": _read_json}[fmt](data, file_name)
    if not table.columns or not any(table.columns):
        raise ExtractError([RowError(file_name, None, "", "", "The file has no header row")])
    if not table.rows:
        raise ExtractError(
            [RowError(file_name, None, "", "", "The file has a header but no rows to import")]
        )
    return table


def _text(data: bytes, file_name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start : error.start + 1]
        reason = (
            f"The file is not UTF-8 text: the byte 0x{byte.hex().upper()} at byte "
            f"{error.start + 1:,} (line {line:,}) cannot be read. Save the extract as UTF-8 "
            "(in Excel: 'CSV UTF-8'; elsewhere choose the UTF-8 encoding) and import it again"
        )
        row = line - 1 if line > 1 else None
        raise ExtractError([RowError(file_name, row, "", f"line {line:,}", reason)]) from error


def _header(names: Sequence[object]) -> list[str]:
    return ["" if name is None else str(name).strip().lower() for name in names]


def _read_csv(data: bytes, file_name: str) -> Table:
    text = _text(data, file_name)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ExtractError(
            [
                RowError(
                    file_name,
                    line - 1 if line > 1 else None,
                    "",
                    f"line {line:,}",
                    "The file holds a null character: it is not a text (CSV) file",
                )
            ]
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
        rows = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as error:
        raise ExtractError(
            [
                RowError(
                    file_name,
                    max(reader.line_num - 1, 1),
                    "",
                    "",
                    f"The CSV cannot be read: {error}",
                )
            ]
        ) from error
    columns = _header(header)
    errors = ErrorList(file_name)
    for number, row in enumerate(rows, start=1):
        if len(row) != len(columns):
            errors.add(
                number,
                "",
                f"{len(row)} values",
                f"The row has {len(row)} values but the header has {len(columns)} columns",
            )
    errors.raise_if_any()
    return Table(columns, rows)


def _cell(value: object) -> str:
    """A spreadsheet cell as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(data: bytes, file_name: str) -> Table:
    import openpyxl  # only for spreadsheets: slow to import

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise ExtractError(
            [
                RowError(
                    file_name,
                    None,
                    "",
                    "",
                    "The file is not an Excel workbook Offramp can read (.xlsx): save it from "
                    "Excel as an 'Excel Workbook' or as 'CSV UTF-8'",
                )
            ]
        ) from error
    try:
        sheet = book.worksheets[0]
        rows: Iterator[tuple[object, ...]] = sheet.iter_rows(values_only=True)
        header = next(rows, ())
        columns = _header(header)
        while columns and not columns[-1]:
            columns.pop()
        body = []
        for values in rows:
            cells = [_cell(value).strip() for value in values]
            if any(cells):
                body.append((cells + [""] * len(columns))[: max(len(columns), len(cells))])
    finally:
        book.close()
    errors = ErrorList(file_name)
    for number, cells in enumerate(body, start=1):
        extra = [value for value in cells[len(columns) :] if value]
        if extra:
            errors.add(number, "", extra[0], "The row has values beyond the last named column")
    errors.raise_if_any()
    return Table(columns, [cells[: len(columns)] for cells in body])


def _json_value(value: object) -> str | None:
    if value is None:
        return ""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return None


def _json_shown(value: object) -> str:
    """A value for an error message; a list or object is named, not printed (printing one
    nested deeply recurses as deep)."""
    if isinstance(value, list):
        return "a JSON list"
    if isinstance(value, dict):
        return "a JSON object"
    return str(value)[:50]


def _read_json(data: bytes, file_name: str) -> Table:
    text = _text(data, file_name)
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        reason = (
            f"The file is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        )
        raise ExtractError([RowError(file_name, None, "", "", reason)]) from error
    except RecursionError as error:
        reason = (
            "The file has lists or objects nested too deeply to read. An extract is a list of "
            "objects, one per row, whose values are text, numbers or null"
        )
        raise ExtractError([RowError(file_name, None, "", "", reason)]) from error
    if not isinstance(items, list):
        reason = "The file must hold a JSON list of objects, one per row, each column a key"
        raise ExtractError([RowError(file_name, None, "", "", reason)])
    errors = ErrorList(file_name)
    columns: dict[str, None] = {}
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            errors.add(number, "", _json_shown(item), "Each row must be a JSON object")
            continue
        columns.update(dict.fromkeys(str(key).strip().lower() for key in item))
    errors.raise_if_any()
    names = list(columns)
    rows = []
    for number, item in enumerate(items, start=1):
        values = {str(key).strip().lower(): value for key, value in item.items()}
        row = []
        for name in names:
            text_value = _json_value(values.get(name))
            if text_value is None:
                errors.add(
                    number, name, _json_shown(values.get(name)), "must be text, a number or null"
                )
                text_value = ""
            row.append(text_value)
        rows.append(row)
    errors.raise_if_any()
    return Table(names, rows)
