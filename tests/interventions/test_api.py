"""The catalogue in the API: read by all, written by the coordinator; suggestions only for
people the caller may see."""

import pytest

from offramp.accounts.models import User
from offramp.audit.models import AuditAction, AuditEntry
from offramp.interventions.models import Programme
from tests.access.test_permission_matrix import token_client
from tests.interventions.conftest import MakeAssessed, national

pytestmark = pytest.mark.django_db
NEW = {
    "name": "Eastfield Boxing Academy",
    "description": "Evening boxing sessions with a mentor.",
    "delivered_by": "Eastfield Boxing Club",
    "provider": "yos",
    "kind": "mentoring",
    "factor_ids": ["gang_involvement"],
    "evidence_strength": "emerging",
    "capacity": 8,
}


def test_anyone_signed_in_lists_and_reads_programmes(analyst: User) -> None:
    client = token_client(analyst)
    listed = client.get("/api/v1/interventions", {"factor_id": "pro_criminal_attitudes"})
    assert listed.status_code == 200
    assert [p["slug"] for p in listed.json()] == ["victim-awareness-course"]
    course = listed.json()[0]
    assert (course["capacity"], course["places_in_use"], course["free_places"]) == (12, 0, 12)
    assert "¶3.8" in course["factor_notes"]["pro_criminal_attitudes"]
    one = client.get(f"/api/v1/interventions/{course['id']}")
    assert one.status_code == 200 and one.json() == course
    assert client.get("/api/v1/interventions/987654321").status_code == 404


def test_the_coordinator_creates_and_retires(coordinator: User, agencies: object) -> None:
    client = token_client(coordinator)
    created = client.post("/api/v1/interventions", NEW, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["slug"], body["national"], body["provider"]["slug"]) == (
        "local-eastfield-boxing-academy",
        False,
        "yos",
    )
    refused = client.post(
        "/api/v1/interventions",
        {**NEW, "name": "Other", "factor_ids": ["gangs"], "provider": "nowhere"},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert set(refused.json()["errors"]) == {"provider"}

    retired = client.post(
        f"/api/v1/interventions/{body['id']}/retire",
        {"reason": "Funding ended"},
        content_type="application/json",
    )
    assert retired.status_code == 200 and retired.json()["retired_reason"] == "Funding ended"
    again = client.post(
        f"/api/v1/interventions/{body['id']}/retire",
        {"reason": "Again"},
        content_type="application/json",
    )
    assert again.status_code == 422


@pytest.mark.parametrize("persona", ["school_dsl", "health_panel_member", "analyst", "auditor"])
def test_others_may_not_write(persona: str, request: pytest.FixtureRequest) -> None:
    client = token_client(request.getfixturevalue(persona))
    assert (
        client.post("/api/v1/interventions", NEW, content_type="application/json").status_code
        == 403
    )
    programme = national("channel")
    retire = client.post(
        f"/api/v1/interventions/{programme.pk}/retire",
        {"reason": "No"},
        content_type="application/json",
    )
    assert retire.status_code == 403
    assert Programme.objects.get(pk=programme.pk).available


def test_suggestions_for_a_person_the_caller_may_see_are_logged(
    coordinator: User, school_dsl: User, assessed: MakeAssessed
) -> None:
    paige = assessed(
        given_name="Paige",
        family_name="Turner",
        present=("pro_criminal_attitudes", "financial_difficulties"),
        crime_types=("drugs_supply",),
    )
    answer = token_client(coordinator).get(
        "/api/v1/interventions/suggestions", {"person_id": paige.pk}
    )
    assert answer.status_code == 200
    body = answer.json()
    top = body["suggestions"][0]
    assert (top["rank"], top["name"]) == (1, "Victim Awareness Course")
    assert top["addresses"] == ["pro_criminal_attitudes"]
    assert "Pro-criminal attitudes" in top["reasons"][0]
    assert body["gaps"] == []
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert entry is not None
    assert (entry.action, entry.person_id, entry.purpose) == (
        AuditAction.CONSULTATION,
        paige.pk,
        "support plan",
    )

    hidden = token_client(school_dsl).get(
        "/api/v1/interventions/suggestions", {"person_id": paige.pk}
    )
    assert hidden.status_code == 404
    assert "Paige" not in hidden.content.decode()
    assert (
        token_client(coordinator)
        .get("/api/v1/interventions/suggestions", {"person_id": 987654321})
        .status_code
        == 404
    )
