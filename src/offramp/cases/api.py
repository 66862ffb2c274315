"""Cases: routes, the case record, exit and reopening, reviews due, alerts and actions."""

import datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from offramp.access.permissions import Capability, require_capability
from offramp.access.scoping import (
    agenda_items_visible_to,
    case_reviews_visible_to,
    cases_visible_to,
    meetings_visible_to,
    panel_actions_completable_by,
    placements_visible_to,
    referrals_visible_to,
)
from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.api.common import caller
from offramp.api.schemas import ErrorOut, ValidationErrorOut
from offramp.audit.services import audit_consultation
from offramp.cases.models import (
    AgendaItem,
    Case,
    CaseReview,
    ConsentRecord,
    Contribution,
    Panel,
    PanelAction,
    PanelMeeting,
    Placement,
)
from offramp.cases.routing import suggest_route
from offramp.cases.selectors import (
    alerts_for,
    my_open_actions,
    reviews_due,
)
from offramp.cases.services import (
    DecisionRequest,
    PlacementRequest,
    PlacementUpdate,
    ReviewRequest,
    RouteRequest,
    action_complete,
    action_set,
    agenda_add,
    case_exit,
    case_reopen,
    case_route,
    consent_record,
    contribution_add,
    meeting_attendance_record,
    meeting_close,
    panel_decision_record,
    panel_meeting_schedule,
    placement_add,
    placement_update,
    review_hold,
)
from offramp.interventions.models import Programme

router = Router(tags=["cases"])
panels_router = Router(tags=["panels"])
PURPOSE = "case management"


class RouteSuggestionOut(Schema):
    route: str
    reasons: list[str]
    person_category: str


class CaseOut(Schema):
    id: int
    reference: str
    person_id: int
    person_category: str
    referral_id: int
    status: str
    route: str
    route_reason: str
    signpost_service: str
    suggested_route: str
    suggested_route_reasons: list[str]
    route_disagreement: str
    panel_id: int | None
    opened_at: datetime.datetime
    next_review_on: datetime.date | None
    exited_at: datetime.datetime | None
    exit_reason: str


class RouteIn(Schema):
    referral_id: int = Field(..., ge=1, le=2**63 - 1)
    route: str = Field(..., max_length=40)
    reason: str = Field(..., max_length=2000)
    person_category: str = Field(..., max_length=30)
    signpost_service: str = Field("", max_length=200)
    disagreement: str = Field("", max_length=2000)
    panel_id: int | None = Field(None, ge=1, le=2**63 - 1)


class ExitIn(Schema):
    reason: str = Field(..., max_length=30)
    note: str = Field(..., max_length=2000)


class ReopenIn(Schema):
    reason: str = Field(..., max_length=2000)
    panel_id: int | None = Field(None, ge=1, le=2**63 - 1)


class CaseRowOut(Schema):
    """A row about a case (a review, an action, an agenda item), which also names the case.
    Schemas read ORM objects directly; this resolves the one derived field."""

    case_id: int
    case_reference: str

    @staticmethod
    def resolve_case_reference(obj: AgendaItem | CaseReview | PanelAction) -> str:
        return obj.case.reference


class ReviewDueOut(CaseRowOut):
    id: int
    kind: str
    due_on: datetime.date


class AlertOut(Schema):
    kind: str
    reference: str
    detail: str


class ActionOut(CaseRowOut):
    id: int
    description: str
    due_on: datetime.date


class ActionDoneIn(Schema):
    note: str = Field("", max_length=500)


class ListParams(Schema):
    status: str = Field("", pattern="^[a-z_]*$", max_length=30)
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


def _panel(panel_id: int | None) -> Panel | None:
    if panel_id is None:
        return None
    panel = Panel.objects.filter(pk=panel_id, active=True).first()
    if panel is None:
        raise ValidationError({"panel": f"No panel {panel_id}"})
    return panel


