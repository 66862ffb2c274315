"""Every change to a case: routing, the panel, the support plan, reviews, exit and reopening.

Each service checks who may act, refuses an illegal move with a clear message (nothing
changes), and writes its timeline event and audit entry in the same transaction.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from offramp.access.permissions import (
    Capability,
    acting_agency,
    has_capability,
    require_capability,
)
from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.audit.models import EventCode
from offramp.audit.services import event_record
from offramp.dates import add_months
from offramp.interventions.models import Programme
from offramp.people.models import Person, PersonCategory
from offramp.referrals.models import ClosureReason, Referral, ReferralStatus
from offramp.referrals.services import referral_close
from offramp.sharing.models import DataCategory, category_phrase
from offramp.sharing.services import disclosure_record, sharing_basis
from offramp.text import null_character_errors
from offramp.transitions import move

from .models import (
    CASE_MOVES,
    MEETING_MOVES,
    OCCUPYING_STATUSES,
    OPEN_STATUSES,
    PLACEMENT_MOVES,
    AgendaItem,
    Case,
    CaseLink,
    CaseReview,
    CaseStatus,
    ConsentDecision,
    ConsentGiver,
    ConsentRecord,
    Contribution,
    ExitReason,
    MeetingStatus,
    Panel,
    PanelAction,
    PanelDecision,
    PanelMeeting,
    Placement,
    PlacementOutcome,
    PlacementStatus,
    ReviewKind,
    ReviewProgress,
    Route,
)
from .routing import is_child, suggest_route

ROUTABLE_REFERRAL_STATUSES = frozenset(
    {ReferralStatus.SCREENING, ReferralStatus.ASSESSMENT, ReferralStatus.ASSESSED}
)
# Routes that treat the person as a suspected victim: they are never recorded as offenders.
VICTIM_ROUTES = frozenset({Route.NATIONAL_REFERRAL_MECHANISM})
TEXT_LIMIT = 2000


def _move_case(case: Case, target: CaseStatus) -> None:
    move(case, machine=CASE_MOVES, target=target, what=f"Case {case.reference}")
    case.status_changed_at = timezone.now()


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _text_errors(fields: dict[str, str], required: dict[str, str]) -> dict[str, str]:
    """Required-field and length errors, keyed by field, with the message to show."""
    errors = {name: message for name, message in required.items() if not fields[name].strip()}
    for name, value in fields.items():
        if len(value) > TEXT_LIMIT:
            errors.setdefault(name, f"Use {TEXT_LIMIT} characters or fewer")
    errors.update(null_character_errors(fields))
    return errors


def _event(case: Case, code: EventCode, actor: User, summary: str, subject: Model) -> None:
    event_record(person=case.person, code=code, actor=actor, summary=summary, subject=subject)


def _review_interval() -> datetime.timedelta:
    return datetime.timedelta(days=settings.OFFRAMP_CASE_REVIEW_INTERVAL_DAYS)


# --- routing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RouteRequest:
    route: str
    reason: str
    person_category: str = ""
    signpost_service: str = ""
    disagreement: str = ""
    panel: Panel | None = None


def _route_errors(request: RouteRequest, suggested: str, referral: Referral) -> dict[str, str]:
    errors = _text_errors(
        {
            "reason": request.reason,
            "signpost_service": request.signpost_service,
            "disagreement": request.disagreement,
        },
        {"reason": "Say why you chose this route"},
    )
    if request.route not in Route.values:
        errors["route"] = "Select a route"
        return errors
    if request.person_category not in PersonCategory.values:
        errors["person_category"] = "Select how the person is linked to the case"
    elif request.route in VICTIM_ROUTES and request.person_category != PersonCategory.VICTIM:
        errors["person_category"] = (
            "The National Referral Mechanism is for suspected victims: record the person as a "
            "victim"
        )
    if request.route == Route.SIGNPOST and not request.signpost_service.strip():
        errors["signpost_service"] = "Name the service you are signposting them to"
    if request.route == Route.PANEL and request.panel is None:
        errors["panel"] = "Select the panel that will hear the case"
    if suggested and request.route != suggested and not request.disagreement.strip():
        errors["disagreement"] = (
            f"Offramp suggested '{Route(suggested).label}': say why you chose a different route"
        )
    if referral.status not in ROUTABLE_REFERRAL_STATUSES:
        errors["referral"] = (
            f"Referral {referral.reference} is '{ReferralStatus(referral.status).label}': "
            "start screening it before recording a route"
        )
    open_case = Case.objects.filter(person=referral.person, status__in=OPEN_STATUSES).first()
    if open_case is not None:
        errors["referral"] = (
            f"{referral.person} already has an open case, {open_case.reference}: bring this "
            "referral to that case's next review instead"
        )
    return errors


def case_route(*, referral: Referral, request: RouteRequest, actor: User) -> Case:
    """Records the route for a screened referral and opens the case that follows it."""
    require_capability(actor, Capability.RUN_CASES)
    agency = acting_agency(actor)
    referral = Referral.objects.select_related("person").get(pk=referral.pk)
    suggestion = suggest_route(referral.person, timezone.localdate())
    errors = _route_errors(request, suggestion.route, referral)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        referral_close(referral=referral, actor=actor, reason=ClosureReason.ROUTED)
        to_panel = request.route == Route.PANEL
        case = Case.objects.create(
            reference=f"tmp-{referral.reference}",
            person=referral.person,
            person_category=request.person_category,
            referral=referral,
            lead_agency=agency,
            panel=request.panel if to_panel else None,
            status=CaseStatus.AWAITING_PANEL if to_panel else CaseStatus.ROUTED_ELSEWHERE,
            route=request.route,
            route_reason=request.reason.strip(),
            signpost_service=request.signpost_service.strip(),
            suggested_route=suggestion.route,
            suggested_route_reasons=list(suggestion.reasons),
            route_disagreement=request.disagreement.strip(),
            routed_by=actor,
        )
        case.reference = f"C{case.opened_at:%y}-{case.pk:06d}"
        case.save(update_fields=["reference"])
        where = f" ({case.signpost_service})" if request.route == Route.SIGNPOST else ""
        _event(
            case,
            EventCode.CASE_ROUTED,
            actor,
            f"Case {case.reference}: route {Route(request.route).label}{where}",
            case,
        )
    return case


def case_link_person(
    *, case: Case, person: Person, category: str, note: str, actor: User
) -> CaseLink:
    """Connects another person to a case, saying why (DPA 2018 s.38)."""
    require_capability(actor, Capability.RUN_CASES)
    errors = _text_errors({"note": note}, {})
    if category not in PersonCategory.values:
        errors["category"] = "Select how this person is linked to the case"
    if person.pk == case.person_id:
        errors["person"] = "This is the case's own subject"
    elif case.links.filter(person=person).exists():
        errors["person"] = f"{person} is already connected to case {case.reference}"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        link = CaseLink.objects.create(
            case=case, person=person, category=category, note=note.strip(), recorded_by=actor
        )
        event_record(
            person=person,
            code=EventCode.CASE_PERSON_LINKED,
            actor=actor,
            summary=f"Connected to case {case.reference} as {PersonCategory(category).label}",
            subject=link,
        )
    return link


# --- the panel ----------------------------------------------------------------------------------


def panel_meeting_schedule(*, panel: Panel, meets_on: datetime.date, actor: User) -> PanelMeeting:
    require_capability(actor, Capability.RUN_CASES)
    if not panel.active:
        raise ValidationError({"panel": f"{panel} no longer meets"})
    with transaction.atomic():
        return PanelMeeting.objects.create(panel=panel, meets_on=meets_on, chair=actor)


def _require_scheduled(meeting: PanelMeeting) -> None:
    if MEETING_MOVES.is_final(meeting.status):
        raise ValidationError({"meeting": f"The meeting of {meeting.meets_on:%-d %B %Y} is over"})


def agenda_add(*, meeting: PanelMeeting, case: Case, actor: User) -> AgendaItem:
    require_capability(actor, Capability.RUN_CASES)
    _require_scheduled(meeting)
    if not case.is_open:
        raise ValidationError(
            {"case": f"Case {case.reference} is '{case.get_status_display()}': reopen it first"}
        )
    if case.panel_id != meeting.panel_id:
        raise ValidationError({"case": f"Case {case.reference} is heard by another panel"})
    if meeting.items.filter(case=case).exists():
        raise ValidationError({"case": f"Case {case.reference} is already on this agenda"})
    with transaction.atomic():
        position = meeting.items.count() + 1
        item = AgendaItem.objects.create(meeting=meeting, case=case, position=position)
        _event(
            case,
            EventCode.CASE_ON_AGENDA,
            actor,
            f"Case {case.reference} on the agenda of {meeting}",
            item,
        )
    return item


def meeting_attendance_record(
    *, meeting: PanelMeeting, agencies: list[Agency], actor: User
) -> PanelMeeting:
    require_capability(actor, Capability.RUN_CASES)
    _require_scheduled(meeting)
    members = set(meeting.panel.member_agencies.values_list("pk", flat=True))
    outsiders = [agency.name for agency in agencies if agency.pk not in members]
    if outsiders:
        raise ValidationError(
            {"agencies": f"Not members of {meeting.panel}: {', '.join(sorted(outsiders))}"}
        )
    with transaction.atomic():
        meeting.attending_agencies.set(agencies)
    return meeting


def contribution_add(*, item: AgendaItem, category: str, summary: str, actor: User) -> Contribution:
    """What the actor's agency brings to the panel about a case.

    Every other agency attending receives it, so each needs a sharing basis (an agreement,
    consent or a public-interest decision); without one nothing is shared and the message
    says what is missing. Each share is recorded as a disclosure.
    """
    if not (
        has_capability(actor, Capability.CONTRIBUTE_TO_PANEL)
        or has_capability(actor, Capability.RUN_CASES)
    ):
        raise PermissionDenied("Your role does not allow you to bring information to a panel.")
    agency = acting_agency(actor)
    meeting = item.meeting
    _require_scheduled(meeting)
    errors = _text_errors({"summary": summary}, {"summary": "Say what your agency knows"})
    if category not in DataCategory.values:
        errors["category"] = "Select the kind of information"
    attending = list(meeting.attending_agencies.all())
    if agency not in attending:
        errors["agency"] = (
            f"{agency} is not recorded as attending this meeting: the coordinator records "
            "attendance first"
        )
    if errors:
        raise ValidationError(errors)
    case = item.case
    today = timezone.localdate()
    recipients = [other for other in attending if other.pk != agency.pk]
    bases = {}
    for other in recipients:
        bases[other.pk] = sharing_basis(
            from_agency=agency, to_agency=other, category=category, person=case.person, on=today
        )
    with transaction.atomic():
        contribution = Contribution.objects.create(
            item=item, agency=agency, category=category, summary=summary.strip(), recorded_by=actor
        )
        _event(
            case,
            EventCode.PANEL_INFORMATION_ADDED,
            actor,
            f"{agency} brought {category_phrase(category)} information to {meeting}",
            contribution,
        )
        for other in recipients:
            disclosure_record(
                person=case.person,
                category=category,
                subject=contribution,
                from_agency=agency,
                to_agency=other,
                basis=bases[other.pk],
                actor=actor,
            )
    return contribution


@dataclass(frozen=True)
class DecisionRequest:
    decision: str
    note: str
    exit_reason: str = ""


def panel_decision_record(*, item: AgendaItem, request: DecisionRequest, actor: User) -> AgendaItem:
    """The panel's decision on one case; it moves the case as the decision says."""
    require_capability(actor, Capability.RUN_CASES)
    _require_scheduled(item.meeting)
    errors = _text_errors({"note": request.note}, {"note": "Record the reasons for the decision"})
    if request.decision not in PanelDecision.values:
        errors["decision"] = "Select the panel's decision"
    if request.decision == PanelDecision.EXIT and request.exit_reason not in ExitReason.values:
        errors["exit_reason"] = "Select why the case is exiting"
    if errors:
        raise ValidationError(errors)
    decision = PanelDecision(request.decision)
    with transaction.atomic():
        case = _locked(item.case)
        if decision == PanelDecision.AGREE_PLAN:
            _agree_plan(case)
        elif decision == PanelDecision.CONTINUE_PLAN and case.status != CaseStatus.ON_PLAN:
            raise ValidationError(
                {"decision": f"Case {case.reference} has no support plan to continue"}
            )
        elif decision == PanelDecision.EXIT:
            _exit(case, ExitReason(request.exit_reason), request.note, actor)
        elif decision == PanelDecision.ROUTE_ELSEWHERE:
            _move_case(case, CaseStatus.ROUTED_ELSEWHERE)
            case.save(update_fields=["status", "status_changed_at"])
        item.decision = decision
        item.decision_note = request.note.strip()
        item.decided_at = timezone.now()
        item.save(update_fields=["decision", "decision_note", "decided_at"])
        _event(
            case,
            EventCode.PANEL_DECISION,
            actor,
            f"{item.meeting}: {decision.label}",
            item,
        )
    return item


