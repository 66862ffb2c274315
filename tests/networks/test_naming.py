"""Who reads a name in the network and who a pseudonym: analysts see pseudonyms everywhere
(pages, API, exports) unless a stated purpose is in force, and children stay pseudonymous
unless the purpose covers them; coordinators see the names of the people they may see."""

import csv
import datetime
import io
import json
import zipfile
from xml.etree import ElementTree

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from offramp.access.naming import network_label_for, network_labels_for, pseudonym
from offramp.accounts.models import User
from offramp.audit.models import AuditAction, AuditEntry
from offramp.exports.registry import ExportInput
from offramp.exports.services import export_download, export_request
from offramp.networks.models import NamingPurpose
from offramp.sharing.models import DataSharingAgreement
from tests.accounts.clock import Clock
from tests.conftest import signed_in

from .conftest import NetworkWorld
from .test_api import api

SURNAMES = ("Boyd", "Carter", "Rowe", "Walsh", "Price")
ADULTS = ("dan", "lee", "mia")  # born 1980, 1999, 2004
CHILDREN = ("connor", "jade")  # born 2011, 2010
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


def network_pages(network: NetworkWorld) -> list[str]:
    group = network.group.pk
    return [
        reverse("networks:group-detail", args=[group]),
        reverse("networks:group-map", args=[group]),
        reverse("networks:periphery"),
        *(
            reverse("networks:person-exposure", args=[person.pk])
            for person in network.people.values()
        ),
    ]


def shown(user: User, network: NetworkWorld) -> str:
    """Every network page and API answer the user gets, as one text."""
    client, token = signed_in(user), api(user)
    texts = []
    for url in network_pages(network):
        response = client.get(url)
        assert response.status_code == 200, url
        texts.append(response.content.decode())
    for person in network.people.values():
        texts.append(token.get(f"/api/v1/networks/people/{person.pk}/exposure").content.decode())
    texts.append(token.get("/api/v1/networks/periphery?open_case=true").content.decode())
    return "\n".join(texts)


def exported(user: User, network: NetworkWorld) -> str:
    export = export_request(
        user=user,
        kind="network",
        purpose="Mapping Granite Kestrel",
        request=ExportInput(parameters={"group_id": network.group.pk}),
    )
    stored = export_download(export=export, user=user, fmt="zip").body
    with zipfile.ZipFile(io.BytesIO(stored)) as archive:
        return "\n".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())


def state_purpose(
    user: User, *, days: int = 1, children: bool = False, text: str = "Problem profile"
) -> None:
    form = {"text": text, "days": days, "covers_children": "yes" if children else "no"}
    response = signed_in(user).post(reverse("networks:naming-purpose"), form)
    assert response.status_code == 302, response.content.decode()


def test_pseudonyms_are_stable_distinct_and_not_the_record_number(
    network: NetworkWorld,
) -> None:
    ids = [person.pk for person in network.people.values()]
    tokens = [pseudonym(pid) for pid in ids]
    assert tokens == [pseudonym(pid) for pid in ids]
    assert len(set(tokens)) == len(ids)
    assert all(token.startswith("Person ") and len(token) == len("Person ") + 8 for token in tokens)
    another_key = "another key " * 5
    with override_settings(SECRET_KEY=another_key):  # the key, not the id, decides
        assert not set(tokens) & {pseudonym(pid) for pid in ids}


def test_an_analyst_sees_pseudonyms_on_every_page_and_api_answer(
    network: NetworkWorld, analyst: User
) -> None:
    text = shown(analyst, network)
    for surname in SURNAMES:
        assert surname not in text, surname
    for person in network.people.values():
        assert pseudonym(person.pk) in text


def test_an_analysts_export_holds_pseudonyms(network: NetworkWorld, analyst: User) -> None:
    text = exported(analyst, network)
    for surname in SURNAMES:
        assert surname not in text, surname
    graphml = ElementTree.fromstring(text[text.index("<graphml") : text.index("</graphml>") + 10])
    labels = {data.text for data in graphml.iter(f"{GRAPHML}data")}
    assert pseudonym(network.people["lee"].pk) in labels
    rows = list(csv.reader(io.StringIO(text[text.index("entity_id") :])))
    assert pseudonym(network.people["mia"].pk) in {cell for row in rows for cell in row}


