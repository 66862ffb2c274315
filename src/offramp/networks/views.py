"""The network pages: groups and the people linked to them, ties, a group's pathway map, a
person's exposure, the periphery and network exports. For analysts and coordinators only.

Every page works without JavaScript; the map is drawn by a static script from the same data
the tables beside it show. Every person shown is logged as consulted before the page is built.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from offramp.access.naming import (
    may_state_naming_purpose,
    naming_purposes_in_force,
    network_label_for,
    require_naming_purpose_right,
)
from offramp.access.permissions import Capability, has_capability
from offramp.access.scoping import (
    assessments_visible_to,
    groups_visible_to,
    memberships_visible_to,
    network_people_visible_to,
    relationships_visible_to,
)
from offramp.accounts.models import User
from offramp.assessments.framework import current_framework
from offramp.assessments.models import Assessment
from offramp.audit.services import AuditObject, audit_consultation
from offramp.exports.models import ExportRecord
from offramp.exports.registry import ExportInput, exporter_for
from offramp.exports.selectors import exports_requested_by
from offramp.exports.services import exports_expire
from offramp.exports.views import download_response, request_page
from offramp.people.models import Person
from offramp.transitions import IllegalTransition
from offramp.web.views.common import form_page, get_visible_or_404, require, submitted

from . import exports
from .forms import (
    GroupForm,
    MapFilterForm,
    MembershipForm,
    NamingPurposeForm,
    PeripheryFilterForm,
    RelationshipForm,
)
from .models import GroupMembership, NamingPurpose, OrganisedCrimeGroup, Relationship
from .selectors import (
    NOT_A_SCORE,
    ExplainedSuggestion,
    assessment_suggestions,
    consultation_purpose,
    group_links,
    group_list,
    group_map,
    labelled_ties,
    linkable_person,
    not_linkable,
    periphery_rows,
    person_exposure,
    person_links,
    person_ties,
)
from .services import (
    group_create,
    group_update,
    membership_add,
    membership_update,
    naming_purpose_state,
    relationship_add,
    relationship_update,
    suggestion_dismiss,
)


def _people(ids: Iterable[int]) -> list[AuditObject]:
    """People shown by record number and name, for the access log."""
    return [AuditObject("person", pid, person_id=pid) for pid in dict.fromkeys(ids)]


def _group(request: HttpRequest, pk: int) -> tuple[User, OrganisedCrimeGroup]:
    user = require(request, Capability.MANAGE_NETWORKS)
    return user, get_visible_or_404(groups_visible_to(user).select_related("source_agency"), pk)


def _linkable(user: User, form: MembershipForm | RelationshipForm, name: str) -> Person | None:
    """The person whose record number was entered, or an error on that field: the same for
    a record the user may not see as for one that does not exist."""
    number = form.cleaned_data[name]
    person = linkable_person(user, number)
    if person is None:
        form.add_error(name, not_linkable(number))
    return person


# --- groups ---------------------------------------------------------------------------------------


@login_required
def group_list_view(request: HttpRequest) -> HttpResponse:
    user = require(request, Capability.MANAGE_NETWORKS)
    return render(
        request,
        "networks/group_list.html",
        {
            "groups": group_list(user),
            "can_view_people": has_capability(user, Capability.VIEW_PEOPLE),
            "naming": naming_notice(user),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def group_create_view(request: HttpRequest) -> HttpResponse:
    user = require(request, Capability.MANAGE_NETWORKS)
    form = GroupForm(request.POST or None)
    group = submitted(request, form, lambda _: group_create(actor=user, details=form.details()))
    if group is not None:
        messages.success(request, f"Group {group.reference} recorded")
        return redirect("networks:group-detail", pk=group.pk)
    return form_page(
        request,
        form,
        heading="Record an organised crime group",
        caption="Networks",
        button="Record the group",
        back_url=reverse("networks:group-list"),
    )


def _group_initial(group: OrganisedCrimeGroup) -> dict[str, object]:
    return {
        "reference": group.reference,
        "name": group.name,
        "status": group.status,
        "crime_types": group.crime_types,
        "countries": ", ".join(group.countries),
        "source_agency": group.source_agency_id,
        "notes": group.notes,
    }


@require_http_methods(["GET", "POST"])
@login_required
def group_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, group = _group(request, pk)
    form = GroupForm(request.POST or None, initial=_group_initial(group))
    changed = submitted(
        request, form, lambda _: group_update(group=group, actor=user, details=form.details())
    )
    if changed is not None:
        messages.success(request, f"Group {changed.reference} changed")
        return redirect("networks:group-detail", pk=group.pk)
    return form_page(
        request,
        form,
        heading=f"Change {group.reference} {group.name}",
        caption="Networks",
        button="Save the changes",
        back_url=reverse("networks:group-detail", args=[group.pk]),
    )


@login_required
def group_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, group = _group(request, pk)
    today = timezone.localdate()
    links = group_links(user=user, group=group, day=today)
    audit_consultation(
        actor=user,
        subjects=[group, *(link for link, _ in links)],
        purpose=consultation_purpose(user),
    )
    framework = current_framework()
    crime_types = {crime_type.id: crime_type.name for crime_type in framework.crime_types}
    ended = group.memberships.filter(ended_on__lte=today).count()
    return render(
        request,
        "networks/group_detail.html",
        {
            "group": group,
            "links": links,
            "ended": ended,
            "crime_types": [crime_types.get(c, c) for c in group.crime_types],
            "can_view_people": has_capability(user, Capability.VIEW_PEOPLE),
            "naming": naming_notice(user),
        },
    )


# --- links to groups and ties ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def membership_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, group = _group(request, pk)
    form = MembershipForm(request.POST or None, initial={"person": request.GET.get("person")})

    def link_person(_: dict[str, Any]) -> GroupMembership | None:
        person = _linkable(user, form, "person")
        if person is None:
            return None
        return membership_add(group=group, person=person, actor=user, details=form.details())

    link = submitted(request, form, link_person)
    if link is not None:
        messages.success(
            request, f"{network_label_for(user, link.person_id)} linked to {group.reference}"
        )
        return redirect("networks:group-detail", pk=group.pk)
    return form_page(
        request,
        form,
        heading=f"Link a person to {group.reference} {group.name}",
        caption="Networks",
        button="Record the link",
        back_url=reverse("networks:group-detail", args=[group.pk]),
    )


@require_http_methods(["GET", "POST"])
@login_required
def membership_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = require(request, Capability.MANAGE_NETWORKS)
    link: GroupMembership = get_visible_or_404(
        memberships_visible_to(user).select_related("group"), pk
    )
    label = network_label_for(user, link.person_id)
    audit_consultation(actor=user, subjects=[link], purpose=consultation_purpose(user))
    initial = {
        "category": link.category,
        "role": link.role,
        "started_on": link.started_on,
        "ended_on": link.ended_on,
        "source_agency": link.source_agency_id,
        "confidence": link.confidence,
        "note": link.note,
    }
    form = MembershipForm(request.POST or None, initial=initial, editing=True)
    changed = submitted(
        request,
        form,
        lambda _: membership_update(membership=link, actor=user, details=form.details()),
    )
    if changed is not None:
        messages.success(request, f"Link of {label} changed")
        return redirect("networks:group-detail", pk=link.group_id)
    return form_page(
        request,
        form,
        heading=f"Change how {label} is linked to {link.group.reference}",
        caption="Networks",
        button="Save the changes",
        back_url=reverse("networks:group-detail", args=[link.group_id]),
        intro="To end the link, enter the date it ended.",
    )


@require_http_methods(["GET", "POST"])
@login_required
def relationship_create_view(request: HttpRequest) -> HttpResponse:
    user = require(request, Capability.MANAGE_NETWORKS)
    form = RelationshipForm(request.POST or None, initial={"first": request.GET.get("person")})

    def record(_: dict[str, Any]) -> Relationship | None:
        first, second = _linkable(user, form, "first"), _linkable(user, form, "second")
        if first is None or second is None:
            return None
        return relationship_add(first=first, second=second, actor=user, details=form.details())

    tie = submitted(request, form, record)
    if tie is not None:
        messages.success(request, f"Relationship {tie.pk} recorded")
        return redirect("networks:person-exposure", pk=tie.person_a_id)
    return form_page(
        request,
        form,
        heading="Record a relationship",
        caption="Networks",
        button="Record the relationship",
        back_url=reverse("networks:group-list"),
    )


@require_http_methods(["GET", "POST"])
@login_required
def relationship_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = require(request, Capability.MANAGE_NETWORKS)
    tie: Relationship = get_visible_or_404(relationships_visible_to(user), pk)
    [(_, first, second)] = labelled_ties(user, [tie])
    audit_consultation(
        actor=user,
        subjects=_people([tie.person_a_id, tie.person_b_id]),
        purpose=consultation_purpose(user),
    )
    initial = {
        "tie_type": tie.tie_type,
        "started_on": tie.started_on,
        "ended_on": tie.ended_on,
        "source_agency": tie.source_agency_id,
        "confidence": tie.confidence,
        "note": tie.note,
    }
    form = RelationshipForm(request.POST or None, initial=initial, editing=True)
    changed = submitted(
        request,
        form,
        lambda _: relationship_update(relationship=tie, actor=user, details=form.details()),
    )
    if changed is not None:
        messages.success(request, f"Relationship {tie.pk} changed")
        return redirect("networks:person-exposure", pk=tie.person_a_id)
    return form_page(
        request,
        form,
        heading=f"Change the relationship between {first} and {second}",
        caption="Networks",
        button="Save the changes",
        back_url=reverse("networks:person-exposure", args=[tie.person_a_id]),
        intro=f"The relationship is read from {first} to {second}. To end it, enter the date "
        "it ended.",
    )


# --- a stated purpose to read names ---------------------------------------------------------------


@dataclass(frozen=True)
class NamingNotice:
    """For the notice on the network pages: whether the user reads pseudonyms, and why not."""

    may_state_purpose: bool
    purposes_in_force: list[NamingPurpose]


def naming_notice(user: User) -> NamingNotice:
    return NamingNotice(may_state_naming_purpose(user), list(naming_purposes_in_force(user)))


@require_http_methods(["GET", "POST"])
@login_required
def naming_purpose_view(request: HttpRequest) -> HttpResponse:
    user = require(request, Capability.MANAGE_NETWORKS)
    require_naming_purpose_right(user)
    form = NamingPurposeForm(request.POST or None)
    stated = submitted(
        request,
        form,
        lambda data: naming_purpose_state(
            actor=user,
            text=data["text"],
            days=data["days"],
            covers_children=data["covers_children"] == "yes",
        ),
    )
    if stated is not None:
        messages.success(
            request, f"Names shown until {timezone.localtime(stated.expires_at):%-d %B %Y %H:%M}"
        )
        return redirect("networks:group-list")
    return form_page(
        request,
        form,
        heading="State a purpose to see names",
        caption="Networks",
        button="State the purpose",
        back_url=reverse("networks:group-list"),
        template="networks/naming_purpose.html",
        naming=naming_notice(user),
    )


# --- the pathway map, a person's exposure and the periphery ---------------------------------------


@login_required
def group_map_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, group = _group(request, pk)
    form = MapFilterForm(request.GET or None)
    mapped = group_map(user=user, group=group, view=form.view(timezone.localdate()))
    audit_consultation(
        actor=user,
        subjects=[group, *_people(p.person.id for p in mapped.people)],
        purpose=consultation_purpose(user),
    )
    return render(
        request,
        "networks/group_map.html",
        {
            "group": group,
            "form": form,
            "map": mapped,
            "map_data": mapped.data(),
            "not_a_score": NOT_A_SCORE,
            "naming": naming_notice(user),
        },
    )


@login_required
def person_exposure_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = require(request, Capability.MANAGE_NETWORKS)
    person = get_visible_or_404(network_people_visible_to(user), pk)
    explained = person_exposure(user=user, person=person)
    ties = list(person_ties(user, person))
    shown = [person.pk, *(step.to_person.id for step in explained.path)]
    shown += [m.person.id for m in explained.nearest]
    shown += [step.to_person.id for s in explained.suggestions for step in s.steps]
    shown += [tie.person_a_id for tie in ties] + [tie.person_b_id for tie in ties]
    audit_consultation(actor=user, subjects=_people(shown), purpose=consultation_purpose(user))
    return render(
        request,
        "networks/person_exposure.html",
        {
            "person": person,
            "label": explained.person.name,
            "explained": explained,
            "ties": labelled_ties(user, ties),
            "links": person_links(user, person),
            "not_a_score": NOT_A_SCORE,
            "can_view_people": has_capability(user, Capability.VIEW_PEOPLE),
            "naming": naming_notice(user),
        },
    )


@login_required
def periphery_view(request: HttpRequest) -> HttpResponse:
    user = require(request, Capability.MANAGE_NETWORKS)
    form = PeripheryFilterForm(request.GET or {"show": "no_open_case"})
    everyone = form.is_valid() and form.cleaned_data["show"] == "everyone"
    rows, total = periphery_rows(user=user, no_open_case=not everyone)
    audit_consultation(
        actor=user,
        subjects=_people(r.explained.person.id for r in rows),
        purpose=consultation_purpose(user),
    )
    return render(
        request,
        "networks/periphery.html",
        {
            "form": form,
            "rows": rows,
            "total": total,
            "not_a_score": NOT_A_SCORE,
            "naming": naming_notice(user),
        },
    )


def shown_suggestions(
    *, user: User, assessment: Assessment, factor_ids: Iterable[str]
) -> dict[str, ExplainedSuggestion]:
    """The network suggestions for an assessment page's factors, logged as consulted: their
    paths name other people."""
    suggestions = assessment_suggestions(user=user, assessment=assessment, factor_ids=factor_ids)
    named = [step.to_person.id for s in suggestions.values() for step in s.steps]
    if named:
        audit_consultation(actor=user, subjects=_people(named), purpose="assessment")
    return suggestions


# --- suggestions on an assessment -----------------------------------------------------------------


@require_POST
@login_required
def suggestion_dismiss_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = require(request, Capability.ASSESS)
    assessment = get_visible_or_404(assessments_visible_to(user), pk)
    factor_id = request.POST.get("factor_id", "")
    tie_id = request.POST.get("relationship", "")
    tie = (
        relationships_visible_to(user).filter(pk=int(tie_id)).first() if tie_id.isdigit() else None
    )
    category = next(
        (f.category for f in current_framework().factors if f.id == factor_id), "networks"
    )
    back = reverse("web:assessment-category", args=[assessment.pk, category])
    if tie is None:
        messages.error(request, "That suggestion is no longer there")
        return redirect(back)
    try:
        suggestion_dismiss(assessment=assessment, factor_id=factor_id, relationship=tie, actor=user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    except IllegalTransition as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Suggestion dismissed")
    return redirect(f"{back}#factor-{factor_id}")


# --- exports --------------------------------------------------------------------------------------


def _export_made(request: HttpRequest, export: ExportRecord) -> HttpResponse:
    messages.success(request, f"Export {export.reference} created")
    return redirect("networks:export-detail", pk=export.pk)


@require_http_methods(["GET", "POST"])
@login_required
def group_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, group = _group(request, pk)
    return request_page(
        request,
        user=user,
        kind=exports.KIND,
        export_input=ExportInput(parameters={"group_id": group.pk}),
        context={
            "heading": f"Export the network of {group.reference}",
            "action": reverse("networks:group-export", args=[group.pk]),
            "back": reverse("networks:group-detail", args=[group.pk]),
            "format_label": "GraphML, GEXF (Gephi) and i2 Analyst's Notebook CSV files",
        },
        done=_export_made,
    )


@login_required
def export_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = require(request, Capability.MANAGE_NETWORKS)
    exports_expire()
    export = get_visible_or_404(exports_requested_by(user).filter(kind=exports.KIND), pk)
    download = reverse("networks:export-download", args=[export.pk])
    exporter = exporter_for(exports.KIND)
    return render(
        request,
        "networks/export.html",
        {
            "export": export,
            "description": exporter.describe(ExportInput(parameters=export.parameters)),
            "downloads": [
                (label, f"{download}?format={fmt}") for fmt, label in exports.FORMAT_LABELS.items()
            ],
        },
    )


@login_required
def export_download_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = require(request, Capability.MANAGE_NETWORKS)
    export = get_visible_or_404(exports_requested_by(user).filter(kind=exports.KIND), pk)
    return download_response(
        request,
        export=export,
        user=user,
        back=reverse("networks:export-detail", args=[export.pk]),
    )
