"""A panel member's need to know lasts while the case is before their panel (issue 12, leak 6).

During the meeting they read the agenda's person and assessment and their panel's meeting page;
once the meeting is closed (held) they keep access for OFFRAMP_PANEL_ACCESS_DAYS_AFTER_MEETING
days, to carry out the actions, and then lose it. Their own actions stay theirs throughout.
"""

import datetime
import importlib

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from offramp.access.scoping import cases_visible_to, people_visible_to
from offramp.accounts.models import ApiToken, User
from offramp.agencies.models import Agency
from offramp.assessments.framework import current_framework
from offramp.assessments.models import Assessment, OverallConcern
from offramp.cases.models import AgendaItem, Panel, PanelAction, PanelDecision, PanelMeeting, Route
from offramp.cases.services import (
    DecisionRequest,
    RouteRequest,
    action_set,
    agenda_add,
    case_route,
    meeting_attendance_record,
    meeting_close,
    panel_decision_record,
    panel_meeting_schedule,
)
from offramp.people.models import PersonCategory
from offramp.referrals.models import Referral
from tests.accounts.clock import Clock
from tests.conftest import signed_in

from .conftest import complete_assessment

SUMMARY_WORDS = "Drawn towards older boys who deal."  # complete_assessment's summary


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch, timezone.now())


@pytest.fixture
def assessment(dsl_referral: Referral, coordinator: User) -> Assessment:
    return complete_assessment(
        dsl_referral,
        coordinator,
        present={"gang_involvement"},
        concern=OverallConcern.SIGNIFICANT_CONCERN,
    )


@pytest.fixture
def item(
    assessment: Assessment,
    dsl_referral: Referral,
    coordinator: User,
    panel: Panel,
    agencies: dict[str, Agency],
    clock: Clock,
) -> AgendaItem:
    case = case_route(
        referral=dsl_referral,
        request=RouteRequest(
            route=Route.PANEL,
            reason="Several agencies involved.",
            person_category=PersonCategory.AT_RISK,
            panel=panel,
        ),
        actor=coordinator,
    )
    meeting = panel_meeting_schedule(panel=panel, meets_on=timezone.localdate(), actor=coordinator)
    meeting_attendance_record(
        meeting=meeting, agencies=[agencies["council"], agencies["health"]], actor=coordinator
    )
    return agenda_add(meeting=meeting, case=case, actor=coordinator)


def _pages(item: AgendaItem, assessment: Assessment) -> dict[str, str]:
    """Each page a panel member reads while the case is before their panel, and what it shows."""
    case = item.case
    return {
        reverse("cases:case-detail", args=[case.pk]): case.reference,
        reverse("cases:agenda-item", args=[item.pk]): case.reference,
        reverse("cases:meeting", args=[item.meeting_id]): case.reference,
        reverse("web:person-detail", args=[case.person_id]): "Connor Walsh",
        reverse("web:assessment-detail", args=[assessment.pk]): SUMMARY_WORDS,
    }


def _statuses(client: Client, pages: dict[str, str]) -> dict[str, int]:
    return {url: client.get(url).status_code for url in pages}


def _close(item: AgendaItem, coordinator: User) -> None:
    panel_decision_record(
        item=item,
        request=DecisionRequest(decision=PanelDecision.DEFER, note="Wait for the school's report."),
        actor=coordinator,
    )
    meeting_close(meeting=item.meeting, actor=coordinator)


def test_during_the_meeting_a_panel_member_reads_the_agendas_person_assessment_and_meeting(
    item: AgendaItem, assessment: Assessment, health_panel_member: User
) -> None:
    client = signed_in(health_panel_member)
    for url, shown in _pages(item, assessment).items():
        page = client.get(url)
        assert page.status_code == 200, url
        assert shown in page.content.decode(), url


def test_the_panel_members_pages_offer_no_coordinator_or_assessor_work(
    item: AgendaItem, assessment: Assessment, health_panel_member: User
) -> None:
    client = signed_in(health_panel_member)
    meeting = client.get(reverse("cases:meeting", args=[item.meeting_id])).content.decode()
    for running in ("cases:agenda-add", "cases:attendance", "cases:meeting-close"):
        assert reverse(running, args=[item.meeting_id]) not in meeting, running
    person = client.get(reverse("web:person-detail", args=[item.case.person_id])).content.decode()
    assert reverse("web:assessment-start", args=[item.case.person_id]) not in person
    assert reverse("web:assessment-detail", args=[assessment.pk]) in person
    record = client.get(reverse("web:assessment-detail", args=[assessment.pk])).content.decode()
    assert "Complete assessment" not in record
    category = current_framework().categories[0].id
    assert reverse("web:assessment-category", args=[assessment.pk, category]) not in record
    # Writing an assessment stays with assessors.
    assert client.post(reverse("web:assessment-complete", args=[assessment.pk])).status_code == 403


def test_a_panel_member_sees_no_meeting_of_a_panel_their_agency_does_not_sit_on(
    item: AgendaItem, coordinator: User, health_panel_member: User, agencies: dict[str, Agency]
) -> None:
    other_panel = Panel.objects.create(name="Another panel")
    other_panel.member_agencies.set([agencies["council"]])
    elsewhere = panel_meeting_schedule(
        panel=other_panel, meets_on=timezone.localdate(), actor=coordinator
    )
    client = signed_in(health_panel_member)
    assert client.get(reverse("cases:meeting", args=[elsewhere.pk])).status_code == 404


