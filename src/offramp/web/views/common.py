"""Helpers shared by the page views."""

from typing import TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from offramp.access.permissions import Capability, has_capability
from offramp.accounts.models import User

M = TypeVar("M", bound=Model)


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
    user = signed_in_user(request)
    if not has_capability(user, capability):
        raise PermissionDenied(f"Your role does not allow you to {capability.value}.")
    return user


# Roles that open person records at all; which records is people_visible_to's rule. A panel
# member reads those behind the cases before their panel (ADR 0008).
PERSON_RECORD_READERS = (Capability.VIEW_PEOPLE, Capability.CONTRIBUTE_TO_PANEL)


def require_any(request: HttpRequest, capabilities: tuple[Capability, ...]) -> User:
    """The signed-in user, if their role has one of these capabilities (403 otherwise)."""
    user = signed_in_user(request)
    if not any(has_capability(user, capability) for capability in capabilities):
        raise PermissionDenied(f"Your role does not allow you to {capabilities[0].value}.")
    return user


__all__ = [
    "PERSON_RECORD_READERS",
    "get_visible_or_404",
    "login_required",
    "require",
    "require_any",
    "signed_in_user",
]
