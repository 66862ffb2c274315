"""The demo area's groups, links and ties, loaded in bulk for the people the demo holds."""

import pytest

from offramp.accounts.models import Role, User
from offramp.agencies.models import Agency
from offramp.audit.models import AuditEntry, Event, EventCode
from offramp.demo.networks import load_networks
from offramp.demo.synth import SyntheticArea, generate_area
from offramp.networks.models import GroupMembership, OrganisedCrimeGroup, Relationship
from offramp.networks.selectors import periphery_rows
from offramp.people.models import Person


@pytest.fixture(scope="module")
def area() -> SyntheticArea:
    return generate_area(people=2000, seed=3)


def load(area: SyntheticArea) -> tuple[dict[int, Person], User]:
    agencies = {
        row.agency_id: Agency.objects.create(slug=row.agency_id, name=row.name, kind=row.kind)
        for row in area.agencies.itertuples(index=False)
    }
    analyst = User.objects.create_user(
        username="analyst", agency=agencies["hartmoor-police"], role=Role.ANALYST
    )
    # Everyone in a group, and every other person with an even id: some ties are left out.
    members = set(area.memberships["person_id"])
    people = {
        int(row.person_id): Person.objects.create(
            given_name=row.given_name,
            family_name=row.family_name,
            date_of_birth=row.date_of_birth,
            created_by_agency=analyst.agency,
        )
        for row in area.people.itertuples(index=False)
        if row.person_id in members or row.person_id % 2 == 0
    }
    load_networks(area, agencies=agencies, people=people, analyst=analyst)
    return people, analyst


def test_the_demo_networks_load_for_the_people_held(area: SyntheticArea, db: None) -> None:
    people, analyst = load(area)
    assert OrganisedCrimeGroup.objects.count() == len(area.groups)
    granite = OrganisedCrimeGroup.objects.get(reference="OCG-HM-001")
    assert (granite.crime_types, granite.countries) == (
        ["drugs_supply", "money_laundering"],
        ["NL"],
    )
    assert GroupMembership.objects.count() == len(area.memberships)
    assert set(GroupMembership.objects.values_list("category", flat=True)) == {
        "suspect_or_offender"
    }
    both_held = area.relationships[
        area.relationships["person_a"].isin(people) & area.relationships["person_b"].isin(people)
    ]
    assert 0 < Relationship.objects.count() == len(both_held) < len(area.relationships)
    assert Relationship.objects.filter(tie_type="online_community").exists()
    assert not Relationship.objects.filter(tie_type="online").exists()

    # A tie reads as the generator's: its first person is the parent.
    row = both_held[both_held["kind"] == "family_parent"].iloc[0]
    parent, child = people[int(row.person_a)], people[int(row.person_b)]
    assert Relationship.objects.get(person_a=parent, person_b=child).tie_type == "family_parent"

    events = Event.objects.filter(code=EventCode.NETWORK_RELATIONSHIP_RECORDED)
    assert events.count() == 2 * len(both_held)
    assert AuditEntry.objects.filter(purpose="demo import").count() == (
        events.count() + GroupMembership.objects.count()
    )
    rows, total = periphery_rows(user=analyst, no_open_case=True)
    assert total > 0
    assert all(row.explained.hops in (1, 2) and row.explained.path for row in rows)
