"""The case and panel pages: who sees them, what they show, and forms that refuse bad input.

A refused form shows every problem in the GOV.UK error summary and changes nothing.
"""

import datetime
import html
import re

import pytest
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from offramp.accounts.models import Role, User
from offramp.agencies.models import Agency
from offramp.audit.models import AuditAction, AuditEntry, Event
from offramp.cases.models import (
    AgendaItem,
    Case,
    CaseLink,
    CaseReview,
    CaseStatus,
    ConsentDecision,
    ConsentGiver,
    ConsentRecord,
    Contribution,
    Panel,
    PanelAction,
    PanelDecision,
    PanelMeeting,
    Placement,
    PlacementStatus,
    Route,
)
from offramp.cases.services import (
    DecisionRequest,
    PlacementRequest,
    RouteRequest,
    action_set,
    agenda_add,
    case_route,
    consent_record,
    contribution_add,
    meeting_attendance_record,
    panel_decision_record,
    panel_meeting_schedule,
    placement_add,
)
from offramp.interventions.models import EvidenceStrength, Programme
from offramp.people.models import PersonCategory
from offramp.referrals.models import ConsentStatus, Referral
from offramp.referrals.services import referral_start_screening
from offramp.sharing.models import DataCategory, DataSharingAgreement
from tests.conftest import PASSWORD, signed_in

HEALTH_NOTE = "Missed three clinic appointments since January."


# --- the case, its panel and its plan -------------------------------------------------------


@pytest.fixture
def case(significant: Referral, coordinator: User, panel: Panel) -> Case:
    return case_route(
        referral=significant,
        request=RouteRequest(
            route=Route.PANEL,
            reason="Significant concern; several agencies involved.",
            person_category=PersonCategory.AT_RISK,
            panel=panel,
        ),
        actor=coordinator,
    )


@pytest.fixture
def meeting(
    panel: Panel, coordinator: User, agencies: dict[str, Agency], today: datetime.date
) -> PanelMeeting:
    meeting = panel_meeting_schedule(panel=panel, meets_on=today, actor=coordinator)
    meeting_attendance_record(
        meeting=meeting, agencies=[agencies["council"], agencies["health"]], actor=coordinator
    )
    return meeting


@pytest.fixture
def item(case: Case, meeting: PanelMeeting, coordinator: User) -> AgendaItem:
    return agenda_add(meeting=meeting, case=case, actor=coordinator)


@pytest.fixture
def mentoring(db: None) -> Programme:
    """A local programme of our own: the national catalogue is installed with the database."""
    return Programme.objects.create(
        slug="hartmoor-mentoring",
        name="Hartmoor Mentoring Pilot",
        description="Peer mentoring for young people on the edge of gangs.",
        delivered_by="Hartmoor Youth Offending Service",
        kind="mentoring",
        factor_ids=["gang_involvement"],
        capacity=5,
        evidence_strength=EvidenceStrength.EMERGING,
    )


@pytest.fixture
def planned(item: AgendaItem, coordinator: User, mentoring: Programme) -> AgendaItem:
    """Consent from Connor and a parent (he is a child) and one intervention."""
    for giver in ConsentGiver:
        consent_record(
            case=item.case, giver=giver, decision=ConsentDecision.GIVEN, note="", actor=coordinator
        )
    placement_add(
        case=item.case,
        request=PlacementRequest(
            programme=mentoring,
            provider="Hartmoor YOS",
            starts_on=timezone.localdate(),
            expected_end_on=timezone.localdate() + datetime.timedelta(days=90),
        ),
        actor=coordinator,
    )
    return item


