"""The case list, the case page and the forms that change a case and its support plan."""

from functools import reduce
from operator import or_

from django.contrib.auth.decorators import login_required
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from offramp.access.permissions import Capability, has_capability
from offramp.access.scoping import (
    cases_visible_to,
    events_visible_to,
    panel_actions_visible_to,
    people_visible_to,
    placements_visible_to,
    referral_details_visible_to,
)
from offramp.accounts.models import User
from offramp.audit.models import Event
from offramp.audit.services import audit_consultation
from offramp.interventions.selectors import suggestions_for_case
from offramp.people.forms import PersonSearchForm
from offramp.people.selectors import person_search
from offramp.sharing.models import Disclosure
from offramp.web.views.common import get_visible_or_404, require, submitted

from ..forms import (
    CaseFilterForm,
    ConsentForm,
    ExitForm,
    LinkPersonForm,
    PlacementForm,
    PlacementUpdateForm,
    ReopenForm,
)
from ..models import (
    AgendaItem,
    Case,
    CaseLink,
    CaseReview,
    ConsentGiver,
    ConsentRecord,
    Contribution,
    PanelAction,
    Placement,
    Route,
)
from ..services import (
    PlacementRequest,
    PlacementUpdate,
    case_exit,
    case_link_person,
    case_reopen,
    consent_record,
    placement_add,
    placement_update,
)
from .common import (
    CASE_PURPOSE,
    back_to_case,
    case_form_page,
    case_reader,
    case_to_run,
)

CASE_PAGE = 200
TIMELINE_LENGTH = 200
SEARCH_RESULTS = 20


@login_required
def case_list_view(request: HttpRequest) -> HttpResponse:
    user = case_reader(request)
    form = CaseFilterForm(request.GET or None)
    cases = cases_visible_to(user).select_related("person", "panel")
    if form.is_bound and form.is_valid():
        if form.cleaned_data["status"]:
            cases = cases.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["route"]:
            cases = cases.filter(route=form.cleaned_data["route"])
    shown = list(cases[:CASE_PAGE])
    audit_consultation(actor=user, subjects=shown, purpose="case list")
    return render(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "cases": shown,
            "limit": CASE_PAGE,
            "can_run": has_capability(user, Capability.RUN_CASES),
        },
    )


def _case_timeline(user: User, case: Case) -> QuerySet[Event]:
    """Events about this case, its panel hearings, plan and reviews, and the sharing done for
    it: not the person's whole history, which belongs to their record."""
    contributions = case.agenda_items.filter(contributions__isnull=False).values("contributions")
    ids_about_case: list[tuple[type[Model], QuerySet | list[int]]] = [
        (Case, [case.pk]),
        (AgendaItem, case.agenda_items.values("pk")),
        (Contribution, contributions),
        # Each share of a contribution is of the case's person (cases.services.contribution_add).
        (
            Disclosure,
            case.person.disclosures.filter(
                object_type=Contribution._meta.model_name, object_id__in=contributions
            ).values("pk"),
        ),
        (PanelAction, case.actions.values("pk")),
        (ConsentRecord, case.consents.values("pk")),
        (Placement, case.placements.values("pk")),
        (CaseReview, case.reviews.values("pk")),
        (CaseLink, case.links.values("pk")),
    ]
    about_case = reduce(
        or_,
        (Q(object_type=model._meta.model_name, object_id__in=ids) for model, ids in ids_about_case),
    )
    return events_visible_to(user).filter(about_case).select_related("actor", "actor_agency")


@login_required
def case_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = case_reader(request)
    case = get_visible_or_404(
        cases_visible_to(user).select_related("person", "panel", "lead_agency", "routed_by"), pk
    )
    links = list(case.links.select_related("person"))
    audit_consultation(actor=user, subjects=[case, *links], purpose=CASE_PURPOSE)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "person": case.person,
            "can_run": has_capability(user, Capability.RUN_CASES),
            "can_view_people": has_capability(user, Capability.VIEW_PEOPLE),
            "can_see_referral": referral_details_visible_to(user, case.referral),
            "suggested_label": Route(case.suggested_route).label if case.suggested_route else "",
            "consent_in_force": [
                (giver.label, case.consents.filter(giver=giver).first()) for giver in ConsentGiver
            ],
            "placements": case.placements.select_related("programme"),
            "reviews": case.reviews.select_related("held_by"),
            "agenda_items": case.agenda_items.select_related("meeting__panel"),
            "panel_actions": panel_actions_visible_to(user)
            .filter(case=case)
            .select_related("owner"),
            "links": links,
            "timeline": _case_timeline(user, case)[:TIMELINE_LENGTH],
            "suggestions": suggestions_for_case(case) if case.is_open else None,
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def consent_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, case = case_to_run(request, pk)
    form = ConsentForm(request.POST if request.method == "POST" else None)
    record = submitted(
        request,
        form,
        lambda data: consent_record(
            case=case, giver=data["giver"], decision=data["decision"], note=data["note"], actor=user
        ),
    )
    if record is not None:
        return back_to_case(request, case, f"Recorded: {record}")
    return case_form_page(
        request,
        case,
        form,
        heading="Record consent to the support plan",
        button="Record consent",
        intro=(
            "Support is voluntary. Withdrawing consent ends every intervention not yet "
            "finished; the panel then decides whether to exit the case or escalate it."
        ),
    )


