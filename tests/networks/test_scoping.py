"""The scoping rule for networks: analysts and coordinators see groups, links, ties and the
people in a network; practitioners, panel members, auditors and administrators none. Only those
who may see a person's record may link them."""

import pytest

from offramp.access.scoping import (
    groups_visible_to,
    memberships_visible_to,
    network_people_visible_to,
    people_linkable_in_networks,
    people_visible_to,
    relationships_visible_to,
)
from offramp.accounts.models import User
from offramp.referrals.models import Referral

from .conftest import NetworkWorld


@pytest.mark.parametrize("persona", ["analyst", "coordinator"])
def test_analysts_and_coordinators_see_the_network(
    persona: str, request: pytest.FixtureRequest, network: NetworkWorld, other_referral: Referral
) -> None:
    user: User = request.getfixturevalue(persona)
    assert list(groups_visible_to(user)) == [network.group]
    assert memberships_visible_to(user).count() == 3
    assert relationships_visible_to(user).count() == 5
    people = set(network_people_visible_to(user))
    assert people == set(network.people.values())
    assert other_referral.person not in people  # in no network
    linkable = people_linkable_in_networks(user).filter(pk=other_referral.person_id).exists()
    assert linkable == (persona == "coordinator")  # an analyst sees, so links, no record


def test_an_analyst_sees_the_network_but_opens_no_record(
    network: NetworkWorld, analyst: User
) -> None:
    assert network_people_visible_to(analyst).exists()
    assert not people_visible_to(analyst).exists()


@pytest.mark.parametrize(
    "persona", ["school_dsl", "health_panel_member", "auditor", "administrator"]
)
def test_nobody_else_sees_any_network_data(
    persona: str, request: pytest.FixtureRequest, network: NetworkWorld
) -> None:
    user: User = request.getfixturevalue(persona)
    for visible in (
        groups_visible_to,
        memberships_visible_to,
        relationships_visible_to,
        network_people_visible_to,
        people_linkable_in_networks,
    ):
        assert not visible(user).exists(), visible.__name__
