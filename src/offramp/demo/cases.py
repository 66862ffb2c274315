"""Cases for the demo area, made through the real services so every one has its events,
disclosures and audit entries: each assessed referral routed as Offramp suggests, a panel
meeting held four weeks ago that agreed support plans (one case since exited, with its
follow-ups booked, when more than one plan was agreed), and next week's meeting with the rest on
its agenda."""

import datetime
from dataclasses import dataclass

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.cases.models import (
    Case,
    ConsentDecision,
    ConsentGiver,
    ExitReason,
    Panel,
    PanelDecision,
    PlacementOutcome,
    PlacementStatus,
    Route,
)
from offramp.cases.routing import is_child, suggest_route
from offramp.cases.services import (
    DecisionRequest,
    PlacementRequest,
    PlacementUpdate,
    RouteRequest,
    action_set,
    agenda_add,
    case_exit,
    case_route,
    consent_record,
    contribution_add,
    meeting_attendance_record,
    meeting_close,
    panel_decision_record,
    panel_meeting_schedule,
    placement_add,
    placement_update,
)
from offramp.interventions.models import Programme
from offramp.interventions.selectors import suggestions_for_case
from offramp.referrals.models import Referral
from offramp.sharing.models import DataCategory

SIGNPOSTED_SERVICE = "Hartmoor Youth Hub"
HEALTH_CONCERN = "Missed three clinic appointments; says they are holding something for a cousin."


@dataclass(frozen=True)
class DemoCases:
    panel: Panel
    cases: list[Case]


def _route_all(
    referrals: list[Referral], coordinator: User, panel: Panel, today: datetime.date
) -> list[Case]:
    cases = []
    for referral in referrals:
        suggestion = suggest_route(referral.person, today)
        route = suggestion.route or Route.NO_FURTHER_ACTION
        cases.append(
            case_route(
                referral=referral,
                request=RouteRequest(
                    route=route,
                    reason=f"Agreed at screening. {suggestion.reasons[0]}",
                    person_category=suggestion.person_category,
                    signpost_service=SIGNPOSTED_SERVICE if route == Route.SIGNPOST else "",
                    panel=panel if route == Route.PANEL else None,
                ),
                actor=coordinator,
            )
        )
    return cases


def _first_programme_with_room(case: Case) -> Programme | None:
    for suggestion in suggestions_for_case(case).suggestions:
        if not suggestion.full:
            return Programme.objects.get(pk=suggestion.programme_id)
    return None


def _agree_plan(
    case: Case, coordinator: User, panel_member: User, meets_on: datetime.date, item_pk: int
) -> bool:
    programme = _first_programme_with_room(case)
    if programme is None:
        return False
    givers = [ConsentGiver.PERSON]
    if is_child(case.person, meets_on):
        givers.append(ConsentGiver.PARENT_OR_CARER)
    for giver in givers:
        consent_record(
            case=case, giver=giver, decision=ConsentDecision.GIVEN, note="", actor=coordinator
        )
    placement_add(
        case=case,
        request=PlacementRequest(
            programme=programme,
            provider=programme.delivered_by,
            starts_on=meets_on,
            expected_end_on=meets_on + datetime.timedelta(weeks=12),
        ),
        actor=coordinator,
    )
    item = case.agenda_items.get(pk=item_pk)
    panel_decision_record(
        item=item,
        request=DecisionRequest(
            decision=PanelDecision.AGREE_PLAN,
            note=f"Plan agreed: {programme}, with consent recorded.",
        ),
        actor=coordinator,
    )
    action_set(
        item=item,
        description="Share the clinic's safeguarding notes with the lead professional",
        owner=panel_member,
        due_on=meets_on + datetime.timedelta(days=14),
        actor=coordinator,
    )
    return True


def load_cases(
    *,
    coordinator: User,
    panel_member: User,
    member_agencies: list[Agency],
    attending: list[Agency],
    referrals: list[Referral],
    today: datetime.date,
) -> DemoCases:
    panel = Panel.objects.create(name="Hartmoor SOC Prevent panel")
    panel.member_agencies.set(member_agencies)
    cases = _route_all(referrals, coordinator, panel, today)
    to_panel = [case for case in cases if case.route == Route.PANEL]
    heard, waiting = to_panel[: (len(to_panel) + 1) // 2], to_panel[(len(to_panel) + 1) // 2 :]

    held_on = today - datetime.timedelta(weeks=4)
    past = panel_meeting_schedule(panel=panel, meets_on=held_on, actor=coordinator)
    meeting_attendance_record(meeting=past, agencies=attending, actor=coordinator)
    agreed = []
    for case in heard:
        item = agenda_add(meeting=past, case=case, actor=coordinator)
        if case is heard[0]:
            contribution_add(
                item=item,
                category=DataCategory.HEALTH,
                summary=HEALTH_CONCERN,
                actor=panel_member,
            )
        if _agree_plan(case, coordinator, panel_member, held_on, item.pk):
            agreed.append(case)
        else:
            panel_decision_record(
                item=item,
                request=DecisionRequest(
                    decision=PanelDecision.DEFER, note="No programme with free places yet."
                ),
                actor=coordinator,
            )
    meeting_close(meeting=past, actor=coordinator)

    # Keep at least one plan running: exit the first only when more than one was agreed.
    if len(agreed) > 1:
        finished = agreed[0]
        placement = finished.placements.get()
        for status in (PlacementStatus.STARTED, PlacementStatus.COMPLETED):
            placement = placement_update(
                placement=placement,
                update=PlacementUpdate(
                    status=status, outcome=PlacementOutcome.ACHIEVED, note="Attended every session."
                ),
                actor=coordinator,
            )
        case_exit(
            case=finished,
            reason=ExitReason.RISK_REDUCED,
            note="Back in education full time; no new concerns from partners.",
            actor=coordinator,
        )

    upcoming = panel_meeting_schedule(
        panel=panel, meets_on=today + datetime.timedelta(weeks=1), actor=coordinator
    )
    meeting_attendance_record(meeting=upcoming, agencies=attending, actor=coordinator)
    for case in waiting:
        agenda_add(meeting=upcoming, case=case, actor=coordinator)
    return DemoCases(panel=panel, cases=cases)
