"""The cases API: the same services, rules and scoping as the pages."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from offramp.assessments.models import OverallConcern
from offramp.audit.models import AuditAction, AuditEntry
from offramp.cases.models import Case, CaseStatus, ExitReason, ReviewKind, Route
from offramp.cases.services import RouteRequest, case_exit, case_route
from offramp.people.models import PersonCategory
from tests.api.test_api import api_client, send

from .conftest import complete_assessment


@pytest.fixture
def assessed(dsl_referral, coordinator):
    complete_assessment(
        dsl_referral,
        coordinator,
        present={"gang_involvement"},
        concern=OverallConcern.SIGNIFICANT_CONCERN,
    )
    return dsl_referral


def test_a_coordinator_routes_exits_and_reopens_a_case(assessed, coordinator, panel):
    client = api_client(coordinator)
    suggestion = send(client, "get", f"/cases/route-suggestion/{assessed.pk}").json()
    assert suggestion["route"] == Route.PANEL
    assert "Gang involvement" in suggestion["reasons"][0]

    refused = send(
        client,
        "post",
        "/cases",
        {
            "referral_id": assessed.pk,
            "route": Route.NO_FURTHER_ACTION,
            "reason": "Family have moved.",
            "person_category": PersonCategory.AT_RISK,
        },
    )
    assert refused.status_code == 422
    assert "disagreement" in refused.json()["errors"]
    assert not Case.objects.exists()

    created = send(
        client,
        "post",
        "/cases",
        {
            "referral_id": assessed.pk,
            "route": Route.PANEL,
            "reason": "Significant concern.",
            "person_category": PersonCategory.AT_RISK,
            "panel_id": panel.pk,
        },
    )
    assert created.status_code == 201, created.content
    case_id = created.json()["id"]
    assert created.json()["status"] == CaseStatus.AWAITING_PANEL

    exited = send(
        client,
        "post",
        f"/cases/{case_id}/exit",
        {"reason": ExitReason.MOVED_AWAY, "note": "Moved to Leeds."},
    )
    assert exited.json()["status"] == CaseStatus.EXITED
    case = Case.objects.get(pk=case_id)
    assert {r.kind for r in case.reviews.all()} == {
        ReviewKind.FOLLOW_UP_6_MONTHS,
        ReviewKind.FOLLOW_UP_12_MONTHS,
    }
    due = send(client, "get", "/cases/reviews-due?by=2099-01-01").json()
    assert [r["case_reference"] for r in due] == [case.reference, case.reference]

    again = send(
        client, "post", f"/cases/{case_id}/exit", {"reason": ExitReason.OTHER, "note": "Again"}
    )
    assert again.status_code == 409
    assert "cannot move from 'Exited'" in again.json()["detail"]

    reopened = send(client, "post", f"/cases/{case_id}/reopen", {"reason": "Back in the area."})
    assert reopened.json()["status"] == CaseStatus.AWAITING_PANEL
    assert AuditEntry.objects.filter(
        action=AuditAction.CONSULTATION, object_type="case", object_id=case_id
    ).exists()


def test_others_cannot_see_or_route_cases(assessed, coordinator, panel, school_dsl, analyst):
    client = api_client(coordinator)
    case = send(
        client,
        "post",
        "/cases",
        {
            "referral_id": assessed.pk,
            "route": Route.PANEL,
            "reason": "Significant concern.",
            "person_category": PersonCategory.AT_RISK,
            "panel_id": panel.pk,
        },
    )
    for user in (school_dsl, analyst):
        other = api_client(user)
        assert send(other, "get", "/cases").json() == []
        assert send(other, "get", f"/cases/{case.json()['id']}").status_code == 404
        # Refused for the role before any case is looked up, so nothing is disclosed.
        exit_attempt = send(
            other, "post", f"/cases/{case.json()['id']}/exit", {"reason": "other", "note": "x"}
        )
        assert exit_attempt.status_code == 403
    assert Case.objects.get().status == CaseStatus.AWAITING_PANEL


def test_the_command_line_lists_follow_ups_due_without_names(assessed, coordinator, panel):
    case = case_route(
        referral=assessed,
        request=RouteRequest(
            route=Route.PANEL,
            reason="Significant concern.",
            person_category=PersonCategory.AT_RISK,
            panel=panel,
        ),
        actor=coordinator,
    )
    case_exit(case=case, reason=ExitReason.MOVED_AWAY, note="Moved.", actor=coordinator)
    out = StringIO()
    call_command("cases", "due", "--user", "coordinator", "--by", "2099-01-01", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[-1] == "2 reviews due"
    assert all(line.startswith(case.reference) for line in lines[:-1])
    assert case.person.family_name not in out.getvalue()
    with pytest.raises(CommandError, match="No active user called 'nobody'"):
        call_command("cases", "alerts", "--user", "nobody")
    with pytest.raises(CommandError, match="--by must be a date"):
        call_command("cases", "due", "--user", "coordinator", "--by", "soon")


def test_a_panel_runs_through_the_api(
    assessed, programme, coordinator, panel, agencies, partnership_agreement, health_panel_member
):
    client = api_client(coordinator)
    case = send(
        client,
        "post",
        "/cases",
        {
            "referral_id": assessed.pk,
            "route": Route.PANEL,
            "reason": "Significant concern.",
            "person_category": PersonCategory.AT_RISK,
            "panel_id": panel.pk,
        },
    ).json()
    meeting = send(
        client, "post", "/panels/meetings", {"panel_id": panel.pk, "meets_on": "2026-03-02"}
    ).json()
    attending = [agencies["council"].pk, agencies["health"].pk]
    send(client, "post", f"/panels/meetings/{meeting['id']}/attendance", {"agency_ids": attending})
    item = send(
        client, "post", f"/panels/meetings/{meeting['id']}/agenda", {"case_id": case["id"]}
    ).json()

    brought = send(
        api_client(health_panel_member),
        "post",
        f"/panels/agenda/{item['id']}/information",
        {"category": "health", "summary": "Missed clinic appointments."},
    )
    assert brought.status_code == 200, brought.content

    refused = send(
        client,
        "post",
        f"/panels/agenda/{item['id']}/decision",
        {"decision": "agree_plan", "note": "Agreed"},
    )
    assert refused.status_code == 422
    assert "consent" in refused.json()["errors"]["decision"][0]

    for giver in ("person", "parent_or_carer"):
        send(client, "post", f"/cases/{case['id']}/consent", {"giver": giver, "decision": "given"})
    placement = send(
        client,
        "post",
        f"/cases/{case['id']}/interventions",
        {
            "programme_id": programme.pk,
            "provider": "Hartmoor YOS",
            "starts_on": "2026-03-02",
            "expected_end_on": "2026-06-02",
        },
    ).json()
    decided = send(
        client,
        "post",
        f"/panels/agenda/{item['id']}/decision",
        {"decision": "agree_plan", "note": "Agreed"},
    )
    assert decided.json()["decision"] == "agree_plan"
    action = send(
        client,
        "post",
        f"/panels/agenda/{item['id']}/actions",
        {
            "description": "Ask the GP to see him",
            "owner_id": health_panel_member.pk,
            "due_on": "2099-01-01",
        },
    ).json()
    mine = send(api_client(health_panel_member), "get", "/cases/actions/mine").json()
    assert [a["id"] for a in mine] == [action["id"]]
    closed = send(client, "post", f"/panels/meetings/{meeting['id']}/close").json()
    assert closed["status"] == "held"

    review = Case.objects.get(pk=case["id"]).reviews.get()
    held = send(
        client,
        "post",
        f"/cases/reviews/{review.pk}",
        {"progress": "improved", "note": "Attending.", "held_on": "2026-03-02"},
    ).json()
    assert held["held_on"] == "2026-03-02"
    for status in ("started", "completed"):
        send(
            client,
            "post",
            f"/cases/interventions/{placement['id']}",
            {"status": status, "outcome": "achieved", "note": "Done"},
        )
    exited = send(
        client, "post", f"/cases/{case['id']}/exit", {"reason": "risk_reduced", "note": "Better"}
    )
    assert exited.json()["status"] == CaseStatus.EXITED