def _visible_case(request: HttpRequest, case_id: int) -> Case:
    return get_object_or_404(cases_visible_to(caller(request)), pk=case_id)


@router.get("", response={200: list[CaseOut], 403: ErrorOut})
def list_cases(request: HttpRequest, params: Query[ListParams]) -> list[Case]:
    user = caller(request)
    cases = cases_visible_to(user).order_by("-opened_at", "-id")
    if params.status:
        cases = cases.filter(status=params.status)
    page = list(cases[params.offset : params.offset + params.limit])
    audit_consultation(actor=user, subjects=page, purpose="case list")
    return page


@router.post("", response={201: CaseOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut})
def route_referral(request: HttpRequest, payload: RouteIn) -> Status[Case]:
    """Records the route for a screened referral; a route other than the suggestion needs
    `disagreement`."""
    user = caller(request)
    require_capability(user, Capability.RUN_CASES)
    referral = get_object_or_404(referrals_visible_to(user), pk=payload.referral_id)
    case = case_route(
        referral=referral,
        request=RouteRequest(
            route=payload.route,
            reason=payload.reason,
            person_category=payload.person_category,
            signpost_service=payload.signpost_service,
            disagreement=payload.disagreement,
            panel=_panel(payload.panel_id),
        ),
        actor=user,
    )
    return Status(201, case)


@router.get(
    "/route-suggestion/{referral_id}",
    response={200: RouteSuggestionOut, 403: ErrorOut, 404: ErrorOut},
)
def route_suggestion(request: HttpRequest, referral_id: int) -> RouteSuggestionOut:
    user = caller(request)
    require_capability(user, Capability.RUN_CASES)
    referral = get_object_or_404(referrals_visible_to(user), pk=referral_id)
    audit_consultation(actor=user, subjects=[referral], purpose="routing")
    suggestion = suggest_route(referral.person, timezone.localdate())
    return RouteSuggestionOut(
        route=suggestion.route,
        reasons=list(suggestion.reasons),
        person_category=suggestion.person_category,
    )


@router.get("/reviews-due", response={200: list[ReviewDueOut], 403: ErrorOut})
def list_reviews_due(request: HttpRequest, by: datetime.date | None = None) -> list[CaseReview]:
    """Reviews and follow-ups not yet held and due on or before `by` (default: today)."""
    user = caller(request)
    reviews = list(reviews_due(user, by=by or timezone.localdate()))
    audit_consultation(actor=user, subjects=[r.case for r in reviews], purpose="reviews due")
    return reviews


@router.get("/alerts", response={200: list[AlertOut], 403: ErrorOut})
def list_alerts(request: HttpRequest) -> list[AlertOut]:
    user = caller(request)
    alerts = alerts_for(user, timezone.localdate())
    return [AlertOut(kind=a.kind, reference=a.reference, detail=a.detail) for a in alerts]


@router.get("/actions/mine", response={200: list[ActionOut], 403: ErrorOut})
def list_my_actions(request: HttpRequest) -> list[PanelAction]:
    return list(my_open_actions(caller(request)))