def summary_of(response: HttpResponse) -> str:
    """The text of the page's error summaries ("" when there is none)."""
    content = response.content.decode()
    lists = re.findall(r'govuk-error-summary__list">(.*?)</ul>', content, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>|\s+", " ", " ".join(lists)))


def snapshot() -> tuple[object, ...]:
    """Everything a case page could write."""
    return (
        list(Case.objects.order_by("pk").values()),
        list(AgendaItem.objects.order_by("pk").values()),
        list(PanelMeeting.objects.order_by("pk").values()),
        list(Contribution.objects.values_list("pk", flat=True)),
        list(PanelAction.objects.order_by("pk").values()),
        list(ConsentRecord.objects.values_list("pk", flat=True)),
        list(Placement.objects.order_by("pk").values()),
        list(CaseReview.objects.order_by("pk").values()),
        list(CaseLink.objects.values_list("pk", flat=True)),
        Event.objects.count(),
    )


# --- every page, for the coordinator ----------------------------------------------------------


def test_every_page_renders_for_the_coordinator(
    planned: AgendaItem,
    coordinator: User,
    health_panel_member: User,
    other_referral: Referral,
    partnership_agreement: DataSharingAgreement,
) -> None:
    case = planned.case
    panel_decision_record(
        item=planned,
        request=DecisionRequest(decision=PanelDecision.AGREE_PLAN, note="Plan agreed."),
        actor=coordinator,
    )
    contribution_add(
        item=planned, category=DataCategory.HEALTH, summary=HEALTH_NOTE, actor=health_panel_member
    )
    action = action_set(
        item=planned,
        description="Book a clinic appointment",
        owner=coordinator,
        due_on=planned.meeting.meets_on,
        actor=coordinator,
    )
    referral_start_screening(referral=other_referral, actor=coordinator)
    placement = case.placements.get()
    review = case.reviews.get()
    pages = {
        reverse("cases:route", args=[other_referral.pk]): "Record a route for Paige Morris",
        reverse("cases:case-list"): case.reference,
        reverse("cases:case-detail", args=[case.pk]): "Hartmoor Mentoring Pilot",
        reverse("cases:consent", args=[case.pk]): "Record consent to the support plan",
        reverse("cases:placement-add", args=[case.pk]): "Add an intervention",
        reverse("cases:placement-update", args=[placement.pk]): "Update Hartmoor Mentoring Pilot",
        reverse("cases:link-person", args=[case.pk])
        + "?given_name=Paige&family_name=Morris": "Paige Morris",
        reverse("cases:exit", args=[case.pk]): "Exit the case",
        reverse("cases:reopen", args=[case.pk]): "Reopen the case",
        reverse("cases:panel-list"): "Hartmoor SOC Prevent panel",
        reverse("cases:meeting-schedule"): "Schedule a panel meeting",
        reverse("cases:meeting", args=[planned.meeting.pk]): case.reference,
        reverse("cases:agenda-item", args=[planned.pk]): HEALTH_NOTE,
        reverse("cases:my-actions"): "Book a clinic appointment",
        reverse("cases:action-done", args=[action.pk]): "Book a clinic appointment",
        reverse("cases:reviews-due") + "?due_by_0=1&due_by_1=1&due_by_2=2100": case.reference,
        reverse("cases:review-hold", args=[review.pk]): "Hold the scheduled review",
        reverse("web:dashboard"): "Book a clinic appointment",
    }
    client = signed_in(coordinator)
    for url, expected in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert expected in response.content.decode(), url


def test_each_page_showing_a_case_logs_the_consultation_first(
    item: AgendaItem, coordinator: User
) -> None:
    case = item.case
    for url in (
        reverse("cases:case-detail", args=[case.pk]),
        reverse("cases:agenda-item", args=[item.pk]),
        reverse("cases:meeting", args=[item.meeting.pk]),
        reverse("cases:case-list"),
    ):
        last = AuditEntry.objects.order_by("-sequence").values_list("sequence", flat=True)[0]
        assert signed_in(coordinator).get(url).status_code == 200
        logged = AuditEntry.objects.filter(
            sequence__gt=last, action=AuditAction.CONSULTATION, person_id=case.person_id
        )
        assert logged.exists(), url


def test_the_navigation_offers_cases_panels_and_actions_by_role(
    coordinator: User, health_panel_member: User, school_dsl: User
) -> None:
    def menu(user: User) -> list[str]:
        page = signed_in(user).get(reverse("web:dashboard"))
        return [item["label"] for item in page.context["service_navigation"]]

    assert {"Cases", "Panels", "My actions"} <= set(menu(coordinator))
    assert {"Cases", "My actions"} <= set(menu(health_panel_member))
    assert "Panels" not in menu(health_panel_member)
    assert not {"Cases", "Panels", "My actions"} & set(menu(school_dsl))


# --- routing ----------------------------------------------------------------------------------


def test_the_route_page_explains_the_suggestion_and_a_different_route_needs_a_reason(
    significant: Referral, coordinator: User, panel: Panel
) -> None:
    client = signed_in(coordinator)
    url = reverse("cases:route", args=[significant.pk])
    page = client.get(url).content.decode()
    assert "Offramp suggests: Prevent multi-agency panel" in page
    assert "found significant concern" in page  # the reason, naming what was found
    assert "Gang involvement" in page

    before = snapshot()
    refused = client.post(
        url,
        {"route": Route.SIGNPOST, "reason": "One service is enough.", "person_category": "at_risk"},
    )
    assert refused.status_code == 200
    summary = summary_of(refused)
    assert "Name the service you are signposting them to" in summary
    assert (
        "Offramp suggested 'Prevent multi-agency panel': say why you chose a different route"
        in (summary)
    )
    assert refused.content.decode().startswith("<!DOCTYPE html>")
    assert "<title>Error: " in refused.content.decode()
    assert snapshot() == before

    recorded = client.post(
        url,
        {
            "route": Route.SIGNPOST,
            "signpost_service": "Hartmoor Youth Service",
            "reason": "One service is enough.",
            "disagreement": "The family engage well with the youth service already.",
            "person_category": "at_risk",
            "panel": panel.pk,
        },
    )
    case = Case.objects.get(referral=significant)
    assert recorded.status_code == 302
    assert recorded["Location"] == reverse("cases:case-detail", args=[case.pk])
    assert (case.route, case.status, case.panel) == (
        Route.SIGNPOST,
        CaseStatus.ROUTED_ELSEWHERE,
        None,
    )
    detail = client.get(recorded["Location"]).content.decode()
    assert "Hartmoor Youth Service" in detail
    assert "The family engage well with the youth service already." in detail


def test_the_case_page_suggests_interventions_with_their_reasons(
    case: Case, coordinator: User, mentoring: Programme
) -> None:
    page = signed_in(coordinator).get(reverse("cases:case-detail", args=[case.pk]))
    suggested = page.content.decode().split("Suggested interventions", 1)[1]
    assert "Hartmoor Mentoring Pilot" in suggested
    assert "Gang involvement" in suggested  # the factor it addresses, as the reason


def test_the_referral_page_offers_a_route_once_the_referral_is_screened(
    dsl_referral: Referral, coordinator: User
) -> None:
    client = signed_in(coordinator)
    route_url = reverse("cases:route", args=[dsl_referral.pk])
    detail = reverse("web:referral-detail", args=[dsl_referral.pk])
    assert route_url not in client.get(detail).content.decode()
    referral_start_screening(referral=dsl_referral, actor=coordinator)
    assert route_url in client.get(detail).content.decode()


# --- who sees a case ----------------------------------------------------------------------------


def test_a_panel_member_sees_a_case_only_once_it_is_on_their_panels_agenda(
    case: Case, meeting: PanelMeeting, coordinator: User, health_panel_member: User
) -> None:
    client = signed_in(health_panel_member)
    page = reverse("cases:case-detail", args=[case.pk])
    assert client.get(page).status_code == 404
    assert case.reference not in client.get(reverse("cases:case-list")).content.decode()

    item = agenda_add(meeting=meeting, case=case, actor=coordinator)

    assert client.get(page).status_code == 200
    assert case.reference in client.get(reverse("cases:case-list")).content.decode()
    assert client.get(reverse("cases:agenda-item", args=[item.pk])).status_code == 200
    # They read their panel's meeting; running it stays with the coordinator.
    assert client.get(reverse("cases:meeting", args=[meeting.pk])).status_code == 200
    assert client.post(reverse("cases:meeting-close", args=[meeting.pk])).status_code == 403
    assert client.get(reverse("cases:consent", args=[case.pk])).status_code == 403


def test_a_panel_member_of_another_panel_does_not_see_the_case(
    item: AgendaItem, agencies: dict[str, Agency]
) -> None:
    elsewhere = User.objects.create_user(
        username="yos", password=PASSWORD, agency=agencies["yos"], role=Role.PANEL_MEMBER
    )
    item.meeting.panel.member_agencies.remove(agencies["yos"])
    client = signed_in(elsewhere)
    assert client.get(reverse("cases:case-detail", args=[item.case.pk])).status_code == 404
    assert client.get(reverse("cases:agenda-item", args=[item.pk])).status_code == 404


def test_a_practitioner_sees_no_case_page_only_their_referrals_status(
    item: AgendaItem, school_dsl: User
) -> None:
    client = signed_in(school_dsl)
    for url in (
        reverse("cases:case-list"),
        reverse("cases:case-detail", args=[item.case.pk]),
        reverse("cases:agenda-item", args=[item.pk]),
        reverse("cases:my-actions"),
    ):
        assert client.get(url).status_code == 403, url
    status = client.get(reverse("web:referral-detail", args=[item.case.referral_id]))
    content = status.content.decode()
    assert "referrals/referral_status.html" in {t.name for t in status.templates}
    assert item.case.reference not in content
    assert "/cases/" not in content


def test_a_panel_member_reads_only_what_was_shared_with_their_agency(
    item: AgendaItem,
    health_panel_member: User,
    agencies: dict[str, Agency],
    partnership_agreement: DataSharingAgreement,
) -> None:
    contribution_add(
        item=item, category=DataCategory.HEALTH, summary=HEALTH_NOTE, actor=health_panel_member
    )
    absent = User.objects.create_user(
        username="yos", password=PASSWORD, agency=agencies["yos"], role=Role.PANEL_MEMBER
    )
    url = reverse("cases:agenda-item", args=[item.pk])
    assert HEALTH_NOTE in signed_in(health_panel_member).get(url).content.decode()
    page = signed_in(absent).get(url)  # the youth offending service did not attend
    assert page.status_code == 200
    assert HEALTH_NOTE not in page.content.decode()


def test_a_connected_victim_is_labelled_a_victim(
    case: Case, coordinator: User, other_referral: Referral
) -> None:
    client = signed_in(coordinator)
    url = reverse("cases:link-person", args=[case.pk]) + "?given_name=Paige&family_name=Morris"
    page = client.get(url).content.decode()
    assert "Paige Morris" in page
    response = client.post(
        url,
        {"person": other_referral.person_id, "category": PersonCategory.VICTIM, "note": ""},
    )
    assert response.status_code == 302
    detail = client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    connected = detail.split("Connected people", 1)[1].split("Timeline", 1)[0]
    assert "Paige Morris" in connected
    assert "Victim" in connected
    assert "offender" not in connected.lower()


# --- forms refuse bad input, say why, and change nothing -------------------------------------


def test_forms_show_every_problem_in_the_error_summary_and_change_nothing(
    planned: AgendaItem, coordinator: User, mentoring: Programme, today: datetime.date
) -> None:
    case = planned.case
    placement = case.placements.get()
    yesterday = today - datetime.timedelta(days=1)
    attempts: list[tuple[str, dict[str, object], list[str]]] = [
        (
            reverse("cases:consent", args=[case.pk]),
            {},
            ["Select whose consent this is", "Select the decision"],
        ),
        (
            reverse("cases:placement-add", args=[case.pk]),
            {
                "programme": mentoring.pk,
                "provider": "Hartmoor YOS",
                **_date("starts_on", today),
                **_date("expected_end_on", yesterday),
            },
            ["The expected end must be on or after the start"],
        ),
        (
            reverse("cases:placement-update", args=[placement.pk]),
            {"status": PlacementStatus.COMPLETED, "note": ""},
            ["Select the outcome of the intervention"],
        ),
        (
            reverse("cases:exit", args=[case.pk]),
            {"exit_reason": "risk_reduced", "note": "Going well."},
            ["Record how these interventions ended first: Hartmoor Mentoring Pilot"],
        ),
        (
            reverse("cases:reopen", args=[case.pk]),
            {"reason": "Concern is back."},
            ["cannot move from 'Waiting for the panel' to 'Waiting for the panel'"],
        ),
        (
            reverse("cases:meeting-schedule"),
            {"meets_on_0": "31", "meets_on_1": "2", "meets_on_2": "2026"},
            ["Select the panel that is meeting", "Date of the meeting must be a real date"],
        ),
        (
            reverse("cases:decision", args=[planned.pk]),
            {"decision": PanelDecision.EXIT, "note": "Exit."},
            ["Select why the case is exiting"],
        ),
        (
            reverse("cases:action-set", args=[planned.pk]),
            {
                "description": "Visit the family",
                "owner": coordinator.pk,
                **_date("due_on", yesterday),
            },
            ["The due date must be on or after the meeting"],
        ),
        (
            reverse("cases:meeting-close", args=[planned.meeting.pk]),
            {},
            [f"Record a decision for every case first: {case.reference}"],
        ),
        (
            reverse("cases:agenda-add", args=[planned.meeting.pk]),
            {"case": ""},
            ["Select a case to put on the agenda"],
        ),
    ]
    client = signed_in(coordinator)
    for url, data, messages in attempts:
        before = snapshot()
        response = client.post(url, data)
        assert response.status_code == 200, url
        summary = summary_of(response)
        for message in messages:
            assert message in summary, (url, summary)
        assert "<title>Error: " in response.content.decode(), url
        assert snapshot() == before, url


def test_a_plan_cannot_be_agreed_without_consent_and_the_summary_says_so(
    item: AgendaItem, coordinator: User
) -> None:
    before = snapshot()
    response = signed_in(coordinator).post(
        reverse("cases:decision", args=[item.pk]),
        {"decision": PanelDecision.AGREE_PLAN, "note": "Plan agreed."},
    )
    assert "cannot be agreed without the person's consent" in summary_of(response)
    assert snapshot() == before


def test_information_without_a_sharing_basis_is_refused_in_the_error_summary(
    item: AgendaItem, health_panel_member: User
) -> None:
    Referral.objects.filter(pk=item.case.referral_id).update(consent=ConsentStatus.REFUSED)
    before = snapshot()
    response = signed_in(health_panel_member).post(
        reverse("cases:contribution-add", args=[item.pk]),
        {"category": DataCategory.HEALTH, "summary": HEALTH_NOTE},
    )
    assert response.status_code == 200
    summary = summary_of(response)
    assert "No active data sharing agreement between Hartmoor Health Trust" in summary
    assert "Record one of these before adding this information" in summary
    assert snapshot() == before


# --- work that falls due ------------------------------------------------------------------------


def test_the_dashboard_shows_a_panel_members_own_overdue_action(
    item: AgendaItem, coordinator: User, health_panel_member: User, today: datetime.date
) -> None:
    action = action_set(
        item=item,
        description="Share the clinic letter",
        owner=health_panel_member,
        due_on=item.meeting.meets_on,
        actor=coordinator,
    )
    PanelAction.objects.filter(pk=action.pk).update(due_on=today - datetime.timedelta(days=3))
    page = signed_in(health_panel_member).get(reverse("web:dashboard")).content.decode()
    assert "Share the clinic letter" in page
    assert "Overdue" in page
    assert "Action overdue" in page  # and the alert

    client = signed_in(health_panel_member)
    done = client.post(reverse("cases:action-done", args=[action.pk]), {"note": "Sent."})
    assert done.status_code == 302
    assert "You have no open actions." in client.get(reverse("cases:my-actions")).content.decode()


def test_someone_elses_action_cannot_be_marked_done_by_a_panel_member(
    item: AgendaItem, coordinator: User, health_panel_member: User
) -> None:
    action = action_set(
        item=item,
        description="Call the school",
        owner=coordinator,
        due_on=item.meeting.meets_on,
        actor=coordinator,
    )
    response = signed_in(health_panel_member).post(
        reverse("cases:action-done", args=[action.pk]), {"note": ""}
    )
    assert response.status_code == 404
    action.refresh_from_db()
    assert action.completed_at is None


def test_exit_books_follow_ups_that_appear_in_the_due_list(
    item: AgendaItem, coordinator: User
) -> None:
    client = signed_in(coordinator)
    exited = client.post(
        reverse("cases:exit", args=[item.case.pk]),
        {"exit_reason": "moved_away", "note": "Moved to another area."},
    )
    assert exited.status_code == 302
    due = client.get(reverse("cases:reviews-due"), {"kind": "follow_ups"}).content.decode()
    assert "Follow-up 6 months after exit" in due
    assert "Follow-up 12 months after exit" in due
    assert item.case.reference in due


def _date(name: str, day: datetime.date) -> dict[str, object]:
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}