def _consent_in_force(case: Case, giver: ConsentGiver) -> str:
    latest = case.consents.filter(giver=giver).first()
    return latest.decision if latest else ""


def _agree_plan(case: Case) -> None:
    """A plan needs consent (and a parent's or carer's too for a child) and an intervention."""
    missing = []
    if _consent_in_force(case, ConsentGiver.PERSON) != ConsentDecision.GIVEN:
        missing.append("the person's consent")
    if (
        is_child(case.person, timezone.localdate())
        and _consent_in_force(case, ConsentGiver.PARENT_OR_CARER) != ConsentDecision.GIVEN
    ):
        missing.append("a parent's or carer's consent (the person is under 18)")
    if not case.placements.filter(status__in=OCCUPYING_STATUSES).exists():
        missing.append("at least one intervention in the plan")
    if missing:
        raise ValidationError(
            {
                "decision": (
                    f"The plan for {case.reference} cannot be agreed without "
                    f"{' and '.join(missing)}"
                )
            }
        )
    _move_case(case, CaseStatus.ON_PLAN)
    case.next_review_on = timezone.localdate() + _review_interval()
    case.save(update_fields=["status", "status_changed_at", "next_review_on"])
    CaseReview.objects.create(case=case, kind=ReviewKind.SCHEDULED, due_on=case.next_review_on)


