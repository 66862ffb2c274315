"""Helpers shared by the case and panel pages."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from offramp.access.permissions import Capability, may_see_cases
from offramp.access.scoping import cases_visible_to
from offramp.accounts.models import User
from offramp.audit.services import audit_consultation
from offramp.web.views.common import form_page, get_visible_or_404, require, signed_in_user

from ..models import Case

CASE_PURPOSE = "case management"
PANEL_PURPOSE = "panel"


def case_reader(request: HttpRequest) -> User:
    user = signed_in_user(request)
    if not may_see_cases(user):
        raise PermissionDenied("Your role does not allow you to see cases.")
    return user


def case_to_run(request: HttpRequest, pk: int) -> tuple[User, Case]:
    """The coordinator and a case they are about to change, logged as consulted."""
    user = require(request, Capability.RUN_CASES)
    case = get_visible_or_404(cases_visible_to(user).select_related("person"), pk)
    audit_consultation(actor=user, subjects=[case], purpose=CASE_PURPOSE)
    return user, case


def case_form_page(
    request: HttpRequest, case: Case, form: Form | None, /, **page: Any
) -> HttpResponse:
    """A form that changes the case, under the person's identity bar, back to the case."""
    return form_page(
        request,
        form,
        caption=f"Case {case.reference}",
        back_url=reverse("cases:case-detail", args=[case.pk]),
        person=case.person,
        **page,
    )


def back_to_case(request: HttpRequest, case: Case, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("cases:case-detail", pk=case.pk)
