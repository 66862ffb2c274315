"""Helpers shared by the case and panel pages."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from offramp.access.permissions import Capability, has_capability
from offramp.access.scoping import cases_visible_to
from offramp.accounts.models import User
from offramp.audit.services import audit_consultation
from offramp.people.models import Person
from offramp.transitions import IllegalTransition
from offramp.web.forms import apply_service_errors
from offramp.web.views.common import get_visible_or_404, require, signed_in_user

from ..models import Case

T = TypeVar("T")
CASE_PURPOSE = "case management"
PANEL_PURPOSE = "panel"


def may_see_cases(user: User) -> bool:
    """The coordinator sees every case; a panel member those on their panel's agendas."""
    return has_capability(user, Capability.RUN_CASES) or has_capability(
        user, Capability.CONTRIBUTE_TO_PANEL
    )


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


def attempt(form: Form, write: Callable[[], T]) -> T | None:
    """Runs a service; a refusal becomes errors on the form, for its error summary."""
    try:
        return write()
    except IllegalTransition as error:
        form.add_error(None, str(error))
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            apply_service_errors(form, error)
        else:  # a refusal that names no field, such as NoSharingBasis
            for message in error.messages:
                form.add_error(None, message)
    return None


def submitted(
    request: HttpRequest, form: Form, write: Callable[[dict[str, Any]], T | None]
) -> T | None:
    """What `write` made of a valid POST's cleaned data, through `attempt`; None for a GET, an
    invalid form or a refusal (`write` too may return None, having put an error on the form)."""
    if request.method != "POST" or not form.is_valid():
        return None
    return attempt(form, lambda: write(form.cleaned_data))


def form_page(
    request: HttpRequest,
    form: Form | None,
    *,
    heading: str,
    caption: str,
    button: str,
    back_url: str,
    person: Person | None = None,
    template: str = "cases/form.html",
    **extra: object,
) -> HttpResponse:
    """One form on its own page, with the person's identity bar when it is about someone."""
    context = {
        "form": form,
        "heading": heading,
        "caption": caption,
        "button": button,
        "back_url": back_url,
        "person": person,
        **extra,
    }
    return render(request, template, context)


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