@require_http_methods(["GET", "POST"])
@login_required
def placement_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, case = case_to_run(request, pk)
    form = PlacementForm(
        request.POST if request.method == "POST" else None,
        initial={"starts_on": timezone.localdate()},
    )
    placement = submitted(
        request,
        form,
        lambda data: placement_add(
            case=case,
            request=PlacementRequest(
                programme=data["programme"],
                provider=data["provider"],
                starts_on=data["starts_on"],
                expected_end_on=data["expected_end_on"],
            ),
            actor=user,
        ),
    )
    if placement is not None:
        return back_to_case(request, case, f"{placement.programme} added to the support plan")
    return case_form_page(
        request,
        case,
        form,
        heading="Add an intervention to the support plan",
        button="Add the intervention",
        intro="Choose a programme from the intervention catalogue.",
    )


@require_http_methods(["GET", "POST"])
@login_required
def placement_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = require(request, Capability.RUN_CASES)
    placement = get_visible_or_404(
        placements_visible_to(user).select_related("programme", "case__person"),
        pk,
    )
    case = placement.case
    audit_consultation(actor=user, subjects=[case], purpose=CASE_PURPOSE)
    form = PlacementUpdateForm(
        request.POST if request.method == "POST" else None,
        initial={"status": placement.status, "outcome": placement.outcome},
    )
    updated = submitted(
        request,
        form,
        lambda data: placement_update(
            placement=placement,
            update=PlacementUpdate(
                status=data["status"], note=data["note"], outcome=data["outcome"]
            ),
            actor=user,
        ),
    )
    if updated is not None:
        return back_to_case(
            request, case, f"{updated.programme}: {updated.get_status_display().lower()}"
        )
    return case_form_page(
        request,
        case,
        form,
        heading=f"Update {placement.programme}",
        button="Save progress",
        intro=(
            f"Provided by {placement.provider}, from {placement.starts_on:%-d %B %Y}, expected "
            f"to end on {placement.expected_end_on:%-d %B %Y}. Now: "
            f"{placement.get_status_display().lower()}."
        ),
    )


@require_http_methods(["GET", "POST"])
@login_required
def exit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, case = case_to_run(request, pk)
    form = ExitForm(request.POST if request.method == "POST" else None)
    exited = submitted(
        request,
        form,
        lambda data: case_exit(
            case=case, reason=data["exit_reason"], note=data["note"], actor=user
        ),
    )
    if exited is not None:
        return back_to_case(
            request,
            exited,
            f"Case {exited.reference} exited; follow-up reviews booked at 6 and 12 months",
        )
    return case_form_page(
        request,
        case,
        form,
        heading="Exit the case",
        button="Exit the case",
        warning=True,
        intro="Follow-up reviews are booked 6 and 12 months after exit.",
    )


@require_http_methods(["GET", "POST"])
@login_required
def reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, case = case_to_run(request, pk)
    form = ReopenForm(request.POST if request.method == "POST" else None)
    reopened = submitted(
        request,
        form,
        lambda data: case_reopen(case=case, reason=data["reason"], panel=data["panel"], actor=user),
    )
    if reopened is not None:
        return back_to_case(request, reopened, f"Case {reopened.reference} reopened")
    return case_form_page(
        request,
        case,
        form,
        heading="Reopen the case",
        button="Reopen the case",
        intro="The case goes back to the panel. Follow-up reviews not yet held are cancelled.",
    )


@require_http_methods(["GET", "POST"])
@login_required
def link_person_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Finds someone the partnership holds, then connects them with the reason (s.38)."""
    user, case = case_to_run(request, pk)
    search = PersonSearchForm(request.GET or None)
    form = None
    if search.is_bound and search.is_valid():
        linked = set(case.links.values_list("person_id", flat=True)) | {case.person_id}
        found = [
            match.person
            for match in person_search(
                user=user,
                given_name=search.cleaned_data["given_name"],
                family_name=search.cleaned_data["family_name"],
                date_of_birth=search.cleaned_data["date_of_birth"],
            )
            if match.person.pk not in linked
        ][:SEARCH_RESULTS]
        audit_consultation(actor=user, subjects=found, purpose=CASE_PURPOSE)
        if found:
            form = LinkPersonForm(
                request.POST if request.method == "POST" else None,
                people=[
                    (person.pk, f"{person.full_name}, born {person.date_of_birth:%-d %B %Y}")
                    for person in found
                ],
            )
            link = submitted(
                request,
                form,
                lambda data: case_link_person(
                    case=case,
                    person=get_visible_or_404(people_visible_to(user), int(data["person"])),
                    category=data["category"],
                    note=data["note"],
                    actor=user,
                ),
            )
            if link is not None:
                return back_to_case(
                    request,
                    case,
                    f"{link.person.full_name} connected to the case: {link.get_category_display()}",
                )
    return case_form_page(
        request,
        case,
        form,
        heading="Connect a person to the case",
        button="Connect the person",
        template="cases/link_person.html",
        search=search,
        case=case,
    )
