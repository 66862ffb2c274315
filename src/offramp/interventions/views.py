"""The intervention catalogue pages. Everyone signed in reads the catalogue (it holds no personal
data); coordinators, who hold MANAGE_CATALOGUE, add, change and retire programmes. Every page
works without JavaScript."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from offramp.access.permissions import Capability, has_capability
from offramp.assessments.framework import current_framework
from offramp.web.forms import apply_service_errors
from offramp.web.views.common import get_visible_or_404, require, signed_in_user

from .forms import (
    INCLUDE_RETIRED,
    CatalogueFilterForm,
    LocalArrangementsForm,
    ProgrammeForm,
    RetireForm,
)
from .models import Programme
from .selectors import CatalogueFilters, catalogue, summarise
from .services import ProgrammeDetails, programme_create, programme_retire, programme_update


def _programme(pk: int) -> Programme:
    return get_visible_or_404(Programme.objects.select_related("provider"), pk)


@login_required
def catalogue_view(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    framework = current_framework()
    form = CatalogueFilterForm(request.GET or None, framework=framework)
    filters = CatalogueFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = CatalogueFilters(
            kind=data["kind"],
            crime_type=data["crime_type"],
            factor_id=data["factor_id"],
            age=data["age"],
            include_retired=INCLUDE_RETIRED in data["include_retired"],
        )
    return render(
        request,
        "interventions/catalogue.html",
        {
            "form": form,
            "rows": summarise(catalogue(filters), framework),
            "can_manage": has_capability(user, Capability.MANAGE_CATALOGUE),
        },
    )


@login_required
def programme_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    programme = _programme(pk)
    return render(
        request,
        "interventions/programme.html",
        {
            "summary": summarise([programme])[0],
            "can_manage": has_capability(user, Capability.MANAGE_CATALOGUE),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def programme_create_view(request: HttpRequest) -> HttpResponse:
    user = require(request, Capability.MANAGE_CATALOGUE)
    form = ProgrammeForm(request.POST or None, framework=current_framework())
    if request.method == "POST" and form.is_valid():
        try:
            programme = programme_create(actor=user, details=form.details())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"{programme} added to the catalogue")
            return redirect("interventions:programme", programme.pk)
    return render(request, "interventions/programme_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
def programme_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = require(request, Capability.MANAGE_CATALOGUE)
    programme = _programme(pk)
    current = ProgrammeDetails.of(programme)
    data = request.POST if request.method == "POST" else None
    form: ProgrammeForm | LocalArrangementsForm
    if programme.national:
        form = LocalArrangementsForm(
            data, initial={"provider": programme.provider_id, "capacity": programme.capacity}
        )
    else:
        form = ProgrammeForm(
            data, initial=ProgrammeForm.initial_for(current), framework=current_framework()
        )
    if data is not None and form.is_valid():
        details = (
            form.details(current) if isinstance(form, LocalArrangementsForm) else form.details()
        )
        try:
            programme_update(programme=programme, actor=user, details=details)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Changes to {programme} saved")
            return redirect("interventions:programme", programme.pk)
    return render(
        request,
        "interventions/programme_form.html",
        {"form": form, "summary": summarise([programme])[0]},
    )


@require_http_methods(["GET", "POST"])
@login_required
def programme_retire_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = require(request, Capability.MANAGE_CATALOGUE)
    programme = _programme(pk)
    form = RetireForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            programme_retire(programme=programme, actor=user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"{programme} retired")
            return redirect("interventions:programme", programme.pk)
    return render(
        request,
        "interventions/retire.html",
        {"form": form, "summary": summarise([programme])[0]},
    )
