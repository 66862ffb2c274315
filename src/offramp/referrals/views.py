"""Making a referral, the referral list, and screening."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from offramp.access.permissions import Capability, has_capability
from offramp.access.scoping import people_visible_to, referral_details_visible_to
from offramp.assessments.framework import current_framework
from offramp.audit.services import audit_consultation
from offramp.cases.services import ROUTABLE_REFERRAL_STATUSES
from offramp.people.forms import PersonSearchForm
from offramp.people.selectors import agencies_knowing, person_search
from offramp.referrals.models import ReferralStatus
from offramp.referrals.selectors import ReferralFilters, referral_list
from offramp.referrals.services import (
    ReferralRequest,
    referral_close,
    referral_create,
    referral_link_to_person,
    referral_start_screening,
)
from offramp.transitions import IllegalTransition
from offramp.web.forms import apply_service_errors
from offramp.web.views.common import get_visible_or_404, require, signed_in_user

from .forms import CloseReferralForm, ReferralFilterForm, ReferralForm


def _factor_groups(form: ReferralForm) -> list[tuple[str, list[tuple[int, str, str, bool]]]]:
    """Checkbox options grouped by framework category, with their position for ids."""
    framework = current_framework()
    selected = set(form["factor_ids"].value() or [])
    position = {factor.id: index for index, factor in enumerate(framework.factors)}
    return [
        (
            category.name,
            [
                (position[f.id], f.id, f.name, f.id in selected)
                for f in framework.factors_in(category.id)
            ],
        )
        for category in framework.categories
    ]


@login_required
def referral_create_view(request: HttpRequest) -> HttpResponse:
    user = require(request, Capability.MAKE_REFERRAL)
    framework = current_framework()
    # Coming from "is this person known?" (index:known), the person checked fills in the form.
    checked = PersonSearchForm(request.GET or None)
    initial = {k: v for k, v in checked.cleaned_data.items() if v} if checked.is_valid() else {}
    form = ReferralForm(request.POST or None, factors=list(framework.factors), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = referral_create(
                referrer=user,
                request=ReferralRequest(
                    given_name=data["given_name"],
                    family_name=data["family_name"],
                    date_of_birth=data["date_of_birth"],
                    area=data["area"],
                    concern=data["concern"],
                    consent=data["consent"],
                    factor_ids=tuple(data["factor_ids"]),
                ),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return render(request, "referrals/referral_sent.html", {"referral": referral})
    return render(
        request,
        "referrals/referral_form.html",
        {"form": form, "factor_groups": _factor_groups(form)},
    )


@login_required
def referral_list_view(request: HttpRequest) -> HttpResponse:
    # Coordinators can also refer, so this admits everyone who has a referral list.
    user = require(request, Capability.MAKE_REFERRAL)
    form = ReferralFilterForm(request.GET or None)
    form.fields["status"].choices = [("", "Any status"), *ReferralStatus.choices]  # type: ignore[attr-defined]
    filters = ReferralFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = ReferralFilters(
            status=data["status"],
            agency_id=data["agency"].pk if data["agency"] else None,
            received_from=data["received_from"],
            received_to=data["received_to"],
            name=data["name"],
        )
    referrals = list(referral_list(user=user, filters=filters)[:200])
    audit_consultation(actor=user, subjects=referrals, purpose="referral list")
    return render(
        request,
        "referrals/referral_list.html",
        {
            "form": form,
            "referrals": referrals,
            "full_details": has_capability(user, Capability.SCREEN_REFERRALS),
        },
    )


@login_required
def referral_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    referral = get_visible_or_404(referral_list(user=user), pk)
    if not referral_details_visible_to(user, referral):
        audit_consultation(actor=user, subjects=[referral], purpose="referral status")
        return render(request, "referrals/referral_status.html", {"referral": referral})
    matches = [
        m
        for m in person_search(
            user=user,
            given_name=referral.subject_given_name,
            family_name=referral.subject_family_name,
            date_of_birth=referral.subject_date_of_birth,
        )
        if m.person.pk != referral.person_id
    ][:10]
    audit_consultation(actor=user, subjects=[referral], purpose="screening")
    audit_consultation(actor=user, subjects=[m.person for m in matches], purpose="screening match")
    framework = current_framework()
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "factors": [framework.factor(f.factor_id) for f in referral.factors.all()],
            "matches": [(m, agencies_knowing(m.person)) for m in matches],
            "close_form": CloseReferralForm(),
            "can_link": referral.status != ReferralStatus.CLOSED
            and not referral.person.assessments.exists(),
            "can_route": has_capability(user, Capability.RUN_CASES)
            and referral.status in ROUTABLE_REFERRAL_STATUSES,
        },
    )


@require_POST
@login_required
def referral_screen_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = require(request, Capability.SCREEN_REFERRALS)
    referral = get_visible_or_404(referral_list(user=user), pk)
    try:
        referral_start_screening(referral=referral, actor=user)
        messages.success(request, f"Screening of {referral.reference} started")
    except IllegalTransition as error:
        messages.error(request, str(error))
    return redirect("web:referral-detail", pk=referral.pk)


@require_POST
@login_required
def referral_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = require(request, Capability.SCREEN_REFERRALS)
    referral = get_visible_or_404(referral_list(user=user), pk)
    form = CloseReferralForm(request.POST)
    if form.is_valid():
        try:
            referral_close(referral=referral, actor=user, reason=form.cleaned_data["reason"])
            messages.success(request, f"Referral {referral.reference} closed")
            return redirect("web:referral-detail", pk=referral.pk)
        except (IllegalTransition, ValidationError) as error:
            form.add_error(
                None, error.messages[0] if isinstance(error, ValidationError) else str(error)
            )
    return render(request, "referrals/referral_close.html", {"referral": referral, "form": form})


@require_POST
@login_required
def referral_link_view(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    user = require(request, Capability.SCREEN_REFERRALS)
    referral = get_visible_or_404(referral_list(user=user), pk)
    person = get_visible_or_404(people_visible_to(user), person_pk)
    try:
        referral_link_to_person(referral=referral, person=person, actor=user)
        messages.success(request, f"Referral {referral.reference} linked to {person.full_name}")
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect("web:referral-detail", pk=referral.pk)
