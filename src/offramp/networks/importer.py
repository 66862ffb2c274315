"""Importing a network file (an adjacency matrix or an edge list) into the partnership's records.

All or nothing, in one transaction, and idempotent: importing the same file again adds nothing.
Each label in the file is matched to a person, in this order:
1. a labels-only record an import made from the same data set before (the source agency's
   "other" identifier `<data set>:<label>`);
2. a person the source agency already identifies by that label (a police file keyed by PNC
   numbers, say) — when a user imports, only a person whose record that user may see, so that
   an import never reveals that a record exists or ties anyone to it (an analyst, who sees no
   records, therefore only ever matches or creates labels-only records; a coordinator, or the
   command line without a user, matches the people it may see).
Anyone else is created as a *labels-only* record: the file's label as the first name,
"[imported from <data set>]" as the last name and 1 January 1900 as a placeholder date of
birth, so that nobody mistakes them for a real person's record (docs/network-analysis.md).
Published anonymised networks such as Morselli's CAVIAR load this way.
"""

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction

from offramp.access.permissions import Capability, require_capability
from offramp.access.scoping import people_visible_to
from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.analysis.network import CONFIDENCE_LEVELS, TIE_TYPES, Network
from offramp.audit.models import Event, EventCode
from offramp.audit.services import audit_events
from offramp.people.models import AgencyIdentifier, IdentifierType, Person

from .models import Relationship
from .services import tie_key

PLACEHOLDER_BIRTH = date(1900, 1, 1)
IDENTIFIER_LENGTH = 40  # AgencyIdentifier.value
DATASET_LENGTH = 60
PURPOSE = "network import"


@dataclass(frozen=True)
class ImportResult:
    dataset: str
    people_matched: int
    people_created: int
    ties_added: int
    ties_already_held: int


def import_identifier(dataset: str, label: str) -> str:
    """The identifier a labels-only record carries: readable, shortened with a hash if long."""
    full = f"{dataset}:{label}"
    if len(full) <= IDENTIFIER_LENGTH:
        return full
    return f"{full[:27]}~{hashlib.sha256(full.encode()).hexdigest()[:12]}"


def imported_family_name(dataset: str) -> str:
    return f"[imported from {dataset}]"


def confidence_level(value: float) -> str:
    """The highest recorded level not above the file's number: weaker evidence is never stored
    as stronger."""
    levels = sorted(CONFIDENCE_LEVELS.items(), key=lambda item: item[1], reverse=True)
    return next((name for name, number in levels if number <= value), levels[-1][0])


def _match(
    labels: Sequence[str], dataset: str, source: Agency, actor: User | None
) -> dict[str, int]:
    """Label -> person id for the labels already held (and, for a user, visible to them)."""
    imported = {import_identifier(dataset, label): label for label in labels}
    found = {
        imported[value]: person_id
        for value, person_id in AgencyIdentifier.objects.filter(
            agency=source,
            identifier_type=IdentifierType.OTHER,
            value__in=list(imported),
            person__family_name=imported_family_name(dataset),
        ).values_list("value", "person_id")
    }
    identified = AgencyIdentifier.objects.filter(
        agency=source, value__in=[label for label in labels if label not in found]
    )
    if actor is not None:
        identified = identified.filter(person__in=people_visible_to(actor))
    theirs: dict[str, set[int]] = {}
    for value, person_id in identified.values_list("value", "person_id"):
        theirs.setdefault(value, set()).add(person_id)
    ambiguous = sorted(label for label, people in theirs.items() if len(people) > 1)
    if ambiguous:
        raise ValidationError(
            f"{source.name} uses the label '{ambiguous[0]}' for more than one person: "
            "rename it in the file"
        )
    return found | {label: people.pop() for label, people in theirs.items()}


def _create(labels: Sequence[str], dataset: str, source: Agency) -> dict[str, Person]:
    family = imported_family_name(dataset)
    people = Person.objects.bulk_create(
        [
            Person(
                given_name=label[:100],
                family_name=family,
                date_of_birth=PLACEHOLDER_BIRTH,
                created_by_agency=source,
            ).set_search_keys()
            for label in labels
        ]
    )
    AgencyIdentifier.objects.bulk_create(
        [
            AgencyIdentifier(
                person=person,
                agency=source,
                identifier_type=IdentifierType.OTHER,
                value=import_identifier(dataset, label),
            )
            for label, person in zip(labels, people, strict=True)
        ]
    )
    return dict(zip(labels, people, strict=True))