def action_set(
    *,
    item: AgendaItem,
    description: str,
    owner: User,
    due_on: datetime.date,
    actor: User,
) -> PanelAction:
    require_capability(actor, Capability.RUN_CASES)
    errors = _text_errors({"description": description}, {"description": "Describe the action"})
    if owner.agency_id is None or not owner.is_active:
        errors["owner"] = "Choose an active user attached to an agency"
    elif not item.meeting.panel.member_agencies.filter(pk=owner.agency_id).exists():
        errors["owner"] = (
            f"{owner.get_full_name() or owner} is not from a member agency of the panel"
        )
    if due_on < item.meeting.meets_on:
        errors["due_on"] = "The due date must be on or after the meeting"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        action = PanelAction.objects.create(
            meeting=item.meeting,
            case=item.case,
            description=description.strip(),
            owner=owner,
            due_on=due_on,
        )
        _event(
            item.case,
            EventCode.PANEL_ACTION_SET,
            actor,
            f"Action for {owner.get_full_name() or owner}, due {due_on:%-d %B %Y}",
            action,
        )
    return action


def action_complete(*, action: PanelAction, note: str, actor: User) -> PanelAction:
    """The action's owner, or a coordinator, marks it done."""
    if action.owner_id != actor.pk:
        require_capability(actor, Capability.RUN_CASES)
    if action.completed_at is not None:
        raise ValidationError({"action": "This action is already done"})
    errors = _text_errors({"note": note}, {})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        action.completed_at = timezone.now()
        action.completion_note = note.strip()
        action.save(update_fields=["completed_at", "completion_note"])
        _event(action.case, EventCode.PANEL_ACTION_DONE, actor, "Panel action done", action)
    return action


