"""Issuing and revoking API tokens; sign-in lockouts; two-factor devices; role and agency
changes, which take a second administrator."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac

from offramp.access.permissions import require_administrator
from offramp.agencies.models import Agency
from offramp.audit.models import AuditAction
from offramp.audit.services import AuditObject, audit_record
from offramp.transitions import move

from . import totp
from .models import (
    ACCESS_CHANGE_MOVES,
    AccessChange,
    AccessChangeStatus,
    ApiToken,
    Role,
    SignInThrottle,
    TotpDevice,
    User,
)

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


def sign_in_username_digest(username: str) -> str:
    """The key of a username's lockout row: an HMAC (SECRET_KEY) of the name as typed, trimmed
    and case-folded so case variants share a count and changing case buys no more attempts.
    Keyed, so a copy of the table cannot be tested against a list of likely names offline."""
    normalised = username.strip().casefold()[:150]
    return salted_hmac("offramp.sign-in-lockout", normalised, algorithm="sha256").hexdigest()


def _lockout_attempts() -> int:
    return int(getattr(settings, "OFFRAMP_LOCKOUT_ATTEMPTS", 5))


def _lockout_period() -> datetime.timedelta:
    return datetime.timedelta(seconds=int(getattr(settings, "OFFRAMP_LOCKOUT_SECONDS", 15 * 60)))


def lockout_period_minutes() -> int:
    return max(1, round(_lockout_period().total_seconds() / 60))


def sign_in_locked_until(*, username: str) -> datetime.datetime | None:
    """When the lockout on this username ends, or None if it may try to sign in now."""
    locked_until = (
        SignInThrottle.objects.filter(username_digest=sign_in_username_digest(username))
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
            username_digest=sign_in_username_digest(username),
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
    throttles = SignInThrottle.objects.filter(username_digest=sign_in_username_digest(username))
    return sign_in_lockouts_lift(throttles=throttles, actor=None) > 0


def sign_in_lockouts_lift(*, throttles: QuerySet[SignInThrottle], actor: User | None) -> int:
    """Lifts these lockouts (administration's action, or `offramp unlock` with no actor), logged
    by row id: the log, like the table, never holds what was typed."""
    with transaction.atomic():
        ids = list(throttles.select_for_update().values_list("pk", flat=True))
        for throttle_id in ids:
            audit_record(
                action=AuditAction.ERASURE,
                actor=actor,
                subject=AuditObject("signinthrottle", throttle_id),
                purpose="sign-in lockout lifted",
            )
        SignInThrottle.objects.filter(pk__in=ids).delete()
    return len(ids)


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


# --- role and agency changes --------------------------------------------------------------
# A role or agency decides what a user sees, so changing one takes two administrators: one asks
# (in administration, or createsuperuser on the server), a different one approves. Until then
# the user keeps their old role and agency. Nobody approves their own request or one about
# themselves, so an administrator cannot make themselves a coordinator alone.


def access_change_request(
    *,
    requested_by: User | None,
    user: User,
    role: str,
    agency: Agency | None,
    activates: bool = False,
) -> AccessChange:
    """Files a pending change of `user`'s role and agency. `requested_by` None is the server's
    command line; `activates` is a new account, inactive until the change is approved."""
    if requested_by is not None:
        require_administrator(requested_by, to="ask for a change of role or agency")
    if role not in Role.values:
        raise ValidationError(f"{role!r} is not a role")
    if role == user.role and agency == user.agency and not activates:
        raise ValidationError(f"{user.username} already has that role and agency")
    with transaction.atomic():
        if AccessChange.objects.filter(user=user, status=AccessChangeStatus.PENDING).exists():
            raise ValidationError(
                f"A change for {user.username} is already waiting for approval: "
                "approve or reject it first"
            )
        change = AccessChange.objects.create(
            user=user,
            role=role,
            agency=agency,
            previous_role=user.role,
            previous_agency=user.agency,
            activates=activates,
            requested_by=requested_by,
        )
        audit_record(
            action=AuditAction.COLLECTION,
            actor=requested_by,
            subject=change,
            purpose="access change requested",
        )
    return change


def _pending_for_decision(*, change: AccessChange, decider: User, to: str) -> AccessChange:
    """The change, locked and re-read, once `decider` may decide it (in a transaction)."""
    require_administrator(decider, to=to)
    change = AccessChange.objects.select_for_update().select_related("user").get(pk=change.pk)
    if change.user_id == decider.pk:
        raise PermissionDenied(
            "You cannot decide a change about yourself: ask another administrator."
        )
    if ACCESS_CHANGE_MOVES.is_final(change.status):
        raise ValidationError(
            f"This change has already been decided ({change.get_status_display()})"
        )
    return change


def access_change_approve(*, change: AccessChange, approver: User) -> AccessChange:
    """Applies the change: role, agency and administration access (which the administrator
    role alone carries); a new account becomes active."""
    with transaction.atomic():
        change = _pending_for_decision(
            change=change, decider=approver, to="approve a change of role or agency"
        )
        if change.requested_by_id == approver.pk:
            raise PermissionDenied(
                "You cannot approve your own request: a second administrator must approve it."
            )
        user = change.user
        user.role = change.role
        user.agency = change.agency
        user.is_staff = user.is_superuser = change.role == Role.ADMINISTRATOR
        if change.activates:
            user.is_active = True
        user.save(update_fields=["role", "agency", "is_staff", "is_superuser", "is_active"])
        _decide(change=change, decider=approver, status=AccessChangeStatus.APPROVED)
        audit_record(
            action=AuditAction.ALTERATION,
            actor=approver,
            subject=user,
            purpose="role or agency changed",
        )
    return change


def access_change_reject(*, change: AccessChange, decider: User) -> AccessChange:
    """Refuses the change; the user keeps their role and agency. The requester may withdraw
    their own request this way, but nobody turns down a change about themselves."""
    with transaction.atomic():
        change = _pending_for_decision(
            change=change, decider=decider, to="reject a change of role or agency"
        )
        _decide(change=change, decider=decider, status=AccessChangeStatus.REJECTED)
    return change


def _decide(*, change: AccessChange, decider: User, status: AccessChangeStatus) -> None:
    move(change, machine=ACCESS_CHANGE_MOVES, target=status, what=f"Access change {change.pk}")
    change.decided_by = decider
    change.decided_at = timezone.now()
    change.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        action=AuditAction.ALTERATION,
        actor=decider,
        subject=change,
        purpose=f"access change {status}",
    )


def user_add_pending(
    *, requested_by: User | None, user: User, role: str, agency: Agency | None
) -> User:
    """Saves a new account without a role, agency or administration access, inactive, and asks
    for its role and agency: it can sign in once a second administrator approves."""
    if requested_by is not None:
        require_administrator(requested_by, to="add an account")
    with transaction.atomic():
        user.role = Role.PRACTITIONER
        user.agency = None
        user.is_active = user.is_staff = user.is_superuser = False
        user.save()
        audit_record(
            action=AuditAction.COLLECTION, actor=requested_by, subject=user, purpose="account added"
        )
        access_change_request(
            requested_by=requested_by, user=user, role=role, agency=agency, activates=True
        )
    return user


def _active_administrators() -> int:
    return User.objects.filter(role=Role.ADMINISTRATOR, is_active=True, is_staff=True).count()


def administrator_create_from_command_line(
    *, username: str, email: str, password: str | None
) -> User:
    """`createsuperuser`. A second administrator must approve every administrator after the
    first two: until two exist there is nobody to approve, and whoever runs commands on the
    server is trusted already. Later ones start inactive with their request pending."""
    with transaction.atomic():
        if _active_administrators() >= 2:
            user = User(username=username, email=email)
            user.set_password(password)
            return user_add_pending(
                requested_by=None, user=user, role=Role.ADMINISTRATOR, agency=None
            )
        user = User.objects.create_user(
            username=username,
            email=email,
            password=password,
            role=Role.ADMINISTRATOR,
            is_staff=True,
            is_superuser=True,
        )
        audit_record(
            action=AuditAction.COLLECTION,
            actor=None,
            subject=user,
            purpose="one of the first two administrators",
        )
        return user
