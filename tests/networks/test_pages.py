"""The network pages as analysts and coordinators use them, and refused to everyone else."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from offramp.accounts.models import User
from offramp.assessments.models import FactorJudgement
from offramp.assessments.services import assessment_start
from offramp.audit.models import AuditAction, AuditEntry
from offramp.networks.models import (
    DismissedSuggestion,
    GroupMembership,
    NamingPurpose,
    Relationship,
)
from offramp.sharing.models import DataSharingAgreement, Disclosure
from tests.conftest import signed_in

from .conftest import NetworkWorld


def page(client: Client, url: str, **query: object) -> str:
    response = client.get(url, query)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def error_summary(content: str) -> list[str]:
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', content, re.S)
    assert summary, "no error summary"
    return [
        re.sub(r"<[^>]+>", "", item).strip()
        for item in re.findall(r"<li>.*?</li>", summary[0], re.S)
    ]


@pytest.mark.parametrize("persona", ["analyst", "coordinator"])
def test_the_menu_offers_networks_to_analysts_and_coordinators(
    persona: str, request: pytest.FixtureRequest
) -> None:
    content = page(signed_in(request.getfixturevalue(persona)), reverse("web:dashboard"))
    assert f'href="{reverse("networks:group-list")}"' in content


@pytest.mark.parametrize("persona", ["school_dsl", "health_panel_member", "auditor"])
def test_everyone_else_sees_no_network_page(
    persona: str, request: pytest.FixtureRequest, network: NetworkWorld
) -> None:
    client = signed_in(request.getfixturevalue(persona))
    assert reverse("networks:group-list") not in page(client, reverse("web:dashboard"))
    group, person = network.group.pk, network.people["connor"].pk
    for url in (
        reverse("networks:group-list"),
        reverse("networks:group-detail", args=[group]),
        reverse("networks:group-map", args=[group]),
        reverse("networks:person-exposure", args=[person]),
        reverse("networks:periphery"),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Lee Carter" not in response.content.decode()


def test_the_group_page_lists_its_people_with_victims_as_victims(
    network: NetworkWorld, analyst: User, names_for_analyst: NamingPurpose
) -> None:
    content = page(signed_in(analyst), reverse("networks:group-detail", args=[network.group.pk]))
    assert "OCG-HM-001 Granite Kestrel" in content
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', content, re.S)
    linked = {
        re.search(r">([^<]+)</a>", row)[1]: re.search(r'govuk-tag[^"]*">([^<]+)<', row)[1]  # type: ignore[index]
        for row in rows[1:]
    }
    assert linked == {"Dan Boyd": "Principal", "Lee Carter": "Core member", "Mia Rowe": "Victim"}
    # An analyst reads names in the network but never opens a person's record.
    assert not re.search(r'href="/people/\d+/"', content)
    entries = AuditEntry.objects.filter(
        action=AuditAction.CONSULTATION,
        purpose=f"network analysis, names under purpose {names_for_analyst.pk}",
    )
    assert {e.person_id for e in entries} >= {
        p.pk for p in (network.people["dan"], network.people["mia"])
    }


def test_the_coordinator_reaches_the_records_from_the_network(
    network: NetworkWorld, coordinator: User
) -> None:
    content = page(
        signed_in(coordinator), reverse("networks:group-detail", args=[network.group.pk])
    )
    assert f'href="/people/{network.people["dan"].pk}/"' in content


def test_the_pathway_map_carries_its_data_and_says_the_same_in_tables(
    network: NetworkWorld, analyst: User, names_for_analyst: NamingPurpose
) -> None:
    url = reverse("networks:group-map", args=[network.group.pk])
    content = page(signed_in(analyst), url)
    data = json.loads(
        re.search(
            r'<script id="pathway-map-data" type="application/json">(.*?)</script>', content, re.S
        )[1]  # type: ignore[index]
    )
    labels = {node["label"]: node for node in data["nodes"]}
    assert labels["Mia Rowe"]["kind"] == "victim" and labels["Mia Rowe"]["link"] == "Victim"
    assert labels["Connor Walsh"]["factors"] == "Family (¶2.18)"
    assert len(data["edges"]) == 4
    assert '<script type="module" src="/static/networks/pathway-map.mjs">' in content
    assert "Connor Walsh is a sibling of Lee Carter" in content  # the table's path column
    assert "is not a score" in content
    consulted = AuditEntry.objects.filter(action=AuditAction.CONSULTATION, object_type="person")
    assert {e.object_id for e in consulted} >= {str(network.people["jade"].pk)}


def test_the_map_filters_work_as_a_plain_form(network: NetworkWorld, analyst: User) -> None:
    url = reverse("networks:group-map", args=[network.group.pk])
    kinds = ["co_offender", "intimate_partner", "associate_peer"]
    content = page(signed_in(analyst), url, tie_types=kinds)
    assert "Connor Walsh" not in content
    content = page(
        signed_in(analyst), url, as_of_0="1", as_of_1="1", as_of_2="2024", tie_types=kinds
    )
    assert "As it stood on 1 January 2024: 3 people and 0 ties" in content
    content = page(signed_in(analyst), url, as_of_0="1", as_of_1="1", as_of_2="2999")
    assert error_summary(content) == [
        "Select at least one kind of tie",
        "As it stood on must be today or in the past",
    ]


def test_a_persons_exposure_shows_the_path_and_what_it_may_be_evidence_for(
    network: NetworkWorld, analyst: User, names_for_analyst: NamingPurpose
) -> None:
    jade = network.people["jade"]
    content = page(signed_in(analyst), reverse("networks:person-exposure", args=[jade.pk]))
    assert "Jade Price is a friend or peer of Connor Walsh (since 1 May 2024)" in content
    assert "Lee Carter, core member of OCG-HM-001 Granite Kestrel" in content
    assert "Criminal associates (guide ¶2.20)" in content
    assert "a reason to offer support" in content and "It is not a score" in content


def test_the_periphery_page_leaves_out_open_cases_by_default(
    network: NetworkWorld, analyst: User, names_for_analyst: NamingPurpose
) -> None:
    content = page(signed_in(analyst), reverse("networks:periphery"))
    for name in ("Connor Walsh", "Mia Rowe", "Jade Price"):
        assert name in content
    assert "Sam Quinn" not in content  # three ties away
    everyone = page(signed_in(analyst), reverse("networks:periphery"), show="everyone")
    assert "3 people" in everyone


def test_a_coordinator_records_a_group_a_link_and_a_tie_through_the_forms(
    network: NetworkWorld, coordinator: User, partnership_agreement: DataSharingAgreement
) -> None:
    client = signed_in(coordinator)  # who sees the police's records under the agreement
    police = network.police.pk
    response = client.post(
        reverse("networks:group-create"),
        {
            "reference": "OCG-HM-009",
            "name": "Slate Heron",
            "status": "dormant",
            "crime_types": ["fraud"],
            "countries": "ng, gh",
            "source_agency": police,
        },
    )
    assert response.status_code == 302
    group = network.group.__class__.objects.get(reference="OCG-HM-009")
    assert group.countries == ["NG", "GH"]

    sam = network.people["sam"]
    link_url = reverse("networks:membership-add", args=[group.pk])
    refused = client.post(
        link_url,
        {
            "person": sam.pk,
            "category": "victim",
            "role": "principal",
            "source_agency": police,
            "confidence": "high",
        },
    )
    assert refused.status_code == 200
    assert error_summary(refused.content.decode()) == [
        "Only a suspect or offender has a role in a group: a person linked as victim has none"
    ]
    missing = client.post(
        link_url,
        {"person": 987654, "category": "victim", "source_agency": police, "confidence": "high"},
    )
    assert error_summary(missing.content.decode()) == [
        "There is no person with the record number 987654 that you may link"
    ]
    assert (
        client.post(
            link_url,
            {"person": sam.pk, "category": "victim", "source_agency": police, "confidence": "high"},
        ).status_code
        == 302
    )
    assert GroupMembership.objects.get(group=group).category == "victim"

    tie_url = reverse("networks:relationship-create")
    response = client.post(
        tie_url,
        {
            "first": sam.pk,
            "tie_type": "prison",
            "second": network.people["dan"].pk,
            "source_agency": police,
            "confidence": "medium",
        },
    )
    assert response.status_code == 302
    tie = Relationship.objects.get(tie_type="prison")
    edit = client.post(
        reverse("networks:relationship-edit", args=[tie.pk]),
        {
            "tie_type": "prison",
            "ended_on_0": "2",
            "ended_on_1": "3",
            "ended_on_2": "2025",
            "source_agency": police,
            "confidence": "medium",
        },
    )
    assert edit.status_code == 302
    tie.refresh_from_db()
    assert str(tie.ended_on) == "2025-03-02"


# --- suggestions on the assessment ----------------------------------------------------------------


def networks_page(assessment_pk: int) -> str:
    return reverse("web:assessment-category", args=[assessment_pk, "networks"])


def test_a_coordinator_accepts_a_network_suggestion_through_the_assessment(
    network: NetworkWorld, coordinator: User, partnership_agreement: DataSharingAgreement
) -> None:
    connor = network.people["connor"]
    assessment = assessment_start(person=connor, actor=coordinator)
    client = signed_in(coordinator)
    content = page(client, networks_page(assessment.pk))
    assert "Network suggestion" in content
    assert "Connor Walsh is a sibling of Lee Carter (since 1 May 2024)" in content
    assert "?use=family_network#factor-family_network" in content

    filled = page(client, networks_page(assessment.pk), use="family_network")
    assert "Filled in below from this suggestion" in filled
    assert re.search(
        r'name="family_network-judgement" type="radio" value="possible" checked', filled
    )
    evidence = re.search(r'name="family_network-evidence"[^>]*>([^<]*)</textarea>', filled)[1]  # type: ignore[index]
    assert "Connor Walsh is a sibling of Lee Carter" in evidence

    # The coordinator saves the category as the form now stands: through the assessment service.
    form = {
        f"{factor}-judgement": "absent"
        for factor in (
            "family_network",
            "intimate_relationships",
            "associates",
            "prison_network",
            "online_network",
        )
    }
    today = assessment.started_at.date()
    form |= {
        "family_network-judgement": "possible",
        "family_network-evidence": evidence.replace("&#x27;", "'")
        .replace("&quot;", '"')
        .replace("&amp;", "&"),
        "family_network-source_agency": network.police.pk,
        "family_network-evidence_date_0": today.day,
        "family_network-evidence_date_1": today.month,
        "family_network-evidence_date_2": today.year,
    }
    assert client.post(networks_page(assessment.pk), form).status_code == 302
    judgement = FactorJudgement.objects.get(assessment=assessment, factor_id="family_network")
    assert (judgement.judgement, judgement.source_agency_id) == ("possible", network.police.pk)
    assert "guide ¶2.18" in judgement.evidence
    # Police information entering the council's assessment is a disclosure under the agreement.
    assert Disclosure.objects.filter(person=connor, from_agency=network.police).exists()


def test_a_dismissed_suggestion_is_not_shown_again_on_that_assessment(
    network: NetworkWorld, coordinator: User
) -> None:
    assessment = assessment_start(person=network.people["connor"], actor=coordinator)
    client = signed_in(coordinator)
    response = client.post(
        reverse("networks:suggestion-dismiss", args=[assessment.pk]),
        {"factor_id": "family_network", "relationship": network.ties["lee-connor"].pk},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/networks/#factor-family_network")
    dismissal = DismissedSuggestion.objects.get(assessment=assessment)
    assert dismissal.dismissed_by == coordinator
    assert "Network suggestion" not in page(client, networks_page(assessment.pk))


def test_no_suggestion_is_shown_on_other_categories(
    network: NetworkWorld, coordinator: User
) -> None:
    assessment = assessment_start(person=network.people["connor"], actor=coordinator)
    content = page(
        signed_in(coordinator), reverse("web:assessment-category", args=[assessment.pk, "identity"])
    )
    assert "Network suggestion" not in content