def test_access_ends_the_configured_days_after_the_meeting_is_held(
    item: AgendaItem,
    assessment: Assessment,
    coordinator: User,
    health_panel_member: User,
    clock: Clock,
    settings: object,
) -> None:
    settings.OFFRAMP_PANEL_ACCESS_DAYS_AFTER_MEETING = 14  # type: ignore[attr-defined]
    _close(item, coordinator)
    pages = _pages(item, assessment)

    # Sessions time out meanwhile: each visit signs in afresh.
    clock.advance(days=13, hours=23)
    assert set(_statuses(signed_in(health_panel_member), pages).values()) == {200}

    clock.advance(hours=2)
    client = signed_in(health_panel_member)
    assert _statuses(client, pages) == dict.fromkeys(pages, 404)
    assert not cases_visible_to(health_panel_member).exists()
    assert not people_visible_to(health_panel_member).exists()
    listed = client.get(reverse("cases:case-list")).content.decode()
    assert item.case.reference not in listed
    # The coordinator, who runs the cases, keeps them.
    assert set(_statuses(signed_in(coordinator), pages).values()) == {200}


def test_with_no_period_access_ends_as_the_meeting_is_closed(
    item: AgendaItem, coordinator: User, health_panel_member: User, settings: object
) -> None:
    settings.OFFRAMP_PANEL_ACCESS_DAYS_AFTER_MEETING = 0  # type: ignore[attr-defined]
    assert cases_visible_to(health_panel_member).filter(pk=item.case_id).exists()
    _close(item, coordinator)
    assert not cases_visible_to(health_panel_member).exists()


def test_a_case_on_a_later_agenda_stays_visible_after_an_earlier_meeting(
    item: AgendaItem, coordinator: User, health_panel_member: User, clock: Clock
) -> None:
    _close(item, coordinator)
    later = panel_meeting_schedule(
        panel=item.meeting.panel,
        meets_on=timezone.localdate() + datetime.timedelta(days=28),
        actor=coordinator,
    )
    agenda_add(meeting=later, case=item.case, actor=coordinator)
    clock.advance(days=20)
    assert cases_visible_to(health_panel_member).filter(pk=item.case_id).exists()


def test_a_panel_member_keeps_their_own_action_after_access_ends(
    item: AgendaItem, coordinator: User, health_panel_member: User, clock: Clock
) -> None:
    action = action_set(
        item=item,
        description="Share the clinic letter",
        owner=health_panel_member,
        due_on=timezone.localdate() + datetime.timedelta(days=30),
        actor=coordinator,
    )
    _close(item, coordinator)
    clock.advance(days=20)
    client = signed_in(health_panel_member)
    assert client.get(reverse("cases:case-detail", args=[item.case_id])).status_code == 404
    assert "Share the clinic letter" in client.get(reverse("cases:my-actions")).content.decode()
    done = client.post(reverse("cases:action-done", args=[action.pk]), {"note": "Sent."})
    assert done.status_code == 302
    assert PanelAction.objects.get(pk=action.pk).completed_at is not None


def test_closing_a_meeting_records_when_it_was_held(
    item: AgendaItem, coordinator: User, clock: Clock
) -> None:
    _close(item, coordinator)
    meeting = PanelMeeting.objects.get(pk=item.meeting_id)
    assert meeting.held_at == clock.now


def _api(user: User) -> Client:
    raw, digest = ApiToken.new_raw_token()
    ApiToken.objects.create(
        user=user,
        name="test",
        digest=digest,
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_the_api_gives_a_panel_member_their_panels_meeting_until_access_ends(
    item: AgendaItem, coordinator: User, health_panel_member: User, clock: Clock
) -> None:
    url = f"/api/v1/panels/meetings/{item.meeting_id}"
    during = _api(health_panel_member).get(url)
    assert during.status_code == 200
    assert [entry["case_id"] for entry in during.json()["agenda"]] == [item.case_id]
    _close(item, coordinator)
    clock.advance(days=15)
    assert _api(health_panel_member).get(url).status_code == 404
    assert _api(coordinator).get(url).status_code == 200


def test_meetings_held_before_the_time_was_recorded_count_from_the_day_they_met(
    item: AgendaItem, coordinator: User, health_panel_member: User, clock: Clock
) -> None:
    from django.apps import apps

    migration = importlib.import_module(
        "offramp.cases.migrations.0002_meeting_held_at_for_panel_access"
    )
    _close(item, coordinator)
    PanelMeeting.objects.filter(pk=item.meeting_id).update(held_at=None)
    assert not cases_visible_to(health_panel_member).exists()  # default deny meanwhile

    migration.date_held_meetings(apps, None)

    held_at = PanelMeeting.objects.get(pk=item.meeting_id).held_at
    assert held_at is not None
    assert timezone.localtime(held_at) == timezone.make_aware(
        datetime.datetime.combine(item.meeting.meets_on, datetime.time.min)
    )
    assert cases_visible_to(health_panel_member).filter(pk=item.case_id).exists()
