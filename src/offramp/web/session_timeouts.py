"""Idle and absolute timeouts for signed-in sessions.

A session records when its user signed in and when they last made a request. Past
OFFRAMP_SESSION_IDLE_SECONDS of inactivity, or OFFRAMP_SESSION_ABSOLUTE_SECONDS after signing
in, the user is signed out and sent to the sign-in page with the reason. The API is told
nothing but "not signed in" (401), as for any other caller without a session.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils import timezone

SIGNED_IN_AT = "offramp_signed_in_at"
LAST_SEEN_AT = "offramp_last_seen_at"
# Writing the session on every request costs a database write each time; a minute's
# precision in the idle timeout is plenty.
LAST_SEEN_RESOLUTION_SECONDS = 60


def _now() -> float:
    return timezone.now().timestamp()


def session_start(request: HttpRequest) -> None:
    """Starts both clocks; called when the user signs in."""
    now = _now()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now


def _idle_limit() -> int:
    return int(settings.OFFRAMP_SESSION_IDLE_SECONDS)


def _absolute_limit() -> int:
    return int(settings.OFFRAMP_SESSION_ABSOLUTE_SECONDS)


def _minutes_or_hours(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def expiry_reason(request: HttpRequest) -> str | None:
    """Why this session has expired, or None while it is still valid."""
    now = _now()
    signed_in_at = request.session.get(SIGNED_IN_AT)
    last_seen_at = request.session.get(LAST_SEEN_AT)
    if signed_in_at is None or last_seen_at is None:
        return None
    if now - float(signed_in_at) > _absolute_limit():
        return (
            "You were signed out because you had been signed in for more than "
            f"{_minutes_or_hours(_absolute_limit())}. Sign in again to continue."
        )
    if now - float(last_seen_at) > _idle_limit():
        return (
            "You were signed out because you had not used Offramp for "
            f"{_minutes_or_hours(_idle_limit())}. Sign in again to continue."
        )
    return None


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            reason = expiry_reason(request)
            if reason is not None:
                return self._sign_out(request, reason)
            self._touch(request)
        response = self.get_response(request)
        if request.user.is_authenticated and SIGNED_IN_AT not in request.session:
            # Signed in during this request by a path that did not start the clocks.
            session_start(request)
        return response

    @staticmethod
    def _touch(request: HttpRequest) -> None:
        now = _now()
        if SIGNED_IN_AT not in request.session:
            session_start(request)
        elif now - float(request.session[LAST_SEEN_AT]) >= LAST_SEEN_RESOLUTION_SECONDS:
            request.session[LAST_SEEN_AT] = now

    def _sign_out(self, request: HttpRequest, reason: str) -> HttpResponse:
        logout(request)
        if request.path.startswith("/api/"):
            return self.get_response(request)  # now anonymous: the API answers 401
        messages.info(request, reason)
        next_url = request.get_full_path() if request.method == "GET" else None
        return redirect_to_login(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
