"""Panel meetings: scheduling, attendance, the agenda, and per case on it the information each
agency brings, the decision and the actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from offramp.access.permissions import Capability, has_capability
from offramp.access.scoping import (
    agenda_items_visible_to,
    cases_visible_to,
    contributions_visible_to,
    meetings_visible_to,
    panel_actions_visible_to,
)
from offramp.accounts.models import User
from offramp.audit.services import audit_consultation
from offramp.web.forms import GovukForm
from offramp.web.views.common import form_page, get_visible_or_404, require, submitted

from ..forms import (
    ActionForm,
    AgendaForm,
    AttendanceForm,
    ContributionForm,
    DecisionForm,
    MeetingForm,
)
from ..models import (
    OPEN_STATUSES,
    AgendaItem,
    Case,
    MeetingStatus,
    PanelMeeting,
)
from ..services import (
    DecisionRequest,
    action_set,
    agenda_add,
    contribution_add,
    meeting_attendance_record,
    meeting_close,
    panel_decision_record,
    panel_meeting_schedule,
)
from .common import PANEL_PURPOSE, case_reader


@login_required
def panel_list_view(request: HttpRequest) -> HttpResponse:
    require(request, Capability.RUN_CASES)
    meetings = PanelMeeting.objects.select_related("panel", "chair").annotate(
        case_count=Count("items")
    )
    return render(request, "cases/panel_list.html", {"meetings": meetings})


@require_http_methods(["GET", "POST"])
@login_required
def meeting_schedule_view(request: HttpRequest) -> HttpResponse:
    user = require(request, Capability.RUN_CASES)
    form = MeetingForm(request.POST if request.method == "POST" else None)
    meeting = submitted(
        request,
        form,
        lambda data: panel_meeting_schedule(
            panel=data["panel"], meets_on=data["meets_on"], actor=user
        ),
    )
    if meeting is not None:
        messages.success(request, f"Meeting scheduled: {meeting}")
        return redirect("cases:meeting", pk=meeting.pk)
    return form_page(
        request,
        form,
        heading="Schedule a panel meeting",
        caption="Panels",
        button="Schedule the meeting",
        back_url=reverse("cases:panel-list"),
    )


# --- the meeting ------------------------------------------------------------------------------


def _meeting(request: HttpRequest, pk: int) -> tuple[User, PanelMeeting]:
    """A meeting for whoever may see it: its panel's member agencies read it, the coordinator
    runs it."""
    user = case_reader(request)
    meeting = get_visible_or_404(meetings_visible_to(user).select_related("panel", "chair"), pk)
    return user, meeting


def _meeting_to_run(request: HttpRequest, pk: int) -> tuple[User, PanelMeeting]:
    require(request, Capability.RUN_CASES)
    return _meeting(request, pk)


def _agenda_candidates(user: User, meeting: PanelMeeting) -> QuerySet[Case]:
    return (
        cases_visible_to(user)
        .filter(panel=meeting.panel, status__in=OPEN_STATUSES)
        .exclude(agenda_items__meeting=meeting)
        .select_related("person")
    )


def _meeting_page(
    request: HttpRequest,
    user: User,
    meeting: PanelMeeting,
    *,
    attendance_form: AttendanceForm | None = None,
    agenda_form: AgendaForm | None = None,
    close_form: GovukForm | None = None,
) -> HttpResponse:
    can_run = has_capability(user, Capability.RUN_CASES)
    items = list(
        agenda_items_visible_to(user).filter(meeting=meeting).select_related("case__person")
    )
    # Only the coordinator, who runs the meeting, is offered the cases it could still hear.
    candidates = _agenda_candidates(user, meeting) if can_run else cases_visible_to(user).none()
    audit_consultation(
        actor=user, subjects=[item.case for item in items] + list(candidates), purpose=PANEL_PURPOSE
    )
    forms = {
        "attendance_form": attendance_form
        or AttendanceForm(
            panel=meeting.panel, initial={"agencies": list(meeting.attending_agencies.all())}
        ),
        "agenda_form": agenda_form or AgendaForm(cases=candidates),
        "close_form": close_form or GovukForm(),
    }
    return render(
        request,
        "cases/meeting.html",
        {
            "meeting": meeting,
            "items": items,
            "attending": meeting.attending_agencies.all(),
            "scheduled": meeting.status == MeetingStatus.SCHEDULED,
            "can_run": can_run,
            "has_errors": any(form.errors for form in forms.values()),
            **forms,
        },
    )


@login_required
def meeting_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, meeting = _meeting(request, pk)
    return _meeting_page(request, user, meeting)


def _back_to_meeting(request: HttpRequest, meeting: PanelMeeting, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("cases:meeting", pk=meeting.pk)


@require_POST
@login_required
def attendance_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, meeting = _meeting_to_run(request, pk)
    form = AttendanceForm(request.POST, panel=meeting.panel)
    recorded = submitted(
        request,
        form,
        lambda data: meeting_attendance_record(
            meeting=meeting, agencies=list(data["agencies"]), actor=user
        ),
    )
    if recorded is not None:
        return _back_to_meeting(request, meeting, "Attendance recorded")
    return _meeting_page(request, user, meeting, attendance_form=form)


@require_POST
@login_required
def agenda_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, meeting = _meeting_to_run(request, pk)
    form = AgendaForm(request.POST, cases=_agenda_candidates(user, meeting))
    item = submitted(
        request, form, lambda data: agenda_add(meeting=meeting, case=data["case"], actor=user)
    )
    if item is not None:
        return _back_to_meeting(request, meeting, f"Case {item.case.reference} is on the agenda")
    return _meeting_page(request, user, meeting, agenda_form=form)


@require_POST
@login_required
def meeting_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, meeting = _meeting_to_run(request, pk)
    form = GovukForm(request.POST)
    if submitted(request, form, lambda _: meeting_close(meeting=meeting, actor=user)) is not None:
        return _back_to_meeting(request, meeting, "Meeting closed: it is now recorded as held")
    return _meeting_page(request, user, meeting, close_form=form)


# --- one case on the agenda -------------------------------------------------------------------


def _agenda_item(request: HttpRequest, pk: int) -> tuple[User, AgendaItem]:
    """A case on an agenda, for whoever may see the case (its panel's member agencies)."""
    user = case_reader(request)
    item = get_visible_or_404(
        agenda_items_visible_to(user).select_related("meeting__panel", "case__person"),
        pk,
    )
    audit_consultation(actor=user, subjects=[item.case], purpose=PANEL_PURPOSE)
    return user, item


def _may_contribute(user: User, item: AgendaItem) -> bool:
    if has_capability(user, Capability.RUN_CASES):
        return True
    return (
        has_capability(user, Capability.CONTRIBUTE_TO_PANEL)
        and item.meeting.attending_agencies.filter(users=user).exists()
    )


def _item_page(
    request: HttpRequest,
    user: User,
    item: AgendaItem,
    *,
    contribution_form: ContributionForm | None = None,
    decision_form: DecisionForm | None = None,
    action_form: ActionForm | None = None,
) -> HttpResponse:
    meeting = item.meeting
    can_run = has_capability(user, Capability.RUN_CASES)
    scheduled = meeting.status == MeetingStatus.SCHEDULED
    forms = {
        "contribution_form": contribution_form or ContributionForm(),
        "decision_form": decision_form or DecisionForm(),
        "action_form": action_form or ActionForm(panel=meeting.panel),
    }
    return render(
        request,
        "cases/agenda_item.html",
        {
            "item": item,
            "meeting": meeting,
            "case": item.case,
            "person": item.case.person,
            "contributions": contributions_visible_to(user)
            .filter(item=item)
            .select_related("agency", "recorded_by"),
            "panel_actions": panel_actions_visible_to(user)
            .filter(meeting=meeting, case=item.case)
            .select_related("owner"),
            "can_run": can_run,
            "may_contribute": scheduled and _may_contribute(user, item),
            "may_decide": scheduled and can_run,
            "has_errors": any(form.errors for form in forms.values()),
            **forms,
        },
    )


@login_required
def agenda_item_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, item = _agenda_item(request, pk)
    return _item_page(request, user, item)


def _back_to_item(request: HttpRequest, item: AgendaItem, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("cases:agenda-item", pk=item.pk)


@require_POST
@login_required
def contribution_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, item = _agenda_item(request, pk)
    form = ContributionForm(request.POST)
    added = submitted(
        request,
        form,
        lambda data: contribution_add(
            item=item, category=data["category"], summary=data["summary"], actor=user
        ),
    )
    if added is not None:
        return _back_to_item(request, item, "Your agency's information is recorded")
    return _item_page(request, user, item, contribution_form=form)


@require_POST
@login_required
def decision_view(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, Capability.RUN_CASES)
    user, item = _agenda_item(request, pk)
    form = DecisionForm(request.POST)
    decided = submitted(
        request,
        form,
        lambda data: panel_decision_record(
            item=item,
            request=DecisionRequest(
                decision=data["decision"], note=data["note"], exit_reason=data["exit_reason"]
            ),
            actor=user,
        ),
    )
    if decided is not None:
        return _back_to_item(request, item, f"Decision recorded: {decided.get_decision_display()}")
    return _item_page(request, user, item, decision_form=form)


@require_POST
@login_required
def action_set_view(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, Capability.RUN_CASES)
    user, item = _agenda_item(request, pk)
    form = ActionForm(request.POST, panel=item.meeting.panel)
    action = submitted(
        request,
        form,
        lambda data: action_set(
            item=item,
            description=data["description"],
            owner=data["owner"],
            due_on=data["due_on"],
            actor=user,
        ),
    )
    if action is not None:
        return _back_to_item(request, item, f"Action set for {action.owner}")
    return _item_page(request, user, item, action_form=form)
