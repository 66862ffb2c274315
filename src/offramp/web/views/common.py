"""Helpers shared by every app's page views: who is asking, what they may open, and one
form on its own page whose service refusals show as errors on the form."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Model, QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from offramp.access.permissions import (
    PERSON_RECORD_READERS,
    Capability,
    require_any_capability,
)
from offramp.accounts.models import User
from offramp.people.models import Person
from offramp.transitions import IllegalTransition
from offramp.web.forms import apply_service_errors

M = TypeVar("M", bound=Model)
T = TypeVar("T")


def signed_in_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def get_visible_or_404(queryset: QuerySet[M], pk: int) -> M:
    """An object the user may see, or a 404 that does not reveal whether it exists."""
    try:
        return queryset.get(pk=pk)
    except ObjectDoesNotExist as error:
        raise Http404("Not found") from error


def require(request: HttpRequest, capability: Capability) -> User:
    return require_any(request, (capability,))


def require_any(request: HttpRequest, capabilities: tuple[Capability, ...]) -> User:
    """The signed-in user, if their role has one of these capabilities (403 otherwise)."""
    user = signed_in_user(request)
    require_any_capability(user, capabilities)
    return user


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
    template: str = "web/form.html",
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


__all__ = [
    "PERSON_RECORD_READERS",
    "attempt",
    "form_page",
    "get_visible_or_404",
    "login_required",
    "require",
    "require_any",
    "signed_in_user",
    "submitted",
]