def test_a_stated_purpose_names_adults_is_audited_and_expires(
    network: NetworkWorld, analyst: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch, timezone.now())
    state_purpose(analyst, days=2, text="Problem profile for the tasking meeting")
    purpose = NamingPurpose.objects.get(user=analyst)
    assert purpose.text == "Problem profile for the tasking meeting"
    assert purpose.expires_at == clock.now + datetime.timedelta(days=2)
    entry = AuditEntry.objects.get(object_type="namingpurpose", object_id=str(purpose.pk))
    assert (entry.action, entry.actor_username) == (AuditAction.COLLECTION, "analyst")
    previous = AuditEntry.objects.get(sequence=entry.sequence - 1)
    assert entry.previous_hash == previous.entry_hash  # in the hash chain

    text = shown(analyst, network)
    for adult in ADULTS:
        assert network.people[adult].full_name in text
    for child in CHILDREN:  # children stay pseudonymous
        person = network.people[child]
        assert person.family_name not in text and pseudonym(person.pk) in text
    assert "Carter" in exported(analyst, network)
    consulted = AuditEntry.objects.filter(action=AuditAction.CONSULTATION, actor_id=analyst.pk)
    assert consulted.filter(purpose=f"network analysis, names under purpose {purpose.pk}").exists()

    clock.advance(days=2, seconds=1)
    text = shown(analyst, network)
    for surname in SURNAMES:
        assert surname not in text, surname


def test_children_are_named_only_under_a_purpose_that_covers_them(
    network: NetworkWorld, analyst: User
) -> None:
    state_purpose(analyst, children=True)
    assert NamingPurpose.objects.get(user=analyst).covers_children
    labels = network_labels_for(analyst, [p.pk for p in network.people.values()])
    assert labels[network.people["connor"].pk] == "Connor Walsh"
    assert labels[network.people["jade"].pk] == "Jade Price"
    assert "Connor Walsh" in exported(analyst, network)


def test_a_purpose_is_one_analysts_own(network: NetworkWorld, analyst: User) -> None:
    colleague = User.objects.create_user(
        username="analyst2", agency=analyst.agency, role=analyst.role
    )
    state_purpose(analyst)
    lee = network.people["lee"]
    assert network_label_for(analyst, lee) == "Lee Carter"
    assert network_label_for(colleague, lee) == pseudonym(lee.pk)


def test_a_purpose_needs_words_and_a_time_limit_within_bounds(analyst: User) -> None:
    client = signed_in(analyst)
    for form in (
        {"text": " ", "days": 1, "covers_children": "no"},
        {"text": "Profile", "days": 0, "covers_children": "no"},
        {"text": "Profile", "days": 15, "covers_children": "no"},
        {"text": "Profile"},
    ):
        response = client.post(reverse("networks:naming-purpose"), form)
        assert response.status_code == 200
        assert "govuk-error-summary" in response.content.decode()
    assert not NamingPurpose.objects.exists()


def test_a_coordinator_sees_names_only_of_people_they_may_see(
    network: NetworkWorld, coordinator: User
) -> None:
    connor, lee = network.people["connor"], network.people["lee"]
    # Connor is the school's referral (shared with the partnership); Lee is a police record.
    labels = network_labels_for(coordinator, [connor.pk, lee.pk])
    assert labels == {connor.pk: "Connor Walsh", lee.pk: pseudonym(lee.pk)}
    page = signed_in(coordinator).get(reverse("networks:person-exposure", args=[connor.pk]))
    content = page.content.decode()
    assert "Connor Walsh" in content and "Carter" not in content
    assert (
        signed_in(coordinator)
        .post(
            reverse("networks:naming-purpose"),
            {"text": "Profile", "days": 1, "covers_children": "no"},
        )
        .status_code
        == 403
    )


def test_a_coordinator_with_the_police_agreement_sees_the_police_records_names(
    network: NetworkWorld, coordinator: User, partnership_agreement: DataSharingAgreement
) -> None:
    lee = network.people["lee"]
    assert network_label_for(coordinator, lee) == "Lee Carter"
    answer = json.loads(
        api(coordinator)
        .get(f"/api/v1/networks/people/{network.people['jade'].pk}/exposure")
        .content
    )
    assert answer["person"]["name"] == "Jade Price"


def test_an_analyst_states_a_purpose_through_the_api(network: NetworkWorld, analyst: User) -> None:
    client = api(analyst)
    lee = network.people["lee"]
    exposure = f"/api/v1/networks/people/{lee.pk}/exposure"
    assert client.get(exposure).json()["person"]["name"] == pseudonym(lee.pk)
    body = {"text": "Problem profile", "days": 30, "covers_children": False}
    refused = client.post("/api/v1/networks/purposes", body, content_type="application/json")
    assert refused.status_code == 422 and not NamingPurpose.objects.exists()
    body["days"] = 3
    stated = client.post("/api/v1/networks/purposes", body, content_type="application/json")
    assert stated.status_code == 201 and stated.json()["covers_children"] is False
    assert [p["id"] for p in client.get("/api/v1/networks/purposes").json()] == [
        stated.json()["id"]
    ]
    assert client.get(exposure).json()["person"]["name"] == "Lee Carter"
