"""Organised crime groups, links to them and relationships for the demo area, in bulk.

From the generator's `groups`, `memberships` and `relationships` frames (docs/partner-extracts.md),
for the people the demo loads. Every generated membership is an organised criminal's, so each is
linked as a suspect or offender with their role; the frames hold no confidence for memberships,
which are recorded as high (police and regional organised crime unit mappings). Groups' crime
types are the generator's offence categories mapped to the framework's crime types. Tie kinds
are the engine's tie types, except the generator's `online`, which is `online_community` (members
of the same online community: the weaker, unproven kind of online tie). A tie is loaded when both
its people are; each link and tie gets its timeline events and access-log entries.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from offramp.accounts.models import User
from offramp.agencies.models import Agency, AgencyKind
from offramp.analysis.network import TieType
from offramp.audit.models import Event, EventCode
from offramp.audit.services import audit_events
from offramp.networks.importer import tie_events
from offramp.networks.models import GroupMembership, OrganisedCrimeGroup, Relationship
from offramp.people.models import Person, PersonCategory

from .synth import SyntheticArea

BATCH = 2000
TIE_TYPES = {"online": TieType.ONLINE_COMMUNITY}  # every other kind is the tie type's own name
CRIME_TYPES = {
    "drugs_supply_class_a": "drugs_supply",
    "drugs_supply_class_b": "drugs_supply",
    "drugs_possession": "drugs_supply",
    "violence": "violence",
    "weapons_possession": "violence",
    "robbery": "organised_acquisitive_crime",
    "burglary": "organised_acquisitive_crime",
    "theft": "organised_acquisitive_crime",
    "fraud": "fraud",
    "money_laundering": "money_laundering",
    "firearms": "firearms",
    "modern_slavery": "modern_slavery",
    "cyber_crime": "cyber_crime",
    "indecent_images": "indecent_images",
}


@dataclass(frozen=True)
class DemoNetworks:
    groups: int
    links: int
    ties: int


def _day(value: object) -> date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()


def _codes(joined: object, mapping: dict[str, str] | None = None) -> list[str]:
    codes = [code for code in str(joined or "").split(";") if code]
    if mapping is not None:
        codes = [mapping[code] for code in codes if code in mapping]
    return list(dict.fromkeys(codes))


def _groups(
    area: SyntheticArea, agencies: dict[str, Agency], analyst: User
) -> dict[int, OrganisedCrimeGroup]:
    """Each group is recorded by the agency that mapped its first member (police otherwise)."""
    police = next(a for a in agencies.values() if a.kind == AgencyKind.POLICE)
    mapped_by = area.memberships.drop_duplicates("group_id").set_index("group_id")[
        "source_agency_id"
    ]
    groups = OrganisedCrimeGroup.objects.bulk_create(
        [
            OrganisedCrimeGroup(
                reference=row.reference,
                name=row.name,
                crime_types=_codes(row.crime_types, CRIME_TYPES),
                countries=_codes(row.linked_countries),
                status=row.status,
                source_agency=agencies.get(str(mapped_by.get(row.group_id, "")), police),
                recorded_by=analyst,
            )
            for row in area.groups.itertuples(index=False)
        ],
        batch_size=BATCH,
    )
    return {int(gid): group for gid, group in zip(area.groups["group_id"], groups, strict=True)}


def _links(
    area: SyntheticArea,
    agencies: dict[str, Agency],
    people: dict[int, Person],
    groups: dict[int, OrganisedCrimeGroup],
    analyst: User,
) -> list[GroupMembership]:
    return GroupMembership.objects.bulk_create(
        [
            GroupMembership(
                group=groups[int(row.group_id)],
                person=people[int(row.person_id)],
                category=PersonCategory.SUSPECT_OR_OFFENDER,
                role=row.role,
                started_on=_day(row.start_date),
                ended_on=_day(row.end_date),
                source_agency=agencies[row.source_agency_id],
                confidence="high",
                recorded_by=analyst,
            )
            for row in area.memberships.itertuples(index=False)
            if int(row.person_id) in people
        ],
        batch_size=BATCH,
    )


def _ties(
    area: SyntheticArea, agencies: dict[str, Agency], people: dict[int, Person], analyst: User
) -> list[Relationship]:
    ties = []
    for row in area.relationships.itertuples(index=False):
        first, second = people.get(int(row.person_a)), people.get(int(row.person_b))
        if first is None or second is None:
            continue
        ties.append(
            Relationship(
                person_a=first,
                person_b=second,
                tie_type=TIE_TYPES.get(row.kind, row.kind),
                started_on=_day(row.start_date),
                ended_on=_day(row.end_date),
                source_agency=agencies[row.source_agency_id],
                confidence=row.confidence,
                recorded_by=analyst,
            )
        )
    return Relationship.objects.bulk_create(ties, batch_size=BATCH)


def _timeline(
    links: Iterable[GroupMembership], ties: Iterable[Relationship], analyst: User
) -> list[Event]:
    memberships = [
        Event(
            person_id=link.person_id,
            code=EventCode.NETWORK_MEMBERSHIP_RECORDED,
            summary=f"Linked to group {link.group.reference} as {link.link_label.lower()} "
            "(synthetic demo import)",
            object_type="groupmembership",
            object_id=link.pk,
            actor=analyst,
            actor_agency=analyst.agency,
        )
        for link in links
    ]
    return memberships + tie_events(
        ties,
        summary=lambda tie, other: (
            f"Relationship {tie.pk} recorded (with record {other}; synthetic demo import)"
        ),
        actor=analyst,
        actor_agency=analyst.agency,
    )


def load_networks(
    area: SyntheticArea, *, agencies: dict[str, Agency], people: dict[int, Person], analyst: User
) -> DemoNetworks:
    """Loads the area's groups, links and ties for the loaded `people` (keyed by the generator's
    person id). Runs in the caller's transaction."""
    groups = _groups(area, agencies, analyst)
    links = _links(area, agencies, people, groups, analyst)
    ties = _ties(area, agencies, people, analyst)
    events = Event.objects.bulk_create(_timeline(links, ties, analyst), batch_size=BATCH)
    audit_events(events=events, purpose="demo import")
    return DemoNetworks(groups=len(groups), links=len(links), ties=len(ties))