def meeting_close(*, meeting: PanelMeeting, actor: User) -> PanelMeeting:
    require_capability(actor, Capability.RUN_CASES)
    _require_scheduled(meeting)
    undecided = [item.case.reference for item in meeting.items.filter(decision="")]
    if undecided:
        raise ValidationError(
            {"meeting": f"Record a decision for every case first: {', '.join(undecided)}"}
        )
    with transaction.atomic():
        move(
            meeting,
            machine=MEETING_MOVES,
            target=MeetingStatus.HELD,
            what=f"The meeting of {meeting.meets_on:%-d %B %Y}",
        )
        meeting.held_at = timezone.now()
        meeting.save(update_fields=["status", "held_at"])
    return meeting


# --- consent and the support plan ---------------------------------------------------------------


def consent_record(
    *, case: Case, giver: str, decision: str, note: str, actor: User
) -> ConsentRecord:
    """Records consent to the plan. Withdrawal ends every intervention not yet finished:
    Prevent support is voluntary (¶3.1); the panel then decides whether to exit or escalate."""
    require_capability(actor, Capability.RUN_CASES)
    errors = _text_errors({"note": note}, {})
    if giver not in ConsentGiver.values:
        errors["giver"] = "Select whose consent this is"
    if decision not in ConsentDecision.values:
        errors["decision"] = "Select the decision"
    elif (
        decision == ConsentDecision.WITHDRAWN
        and _consent_in_force(
            case, ConsentGiver(giver) if giver in ConsentGiver.values else ConsentGiver.PERSON
        )
        != ConsentDecision.GIVEN
    ):
        errors["decision"] = "Consent can only be withdrawn after it was given"
    if not case.is_open:
        errors["case"] = f"Case {case.reference} is closed"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        record = ConsentRecord.objects.create(
            case=case, giver=giver, decision=decision, note=note.strip(), recorded_by=actor
        )
        if decision == ConsentDecision.WITHDRAWN:
            for placement in case.placements.filter(status__in=OCCUPYING_STATUSES):
                _placement_move(placement, PlacementStatus.ENDED_EARLY)
                placement.outcome_note = "Ended: consent withdrawn"
                placement.save()
        _event(
            case,
            EventCode.CONSENT_RECORDED,
            actor,
            f"{ConsentGiver(giver).label}: consent {ConsentDecision(decision).label.lower()}",
            record,
        )
    return record


