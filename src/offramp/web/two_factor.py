"""Two-factor sign-in: with OFFRAMP_REQUIRE_TWO_FACTOR, a password alone reaches nothing.

After the password the session belongs to the user but is not yet verified; until a current
code from their authenticator app is entered, every page sends them to the code page (or, if
they have no authenticator yet, to set one up) and the API answers 401.
"""

from collections.abc import Callable
from functools import cache
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

VERIFIED = "offramp_two_factor_verified"
# Reachable before the code: the code and set-up pages themselves, and signing out.
EXEMPT_ROUTES = ("web:two-factor", "web:two-factor-setup", "web:sign-out", "web:sign-in")


def two_factor_required() -> bool:
    return bool(settings.OFFRAMP_REQUIRE_TWO_FACTOR)


def is_verified(request: HttpRequest) -> bool:
    return request.session.get(VERIFIED) is True


def mark_verified(request: HttpRequest) -> None:
    # A new session key at the change of privilege, as at sign-in.
    request.session.cycle_key()
    request.session[VERIFIED] = True


@cache
def _exempt_paths() -> frozenset[str]:
    return frozenset(reverse(name) for name in EXEMPT_ROUTES)


def _exempt(request: HttpRequest) -> bool:
    return request.path_info in _exempt_paths() or request.path_info.startswith(settings.STATIC_URL)


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            two_factor_required()
            and request.user.is_authenticated
            and not is_verified(request)
            and not _exempt(request)
        ):
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": "Two-factor sign-in is not complete"}, status=401)
            target = reverse("web:two-factor")
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(target)
        return self.get_response(request)
