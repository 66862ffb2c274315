"""Whole cases walked through every route, the panel, the plan, reviews, exit and reopening.

Every illegal move is refused with a message and leaves the case exactly as it was.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict

from offramp.access.scoping import cases_visible_to, events_visible_to, people_visible_to
from offramp.accounts.models import User
from offramp.assessments.models import OverallConcern
from offramp.audit.models import AuditEntry, Event, EventCode
from offramp.cases.models import (
    Case,
    CaseStatus,
    ConsentDecision,
    ConsentGiver,
    ExitReason,
    Panel,
    PanelDecision,
    PlacementOutcome,
    PlacementStatus,
    ReviewKind,
    ReviewProgress,
    Route,
)
from offramp.cases.routing import suggest_route
from offramp.cases.selectors import AlertKind, alerts_for, follow_ups_due, overdue_actions
from offramp.cases.services import (
    DecisionRequest,
    PlacementRequest,
    PlacementUpdate,
    ReviewRequest,
    RouteRequest,
    action_set,
    agenda_add,
    case_exit,
    case_reopen,
    case_route,
    consent_record,
    contribution_add,
    meeting_attendance_record,
    panel_decision_record,
    panel_meeting_schedule,
    placement_add,
    placement_update,
    review_hold,
)
from offramp.dates import add_months
from offramp.interventions.models import Programme
from offramp.networks.services import (
    GroupDetails,
    MembershipDetails,
    RelationshipDetails,
    group_create,
    membership_add,
    relationship_add,
)
from offramp.people.models import PersonCategory
from offramp.referrals.models import ClosureReason, Referral, ReferralStatus
from offramp.referrals.services import referral_close, referral_create, referral_start_screening
from offramp.sharing.models import DataCategory, Disclosure
from offramp.sharing.services import NoSharingBasis
from offramp.transitions import IllegalTransition
from tests.accounts.clock import Clock
from tests.conftest import referral_request

from .conftest import complete_assessment

TODAY = datetime.date(2026, 3, 2)


def _snapshot(case: Case) -> dict[str, object]:
    case.refresh_from_db()
    return {
        **model_to_dict(case),
        "reviews": list(case.reviews.values()),
        "placements": list(case.placements.values()),
    }


def route(referral: Referral, actor: User, route: Route, **overrides: object) -> Case:
    values: dict[str, object] = {
        "route": route,
        "reason": "Agreed with the referrer after screening.",
        "person_category": PersonCategory.AT_RISK,
    }
    values.update(overrides)
    return case_route(referral=referral, request=RouteRequest(**values), actor=actor)  # type: ignore[arg-type]


# --- routing --------------------------------------------------------------------------------


def test_significant_concern_suggests_the_panel_naming_the_factors(significant, coordinator):
    suggestion = suggest_route(significant.person, TODAY)
    assert suggestion.route == Route.PANEL
    assert "Gang involvement" in suggestion.reasons[0]
    assert "Early prolific offending" in suggestion.reasons[0]


def test_a_suspected_child_victim_is_safeguarded_first(dsl_referral, coordinator):
    complete_assessment(
        dsl_referral,
        coordinator,
        present={"victim_of_exploitation", "gang_involvement"},
        concern=OverallConcern.SIGNIFICANT_CONCERN,
    )
    suggestion = suggest_route(dsl_referral.person, TODAY)
    assert suggestion.route == Route.CHILDREN_SAFEGUARDING
    assert suggestion.person_category == PersonCategory.VICTIM
    assert "safeguarded first" in suggestion.reasons[0]


def test_a_suspected_victim_of_modern_slavery_goes_to_the_nrm(other_referral, coordinator):
    complete_assessment(
        other_referral,
        coordinator,
        present={"victim_of_exploitation"},
        concern=OverallConcern.SAFEGUARDING_FIRST,
        crime_types={"modern_slavery"},
    )
    assert suggest_route(other_referral.person, TODAY).route == Route.NATIONAL_REFERRAL_MECHANISM


@pytest.mark.parametrize(
    ("role", "status", "route"),
    [
        ("core", "active", Route.PURSUE),
        ("principal", "dormant", Route.PURSUE),
        ("peripheral", "active", Route.PANEL),
        ("core", "disrupted", Route.PANEL),
    ],
)
def test_a_principal_or_core_member_of_an_operating_group_goes_to_pursue(
    role, status, route, significant, coordinator, agencies
):
    group = group_create(
        actor=coordinator,
        details=GroupDetails(
            reference="OCG-HM-900",
            name="Test group",
            status=status,
            source_agency_id=agencies["police"].pk,
        ),
    )
    membership_add(
        group=group,
        person=significant.person,
        actor=coordinator,
        details=MembershipDetails(
            category=PersonCategory.SUSPECT_OR_OFFENDER,
            role=role,
            source_agency_id=agencies["police"].pk,
            confidence="high",
        ),
    )
    suggestion = suggest_route(significant.person, TODAY)
    assert suggestion.route == route
    if route == Route.PURSUE:
        assert "OCG-HM-900" in suggestion.reasons[0] and "¶2.5" in suggestion.reasons[0]
        assert suggestion.person_category == PersonCategory.SUSPECT_OR_OFFENDER


def test_no_suggestion_without_a_completed_assessment(dsl_referral):
    suggestion = suggest_route(dsl_referral.person, TODAY)
    assert suggestion.route == ""
    assert "complete one" in suggestion.reasons[0]


def test_disagreeing_with_the_suggestion_needs_a_reason(significant, coordinator):
    with pytest.raises(ValidationError) as refused:
        route(significant, coordinator, Route.SIGNPOST, signpost_service="Youth club")
    assert "Prevent multi-agency panel" in refused.value.message_dict["disagreement"][0]
    significant.refresh_from_db()
    assert significant.status == ReferralStatus.ASSESSED
    assert not Case.objects.exists()
    case = route(
        significant,
        coordinator,
        Route.SIGNPOST,
        signpost_service="Northgate youth club",
        disagreement="His mother has already engaged the youth club; the panel would add little.",
    )
    assert case.suggested_route == Route.PANEL
    assert case.route_disagreement.startswith("His mother")


def test_a_victim_is_never_routed_to_the_nrm_as_an_offender(dsl_referral, coordinator):
    referral_start_screening(referral=dsl_referral, actor=coordinator)
    with pytest.raises(ValidationError) as refused:
        route(
            dsl_referral,
            coordinator,
            Route.NATIONAL_REFERRAL_MECHANISM,
            person_category=PersonCategory.SUSPECT_OR_OFFENDER,
        )
    assert "victim" in refused.value.message_dict["person_category"][0]


@pytest.mark.parametrize(
    "chosen",
    [r for r in Route if r != Route.PANEL],
    ids=lambda r: r.value,
)
def test_every_route_outside_the_panel_closes_and_can_reopen(
    chosen, dsl_referral, coordinator, panel
):
    referral_start_screening(referral=dsl_referral, actor=coordinator)
    category = (
        PersonCategory.VICTIM
        if chosen == Route.NATIONAL_REFERRAL_MECHANISM
        else PersonCategory.AT_RISK
    )
    case = route(
        dsl_referral,
        coordinator,
        chosen,
        person_category=category,
        signpost_service="Northgate youth club",
    )
    assert case.status == CaseStatus.ROUTED_ELSEWHERE
    dsl_referral.refresh_from_db()
    assert dsl_referral.closure_reason == ClosureReason.ROUTED
    assert Event.objects.filter(person=case.person, code=EventCode.CASE_ROUTED).exists()
    case = case_reopen(
        case=case, reason="Referred again by the school.", panel=panel, actor=coordinator
    )
    assert case.status == CaseStatus.AWAITING_PANEL
    assert case.panel == panel


def test_only_a_coordinator_routes(significant, school_dsl, health_panel_member, panel):
    for actor in (school_dsl, health_panel_member):
        with pytest.raises(PermissionDenied):
            route(significant, actor, Route.PANEL, panel=panel)
    assert not Case.objects.exists()


def test_a_person_has_one_open_case(significant, coordinator, panel, school_dsl):
    route(significant, coordinator, Route.PANEL, panel=panel)
    again = referral_create(referrer=school_dsl, request=referral_request())
    Referral.objects.filter(pk=again.pk).update(person=significant.person)
    again.refresh_from_db()
    referral_start_screening(referral=again, actor=coordinator)
    with pytest.raises(ValidationError) as refused:
        route(again, coordinator, Route.PANEL, panel=panel)
    assert "already has an open case" in refused.value.message_dict["referral"][0]


# --- the panel, the plan, reviews and exit --------------------------------------------------


@pytest.fixture
def on_agenda(significant, coordinator, panel, agencies, partnership_agreement):
    case = route(significant, coordinator, Route.PANEL, panel=panel)
    meeting = panel_meeting_schedule(panel=panel, meets_on=TODAY, actor=coordinator)
    meeting_attendance_record(
        meeting=meeting,
        agencies=[agencies["council"], agencies["health"], agencies["school"]],
        actor=coordinator,
    )
    item = agenda_add(meeting=meeting, case=case, actor=coordinator)
    return item


def _consent_and_plan(case: Case, actor: User, programme: Programme) -> None:
    for giver in ConsentGiver:
        consent_record(case=case, giver=giver, decision=ConsentDecision.GIVEN, note="", actor=actor)
    placement_add(
        case=case,
        request=PlacementRequest(
            programme=programme,
            provider="Hartmoor YOS",
            starts_on=TODAY,
            expected_end_on=TODAY + datetime.timedelta(days=90),
        ),
        actor=actor,
    )


def test_a_whole_case_from_panel_to_follow_up(
    on_agenda, coordinator, health_panel_member, programme, monkeypatch
):
    clock = Clock(monkeypatch, datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC))
    case = on_agenda.case
    contribution = contribution_add(
        item=on_agenda,
        category=DataCategory.HEALTH,
        summary="Missed three clinic appointments since January.",
        actor=health_panel_member,
    )
    shared_with = set(
        Disclosure.objects.filter(object_id=contribution.pk).values_list(
            "to_agency__slug", flat=True
        )
    )
    assert shared_with == {"council", "school"}

    with pytest.raises(ValidationError) as refused:
        panel_decision_record(
            item=on_agenda,
            request=DecisionRequest(decision=PanelDecision.AGREE_PLAN, note="Plan agreed"),
            actor=coordinator,
        )
    message = refused.value.message_dict["decision"][0]
    assert "the person's consent" in message and "parent's or carer's consent" in message
    assert Case.objects.get(pk=case.pk).status == CaseStatus.AWAITING_PANEL

    _consent_and_plan(case, coordinator, programme)
    panel_decision_record(
        item=on_agenda,
        request=DecisionRequest(decision=PanelDecision.AGREE_PLAN, note="Plan agreed"),
        actor=coordinator,
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.ON_PLAN
    first_review = case.reviews.get()
    assert first_review.due_on == datetime.date(2026, 5, 31)  # 90 days on

    action = action_set(
        item=on_agenda,
        description="Ask the GP to see him",
        owner=health_panel_member,
        due_on=datetime.date(2026, 3, 16),
        actor=coordinator,
    )
    clock.advance(days=20)
    assert list(overdue_actions(health_panel_member, datetime.date(2026, 3, 22))) == [action]

    clock.advance(days=70)
    review_hold(
        review=first_review,
        request=ReviewRequest(
            progress=ReviewProgress.IMPROVED,
            note="Attending sessions.",
            held_on=datetime.date(2026, 5, 30),
        ),
        actor=coordinator,
    )
    case.refresh_from_db()
    assert case.next_review_on == datetime.date(2026, 8, 28)

    placement = case.placements.get()
    for status in (PlacementStatus.STARTED, PlacementStatus.COMPLETED):
        placement = placement_update(
            placement=placement,
            update=PlacementUpdate(status=status, outcome=PlacementOutcome.ACHIEVED, note="Done"),
            actor=coordinator,
        )

    clock.now = datetime.datetime(2026, 8, 31, 15, tzinfo=datetime.UTC)
    case = case_exit(
        case=case,
        reason=ExitReason.RISK_REDUCED,
        note="Back in school full time.",
        actor=coordinator,
    )
    assert case.status == CaseStatus.EXITED
    follow_ups = {
        review.kind: review.due_on for review in case.reviews.filter(held_on__isnull=True)
    }
    assert follow_ups == {
        ReviewKind.FOLLOW_UP_6_MONTHS: datetime.date(2027, 2, 28),
        ReviewKind.FOLLOW_UP_12_MONTHS: datetime.date(2027, 8, 31),
    }
    assert not follow_ups_due(coordinator, by=datetime.date(2027, 2, 27)).exists()
    assert [r.kind for r in follow_ups_due(coordinator, by=datetime.date(2027, 2, 28))] == [
        ReviewKind.FOLLOW_UP_6_MONTHS
    ]
    assert len(follow_ups_due(coordinator, by=datetime.date(2027, 8, 31))) == 2

    case = case_reopen(
        case=case, reason="Arrested with older boys again.", panel=None, actor=coordinator
    )
    assert case.status == CaseStatus.AWAITING_PANEL
    assert not follow_ups_due(coordinator, by=datetime.date(2028, 1, 1)).exists()


def test_information_without_a_sharing_basis_is_refused_and_nothing_is_shared(
    on_agenda, health_panel_member, partnership_agreement
):
    partnership_agreement.data_categories = [DataCategory.OFFENDING]
    partnership_agreement.save()
    case = on_agenda.case
    case.referral.consent = "refused"
    case.referral.save()
    with pytest.raises(NoSharingBasis) as refused:
        contribution_add(
            item=on_agenda,
            category=DataCategory.HEALTH,
            summary="Missed three clinic appointments.",
            actor=health_panel_member,
        )
    assert "health" in str(refused.value)
    assert not on_agenda.contributions.exists()
    assert not Disclosure.objects.exists()


def test_an_agency_not_attending_cannot_bring_information(on_agenda, other_dsl):
    with pytest.raises(PermissionDenied):
        contribution_add(
            item=on_agenda, category=DataCategory.EDUCATION, summary="x", actor=other_dsl
        )


def test_withdrawn_consent_ends_the_interventions_and_raises_an_alert(
    on_agenda, coordinator, programme
):
    case = on_agenda.case
    _consent_and_plan(case, coordinator, programme)
    panel_decision_record(
        item=on_agenda,
        request=DecisionRequest(decision=PanelDecision.AGREE_PLAN, note="Agreed"),
        actor=coordinator,
    )
    consent_record(
        case=case,
        giver=ConsentGiver.PERSON,
        decision=ConsentDecision.WITHDRAWN,
        note="Told his mentor he wants to stop.",
        actor=coordinator,
    )
    placement = case.placements.get()
    assert placement.status == PlacementStatus.ENDED_EARLY
    kinds = {alert.kind for alert in alerts_for(coordinator, TODAY)}
    assert AlertKind.CONSENT_WITHDRAWN in kinds
    case = case_exit(
        case=case,
        reason=ExitReason.CONSENT_WITHDRAWN,
        note="Support is voluntary.",
        actor=coordinator,
    )
    assert case.exit_reason == ExitReason.CONSENT_WITHDRAWN


def test_a_full_programme_refuses_another_place(on_agenda, coordinator, programme):
    programme.capacity = 0
    programme.save()
    with pytest.raises(ValidationError) as refused:
        _consent_and_plan(on_agenda.case, coordinator, programme)
    assert "no free places (0 of 0 in use)" in refused.value.message_dict["programme"][0]


# --- illegal moves ------------------------------------------------------------------------------


def test_illegal_transitions_are_refused_and_change_nothing(
    on_agenda, coordinator, panel, programme
):
    case = on_agenda.case
    before = _snapshot(case)
    with pytest.raises(IllegalTransition, match="cannot move from 'Waiting for the panel'"):
        case_reopen(case=case, reason="Again", panel=panel, actor=coordinator)
    with pytest.raises(ValidationError):
        panel_decision_record(
            item=on_agenda,
            request=DecisionRequest(decision=PanelDecision.CONTINUE_PLAN, note="Continue"),
            actor=coordinator,
        )
    assert _snapshot(case) == before

    _consent_and_plan(case, coordinator, programme)
    with pytest.raises(ValidationError, match="Record how these interventions ended first"):
        case_exit(case=case, reason=ExitReason.MOVED_AWAY, note="Moved to Leeds", actor=coordinator)
    placement = case.placements.get()
    with pytest.raises(IllegalTransition):
        placement_update(
            placement=placement,
            update=PlacementUpdate(
                status=PlacementStatus.COMPLETED, outcome=PlacementOutcome.ACHIEVED
            ),
            actor=coordinator,
        )
    placement_update(
        placement=placement,
        update=PlacementUpdate(
            status=PlacementStatus.ENDED_EARLY, outcome=PlacementOutcome.NOT_ACHIEVED
        ),
        actor=coordinator,
    )
    case = case_exit(
        case=case, reason=ExitReason.MOVED_AWAY, note="Moved to Leeds", actor=coordinator
    )
    exited = _snapshot(case)
    with pytest.raises(IllegalTransition, match="cannot move from 'Exited' to 'Exited'"):
        case_exit(case=case, reason=ExitReason.OTHER, note="Again", actor=coordinator)
    with pytest.raises(ValidationError, match="closed"):
        consent_record(
            case=case,
            giver=ConsentGiver.PERSON,
            decision=ConsentDecision.GIVEN,
            note="",
            actor=coordinator,
        )
    assert _snapshot(case) == exited


def test_a_failed_audit_write_leaves_no_case(significant, coordinator, panel, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("offramp.audit.services.audit_append", broken)
    with pytest.raises(RuntimeError):
        route(significant, coordinator, Route.PANEL, panel=panel)
    significant.refresh_from_db()
    assert significant.status == ReferralStatus.ASSESSED
    assert not Case.objects.exists()
    assert not AuditEntry.objects.filter(event_code=EventCode.CASE_ROUTED).exists()


# --- who sees a case ----------------------------------------------------------------------------


def test_a_panel_member_sees_only_cases_on_their_panels_agenda(
    significant, other_referral, coordinator, panel, health_panel_member, agencies
):
    case = route(significant, coordinator, Route.PANEL, panel=panel)
    referral_start_screening(referral=other_referral, actor=coordinator)
    other = route(other_referral, coordinator, Route.PANEL, panel=panel)
    assert not cases_visible_to(health_panel_member).exists()
    assert not people_visible_to(health_panel_member).exists()
    meeting = panel_meeting_schedule(panel=panel, meets_on=TODAY, actor=coordinator)
    agenda_add(meeting=meeting, case=case, actor=coordinator)
    assert list(cases_visible_to(health_panel_member)) == [case]
    assert list(people_visible_to(health_panel_member)) == [case.person]
    assert other not in cases_visible_to(health_panel_member)

    elsewhere = Panel.objects.create(name="Another district's panel")
    elsewhere.member_agencies.set([agencies["police"]])
    panel.member_agencies.remove(agencies["health"])
    assert not cases_visible_to(health_panel_member).exists()


def test_practitioners_see_no_cases(significant, coordinator, panel, school_dsl):
    route(significant, coordinator, Route.PANEL, panel=panel)
    assert not cases_visible_to(school_dsl).exists()


# --- alerts ---------------------------------------------------------------------------------


def test_referred_again_after_being_screened_out_is_an_alert(dsl_referral, coordinator, school_dsl):
    referral_start_screening(referral=dsl_referral, actor=coordinator)
    referral_close(referral=dsl_referral, actor=coordinator, reason=ClosureReason.NO_FURTHER_ACTION)
    again = referral_create(referrer=school_dsl, request=referral_request())
    Referral.objects.filter(pk=again.pk).update(person=dsl_referral.person)
    alerts = [a for a in alerts_for(coordinator, TODAY) if a.kind == AlertKind.CUMULATIVE_CONCERN]
    assert [a.reference for a in alerts] == [again.reference]
    assert "screened out 1 time before" in alerts[0].detail


def test_a_plan_with_no_progress_drifts(on_agenda, coordinator, programme, monkeypatch, settings):
    settings.OFFRAMP_PLAN_DRIFT_DAYS = 42
    case = on_agenda.case
    _consent_and_plan(case, coordinator, programme)
    panel_decision_record(
        item=on_agenda,
        request=DecisionRequest(decision=PanelDecision.AGREE_PLAN, note="Agreed"),
        actor=coordinator,
    )
    start = case.placements.get().last_progress_at.date()
    drift = [
        a
        for a in alerts_for(coordinator, start + datetime.timedelta(days=42))
        if a.kind == AlertKind.PLAN_DRIFT
    ]
    assert drift == []
    later = start + datetime.timedelta(days=43)
    drift = [a for a in alerts_for(coordinator, later) if a.kind == AlertKind.PLAN_DRIFT]
    assert [a.reference for a in drift] == [case.reference]


def test_months_are_added_as_a_calendar_does():
    assert add_months(datetime.date(2026, 8, 31), 6) == datetime.date(2027, 2, 28)
    assert add_months(datetime.date(2027, 8, 31), 6) == datetime.date(2028, 2, 29)
    assert add_months(datetime.date(2026, 1, 15), 12) == datetime.date(2027, 1, 15)
    assert add_months(datetime.date(2026, 12, 1), 1) == datetime.date(2027, 1, 1)


def test_an_owner_outside_the_panel_cannot_hold_an_action(on_agenda, coordinator, other_dsl):
    with pytest.raises(ValidationError) as refused:
        action_set(
            item=on_agenda,
            description="Visit",
            owner=other_dsl,
            due_on=TODAY,
            actor=coordinator,
        )
    assert "not from a member agency" in refused.value.message_dict["owner"][0]


def test_a_panel_member_reads_the_timeline_without_network_intelligence(
    on_agenda, coordinator, health_panel_member, other_referral, agencies
):
    person = on_agenda.case.person
    relationship_add(
        first=person,
        second=other_referral.person,
        actor=coordinator,
        details=RelationshipDetails(
            tie_type="associate_peer", source_agency_id=agencies["police"].pk, confidence="high"
        ),
    )

    def codes(user: User) -> set[str]:
        return set(events_visible_to(user).filter(person=person).values_list("code", flat=True))

    assert EventCode.NETWORK_RELATIONSHIP_RECORDED in codes(coordinator)
    panel_member_sees = codes(health_panel_member)
    assert EventCode.CASE_ON_AGENDA in panel_member_sees
    assert not any(code.startswith("network.") for code in panel_member_sees)
