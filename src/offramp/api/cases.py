"""Cases: routes, the case record, exit and reopening, reviews due, alerts and actions."""

import datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from offramp.access.permissions import Capability, require_capability
from offramp.access.scoping import (
    cases_visible_to,
    panel_actions_visible_to,
    referrals_visible_to,
)
from offramp.audit.services import audit_consultation
from offramp.cases.models import Case, Panel
from offramp.cases.routing import suggest_route
from offramp.cases.selectors import alerts_for, my_open_actions, reviews_due
from offramp.cases.services import RouteRequest, action_complete, case_exit, case_reopen, case_route

from .common import caller
from .schemas import ErrorOut, ValidationErrorOut

router = Router(tags=["cases"])
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


class ReviewDueOut(Schema):
    id: int
    case_id: int
    case_reference: str
    kind: str
    due_on: datetime.date


class AlertOut(Schema):
    kind: str
    reference: str
    detail: str


class ActionOut(Schema):
    id: int
    case_id: int
    case_reference: str
    description: str
    due_on: datetime.date


class ActionDoneIn(Schema):
    note: str = Field("", max_length=500)


class ListParams(Schema):
    status: str = Field("", pattern="^[a-z_]*$", max_length=30)
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


def _case_out(case: Case) -> CaseOut:
    return CaseOut(
        id=case.pk,
        reference=case.reference,
        person_id=case.person_id,
        person_category=case.person_category,
        referral_id=case.referral_id,
        status=case.status,
        route=case.route,
        route_reason=case.route_reason,
        signpost_service=case.signpost_service,
        suggested_route=case.suggested_route,
        suggested_route_reasons=list(case.suggested_route_reasons),
        route_disagreement=case.route_disagreement,
        panel_id=case.panel_id,
        opened_at=case.opened_at,
        next_review_on=case.next_review_on,
        exited_at=case.exited_at,
        exit_reason=case.exit_reason,
    )


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
def list_cases(request: HttpRequest, params: Query[ListParams]) -> list[CaseOut]:
    user = caller(request)
    cases = cases_visible_to(user).order_by("-opened_at", "-id")
    if params.status:
        cases = cases.filter(status=params.status)
    page = list(cases[params.offset : params.offset + params.limit])
    audit_consultation(actor=user, subjects=page, purpose="case list")
    return [_case_out(case) for case in page]


@router.post("", response={201: CaseOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut})
def route_referral(request: HttpRequest, payload: RouteIn) -> Status[CaseOut]:
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
    return Status(201, _case_out(case))


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
def list_reviews_due(request: HttpRequest, by: datetime.date | None = None) -> list[ReviewDueOut]:
    """Reviews and follow-ups not yet held and due on or before `by` (default: today)."""
    user = caller(request)
    reviews = list(reviews_due(user, by=by or timezone.localdate()))
    audit_consultation(actor=user, subjects=[r.case for r in reviews], purpose="reviews due")
    return [
        ReviewDueOut(
            id=r.pk,
            case_id=r.case_id,
            case_reference=r.case.reference,
            kind=r.kind,
            due_on=r.due_on,
        )
        for r in reviews
    ]


@router.get("/alerts", response={200: list[AlertOut], 403: ErrorOut})
def list_alerts(request: HttpRequest) -> list[AlertOut]:
    user = caller(request)
    alerts = alerts_for(user, timezone.localdate())
    return [AlertOut(kind=a.kind, reference=a.reference, detail=a.detail) for a in alerts]


@router.get("/actions/mine", response={200: list[ActionOut], 403: ErrorOut})
def list_my_actions(request: HttpRequest) -> list[ActionOut]:
    return [
        ActionOut(
            id=a.pk,
            case_id=a.case_id,
            case_reference=a.case.reference,
            description=a.description,
            due_on=a.due_on,
        )
        for a in my_open_actions(caller(request))
    ]


@router.post(
    "/actions/{action_id}/done",
    response={200: ActionOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
)
def complete_action(request: HttpRequest, action_id: int, payload: ActionDoneIn) -> ActionOut:
    user = caller(request)
    action = get_object_or_404(panel_actions_visible_to(user), pk=action_id)
    action = action_complete(action=action, note=payload.note, actor=user)
    return ActionOut(
        id=action.pk,
        case_id=action.case_id,
        case_reference=action.case.reference,
        description=action.description,
        due_on=action.due_on,
    )


@router.get("/{case_id}", response={200: CaseOut, 403: ErrorOut, 404: ErrorOut})
def get_case(request: HttpRequest, case_id: int) -> CaseOut:
    case = _visible_case(request, case_id)
    audit_consultation(actor=caller(request), subjects=[case], purpose=PURPOSE)
    return _case_out(case)


@router.post(
    "/{case_id}/exit",
    response={200: CaseOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut},
)
def exit_case(request: HttpRequest, case_id: int, payload: ExitIn) -> CaseOut:
    """Exits the case and books follow-up reviews 6 and 12 months on."""
    case = _visible_case(request, case_id)
    case = case_exit(case=case, reason=payload.reason, note=payload.note, actor=caller(request))
    return _case_out(case)


@router.post(
    "/{case_id}/reopen",
    response={200: CaseOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut},
)
def reopen_case(request: HttpRequest, case_id: int, payload: ReopenIn) -> CaseOut:
    case = _visible_case(request, case_id)
    case = case_reopen(
        case=case, reason=payload.reason, panel=_panel(payload.panel_id), actor=caller(request)
    )
    return _case_out(case)
