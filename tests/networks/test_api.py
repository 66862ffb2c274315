"""The networks API: the pages' rules, the services' validation, names only in explanations."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from offramp.accounts.models import ApiToken, User
from offramp.networks.models import GroupMembership, NamingPurpose
from offramp.sharing.models import DataSharingAgreement

from .conftest import NetworkWorld

BASE = "/api/v1/networks"


def api(user: User) -> Client:
    raw, digest = ApiToken.new_raw_token()
    ApiToken.objects.create(
        user=user, name="test", digest=digest, expires_at=timezone.now() + timedelta(hours=1)
    )
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post(client: Client, path: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
    response = client.post(f"{BASE}{path}", json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def test_a_coordinator_records_and_reads_the_network(
    network: NetworkWorld, coordinator: User, partnership_agreement: DataSharingAgreement
) -> None:
    client = api(coordinator)  # who sees the police's records under the agreement
    status, group = post(
        client,
        "/groups",
        {
            "reference": "OCG-HM-002",
            "name": "Amber Lapwing",
            "status": "dormant",
            "source_agency": "police",
            "countries": ["LR"],
        },
    )
    assert status == 201 and group["countries"] == ["LR"]
    sam = network.people["sam"]
    status, refused = post(
        client,
        "/memberships",
        {
            "group_id": group["id"],
            "person_id": sam.pk,
            "category": "victim",
            "role": "core",
            "source_agency": "police",
            "confidence": "high",
        },
    )
    assert status == 422
    assert refused["errors"]["role"] == [  # type: ignore[index]
        "Only a suspect or offender has a role in a group: a person linked as victim has none"
    ]
    status, link = post(
        client,
        "/memberships",
        {
            "group_id": group["id"],
            "person_id": sam.pk,
            "category": "suspect_or_offender",
            "role": "enabler",
            "source_agency": "police",
            "confidence": "low",
        },
    )
    assert status == 201 and link["person_id"] == sam.pk
    status, tie = post(
        client,
        "/relationships",
        {
            "first_person_id": sam.pk,
            "second_person_id": network.people["dan"].pk,
            "tie_type": "family_parent",
            "source_agency": "police",
            "confidence": "medium",
        },
    )
    assert status == 201
    assert (tie["person_a_id"], tie["tie_type"]) == (sam.pk, "family_parent")
    listed = client.get(f"{BASE}/relationships", {"person_id": sam.pk}).json()
    assert len(listed) == 2
    assert "Sam" not in json.dumps(listed)  # records name people by number only
    links = client.get(f"{BASE}/memberships", {"group_id": network.group.pk}).json()
    assert {item["category"] for item in links} == {"suspect_or_offender", "victim"}
    assert all(item["role"] == "" for item in links if item["category"] == "victim")
    assert GroupMembership.objects.filter(person=sam).count() == 1


def test_exposure_explains_the_path_with_names_and_the_notice(
    network: NetworkWorld, analyst: User, names_for_analyst: NamingPurpose
) -> None:
    jade = network.people["jade"]
    exposure = api(analyst).get(f"{BASE}/people/{jade.pk}/exposure").json()
    assert exposure["ties_to_nearest_member"] == 2
    assert [step["text"] for step in exposure["path"]] == [
        "Jade Price is a friend or peer of Connor Walsh (since 1 May 2024)",
        "Connor Walsh is a sibling of Lee Carter (since 1 May 2024)",
    ]
    assert exposure["nearest_members"][0]["roles"] == ["core member of OCG-HM-001 Granite Kestrel"]
    assert [s["factor_id"] for s in exposure["suggestions"]] == ["associates"]
    assert "not a score" in exposure["notice"]
    sam = api(analyst).get(f"{BASE}/people/{network.people['sam'].pk}/exposure").json()
    # Three ties away: the path is shown, but nothing is suggested beyond two ties.
    assert (sam["ties_to_nearest_member"], len(sam["path"]), sam["suggestions"]) == (3, 3, [])


def test_the_periphery_leaves_out_open_cases_unless_asked(
    network: NetworkWorld, coordinator: User, partnership_agreement: DataSharingAgreement
) -> None:
    rows = api(coordinator).get(f"{BASE}/periphery").json()
    assert [row["person"]["name"] for row in rows] == ["Connor Walsh", "Mia Rowe", "Jade Price"]
    assert rows[0]["suggestions"][0]["factor_id"] == "family_network"


@pytest.mark.parametrize("persona", ["school_dsl", "health_panel_member", "auditor"])
def test_everyone_else_is_refused(
    persona: str, request: pytest.FixtureRequest, network: NetworkWorld
) -> None:
    client = api(request.getfixturevalue(persona))
    person = network.people["connor"].pk
    for path in (
        "/groups",
        "/memberships",
        "/relationships",
        "/periphery",
        f"/groups/{network.group.pk}",
        f"/people/{person}/exposure",
    ):
        response = client.get(f"{BASE}{path}")
        assert response.status_code == 403, path
        assert "Carter" not in response.content.decode()
