"""Users belong to one agency and hold one role; the role decides what they may do."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    COORDINATOR = "coordinator", "SOC Prevent coordinator"
    PANEL_MEMBER = "panel_member", "Panel member"
    ANALYST = "analyst", "Analyst"
    AUDITOR = "auditor", "Auditor"
    ADMINISTRATOR = "administrator", "Administrator"


class User(AbstractUser):
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PRACTITIONER)
    job_title = models.CharField(max_length=120, blank=True)

    def __str__(self) -> str:
        return self.get_full_name() or self.username


def _digest(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> "ApiTokenQuerySet":
        now = timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)

    def for_raw_token(self, raw_token: str) -> "ApiTokenQuerySet":
        return self.active().filter(digest=_digest(raw_token))


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @staticmethod
    def new_raw_token() -> tuple[str, str]:
        """Returns (raw token to show once, digest to store)."""
        raw = f"ofr_{secrets.token_urlsafe(32)}"
        return raw, _digest(raw)


class SignInThrottle(models.Model):
    """Failed sign-ins for one username, kept in the database so every process sees them.

    Keyed by the username as typed (case-folded), whether or not such a user exists, so a
    lockout never reveals which accounts exist.
    """

    username = models.CharField(max_length=150, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()
    last_failure_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "sign-in lockout"
        verbose_name_plural = "sign-in lockouts"

    def __str__(self) -> str:
        return self.username


class TotpDevice(models.Model):
    """A user's authenticator app (RFC 6238). The secret is shown only until it is confirmed."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The time step of the last code accepted: a code is never accepted twice.
    last_used_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "two-factor device"

    def __str__(self) -> str:
        return f"Authenticator for {self.user}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None
