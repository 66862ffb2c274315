"""Issuing and revoking API tokens."""

import datetime

from django.utils import timezone

from .models import ApiToken, User

DEFAULT_TOKEN_LIFETIME = datetime.timedelta(days=90)


def api_token_issue(
    *, user: User, name: str, lifetime: datetime.timedelta = DEFAULT_TOKEN_LIFETIME
) -> tuple[ApiToken, str]:
    """Creates a token and returns it with the raw secret, which is shown once and not kept."""
    raw, digest = ApiToken.new_raw_token()
    token = ApiToken.objects.create(
        user=user, name=name, digest=digest, expires_at=timezone.now() + lifetime
    )
    return token, raw


def api_token_revoke(*, token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
