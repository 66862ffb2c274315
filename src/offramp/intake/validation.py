"""Checking an extract's rows against its kind's schema, collecting every problem.

Each value is checked for its column (required, length, type, allowed values), then each row
(end dates on or after start dates, an identifier with its type), then the file (no unique key
twice) and finally what the rows refer to (the offender's PNC id among the nominals the agency
has imported, the offence not before their date of birth; a group the agency has mapped).
Nothing is written here; the importer writes only a file that passes.
"""

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date

from offramp.dates import age_on
from offramp.text import invisible_character_problem

from .readers import ErrorList, Table
from .schemas import Column, ColumnType, ExtractSchema

DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
INTEGER_PATTERN = re.compile(r"[+-]?\d+")
PROGRESS_EVERY = 2000

Row = dict[str, object]  # column -> str, date, int, list[str] or None (empty)
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class HeldRecord:
    """A source record the agency already holds, that a row refers to."""

    id: int
    date_of_birth: date | None


@dataclass(frozen=True)
class Lookups:
    """What validation needs from the database, asked once per file (never per row)."""

    agency_slugs: Collection[str]
    # identifier -> the record holding it, for the identifiers asked about
    held_records: Callable[[set[str]], Mapping[str, HeldRecord]]
    held_groups: Callable[[set[str]], Collection[str]]


@dataclass(frozen=True)
class ValidRows:
    rows: list[Row]  # row n of the file is rows[n - 1]
    references: Mapping[str, HeldRecord]  # identifier -> the record a row refers to


def normalise_identifier(value: str) -> str:
    """Identifiers are compared without spaces and in capitals ("678 902 2010" is 6789022010)."""
    return "".join(value.split()).upper()


def _identifier_columns(schema: ExtractSchema) -> set[str]:
    names = {person.identifier for person in schema.people if person.identifier}
    names.update(column for person in schema.people for column in person.other_identifiers.values())
    if schema.reference is not None:
        names.add(schema.reference.column)
    return names


def header_errors(schema: ExtractSchema, columns: list[str], errors: ErrorList) -> None:
    expected = schema.column_names
    listing = ", ".join(expected)
    seen: set[str] = set()
    for name in columns:
        if name in seen:
            errors.add(None, name, name, "The column appears twice in the header")
        seen.add(name)
    for name in expected:
        if name not in seen:
            errors.add(
                None,
                name,
                "",
                f"The column {name} is missing. A {schema.kind.label.lower()} extract has the "
                f"columns: {listing}",
            )
    for name in columns:
        if name not in expected:
            shown = name or "(a column with no name)"
            errors.add(
                None,
                name,
                shown,
                f"{shown} is not a column of a {schema.kind.label.lower()} extract: remove it, "
                f"or check you chose the right kind of extract (its columns: {listing})",
            )


def parse_date(value: str) -> date | str:
    """The date, or why the text is not one."""
    if not DATE_PATTERN.fullmatch(value):
        return "must be a date written YYYY-MM-DD, for example 2024-03-27"
    try:
        return date.fromisoformat(value)
    except ValueError:
        return f"{value} is not a date"


def _parse(column: Column, value: str, agency_slugs: Collection[str]) -> object:
    """The typed value, or raises ValueError with the reason."""
    invisible = invisible_character_problem(value)
    if invisible is not None:
        raise ValueError(invisible)
    if len(value) > column.max_length:
        raise ValueError(f"must be {column.max_length} characters or fewer")
    if column.type == ColumnType.DATE:
        parsed = parse_date(value)
        if isinstance(parsed, str):
            raise ValueError(parsed)
        return parsed
    if column.type == ColumnType.INTEGER:
        if not INTEGER_PATTERN.fullmatch(value):
            raise ValueError("must be a whole number")
        number = int(value)
        low, high = column.minimum, column.maximum
        if (low is not None and number < low) or (high is not None and number > high):
            raise ValueError(f"must be between {low} and {high}")
        return number
    if column.type == ColumnType.CHOICE and value not in column.allowed:
        raise ValueError(f"is not allowed: use one of {', '.join(column.allowed)}")
    if column.type == ColumnType.AGENCY and value not in agency_slugs:
        raise ValueError(
            "is not the id of an agency Offramp knows: use the agency's id as shown in Offramp"
        )
    if column.type == ColumnType.LIST:
        items = [item.strip() for item in value.split(";") if item.strip()]
        for item in items:
            if column.allowed and item not in column.allowed:
                raise ValueError(f"{item} is not allowed: use {', '.join(column.allowed)}")
            if column.item_pattern and not re.fullmatch(column.item_pattern, item):
                raise ValueError(f"{item} is not a two-letter country code (ISO 3166), such as NL")
        return items
    return value


