"""Linking a record number is not an oracle: a person the user may not see is refused exactly
like a record that does not exist, in the pages and the API, and nothing is linked."""

import re
from pathlib import Path

import pytest
from django.db.models import Q
from django.urls import reverse

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.networks.models import GroupMembership, Relationship
from offramp.people.models import AgencyIdentifier, IdentifierType, Person
from offramp.referrals.models import Referral
from tests.conftest import signed_in

from .conftest import NetworkWorld, make_person
from .test_api import api, post
from .test_command import run
from .test_pages import error_summary

NO_SUCH_ID = 987654321


@pytest.fixture
def hidden(agencies: dict[str, Agency]) -> Person:
    """A youth offending service record never shared with anyone."""
    return make_person(agencies["yos"], "Hidden", "Hartley", "1996-05-05")


def unseen_ids(persona: str, hidden: Person, other_referral: Referral) -> list[int]:
    """Record numbers the persona may not see: a hidden record, for the analyst (who sees no
    records) another school's referral subject too, and one that does not exist."""
    ids = [hidden.pk, NO_SUCH_ID]
    if persona == "analyst":
        ids.insert(1, other_referral.person_id)
    return ids


def without_number(text: str, number: int) -> str:
    return text.replace(str(number), "N")


def link_form(person: int, network: NetworkWorld) -> dict[str, object]:
    return {
        "person": person,
        "category": "victim",
        "source_agency": network.police.pk,
        "confidence": "high",
    }


@pytest.mark.parametrize("persona", ["analyst", "coordinator"])
def test_linking_an_unseen_record_answers_as_if_it_did_not_exist(
    persona: str,
    request: pytest.FixtureRequest,
    network: NetworkWorld,
    hidden: Person,
    other_referral: Referral,
) -> None:
    client = signed_in(request.getfixturevalue(persona))
    url = reverse("networks:membership-add", args=[network.group.pk])
    answers = set()
    for number in unseen_ids(persona, hidden, other_referral):
        response = client.post(url, link_form(number, network))
        assert response.status_code == 200
        content = response.content.decode()
        assert "Hartley" not in content and "Morris" not in content
        answers.add(tuple(without_number(e, number) for e in error_summary(content)))
    assert len(answers) == 1, answers
    assert not GroupMembership.objects.filter(person__in=[hidden, other_referral.person]).exists()


@pytest.mark.parametrize("persona", ["analyst", "coordinator"])
def test_a_tie_to_an_unseen_record_answers_as_if_it_did_not_exist(
    persona: str,
    request: pytest.FixtureRequest,
    network: NetworkWorld,
    hidden: Person,
    other_referral: Referral,
) -> None:
    client = signed_in(request.getfixturevalue(persona))
    answers = set()
    for number in unseen_ids(persona, hidden, other_referral):
        response = client.post(
            reverse("networks:relationship-create"),
            {
                "first": network.people["connor"].pk,
                "tie_type": "associate_peer",
                "second": number,
                "source_agency": network.police.pk,
                "confidence": "high",
            },
        )
        content = response.content.decode()
        assert "Hartley" not in content and "Morris" not in content
        errors = [e for e in error_summary(content) if str(number) in e]
        answers.add(tuple(without_number(e, number) for e in errors))
    assert len(answers) == 1, answers
    assert not Relationship.objects.filter(person_b__in=[hidden, other_referral.person]).exists()


@pytest.mark.parametrize("persona", ["analyst", "coordinator"])
def test_the_api_refuses_unseen_records_like_missing_ones(
    persona: str,
    request: pytest.FixtureRequest,
    network: NetworkWorld,
    hidden: Person,
    other_referral: Referral,
) -> None:
    client = api(request.getfixturevalue(persona))
    answers = set()
    for number in unseen_ids(persona, hidden, other_referral):
        link = post(
            client,
            "/memberships",
            {
                "group_id": network.group.pk,
                "person_id": number,
                "category": "victim",
                "source_agency": "police",
                "confidence": "high",
            },
        )
        tie = post(
            client,
            "/relationships",
            {
                "first_person_id": number,
                "second_person_id": network.people["connor"].pk,
                "tie_type": "associate_peer",
                "source_agency": "police",
                "confidence": "high",
            },
        )
        answers.add(without_number(repr((link, tie)), number))
    assert len(answers) == 1, answers
    assert "422" in next(iter(answers))
    assert not GroupMembership.objects.filter(person__in=[hidden, other_referral.person]).exists()


def test_a_coordinator_links_a_person_they_may_see(
    network: NetworkWorld, coordinator: User, other_referral: Referral
) -> None:
    client = signed_in(coordinator)
    url = reverse("networks:membership-add", args=[network.group.pk])
    response = client.post(url, link_form(other_referral.person_id, network))
    assert response.status_code == 302
    assert GroupMembership.objects.filter(person=other_referral.person).exists()


def test_an_analyst_is_told_who_records_links(network: NetworkWorld, analyst: User) -> None:
    content = signed_in(analyst).get(reverse("networks:group-detail", args=[network.group.pk]))
    text = re.sub(r"\s+", " ", content.content.decode())
    assert "Link a person to the group" not in text
    assert "A coordinator, who may see the people's records, records links" in text


def test_an_analysts_import_never_ties_a_record_they_may_not_see(
    tmp_path: Path, network: NetworkWorld, analyst: User, hidden: Person
) -> None:
    """The file names the hidden person by the police's identifier for them: an analyst's
    import makes a labels-only record instead, and importing it again still adds nothing."""
    AgencyIdentifier.objects.create(
        person=hidden, agency=network.police, identifier_type=IdentifierType.PNC, value="26/1A"
    )
    edges = tmp_path / "ops.csv"
    edges.write_text("source,target,tie_type\n26/1A,Courier 7,associate_client\n")
    command = ["import", "--edges", str(edges), "--source-agency", "police", "--user", "analyst"]
    out, _ = run(*command)
    assert "2 people (0 already held, 2 labels-only records created)" in out
    assert not Relationship.objects.filter(
        Q(person_a=hidden) | Q(person_b=hidden), tie_type="associate_client"
    ).exists()
    out, _ = run(*command)
    assert "2 people (2 already held, 0 labels-only records created)" in out
    assert "(0 added, 1 already held)" in out
