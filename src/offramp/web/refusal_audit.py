"""Refused requests (403, 404) go to the access log, pages and API alike, so an id sweep
leaves a trace (docs/adr/0005). Only the route's name and its path parameters are logged:
never the address itself, which could carry a name, nor anything about the record."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from offramp.accounts.models import User
from offramp.audit.services import REFUSAL_PURPOSES, audit_refusal, channel_for_path

UNKNOWN_ADDRESS = "unknown address"


class RefusalAuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code in REFUSAL_PURPOSES:
            self._log(request, response.status_code)
        return response

    def _log(self, request: HttpRequest, status: int) -> None:
        # After the view: an API bearer token has set request.user by now.
        user = getattr(request, "user", None)
        actor = user if isinstance(user, User) and user.is_authenticated else None
        match = request.resolver_match  # None when no route matched the address
        parameters = match.kwargs if match is not None else {}
        if actor is None and not parameters:
            # Anonymous scanners probing addresses without an id: not chained, or every bot
            # could grow the chain at will. Anonymous requests with an id still are.
            return
        audit_refusal(
            actor=actor,
            route=match.view_name if match is not None else UNKNOWN_ADDRESS,
            requested=",".join(f"{name}={value}" for name, value in parameters.items()),
            status=status,
            channel=channel_for_path(request.path),
        )