def _row_errors(schema: ExtractSchema, row: Row, number: int, errors: ErrorList) -> None:
    """Checks that need more than one value of the row."""
    for start, end in schema.date_order:
        began, ended = row.get(start), row.get(end)
        if isinstance(began, date) and isinstance(ended, date) and ended < began:
            errors.add(
                number, end, ended.isoformat(), f"is before the {start} ({began.isoformat()})"
            )
    for person in schema.people:
        if not person.identifier_type_column:
            continue
        kind, value = row.get(person.identifier_type_column), row.get(person.identifier)
        if kind and not value:
            errors.add(
                number,
                person.identifier,
                "",
                f"is required when {person.identifier_type_column} is {kind}",
            )
        if value and not kind:
            errors.add(
                number,
                person.identifier_type_column,
                "",
                f"is required when {person.identifier} is given: say which identifier it is",
            )


def _unique_errors(schema: ExtractSchema, rows: list[Row], errors: ErrorList) -> None:
    first_row: dict[tuple[object, ...], int] = {}
    names = schema.unique_key
    for number, row in enumerate(rows, start=1):
        if not row:
            continue
        key = tuple(row.get(name) for name in names)
        earlier = first_row.setdefault(key, number)
        if earlier != number:
            shown = ", ".join("" if value is None else str(value) for value in key)
            what = " and ".join(names)
            errors.add(
                number,
                "+".join(names),
                shown,
                f"rows {earlier} and {number} have the same {what}: each row must be unique",
            )


def _reference_errors(
    schema: ExtractSchema, rows: list[Row], lookups: Lookups, errors: ErrorList
) -> dict[str, HeldRecord]:
    reference = schema.reference
    if reference is None:
        return {}
    wanted = {str(row[reference.column]) for row in rows if row.get(reference.column)}
    held = dict(lookups.held_records(wanted))
    first = " or ".join(kind.value for kind in reference.imported_by)
    for number, row in enumerate(rows, start=1):
        identifier = row.get(reference.column)
        if not identifier:  # an empty row had problems of its own
            continue
        record = held.get(str(identifier))
        if record is None:
            errors.add(
                number,
                reference.column,
                identifier,
                f"No {first} record with the {reference.identifier_type.upper()} {identifier} has "
                f"been imported from this agency: import its {first} extract first",
            )
            continue
        offence_date = row.get("offence_date")
        born = record.date_of_birth
        if isinstance(offence_date, date) and born is not None and offence_date < born:
            errors.add(
                number,
                "offence_date",
                offence_date.isoformat(),
                f"is before the date of birth held for {reference.identifier_type.upper()} "
                f"{identifier} ({born.isoformat()}): check the offence date or the nominal's "
                "date of birth",
            )
    return held


def _group_errors(
    schema: ExtractSchema, rows: list[Row], lookups: Lookups, errors: ErrorList
) -> None:
    column = schema.group_reference
    if not column:
        return
    wanted = {str(row[column]) for row in rows if row.get(column)}
    held = set(lookups.held_groups(wanted))
    for number, row in enumerate(rows, start=1):
        reference = row.get(column)
        if reference and reference not in held:
            errors.add(
                number,
                column,
                reference,
                f"No group {reference} has been imported from this agency: import its "
                "ocg_groups extract first",
            )


def validate_rows(
    *,
    schema: ExtractSchema,
    table: Table,
    lookups: Lookups,
    errors: ErrorList,
    progress: Progress | None = None,
) -> ValidRows:
    """Every row parsed, or the problems in `errors` (rows with problems come back empty)."""
    header_errors(schema, table.columns, errors)
    if errors:
        return ValidRows([], {})
    identifiers = _identifier_columns(schema)
    positions = [(table.columns.index(c.name), c) for c in schema.columns]
    total = len(table.rows)
    rows: list[Row] = []
    for number, cells in enumerate(table.rows, start=1):
        row: Row = {}
        problems = False
        for position, column in positions:
            value = cells[position].strip()
            if not value:
                if column.required:
                    errors.add(number, column.name, "", "is required: it must not be empty")
                    problems = True
                row[column.name] = [] if column.type == ColumnType.LIST else None
                continue
            if column.name in identifiers:
                value = normalise_identifier(value)
            try:
                row[column.name] = _parse(column, value, lookups.agency_slugs)
            except ValueError as error:
                errors.add(number, column.name, value, str(error))
                problems = True
        if not problems:
            _row_errors(schema, row, number, errors)
        rows.append({} if problems else row)
        if progress is not None and (number % PROGRESS_EVERY == 0 or number == total):
            progress(number, total)
    _unique_errors(schema, rows, errors)
    references = _reference_errors(schema, rows, lookups, errors)
    _group_errors(schema, rows, lookups, errors)
    return ValidRows(rows, references)


def age_at(born: date | None, day: date) -> int | None:
    return age_on(born, day) if born is not None else None