def _placement_move(placement: Placement, target: PlacementStatus) -> None:
    move(placement, machine=PLACEMENT_MOVES, target=target, what=f"{placement.programme}")
    placement.status_changed_at = placement.last_progress_at = timezone.now()


@dataclass(frozen=True)
class PlacementRequest:
    programme: Programme
    provider: str
    starts_on: datetime.date
    expected_end_on: datetime.date


def placement_add(*, case: Case, request: PlacementRequest, actor: User) -> Placement:
    require_capability(actor, Capability.RUN_CASES)
    programme = request.programme
    errors = _text_errors({"provider": request.provider}, {"provider": "Name who will provide it"})
    if not case.is_open:
        errors["case"] = f"Case {case.reference} is closed"
    if not programme.available:
        errors["programme"] = f"{programme} has been retired"
    elif case.placements.filter(programme=programme, status__in=OCCUPYING_STATUSES).exists():
        errors["programme"] = f"{programme} is already in this plan"
    if request.expected_end_on < request.starts_on:
        errors["expected_end_on"] = "The expected end must be on or after the start"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        in_use = programme.placements.filter(status__in=OCCUPYING_STATUSES).count()
        if programme.capacity is not None and in_use >= programme.capacity:
            raise ValidationError(
                {
                    "programme": (
                        f"{programme} has no free places ({in_use} of {programme.capacity} in use)"
                    )
                }
            )
        placement = Placement.objects.create(
            case=case,
            programme=programme,
            provider=request.provider.strip(),
            starts_on=request.starts_on,
            expected_end_on=request.expected_end_on,
            added_by=actor,
        )
        _event(
            case,
            EventCode.INTERVENTION_ADDED,
            actor,
            f"{programme} added to the support plan, provided by {placement.provider}",
            placement,
        )
    return placement


@dataclass(frozen=True)
class PlacementUpdate:
    status: str
    note: str = ""
    outcome: str = ""


def placement_update(*, placement: Placement, update: PlacementUpdate, actor: User) -> Placement:
    """Records progress on an intervention; finishing one needs its outcome."""
    require_capability(actor, Capability.RUN_CASES)
    errors = _text_errors({"note": update.note}, {})
    finishing = update.status in (PlacementStatus.COMPLETED, PlacementStatus.ENDED_EARLY)
    if update.status not in PlacementStatus.values:
        errors["status"] = "Select the intervention's status"
    if finishing and update.outcome not in PlacementOutcome.values:
        errors["outcome"] = "Select the outcome of the intervention"
    if update.status == placement.status and not update.note.strip():
        errors["note"] = "Describe the progress, or change the status"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        placement = Placement.objects.select_for_update().get(pk=placement.pk)
        if update.status != placement.status:
            _placement_move(placement, PlacementStatus(update.status))
        placement.last_progress_at = timezone.now()
        if finishing:
            placement.outcome = update.outcome
        if update.note.strip():
            placement.outcome_note = update.note.strip()
        placement.save()
        _event(
            placement.case,
            EventCode.INTERVENTION_UPDATED,
            actor,
            f"{placement.programme}: {placement.get_status_display()}",
            placement,
        )
    return placement


