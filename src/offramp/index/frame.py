"""The person index as a linkage record frame (see docs/linkage.md for the convention).

Every source record is a row ``r<pk>`` (its names, date of birth, postcode and the
identifiers it holds, its own and other agencies'); every person in the index is a row
``p<pk>`` (names, date of birth, ward, the agencies' identifiers), so new records are matched
against what the index already knows, not only against each other.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd

from offramp.intake.models import SourceRecord
from offramp.people.models import AgencyIdentifier, Person

RECORD_PREFIX = "r"
PERSON_PREFIX = "p"


def record_uid(pk: int) -> str:
    return f"{RECORD_PREFIX}{pk}"


def person_uid(pk: int) -> str:
    return f"{PERSON_PREFIX}{pk}"


def uid_pk(uid: str) -> int:
    return int(uid[1:])


def is_person_uid(uid: str) -> bool:
    return uid.startswith(PERSON_PREFIX)


def identifier_column(identifier_type: str) -> str:
    """'nhs_number' -> 'id_nhs_number'; anything else safe for the frame's column rule."""
    return "id_" + (re.sub(r"[^a-z0-9_]+", "_", identifier_type.strip().lower()) or "other")


@dataclass(frozen=True)
class IndexFrame:
    records: pd.DataFrame
    # uid -> the person it belongs to: a person's own pk, a linked record's person, else None
    person_of: dict[str, int | None]


def index_frame(*, for_search: bool = False) -> IndexFrame:
    """The frame linking runs over, or (``for_search``) the one searches score against.

    Linking: every source record, and the people no record is linked to yet (a person made
    from a referral). A person with records is represented by them, so that the frame, and
    with it the trained model, does not change when a run only adds links.
    Searching: every person not merged away and every linked record.
    ``person_of`` maps every person in the index, in the frame or not.
    """
    rows: list[dict[str, object]] = []
    people = Person.objects.filter(merged_into__isnull=True)
    person_of: dict[str, int | None] = {
        person_uid(pk): pk for pk in people.values_list("pk", flat=True)
    }
    if not for_search:
        people = people.filter(source_records__isnull=True)
    held_ids: dict[int, dict[str, str]] = defaultdict(dict)
    for person_id, kind, value in AgencyIdentifier.objects.filter(
        person__merged_into__isnull=True
    ).values_list("person_id", "identifier_type", "value"):
        held_ids[person_id].setdefault(identifier_column(kind), value)
    for pk, given, family, born, ward in people.values_list(
        "pk", "given_name", "family_name", "date_of_birth", "area"
    ):
        uid = person_uid(pk)
        rows.append(
            {
                "unique_id": uid,
                "source": "index",
                "given_name": given,
                "family_name": family,
                "date_of_birth": born,
                "area": ward or None,
                **held_ids.get(pk, {}),
            }
        )
    records = SourceRecord.objects.all()
    if for_search:
        records = records.filter(person__isnull=False)
    for record in records.values(
        "pk",
        "agency_id",
        "given_name",
        "family_name",
        "date_of_birth",
        "postcode",
        "identifier_type",
        "identifier",
        "other_identifiers",
        "person_id",
    ):
        uid = record_uid(record["pk"])
        identifiers = {
            identifier_column(kind): value
            for kind, value in (record["other_identifiers"] or {}).items()
            if value
        }
        if record["identifier_type"] and record["identifier"]:
            identifiers[identifier_column(record["identifier_type"])] = record["identifier"]
        rows.append(
            {
                "unique_id": uid,
                "source": str(record["agency_id"]),
                "given_name": record["given_name"] or None,
                "family_name": record["family_name"] or None,
                "date_of_birth": record["date_of_birth"],
                "postcode": record["postcode"] or None,
                **identifiers,
            }
        )
        person_of[uid] = record["person_id"]
    columns = ["unique_id", "source", "given_name", "family_name", "date_of_birth"]
    frame = pd.DataFrame(rows)
    for column in columns:
        if column not in frame.columns:
            frame[column] = None
    return IndexFrame(records=frame, person_of=person_of)
