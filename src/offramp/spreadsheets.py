"""The one guard against formula injection in every CSV and XLSX file Offramp writes.

A spreadsheet runs a cell starting with `=`, `+`, `-` or `@` (or a tab or line break before
one) as a formula: `=HYPERLINK(...)` sends a click elsewhere, `-2+3+cmd|' /C calc'!A0` runs a
program through DDE. Names, notes and labels come from people and partner extracts, so every
writer passes every cell through `safe_cell` (OWASP "CSV Injection"). No Django here: the
analysis engines write files too.
"""

import re
from typing import TypeVar

# The ASCII starts and their full-width forms, which some spreadsheets also read as formulas.
FORMULA_STARTS = frozenset("=+-@＝＋－＠")
CONTROL_STARTS = frozenset("\t\r\n")
# A plain number ("-2", "+44", "-0.5e3") is data, not a formula: left as it is.
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")

Cell = TypeVar("Cell")


def safe_cell(value: Cell) -> Cell | str:
    """The value, or, for text a spreadsheet would run as a formula, the text behind a `'`
    (which makes it text). Other values (numbers, dates, None) are returned unchanged."""
    if not isinstance(value, str) or not value:
        return value
    starts_formula = value[0] in CONTROL_STARTS or value.lstrip()[:1] in FORMULA_STARTS
    if starts_formula and not PLAIN_NUMBER.fullmatch(value):
        return f"'{value}"
    return value