@router.post(
    "/actions/{action_id}/done",
    response={200: ActionOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
)
def complete_action(request: HttpRequest, action_id: int, payload: ActionDoneIn) -> PanelAction:
    user = caller(request)
    action = get_object_or_404(panel_actions_completable_by(user), pk=action_id)
    return action_complete(action=action, note=payload.note, actor=user)


@router.get("/{case_id}", response={200: CaseOut, 403: ErrorOut, 404: ErrorOut})
def get_case(request: HttpRequest, case_id: int) -> Case:
    case = _visible_case(request, case_id)
    audit_consultation(actor=caller(request), subjects=[case], purpose=PURPOSE)
    return case


@router.post(
    "/{case_id}/exit",
    response={200: CaseOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut},
)
def exit_case(request: HttpRequest, case_id: int, payload: ExitIn) -> Case:
    """Exits the case and books follow-up reviews 6 and 12 months on."""
    require_capability(caller(request), Capability.RUN_CASES)
    case = _visible_case(request, case_id)
    case = case_exit(case=case, reason=payload.reason, note=payload.note, actor=caller(request))
    return case


@router.post(
    "/{case_id}/reopen",
    response={200: CaseOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut},
)
def reopen_case(request: HttpRequest, case_id: int, payload: ReopenIn) -> Case:
    require_capability(caller(request), Capability.RUN_CASES)
    case = _visible_case(request, case_id)
    case = case_reopen(
        case=case, reason=payload.reason, panel=_panel(payload.panel_id), actor=caller(request)
    )
    return case


# --- consent, the support plan and reviews ----------------------------------------------------

WRITE_RESPONSES: dict[int, object] = {
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ValidationErrorOut,
}


class ConsentIn(Schema):
    giver: str = Field(..., max_length=20)
    decision: str = Field(..., max_length=20)
    note: str = Field("", max_length=500)


class ConsentOut(Schema):
    id: int
    giver: str
    decision: str
    recorded_at: datetime.datetime


class PlacementIn(Schema):
    programme_id: int = Field(..., ge=1, le=2**63 - 1)
    provider: str = Field(..., max_length=200)
    starts_on: datetime.date
    expected_end_on: datetime.date


class PlacementUpdateIn(Schema):
    status: str = Field(..., max_length=20)
    note: str = Field("", max_length=1000)
    outcome: str = Field("", max_length=20)


class PlacementOut(Schema):
    id: int
    case_id: int
    programme_id: int
    provider: str
    starts_on: datetime.date
    expected_end_on: datetime.date
    status: str
    outcome: str


class ReviewIn(Schema):
    progress: str = Field(..., max_length=20)
    note: str = Field(..., max_length=4000)
    held_on: datetime.date


class ReviewOut(ReviewDueOut):
    held_on: datetime.date | None
    progress: str


def _run_case(request: HttpRequest, case_id: int) -> tuple[User, Case]:
    """A case the caller runs: refused for the role before any case is looked up."""
    user = caller(request)
    require_capability(user, Capability.RUN_CASES)
    return user, get_object_or_404(cases_visible_to(user), pk=case_id)


@router.post("/{case_id}/consent", response={**WRITE_RESPONSES, 200: ConsentOut})
def record_consent(request: HttpRequest, case_id: int, payload: ConsentIn) -> ConsentRecord:
    """Consent to the support plan; `withdrawn` ends every unfinished intervention."""
    user, case = _run_case(request, case_id)
    record = consent_record(
        case=case, giver=payload.giver, decision=payload.decision, note=payload.note, actor=user
    )
    return record


@router.post("/{case_id}/interventions", response={**WRITE_RESPONSES, 200: PlacementOut})
def add_intervention(request: HttpRequest, case_id: int, payload: PlacementIn) -> Placement:
    user, case = _run_case(request, case_id)
    programme = Programme.objects.filter(pk=payload.programme_id).first()
    if programme is None:
        raise ValidationError({"programme": f"No programme {payload.programme_id}"})
    placement = placement_add(
        case=case,
        request=PlacementRequest(
            programme=programme,
            provider=payload.provider,
            starts_on=payload.starts_on,
            expected_end_on=payload.expected_end_on,
        ),
        actor=user,
    )
    return placement


@router.post("/interventions/{placement_id}", response={**WRITE_RESPONSES, 200: PlacementOut})
def update_intervention(
    request: HttpRequest, placement_id: int, payload: PlacementUpdateIn
) -> Placement:
    """Progress, a status change, or (when it finishes) the outcome of an intervention."""
    user = caller(request)
    require_capability(user, Capability.RUN_CASES)
    placement = get_object_or_404(placements_visible_to(user), pk=placement_id)
    placement = placement_update(
        placement=placement,
        update=PlacementUpdate(status=payload.status, note=payload.note, outcome=payload.outcome),
        actor=user,
    )
    return placement


@router.post("/reviews/{review_id}", response={**WRITE_RESPONSES, 200: ReviewOut})
def hold_review(request: HttpRequest, review_id: int, payload: ReviewIn) -> CaseReview:
    """Holds a review or follow-up; a scheduled review of a case on a plan books the next."""
    user = caller(request)
    require_capability(user, Capability.RUN_CASES)
    review = get_object_or_404(case_reviews_visible_to(user), pk=review_id)
    return review_hold(
        review=review,
        request=ReviewRequest(
            progress=payload.progress, note=payload.note, held_on=payload.held_on
        ),
        actor=user,
    )


# --- panels ---------------------------------------------------------------------------------


class MeetingIn(Schema):
    panel_id: int = Field(..., ge=1, le=2**63 - 1)
    meets_on: datetime.date


class AgendaItemOut(CaseRowOut):
    id: int
    position: int
    decision: str
    decision_note: str


class MeetingOut(Schema):
    id: int
    panel_id: int
    panel: str
    meets_on: datetime.date
    status: str
    attending_agency_ids: list[int]
    agenda: list[AgendaItemOut]

    @staticmethod
    def resolve_panel(meeting: PanelMeeting) -> str:
        return meeting.panel.name

    @staticmethod
    def resolve_attending_agency_ids(meeting: PanelMeeting) -> list[int]:
        return sorted(agency.pk for agency in meeting.attending_agencies.all())

    @staticmethod
    def resolve_agenda(meeting: PanelMeeting) -> list[AgendaItem]:
        return list(meeting.items.select_related("case"))


class AttendanceIn(Schema):
    agency_ids: list[int] = Field(..., max_length=200)


class AgendaIn(Schema):
    case_id: int = Field(..., ge=1, le=2**63 - 1)


class ContributionIn(Schema):
    category: str = Field(..., max_length=30)
    summary: str = Field(..., max_length=4000)


class ContributionOut(Schema):
    id: int
    agency_id: int
    category: str
    summary: str
    recorded_at: datetime.datetime


class DecisionIn(Schema):
    decision: str = Field(..., max_length=30)
    note: str = Field(..., max_length=2000)
    exit_reason: str = Field("", max_length=30)


class ActionIn(Schema):
    description: str = Field(..., max_length=500)
    owner_id: int = Field(..., ge=1, le=2**63 - 1)
    due_on: datetime.date


def _visible_meeting(user: User, meeting_id: int) -> PanelMeeting:
    return get_object_or_404(meetings_visible_to(user).select_related("panel"), pk=meeting_id)


def _meeting_to_run(request: HttpRequest, meeting_id: int) -> tuple[User, PanelMeeting]:
    user = caller(request)
    require_capability(user, Capability.RUN_CASES)
    return user, _visible_meeting(user, meeting_id)


def _item_to_run(request: HttpRequest, item_id: int) -> tuple[User, AgendaItem]:
    user = caller(request)
    require_capability(user, Capability.RUN_CASES)
    item = get_object_or_404(
        agenda_items_visible_to(user).select_related("meeting", "case"), pk=item_id
    )
    return user, item


@panels_router.get("/meetings", response={200: list[MeetingOut], 403: ErrorOut})
def list_meetings(request: HttpRequest) -> list[PanelMeeting]:
    require_capability(caller(request), Capability.RUN_CASES)
    meetings = PanelMeeting.objects.select_related("panel").prefetch_related("attending_agencies")
    return list(meetings[:200])


@panels_router.post("/meetings", response={201: MeetingOut, 403: ErrorOut, 422: ValidationErrorOut})
def schedule_meeting(request: HttpRequest, payload: MeetingIn) -> Status[PanelMeeting]:
    user = caller(request)
    require_capability(user, Capability.RUN_CASES)
    panel = Panel.objects.filter(pk=payload.panel_id).first()
    if panel is None:
        raise ValidationError({"panel": f"No panel {payload.panel_id}"})
    meeting = panel_meeting_schedule(panel=panel, meets_on=payload.meets_on, actor=user)
    return Status(201, meeting)


@panels_router.get(
    "/meetings/{meeting_id}", response={200: MeetingOut, 403: ErrorOut, 404: ErrorOut}
)
def get_meeting(request: HttpRequest, meeting_id: int) -> PanelMeeting:
    """For the coordinator, and for a panel member a meeting of their panel (ADR 0008)."""
    user = caller(request)
    meeting = _visible_meeting(user, meeting_id)
    audit_consultation(actor=user, subjects=[i.case for i in meeting.items.all()], purpose="panel")
    return meeting


@panels_router.post(
    "/meetings/{meeting_id}/attendance", response={**WRITE_RESPONSES, 200: MeetingOut}
)
def record_attendance(request: HttpRequest, meeting_id: int, payload: AttendanceIn) -> PanelMeeting:
    user, meeting = _meeting_to_run(request, meeting_id)
    agencies = list(Agency.objects.filter(pk__in=payload.agency_ids))
    unknown = sorted(set(payload.agency_ids) - {a.pk for a in agencies})
    if unknown:
        raise ValidationError({"agencies": f"No agency {', '.join(map(str, unknown))}"})
    return meeting_attendance_record(meeting=meeting, agencies=agencies, actor=user)


@panels_router.post(
    "/meetings/{meeting_id}/agenda", response={**WRITE_RESPONSES, 200: AgendaItemOut}
)
def add_to_agenda(request: HttpRequest, meeting_id: int, payload: AgendaIn) -> AgendaItem:
    user, meeting = _meeting_to_run(request, meeting_id)
    case = cases_visible_to(user).filter(pk=payload.case_id).first()
    if case is None:
        raise ValidationError({"case": f"No case {payload.case_id}"})
    return agenda_add(meeting=meeting, case=case, actor=user)


@panels_router.post("/meetings/{meeting_id}/close", response={**WRITE_RESPONSES, 200: MeetingOut})
def close_meeting(request: HttpRequest, meeting_id: int) -> PanelMeeting:
    user, meeting = _meeting_to_run(request, meeting_id)
    return meeting_close(meeting=meeting, actor=user)


@panels_router.post(
    "/agenda/{item_id}/information", response={**WRITE_RESPONSES, 200: ContributionOut}
)
def bring_information(request: HttpRequest, item_id: int, payload: ContributionIn) -> Contribution:
    """What the caller's agency brings about a case; each attending agency needs a basis."""
    user = caller(request)
    item = get_object_or_404(agenda_items_visible_to(user).select_related("meeting"), pk=item_id)
    return contribution_add(
        item=item, category=payload.category, summary=payload.summary, actor=user
    )


@panels_router.post("/agenda/{item_id}/decision", response={**WRITE_RESPONSES, 200: AgendaItemOut})
def record_decision(request: HttpRequest, item_id: int, payload: DecisionIn) -> AgendaItem:
    user, item = _item_to_run(request, item_id)
    item = panel_decision_record(
        item=item,
        request=DecisionRequest(
            decision=payload.decision, note=payload.note, exit_reason=payload.exit_reason
        ),
        actor=user,
    )
    return item


@panels_router.post("/agenda/{item_id}/actions", response={**WRITE_RESPONSES, 200: ActionOut})
def set_action(request: HttpRequest, item_id: int, payload: ActionIn) -> PanelAction:
    user, item = _item_to_run(request, item_id)
    owner = User.objects.filter(pk=payload.owner_id).first()
    if owner is None:
        raise ValidationError({"owner": f"No user {payload.owner_id}"})
    return action_set(
        item=item,
        description=payload.description,
        owner=owner,
        due_on=payload.due_on,
        actor=user,
    )
