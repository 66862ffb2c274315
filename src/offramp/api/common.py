"""Shared by the API routers."""

from django.http import HttpRequest

from offramp.accounts.models import User

NOT_FOUND = {404: "ErrorOut"}


def caller(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user
