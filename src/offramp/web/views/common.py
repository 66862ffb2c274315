"""Helpers shared by the page views."""

from typing import TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from offramp.access.permissions import (
    PERSON_RECORD_READERS,
    Capability,
    require_any_capability,
)
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
    return require_any(request, (capability,))


def require_any(request: HttpRequest, capabilities: tuple[Capability, ...]) -> User:
    """The signed-in user, if their role has one of these capabilities (403 otherwise)."""
    user = signed_in_user(request)
    require_any_capability(user, capabilities)
    return user


__all__ = [
    "PERSON_RECORD_READERS",
    "get_visible_or_404",
    "login_required",
    "require",
    "require_any",
    "signed_in_user",
]
