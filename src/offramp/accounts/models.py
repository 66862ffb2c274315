"""Users belong to one agency and hold one role; the role decides what they may do."""

import hashlib
import secrets
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone

from offramp.transitions import StatusMachine


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    COORDINATOR = "coordinator", "SOC Prevent coordinator"
    PANEL_MEMBER = "panel_member", "Panel member"
    ANALYST = "analyst", "Analyst"
    AUDITOR = "auditor", "Auditor"
    ADMINISTRATOR = "administrator", "Administrator"


class OfframpUserManager(UserManager["User"]):
    def create_superuser(  # type: ignore[override]
        self, username: str, email: str | None = None, password: str | None = None
    ) -> "User":
        """`offramp createsuperuser`: an administrator is made under the second-administrator
        rule in services, not by setting the flags here."""
        from .services import administrator_create_from_command_line

        return administrator_create_from_command_line(
            username=username, email=email or "", password=password
        )


class User(AbstractUser):
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PRACTITIONER)
    job_title = models.CharField(max_length=120, blank=True)

    objects: ClassVar[OfframpUserManager] = OfframpUserManager()

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

    Keyed by a keyed hash (HMAC with SECRET_KEY) of the username as typed, case-folded, whether
    or not such a user exists: a lockout never reveals which accounts exist, and what was typed
    (sometimes a password pasted into the wrong box) is never stored.
    """

    username_digest = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()
    last_failure_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "sign-in lockout"
        verbose_name_plural = "sign-in lockouts"

    def __str__(self) -> str:
        return f"Sign-in failures {self.username_digest[:12]}"


class AccessChangeStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a second administrator"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


# A decided change stays as it was decided: a different change is a new request.
ACCESS_CHANGE_MOVES = StatusMachine(
    AccessChangeStatus,
    {
        AccessChangeStatus.PENDING: frozenset(
            {AccessChangeStatus.APPROVED, AccessChangeStatus.REJECTED}
        ),
        AccessChangeStatus.APPROVED: frozenset(),
        AccessChangeStatus.REJECTED: frozenset(),
    },
)


class AccessChange(models.Model):
    """A change of a user's role or agency, made only once a second administrator approves it.

    `requested_by` is empty for a request made on the server's command line (createsuperuser).
    `activates` marks a new account, which stays inactive until the change is approved.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_changes")
    role = models.CharField(max_length=20, choices=Role.choices)
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    previous_role = models.CharField(max_length=20, choices=Role.choices)
    previous_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    activates = models.BooleanField(default=False)
    requested_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=AccessChangeStatus.choices, default=AccessChangeStatus.PENDING
    )
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = "role or agency change"
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="pending"),
                name="one_pending_access_change_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"Role or agency change for {self.user.username}"


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