# --- reviews, exit and reopening ----------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRequest:
    progress: str
    note: str
    held_on: datetime.date


def review_hold(*, review: CaseReview, request: ReviewRequest, actor: User) -> CaseReview:
    """Holds a review. A scheduled review of a case on a plan books the next one."""
    require_capability(actor, Capability.RUN_CASES)
    errors = _text_errors({"note": request.note}, {"note": "Record what the review found"})
    if request.progress not in ReviewProgress.values:
        errors["progress"] = "Select how the concern has changed"
    if review.held_on is not None:
        errors["review"] = "This review has already been held"
    if request.held_on > timezone.localdate():
        errors["held_on"] = "The review date must be today or in the past"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = _locked(review.case)
        review.held_on = request.held_on
        review.progress = request.progress
        review.note = request.note.strip()
        review.held_by = actor
        review.save(update_fields=["held_on", "progress", "note", "held_by"])
        if review.kind == ReviewKind.SCHEDULED and case.status == CaseStatus.ON_PLAN:
            case.next_review_on = request.held_on + _review_interval()
            case.save(update_fields=["next_review_on"])
            CaseReview.objects.create(
                case=case, kind=ReviewKind.SCHEDULED, due_on=case.next_review_on
            )
        _event(
            case,
            EventCode.REVIEW_HELD,
            actor,
            f"{review.get_kind_display()}: {ReviewProgress(request.progress).label}",
            review,
        )
    return review


def _exit(case: Case, reason: ExitReason, note: str, actor: User) -> None:
    unfinished = [str(p.programme) for p in case.placements.filter(status__in=OCCUPYING_STATUSES)]
    if unfinished and reason != ExitReason.ESCALATED_TO_PURSUE:
        raise ValidationError(
            {"exit_reason": f"Record how these interventions ended first: {', '.join(unfinished)}"}
        )
    _move_case(case, CaseStatus.EXITED)
    case.exited_at = timezone.now()
    case.exit_reason = reason
    case.exit_note = note.strip()
    case.next_review_on = None
    case.save()
    case.reviews.filter(held_on__isnull=True).delete()
    exit_day = timezone.localdate(case.exited_at)
    for months, kind in zip(
        settings.OFFRAMP_FOLLOW_UP_MONTHS,
        (ReviewKind.FOLLOW_UP_6_MONTHS, ReviewKind.FOLLOW_UP_12_MONTHS),
        strict=True,
    ):
        CaseReview.objects.create(case=case, kind=kind, due_on=add_months(exit_day, months))
    _event(
        case, EventCode.CASE_EXITED, actor, f"Case {case.reference} exited: {reason.label}", case
    )


def case_exit(*, case: Case, reason: str, note: str, actor: User) -> Case:
    """Exits a case and books its follow-up reviews, 6 and 12 months on."""
    require_capability(actor, Capability.RUN_CASES)
    errors = _text_errors({"note": note}, {"note": "Say why the case is exiting"})
    if reason not in ExitReason.values:
        errors["exit_reason"] = "Select why the case is exiting"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = _locked(case)
        _exit(case, ExitReason(reason), note, actor)
    return case


def case_reopen(*, case: Case, reason: str, panel: Panel | None, actor: User) -> Case:
    """Brings an exited or routed-elsewhere case back to the panel; its open follow-ups lapse."""
    require_capability(actor, Capability.RUN_CASES)
    errors = _text_errors({"reason": reason}, {"reason": "Say why the case is reopening"})
    if (panel or case.panel) is None:
        errors["panel"] = "Select the panel that will hear the case"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = _locked(case)
        _move_case(case, CaseStatus.AWAITING_PANEL)
        case.panel = panel or case.panel
        case.exited_at = None
        case.exit_reason = ""
        case.save()
        case.reviews.filter(held_on__isnull=True).delete()
        _event(
            case,
            EventCode.CASE_REOPENED,
            actor,
            f"Case {case.reference} reopened: {reason.strip()}"[:300],
            case,
        )
    return case
