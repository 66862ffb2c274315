"""Load published networks from CSV: adjacency matrices and edge lists.

Both give a `network.Network` whose people are numbered 0..n-1 in the order the file first
names them, with the file's names as labels. Bad input raises `NetworkImportError` listing every
problem found (up to MAX_ERRORS), each naming the file, row, column, value and reason, so a
file can be fixed in one pass. Formats: docs/network-analysis.md.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final, NoReturn, TypeAlias

import numpy as np

from .network import (
    CONFIDENCE_LEVELS,
    TIE_TYPES,
    DateArray,
    FloatArray,
    Network,
    Ties,
    TieType,
)

MAX_ERRORS: Final = 100  # past this many the file is most likely of another kind
SHOWN_ERRORS: Final = 20
EDGE_LIST_COLUMNS: Final = (
    "source",
    "target",
    "weight",
    "tie_type",
    "started",
    "ended",
    "confidence",
)
_TIE_TYPE_CODE: Final = {tie_type.value: code for code, tie_type in enumerate(TIE_TYPES)}
_Problem: TypeAlias = Callable[[str, str], None]


@dataclass(frozen=True)
class RowError:
    file: str
    row: int  # line number in the file; the header is row 1
    column: str  # the column's header; "" when the problem is the whole row
    value: str
    reason: str

    def __str__(self) -> str:
        column = f", column {self.column!r}" if self.column else ""
        return f"{self.file}, row {self.row}{column}: {self.value!r}: {self.reason}"


class NetworkImportError(ValueError):
    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = list(errors)
        shown = "\n".join(str(error) for error in self.errors[:SHOWN_ERRORS])
        more = len(self.errors) - SHOWN_ERRORS
        tail = f"\n… and {more} more" if more > 0 else ""
        super().__init__(f"{len(self.errors)} problem(s) in the network file:\n{shown}{tail}")


class _Errors:
    def __init__(self, file: str) -> None:
        self.file = file
        self.found: list[RowError] = []

    def add(self, row: int, column: str, value: str, reason: str) -> None:
        self.found.append(RowError(self.file, row, column, value, reason))
        if len(self.found) >= MAX_ERRORS:
            self.fail()

    def fail(self) -> NoReturn:
        raise NetworkImportError(self.found)

    def fail_if_any(self) -> None:
        if self.found:
            self.fail()


def _read_rows(path: str | os.PathLike[str]) -> tuple[str, list[tuple[int, list[str]]]]:
    """(file name, [(line number, cells)]) without blank rows; a byte-order mark is ignored."""
    name = str(path)
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        value = raw[error.start : error.end].hex()
        raise NetworkImportError(
            [RowError(name, line, "", value, "not UTF-8 text: save the file as UTF-8 CSV")]
        ) from error
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((reader.line_num, cells))
    except csv.Error as error:
        raise NetworkImportError(
            [RowError(name, reader.line_num, "", "", f"not valid CSV: {error}")]
        ) from error
    if not rows:
        raise NetworkImportError([RowError(name, 1, "", "", "the file has no rows")])
    return name, rows


# ---- adjacency matrices ----------------------------------------------------------------------


def read_adjacency_matrix(
    path: str | os.PathLike[str], *, tie_type: TieType, symmetric: bool
) -> Network:
    """A square matrix: the first row labels the columns (its first cell, the corner, is
    ignored), the first column labels the rows in the same order, and each cell is the weight
    of the tie from the row's person to the column's (0: none). Every tie gets `tie_type`.

    symmetric=True requires cell (i, j) to equal (j, i), and the tie's weight is that value;
    otherwise the matrix is read as directed (e.g. calls made) and each pair of people gets one
    tie weighing (i, j) + (j, i).
    """
    name, rows = _read_rows(path)
    errors = _Errors(name)
    (header_line, header), body = rows[0], rows[1:]
    labels = [cell.strip() for cell in header[1:]]
    _check_labels(errors, header_line, labels)
    errors.fail_if_any()
    if len(body) != len(labels):
        row = body[-1][0] if body else header_line
        reason = f"not square: {len(labels)} column labels but {len(body)} rows of people"
        errors.add(row, "", f"{len(body)} rows", reason)
    weights = np.zeros((len(labels), len(labels)), dtype=np.float64)
    for index, (line, cells) in enumerate(body[: len(labels)]):
        if len(cells) != len(header):
            reason = f"expected {len(header)} cells: the row's label and one per column"
            errors.add(line, "", f"{len(cells)} cells", reason)
            continue
        if cells[0].strip() != labels[index]:
            reason = (
                f"row {index + 1} of people must be labelled {labels[index]!r}, like column"
                f" {index + 1}: rows and columns list the same people in the same order"
            )
            errors.add(line, header[0].strip() or "(row labels)", cells[0], reason)
        weights[index] = _matrix_row(errors, line, labels, cells[1:])
    errors.fail_if_any()
    _check_diagonal(errors, body, labels, weights)
    if symmetric:
        _check_symmetric(errors, body, labels, weights)
    errors.fail_if_any()
    combined = weights if symmetric else weights + weights.T
    source, target = np.nonzero(np.triu(combined, 1))
    ties = Ties.from_columns(
        source=source,
        target=target,
        tie_type=np.full(len(source), TIE_TYPES.index(tie_type), dtype=np.int8),
        weight=combined[source, target],
    )
    return Network(person_ids=np.arange(len(labels)), ties=ties, labels=tuple(labels))


def _check_labels(errors: _Errors, line: int, labels: list[str]) -> None:
    seen: set[str] = set()
    for number, label in enumerate(labels, start=2):
        if not label:
            errors.add(line, f"column {number}", label, "a column has no label")
        elif label in seen:
            errors.add(line, label, label, "the label is used for two columns")
        seen.add(label)


def _matrix_row(errors: _Errors, line: int, labels: list[str], cells: list[str]) -> FloatArray:
    try:
        values = np.asarray(cells, dtype=np.float64)
        if np.all(np.isfinite(values) & (values >= 0)):
            return values
    except ValueError:
        pass
    values = np.zeros(len(cells), dtype=np.float64)
    for index, cell in enumerate(cells):
        weight = _weight(cell, allow_zero=True)
        if isinstance(weight, str):
            errors.add(line, labels[index], cell, weight)
        else:
            values[index] = weight
    return values


def _weight(cell: str, *, allow_zero: bool) -> float | str:
    """The number in `cell`, or the reason it is not a usable weight."""
    text = cell.strip()
    if not text:
        return "empty cell: write 0 for no tie"
    try:
        value = float(text)
    except ValueError:
        return "not a number"
    if not math.isfinite(value):
        return "not a finite number"
    if value < 0 or (value == 0 and not allow_zero):
        bound = "0 or more" if allow_zero else "more than 0 (leave the row out for no tie)"
        return f"a weight must be {bound}"
    return value


def _check_diagonal(
    errors: _Errors, body: list[tuple[int, list[str]]], labels: list[str], weights: FloatArray
) -> None:
    for index in np.flatnonzero(np.diagonal(weights)):
        line, cells = body[index]
        reason = "a person cannot be tied to themselves: the diagonal must be 0"
        errors.add(line, labels[index], cells[index + 1], reason)


def _check_symmetric(
    errors: _Errors, body: list[tuple[int, list[str]]], labels: list[str], weights: FloatArray
) -> None:
    for i, j in np.argwhere(np.triu(weights != weights.T, 1)):
        line, cells = body[j]
        mirror = body[i][1][j + 1]
        reason = (
            f"asymmetric: row {labels[i]!r}, column {labels[j]!r} holds {mirror!r}, and a"
            " symmetric matrix was required (symmetric=False reads a directed matrix)"
        )
        errors.add(line, labels[i], cells[i + 1], reason)


# ---- edge lists ------------------------------------------------------------------------------


def read_edge_list(
    path: str | os.PathLike[str], *, default_tie_type: TieType | None = None
) -> Network:
    """A CSV with a header row: `source` and `target` (people's names), and optionally
    `weight` (more than 0; default 1), `tie_type` (default `default_tie_type`), `started` and
    `ended` (YYYY-MM-DD; empty: not known, ongoing) and `confidence` (high, medium, low or a
    number in (0, 1]; default 1). One row per tie."""
    name, rows = _read_rows(path)
    errors = _Errors(name)
    (header_line, header), body = rows[0], rows[1:]
    columns = [cell.strip().lower() for cell in header]
    _check_edge_list_header(errors, header_line, columns)
    errors.fail_if_any()
    edges: list[_Edge] = []
    for line, cells in body:
        if len(cells) != len(columns):
            reason = f"expected {len(columns)} cells, one per column of the header"
            errors.add(line, "", f"{len(cells)} cells", reason)
            continue
        edge = _edge(errors, line, dict(zip(columns, cells, strict=True)), default_tie_type)
        if edge is not None:
            edges.append(edge)
    if not body:
        errors.add(header_line, "", "", "the file has a header but no ties")
    errors.fail_if_any()
    people: dict[str, int] = {}
    for edge in edges:
        people.setdefault(edge.source, len(people))
        people.setdefault(edge.target, len(people))
    ties = Ties.from_columns(
        source=[people[edge.source] for edge in edges],
        target=[people[edge.target] for edge in edges],
        tie_type=np.array([edge.tie_type for edge in edges], dtype=np.int8),
        started=_date_array([edge.started for edge in edges]),
        ended=_date_array([edge.ended for edge in edges]),
        confidence=[edge.confidence for edge in edges],
        weight=[edge.weight for edge in edges],
    )
    return Network(person_ids=np.arange(len(people)), ties=ties, labels=tuple(people))


def _date_array(dates: list[str | None]) -> DateArray:
    return np.array([day or "NaT" for day in dates], dtype="datetime64[D]")


@dataclass(frozen=True)
class _Edge:
    source: str
    target: str
    tie_type: int
    weight: float
    started: str | None
    ended: str | None
    confidence: float


def _check_edge_list_header(errors: _Errors, line: int, columns: list[str]) -> None:
    for index, column in enumerate(columns):
        if column not in EDGE_LIST_COLUMNS:
            reason = f"unknown column; expected some of {', '.join(EDGE_LIST_COLUMNS)}"
            errors.add(line, column, column, reason)
        elif column in columns[:index]:
            errors.add(line, column, column, "the column appears twice")
    for required in ("source", "target"):
        if required not in columns:
            errors.add(line, required, "", f"the header has no {required!r} column")


def _edge(
    errors: _Errors, line: int, cells: dict[str, str], default_tie_type: TieType | None
) -> _Edge | None:
    """One tie, or None after recording each problem with the row."""
    before = len(errors.found)

    def problem(column: str, reason: str) -> None:
        errors.add(line, column, cells.get(column, ""), reason)

    source, target = cells["source"].strip(), cells["target"].strip()
    for column, person in (("source", source), ("target", target)):
        if not person:
            problem(column, "no person named")
    if source and source == target:
        problem("target", "a person cannot be tied to themselves")
    weight_text = cells.get("weight", "").strip()
    weight = _weight(weight_text, allow_zero=False) if weight_text else 1.0
    if isinstance(weight, str):
        problem("weight", weight)
    code = _tie_type_code(cells.get("tie_type", "").strip(), default_tie_type)
    if isinstance(code, str):
        problem("tie_type", code)
    started, ended = _date(cells, "started", problem), _date(cells, "ended", problem)
    if started and ended and ended < started:
        problem("ended", f"the tie ended before it started ({started})")
    confidence = _confidence(cells.get("confidence", "").strip())
    if isinstance(confidence, str):
        problem("confidence", confidence)
    if isinstance(weight, str) or isinstance(code, str) or isinstance(confidence, str):
        return None
    if len(errors.found) > before:
        return None
    return _Edge(source, target, code, weight, started, ended, confidence)


def _tie_type_code(text: str, default: TieType | None) -> int | str:
    if not text:
        if default is None:
            return "no tie type, and no default tie type was given"
        return TIE_TYPES.index(default)
    if text not in _TIE_TYPE_CODE:
        return f"unknown tie type; expected one of {', '.join(_TIE_TYPE_CODE)}"
    return _TIE_TYPE_CODE[text]


def _date(cells: dict[str, str], column: str, problem: _Problem) -> str | None:
    text = cells.get(column, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        problem(column, "not a date: write YYYY-MM-DD")
        return None


def _confidence(text: str) -> float | str:
    if not text:
        return 1.0
    if text.lower() in CONFIDENCE_LEVELS:
        return CONFIDENCE_LEVELS[text.lower()]
    try:
        value = float(text)
    except ValueError:
        return "expected high, medium, low or a number in (0, 1]"
    return value if 0 < value <= 1 else "a confidence number must be in (0, 1]"