def _new_ties(
    network: Network, person_of: dict[int, int], source: Agency
) -> tuple[list[Relationship], int]:
    """The file's ties not yet held, either way round, as the file reads them."""
    ties = network.ties
    positions = {int(pid): index for index, pid in enumerate(network.person_ids.tolist())}
    people = set(person_of.values())
    held = {
        tie_key(*row)
        for row in Relationship.objects.filter(
            person_a__in=people, person_b__in=people
        ).values_list("person_a_id", "person_b_id", "tie_type", "started_on")
    }
    new: list[Relationship] = []
    for row in range(len(ties)):
        first = person_of[positions[int(ties.source[row])]]
        second = person_of[positions[int(ties.target[row])]]
        tie_type = TIE_TYPES[int(ties.tie_type[row])].value
        started = None if np.isnat(ties.started[row]) else ties.started[row].item()
        key = tie_key(first, second, tie_type, started)
        if key in held:
            continue
        held.add(key)
        new.append(
            Relationship(
                person_a_id=first,
                person_b_id=second,
                tie_type=tie_type,
                started_on=started,
                ended_on=None if np.isnat(ties.ended[row]) else ties.ended[row].item(),
                source_agency=source,
                confidence=confidence_level(float(ties.confidence[row])),
                weight=float(ties.weight[row]),
            )
        )
    return new, len(ties) - len(new)


def tie_events(
    ties: Iterable[Relationship],
    *,
    summary: Callable[[Relationship, int], str],
    actor: User | None,
    actor_agency: Agency | None,
) -> list[Event]:
    """Each tie on both its people's timelines, the summary naming the other person only by
    record number. Unsaved, for bulk_create."""
    return [
        Event(
            person_id=person_id,
            code=EventCode.NETWORK_RELATIONSHIP_RECORDED,
            summary=summary(tie, other),
            object_type="relationship",
            object_id=tie.pk,
            actor=actor,
            actor_agency=actor_agency,
        )
        for tie in ties
        for person_id, other in (
            (tie.person_a_id, tie.person_b_id),
            (tie.person_b_id, tie.person_a_id),
        )
    ]


def _timeline(
    created: Iterable[Person],
    ties: Sequence[Relationship],
    dataset: str,
    source: Agency,
    actor: User | None,
) -> list[Event]:
    """The events the import adds: each new record, and each tie on both people's timelines."""
    records = [
        Event(
            person=person,
            code=EventCode.PERSON_CREATED,
            summary=f"Labels-only record created from network file {dataset}",
            object_type="person",
            object_id=person.pk,
            actor=actor,
            actor_agency=source,
        )
        for person in created
    ]
    return records + tie_events(
        ties,
        summary=lambda tie, other: (
            f"Relationship {tie.pk} imported from {dataset} (with record {other})"
        ),
        actor=actor,
        actor_agency=source,
    )


def network_import(
    *, network: Network, dataset: str, source_agency: Agency, actor: User | None
) -> ImportResult:
    """Matches or creates the file's people and adds the ties not yet held, all or nothing.
    Without an actor the import is attributed to the command line."""
    if actor is not None:
        require_capability(actor, Capability.MANAGE_NETWORKS)
    dataset = dataset.strip()
    if not dataset or len(dataset) > DATASET_LENGTH:
        raise ValidationError({"dataset": f"Name the data set in 1 to {DATASET_LENGTH} characters"})
    labels = list(network.labels or [str(pid) for pid in network.person_ids.tolist()])
    with transaction.atomic():
        matched = _match(labels, dataset, source_agency, actor)
        created = _create(
            [label for label in labels if label not in matched], dataset, source_agency
        )
        person_of = {
            index: matched[label] if label in matched else created[label].pk
            for index, label in enumerate(labels)
        }
        ties, already = _new_ties(network, person_of, source_agency)
        ties = Relationship.objects.bulk_create(ties, batch_size=2000)
        events = _timeline(created.values(), ties, dataset, source_agency, actor)
        audit_events(events=Event.objects.bulk_create(events, batch_size=2000), purpose=PURPOSE)
    return ImportResult(
        dataset=dataset,
        people_matched=len(matched),
        people_created=len(created),
        ties_added=len(ties),
        ties_already_held=already,
    )
