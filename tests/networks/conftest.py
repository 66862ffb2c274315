"""A small network around one organised crime group, recorded through the services.

Dan Boyd (principal) ── co-offender ── Lee Carter (core member)
    Lee ── intimate partner ── Mia Rowe (linked to the group as a victim)
    Lee ── sibling ── Connor Walsh (the school's referral: one tie from a member)
    Connor ── friend ── Jade Price (two ties)
    Jade ── friend ── Sam Quinn (three ties: outside the periphery)
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.cache import cache

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.networks.models import (
    GroupMembership,
    NamingPurpose,
    OrganisedCrimeGroup,
    Relationship,
)
from offramp.networks.services import (
    GroupDetails,
    MembershipDetails,
    RelationshipDetails,
    group_create,
    membership_add,
    naming_purpose_state,
    relationship_add,
)
from offramp.people.models import Person
from offramp.referrals.models import Referral
from tests.browser.conftest import browser, page, page_without_js  # noqa: F401 (fixtures)

SINCE = datetime.date(2024, 5, 1)


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    """Each test computes its own exposure: the cache outlives the rolled-back database."""
    cache.clear()
    yield
    cache.clear()


def make_person(agency: Agency, given: str, family: str, born: str = "1995-03-02") -> Person:
    return Person.objects.create(
        given_name=given,
        family_name=family,
        date_of_birth=datetime.date.fromisoformat(born),
        created_by_agency=agency,
    )


@dataclass
class NetworkWorld:
    group: OrganisedCrimeGroup
    people: dict[str, Person]
    links: dict[str, GroupMembership]
    ties: dict[str, Relationship]
    police: Agency


def tie(
    actor: User,
    first: Person,
    second: Person,
    tie_type: str,
    police: Agency,
    *,
    confidence: str = "high",
    started_on: datetime.date | None = SINCE,
    ended_on: datetime.date | None = None,
) -> Relationship:
    details = RelationshipDetails(
        tie_type=tie_type,
        source_agency_id=police.pk,
        confidence=confidence,
        started_on=started_on,
        ended_on=ended_on,
    )
    return relationship_add(first=first, second=second, actor=actor, details=details)


@pytest.fixture
def network(analyst: User, agencies: dict[str, Agency], dsl_referral: Referral) -> NetworkWorld:
    police = agencies["police"]
    group = group_create(
        actor=analyst,
        details=GroupDetails(
            reference="OCG-HM-001",
            name="Granite Kestrel",
            status="active",
            source_agency_id=police.pk,
            crime_types=("drugs_supply", "money_laundering"),
            countries=("NL",),
        ),
    )
    people = {
        "dan": make_person(police, "Dan", "Boyd", "1980-01-09"),
        "lee": make_person(police, "Lee", "Carter", "1999-07-21"),
        "mia": make_person(police, "Mia", "Rowe", "2004-11-30"),
        "connor": dsl_referral.person,
        "jade": make_person(police, "Jade", "Price", "2010-02-14"),
        "sam": make_person(police, "Sam", "Quinn", "2010-06-01"),
    }

    def link(name: str, category: str, role: str = "") -> GroupMembership:
        details = MembershipDetails(
            category=category,
            role=role,
            source_agency_id=police.pk,
            confidence="high",
            started_on=datetime.date(2020, 1, 1),
        )
        return membership_add(group=group, person=people[name], actor=analyst, details=details)

    links = {
        "dan": link("dan", "suspect_or_offender", "principal"),
        "lee": link("lee", "suspect_or_offender", "core"),
        "mia": link("mia", "victim"),
    }
    ties = {
        "dan-lee": tie(analyst, people["dan"], people["lee"], "co_offender", police),
        "lee-mia": tie(analyst, people["lee"], people["mia"], "intimate_partner", police),
        "lee-connor": tie(analyst, people["connor"], people["lee"], "family_sibling", police),
        "connor-jade": tie(analyst, people["connor"], people["jade"], "associate_peer", police),
        "jade-sam": tie(analyst, people["jade"], people["sam"], "associate_peer", police),
    }
    return NetworkWorld(group=group, people=people, links=links, ties=ties, police=police)


@pytest.fixture
def names_for_analyst(analyst: User) -> NamingPurpose:
    """The analyst's stated purpose to read names, children's included: for the tests of what
    the explanations say (without it an analyst reads pseudonyms: test_naming.py)."""
    return naming_purpose_state(
        actor=analyst, text="Checking the explanations", days=1, covers_children=True
    )
