"""Issuing and revoking API tokens; sign-in lockouts; two-factor devices."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from offramp.audit.models import AuditAction
from offramp.audit.services import AuditObject, audit_record

from . import totp
from .models import ApiToken, SignInThrottle, TotpDevice, User

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


# --- sign-in lockout -----------------------------------------------------------------------


def _throttle_key(username: str) -> str:
    # Case variants of one name share a count, so changing case does not buy more attempts.
    return username.strip().casefold()[:150]


def _lockout_attempts() -> int:
    return int(getattr(settings, "OFFRAMP_LOCKOUT_ATTEMPTS", 5))


def _lockout_period() -> datetime.timedelta:
    return datetime.timedelta(seconds=int(getattr(settings, "OFFRAMP_LOCKOUT_SECONDS", 15 * 60)))


def lockout_period_minutes() -> int:
    return max(1, round(_lockout_period().total_seconds() / 60))


def sign_in_locked_until(*, username: str) -> datetime.datetime | None:
    """When the lockout on this username ends, or None if it may try to sign in now."""
    locked_until = (
        SignInThrottle.objects.filter(username=_throttle_key(username))
        .values_list("locked_until", flat=True)
        .first()
    )
    if locked_until is not None and locked_until > timezone.now():
        return locked_until
    return None


def _account(username: str) -> AuditObject:
    """The account a sign-in attempt named, by its id, for the access log. A username with no
    account is logged as "unknown": the log never keeps what was typed, which may be a password
    typed into the wrong box."""
    user_id = User.objects.filter(username=username).values_list("pk", flat=True).first()
    return AuditObject("account", user_id if user_id is not None else "unknown")


def sign_in_record(*, user: User) -> None:
    """Logs a completed sign-in (after the code from the app, when two-factor sign-in is on)."""
    with transaction.atomic():
        audit_record(
            action=AuditAction.COLLECTION,
            actor=user,
            subject=AuditObject("account", user.pk),
            purpose="sign-in",
        )


def sign_in_failure_record(*, username: str) -> datetime.datetime | None:
    """Counts a failed attempt; returns when the lockout ends if this attempt caused one.

    Failures count within a window that starts at the first of them; the lockout starts at the
    failure that reaches the limit and lasts one full period from then. The failure, and the
    lockout it causes, are logged in the same transaction (the actor is unknown: whoever typed).
    """
    now = timezone.now()
    period = _lockout_period()
    with transaction.atomic():
        throttle, created = SignInThrottle.objects.select_for_update().get_or_create(
            username=_throttle_key(username),
            defaults={"failures": 0, "window_started_at": now, "last_failure_at": now},
        )
        if not created and now - throttle.window_started_at > period:
            throttle.failures = 0
            throttle.window_started_at = now
            throttle.locked_until = None
        throttle.failures += 1
        throttle.last_failure_at = now
        locks = throttle.failures >= _lockout_attempts()
        if locks:
            throttle.locked_until = now + period
        throttle.save()
        account = _account(username)
        audit_record(
            action=AuditAction.COLLECTION, actor=None, subject=account, purpose="sign-in failure"
        )
        if locks:
            audit_record(
                action=AuditAction.ALTERATION,
                actor=None,
                subject=account,
                purpose="sign-in lockout",
            )
    return throttle.locked_until


def sign_in_failures_clear(*, username: str) -> bool:
    """Forgets failed attempts and lifts any lockout; True if there was anything to clear."""
    deleted, _ = SignInThrottle.objects.filter(username=_throttle_key(username)).delete()
    return deleted > 0


# --- two-factor devices -------------------------------------------------------------------


def totp_device_confirmed(*, user: User) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def totp_device_for_setup(*, user: User) -> TotpDevice:
    """The user's unconfirmed device, created with a fresh secret if there is none.

    Refuses a user who already has a confirmed device: its secret is never shown again.
    """
    device, _ = TotpDevice.objects.get_or_create(user=user, defaults={"secret": totp.new_secret()})
    if device.confirmed:
        raise ValueError("This user already has a confirmed two-factor device")
    return device


def totp_verify(*, device: TotpDevice, code: str) -> bool:
    """True if `code` is current for the device and has not been accepted before.

    The step is claimed with one conditional UPDATE, so two requests racing with the same code
    cannot both succeed.
    """
    step = totp.matching_step(device.secret, code, unix_time=timezone.now().timestamp())
    if step is None:
        return False
    claimed = TotpDevice.objects.filter(pk=device.pk, last_used_step__lt=step).update(
        last_used_step=step
    )
    if claimed:
        device.last_used_step = step
    return bool(claimed)


def totp_device_confirm(*, device: TotpDevice, code: str) -> bool:
    """Confirms a new device with its first code; True on success."""
    if device.confirmed or not totp_verify(device=device, code=code):
        return False
    device.confirmed_at = timezone.now()
    device.save(update_fields=["confirmed_at"])
    return True


def totp_device_reset(*, user: User) -> bool:
    """Removes the user's device, so they set up a new one at their next sign-in."""
    deleted, _ = TotpDevice.objects.filter(user=user).delete()
    return deleted > 0
