"""Turning validated rows into source records and facts, and writing the ones not yet held.

A source record is keyed by (agency, record_key): a hash of the identifier the agency's system
holds (its type and value) or, for a person a relationships row describes without one, of their
names and date of birth. A fact is keyed by (agency, fact_key): a hash of the kind and the row's
unique key. Whatever is already held is left as it is, so importing a file again adds nothing.
Writes are bulk inserts in chunks, in the caller's transaction; lookups ask for many keys at once.
"""

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from django.db import connection, models

from offramp.networks.models import OrganisedCrimeGroup

from .models import (
    CareEpisode,
    ExtractKind,
    HealthContact,
    ImportBatch,
    ImportedFact,
    ImportedGroup,
    ImportedMembership,
    ImportedRelationship,
    Offence,
    PrisonRelease,
    ProbationSupervision,
    SchoolExclusion,
    SourceRecord,
    YouthOffendingOrder,
)
from .schemas import ExtractSchema, PersonColumns
from .validation import HeldRecord, Row, age_at

CHUNK = 2000  # rows per INSERT, and keys per lookup (well under SQLite's variable limit)
T = TypeVar("T")
Progress = Callable[[int, int], None]  # (written so far, to write)


def _hash(*parts: object) -> str:
    text = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(text.encode()).hexdigest()


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def identifier_record_key(identifier_type: str, identifier: str) -> str:
    return _hash("identifier", identifier_type, identifier)


def _text(row: Row, column: str) -> str:
    value = row.get(column) if column else None
    return "" if value is None else str(value)


def _person_record(person: PersonColumns, row: Row) -> dict[str, Any]:
    """The values of the record a row describes (without its batch and agency)."""
    identifier = _text(row, person.identifier)
    identifier_type = _text(row, person.identifier_type_column) or (
        person.identifier_type if identifier else ""
    )
    born = row.get(person.date_of_birth) if person.date_of_birth else None
    given, family = _text(row, person.given_name), _text(row, person.family_name)
    if identifier:
        key = identifier_record_key(identifier_type, identifier)
    else:
        key = _hash("described", given.casefold(), family.casefold(), born)
    countries = row.get(person.linked_countries) if person.linked_countries else []
    return {
        "record_key": key,
        "identifier_type": identifier_type,
        "identifier": identifier,
        "given_name": given,
        "middle_name": _text(row, person.middle_name),
        "family_name": family,
        "date_of_birth": born if isinstance(born, date) else None,
        "sex": _text(row, person.sex),
        "postcode": _text(row, person.postcode).upper(),
        "other_identifiers": {
            kind: str(row[column])
            for kind, column in person.other_identifiers.items()
            if row.get(column)
        },
        "linked_countries": list(countries) if isinstance(countries, list) else [],
    }


@dataclass
class RecordPlan:
    """The distinct records a file describes, and which of them each row is about."""

    records: dict[str, dict[str, Any]]  # record_key -> its values (the first row's details)
    row_keys: list[tuple[str, ...]]  # per row, the keys of its people (a and b: two)


def plan_records(schema: ExtractSchema, rows: Sequence[Row]) -> RecordPlan:
    records: dict[str, dict[str, Any]] = {}
    row_keys: list[tuple[str, ...]] = []
    for row in rows:
        keys = []
        for person in schema.people:
            record = _person_record(person, row)
            records.setdefault(record["record_key"], record)
            keys.append(record["record_key"])
        row_keys.append(tuple(keys))
    return RecordPlan(records, row_keys)


def held_ids(
    model: type[models.Model], key_field: str, agency_id: int, keys: Iterable[str]
) -> dict[str, int]:
    """key -> id of the rows the agency already holds, asked for CHUNK keys at a time."""
    found: dict[str, int] = {}
    for chunk in chunks(list(keys)):
        found.update(
            model._default_manager.filter(
                agency_id=agency_id, **{f"{key_field}__in": chunk}
            ).values_list(key_field, "id")
        )
    return found


