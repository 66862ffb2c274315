"""API authentication: a bearer token (for scripts) or the signed-in session (for pages)."""

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from offramp.accounts.models import ApiToken, User


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        api_token = ApiToken.objects.for_raw_token(token).select_related("user").first()
        if api_token is None:
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        return api_token.user


class SignedInSessionAuth(SessionAuth):
    """The browser session, with Django's CSRF check for unsafe methods.

    A caller with no session is simply not authenticated (401), rather than failing the CSRF
    check (403) before anyone knows who they are.
    """

    def __call__(self, request: HttpRequest) -> User | None:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


def api_auth() -> list[HttpBearer | SessionAuth]:
    return [TokenAuth(), SignedInSessionAuth(csrf=True)]