def insert_rows(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
    """Inserts rows without the ORM, which spends most of a large import preparing each value
    (and, on SQLite, sends 58 rows a statement): PostgreSQL gets them by COPY, SQLite by one
    parameterised INSERT run for every row (executemany, a loop in C). Rows give values by
    attribute name (record_id); omitted fields take their defaults."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    defaults = {field.attname: field.get_default() for field in fields}
    as_json = {field.attname for field in fields if isinstance(field, models.JSONField)}
    values = [
        tuple(
            json.dumps(row.get(name, default)) if name in as_json else row.get(name, default)
            for name, default in defaults.items()
        )
        for row in rows
    ]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)
            return
        placeholders = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", values)


def write_records(
    batch: ImportBatch, plan: RecordPlan, progress: Progress
) -> tuple[dict[str, int], int]:
    """Inserts the records not yet held. Returns key -> id for every record, and how many were
    added."""
    ids = held_ids(SourceRecord, "record_key", batch.agency_id, plan.records)
    new = [
        {**record, "batch_id": batch.pk, "agency_id": batch.agency_id}
        for key, record in plan.records.items()
        if key not in ids
    ]
    for done, chunk in enumerate(chunks(new), start=1):
        insert_rows(SourceRecord, chunk)
        progress(min(done * CHUNK, len(new)), len(new))
    ids.update(
        held_ids(SourceRecord, "record_key", batch.agency_id, [r["record_key"] for r in new])
    )
    return ids, len(new)


@dataclass(frozen=True)
class FactRow:
    """What a fact builder gets: the row, its people's record ids, what it refers to."""

    row: Row
    records: tuple[int, ...]
    referenced: HeldRecord | None
    groups: dict[str, int]  # group reference -> the partnership's network group id


def _offence(fact: FactRow) -> dict[str, Any]:
    row, held = fact.row, fact.referenced
    assert held is not None
    offence_date = row["offence_date"]
    assert isinstance(offence_date, date)
    return {
        "record_id": held.id,
        "crime_reference": row["crime_reference"],
        "offence_date": offence_date,
        "offence_category": row["offence_category"],
        "outcome": row["outcome"],
        "age_at_offence": age_at(held.date_of_birth, offence_date),
        "recording_agency": row["recording_agency_id"] or "",
    }


def _group(fact: FactRow) -> dict[str, Any]:
    row = fact.row
    return {
        "reference": row["reference"],
        "name": row["name"],
        "crime_types": row["crime_types"],
        "linked_countries": row["linked_countries"],
        "status": row["status"],
        "group_id": fact.groups.get(str(row["reference"])),
    }


def _membership(fact: FactRow) -> dict[str, Any]:
    row, held = fact.row, fact.referenced
    assert held is not None
    return {
        "record_id": held.id,
        "group_reference": row["group_reference"],
        "role": row["role"],
        "start_date": row["start_date"],
        "end_date": row["end_date"],
        "source_agency": row["source_agency_id"] or "",
    }


def _copied(*columns: str) -> Callable[[FactRow], dict[str, Any]]:
    """A fact about the row's one person whose fields are the row's columns of the same name."""

    def build(fact: FactRow) -> dict[str, Any]:
        return {"record_id": fact.records[0], **{column: fact.row[column] for column in columns}}

    return build


def _exclusion(fact: FactRow) -> dict[str, Any]:
    row = fact.row
    return {
        "record_id": fact.records[0],
        "school": row["school_agency_id"],
        "exclusion_date": row["exclusion_date"],
        "exclusion_type": row["exclusion_type"],
        "reason": row["reason"] or "",
    }


def _relationship(fact: FactRow) -> dict[str, Any]:
    row = fact.row
    return {
        "record_a_id": fact.records[0],
        "record_b_id": fact.records[1],
        "kind": row["kind"],
        "start_date": row["start_date"],
        "end_date": row["end_date"],
        "confidence": row["confidence"],
        "source_agency": row["source_agency_id"],
    }


# What each kind records beyond its people: the fact model and how a row fills it. Kinds absent
# here (nominals, pupils) bring people only.
FACTS: dict[ExtractKind, tuple[type[ImportedFact], Callable[[FactRow], dict[str, Any]]]] = {
    ExtractKind.POLICE_OFFENCES: (Offence, _offence),
    ExtractKind.OCG_GROUPS: (ImportedGroup, _group),
    ExtractKind.OCG_MEMBERSHIPS: (ImportedMembership, _membership),
    ExtractKind.CHILDRENS_SOCIAL_CARE: (
        CareEpisode,
        _copied("episode_type", "start_date", "end_date"),
    ),
    ExtractKind.SCHOOL_EXCLUSIONS: (SchoolExclusion, _exclusion),
    ExtractKind.YOUTH_OFFENDING: (
        YouthOffendingOrder,
        _copied("order_type", "start_date", "end_date"),
    ),
    ExtractKind.PRISON_RELEASES: (
        PrisonRelease,
        _copied("establishment", "release_date", "sentence_months"),
    ),
    ExtractKind.PROBATION_CASELOAD: (
        ProbationSupervision,
        _copied("supervision_type", "start_date", "end_date"),
    ),
    ExtractKind.HEALTH_CONTACTS: (HealthContact, _copied("contact_date", "setting")),
    ExtractKind.RELATIONSHIPS: (ImportedRelationship, _relationship),
}


def fact_key(schema: ExtractSchema, row: Row) -> str:
    return _hash(schema.kind, *(row.get(name) for name in schema.unique_key))


def _network_groups(rows: Sequence[Row]) -> dict[str, int]:
    references = [str(row["reference"]) for row in rows if row.get("reference")]
    return dict(
        OrganisedCrimeGroup.objects.filter(reference__in=references).values_list("reference", "id")
    )


def write_facts(
    *,
    batch: ImportBatch,
    schema: ExtractSchema,
    rows: Sequence[Row],
    record_ids: Sequence[tuple[int, ...]],
    references: Mapping[str, HeldRecord],
    progress: Progress,
) -> tuple[int, int]:
    """Inserts the facts not yet held. Returns (added, already held)."""
    if schema.kind not in FACTS:
        return 0, 0
    model, build = FACTS[schema.kind]
    keys = [fact_key(schema, row) for row in rows]
    held = held_ids(model, "fact_key", batch.agency_id, keys)
    groups = _network_groups(rows) if schema.kind == ExtractKind.OCG_GROUPS else {}
    column = schema.reference.column if schema.reference else ""
    new: list[dict[str, Any]] = []
    for number, (row, key, ids) in enumerate(zip(rows, keys, record_ids, strict=True), start=1):
        if key in held:
            continue
        fields = build(FactRow(row, ids, references.get(str(row.get(column))), groups))
        new.append(
            {"batch_id": batch.pk, "agency_id": batch.agency_id, "row": number, "fact_key": key}
            | fields
        )
    for done, chunk in enumerate(chunks(new), start=1):
        insert_rows(model, chunk)
        progress(min(done * CHUNK, len(new)), len(new))
    return len(new), len(rows) - len(new)
