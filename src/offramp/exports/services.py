"""The export service: every export, of every kind, goes through here.

- **Scope.** The exporter reads its content through `offramp.access.scoping` as the requester.
- **Daily limit.** Each user may export `OFFRAMP_EXPORT_DAILY_ROW_LIMIT` rows a day (the service's
  local day, so the allowance starts again at midnight). An export that would take them over it
  is refused, or, if they ask, waits for a second person holding `APPROVE_EXPORTS` (never the
  requester) to approve or refuse it with a reason. Approved exports do not use up the
  requester's own allowance.
- **Marking.** Every file opens with "OFFICIAL-SENSITIVE — exported by <name> (<agency>) at <UTC
  time>, reference <ref>, purpose <purpose>".
- **Audit.** Producing a file logs a consultation, by the requester, of every record it shows, in
  the transaction that creates the file and its `ExportRecord`: if the log cannot be written,
  neither is left. Each download is logged as a consultation of the export; decisions as an
  alteration; the removal of an expired file as an erasure.
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from offramp.access.permissions import (
    Capability,
    acting_agency,
    has_capability,
    require_capability,
)
from offramp.accounts.models import User
from offramp.audit.models import AuditAction
from offramp.audit.services import audit_append, audit_line, audit_record
from offramp.text import null_character_errors
from offramp.transitions import move

from .models import EXPORT_MOVES, ExportRecord, ExportStatus
from .registry import Exporter, ExportFile, ExportInput, Marking, exporter_for

DEFAULT_DAILY_ROW_LIMIT = 1000
# How long a produced (or approved) file can be downloaded; then only its record remains.
AVAILABLE_FOR = datetime.timedelta(days=7)
PURPOSE_MAX = 300
JUSTIFICATION_MAX = 2000
REASON_MAX = 2000


def _move(export: ExportRecord, target: ExportStatus) -> None:
    move(export, machine=EXPORT_MOVES, target=target, what=f"Export {export.reference}")


# --- the daily limit -----------------------------------------------------------------------------


def daily_row_limit() -> int:
    return int(getattr(settings, "OFFRAMP_EXPORT_DAILY_ROW_LIMIT", DEFAULT_DAILY_ROW_LIMIT))


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The service's local day as an aware [start, end) pair."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    following = day + datetime.timedelta(days=1)
    return start, datetime.datetime.combine(following, datetime.time.min, tzinfo=zone)


@dataclass(frozen=True)
class Allowance:
    """A user's rows for one day: the limit, and how many their own exports have used."""

    day: datetime.date
    limit: int
    used: int

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    def allows(self, rows: int) -> bool:
        return self.used + rows <= self.limit


def daily_allowance(*, user: User, now: datetime.datetime | None = None) -> Allowance:
    """How many rows the user has exported today without approval, against the limit."""
    day = timezone.localdate(now or timezone.now())
    start, end = _day_bounds(day)
    used = (
        ExportRecord.objects.filter(
            requested_by=user,
            decided_by__isnull=True,
            produced_at__gte=start,
            produced_at__lt=end,
        ).aggregate(total=Sum("row_count"))["total"]
        or 0
    )
    return Allowance(day=day, limit=daily_row_limit(), used=used)


def over_limit_message(allowance: Allowance, rows: int) -> str:
    return (
        f"This export has {rows:,} row{'s' if rows != 1 else ''}. You can export "
        f"{allowance.limit:,} rows a day without approval and have used {allowance.used:,} "
        f"today, so {allowance.remaining:,} are left. To export it today, ask for approval: "
        "someone else who approves exports must agree to it."
    )


class OverDailyLimit(ValidationError):
    """The export would take the user over their daily limit and they did not ask for approval."""

    def __init__(self, *, allowance: Allowance, rows: int) -> None:
        super().__init__(over_limit_message(allowance, rows), code="over_daily_limit")
        self.allowance = allowance
        self.rows = rows


@dataclass(frozen=True)
class ExportPreview:
    """What an export would hold for this user today, before they ask for it."""

    rows: int
    allowance: Allowance

    @property
    def needs_approval(self) -> bool:
        return not self.allowance.allows(self.rows)

    @property
    def message(self) -> str:
        return over_limit_message(self.allowance, self.rows)


def _checked_exporter(user: User, kind: str, request: ExportInput) -> Exporter:
    exporter = exporter_for(kind)
    require_capability(user, exporter.capability)
    if exporter.about_one_person and request.person is None:
        raise ValidationError({"person": "Choose the person the export is about"})
    exporter.validate(user=user, request=request)
    return exporter


def export_preview(*, user: User, kind: str, request: ExportInput) -> ExportPreview:
    exporter = _checked_exporter(user, kind, request)
    return ExportPreview(
        rows=exporter.count(user=user, request=request), allowance=daily_allowance(user=user)
    )


# --- asking for an export --------------------------------------------------------------------


def _request_errors(*, purpose: str, justification: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not purpose:
        errors["purpose"] = "Enter what the export is for"
    elif len(purpose) > PURPOSE_MAX:
        errors["purpose"] = f"The purpose must be {PURPOSE_MAX} characters or fewer"
    if len(justification.strip()) > JUSTIFICATION_MAX:
        errors["justification"] = (
            f"The reason for approval must be {JUSTIFICATION_MAX} characters or fewer"
        )
    errors.update(null_character_errors({"purpose": purpose, "justification": justification}))
    return errors


def _marking(export: ExportRecord, at: datetime.datetime) -> Marking:
    requester = export.requested_by
    return Marking(
        exported_by=requester.get_full_name() or requester.get_username(),
        agency=export.agency.name,
        at=at,
        reference=export.reference,
        purpose=export.purpose,
    )


def _audit_purpose(exporter: Exporter, export: ExportRecord) -> str:
    return f"{exporter.audit_name} export {export.reference}"


def _produce(export: ExportRecord, *, at: datetime.datetime) -> None:
    """Produces the file as its requester, logging what it shows, in the caller's transaction."""
    exporter = exporter_for(export.kind)
    requester = export.requested_by
    request = ExportInput(parameters=export.parameters, person=export.person)
    produced = exporter.produce(user=requester, request=request, marking=_marking(export, at))
    export.produced_at = at
    if export.available_until is None:
        export.available_until = at + AVAILABLE_FOR
    export.row_count = produced.rows
    export.filename = produced.filename
    export.content_type = produced.content_type
    export.content = produced.body
    export.sha256 = hashlib.sha256(produced.body).hexdigest()
    export.summary = dict(produced.summary)
    export.save()
    purpose = _audit_purpose(exporter, export)
    lines = [
        audit_line(action=AuditAction.CONSULTATION, subject=subject, purpose=purpose)
        for subject in produced.consulted
    ]
    audit_append(actor=requester, lines=lines)


def export_request(
    *,
    user: User,
    kind: str,
    purpose: str,
    request: ExportInput | None = None,
    ask_approval: bool = False,
    justification: str = "",
) -> ExportRecord:
    """Makes an export for `user`: produced at once if it fits in today's allowance; otherwise
    refused with `OverDailyLimit`, or, with `ask_approval`, kept waiting for a second person.

    The record, the file and the access-log entries are written in one transaction.
    """
    request = request or ExportInput()
    exporter = _checked_exporter(user, kind, request)
    purpose = " ".join(purpose.split())  # one line: it is printed in the marking
    errors = _request_errors(purpose=purpose, justification=justification)
    if errors:
        raise ValidationError(errors)
    agency = acting_agency(user)
    exports_expire()
    with transaction.atomic():
        # One user's requests are counted one at a time, so two cannot both fit the allowance.
        list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk"))
        rows = exporter.count(user=user, request=request)
        allowance = daily_allowance(user=user)
        within = allowance.allows(rows)
        if not within and not ask_approval:
            raise OverDailyLimit(allowance=allowance, rows=rows)
        if not within and not justification.strip():
            raise ValidationError(
                {"justification": "Explain why you need this export over your daily limit"}
            )
        now = timezone.now()
        export = ExportRecord.objects.create(
            reference=f"tmp-{uuid.uuid4().hex[:16]}",  # replaced once the id is known
            kind=kind,
            purpose=purpose,
            requested_by=user,
            agency=agency,
            requested_at=now,
            parameters=dict(request.parameters),
            person=request.person,
            row_count=rows,
            status=ExportStatus.READY if within else ExportStatus.AWAITING_APPROVAL,
            justification=justification.strip() if not within else "",
        )
        export.reference = f"EX{now:%y}-{export.pk:06d}"
        export.save(update_fields=["reference"])
        if within:
            _produce(export, at=now)
    return export


# --- approval ----------------------------------------------------------------------------------


def _decision_errors(reason: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = "Enter the reason for your decision"
    elif len(reason.strip()) > REASON_MAX:
        errors["reason"] = f"The reason must be {REASON_MAX} characters or fewer"
    errors.update(null_character_errors({"reason": reason}))
    return errors


def _decide(
    *, export: ExportRecord, approver: User, reason: str, target: ExportStatus
) -> ExportRecord:
    require_capability(approver, Capability.APPROVE_EXPORTS)
    if export.requested_by_id == approver.pk:
        raise PermissionDenied("You cannot decide on your own export: someone else must.")
    errors = _decision_errors(reason)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        export = ExportRecord.objects.select_for_update().get(pk=export.pk)
        if not export.awaits_decision:
            raise ValidationError("This export has already been decided")
        _move(export, target)
        now = timezone.now()
        export.decided_by = approver
        export.decided_at = now
        export.decision_reason = reason.strip()
        if target == ExportStatus.APPROVED:
            export.available_until = now + AVAILABLE_FOR
        export.save()
        audit_record(
            action=AuditAction.ALTERATION,
            actor=approver,
            subject=export,
            purpose="export approval",
        )
    return export


def export_approve(*, export: ExportRecord, approver: User, reason: str) -> ExportRecord:
    """A second person lets an export over the daily limit. The file is produced, as its
    requester, when they first download it."""
    return _decide(export=export, approver=approver, reason=reason, target=ExportStatus.APPROVED)


def export_refuse(*, export: ExportRecord, approver: User, reason: str) -> ExportRecord:
    """A second person refuses an export: nothing is produced and nothing is counted."""
    return _decide(export=export, approver=approver, reason=reason, target=ExportStatus.REFUSED)


# --- downloading ---------------------------------------------------------------------------


class ExportNotAvailable(ValidationError):
    """The export has no file to download (waiting, refused or expired)."""


def export_download(*, export: ExportRecord, user: User, fmt: str | None = None) -> ExportFile:
    """The file for its requester, produced first if it was approved; each download is logged."""
    exporter = exporter_for(export.kind)
    require_capability(user, exporter.capability)
    if export.requested_by_id != user.pk:
        raise PermissionDenied("Only the person who asked for an export can download it.")
    fmt = fmt or exporter.formats[0]
    if fmt not in exporter.formats:
        raise ValidationError({"format": f"Choose one of: {', '.join(exporter.formats)}"})
    exports_expire()
    with transaction.atomic():
        export = ExportRecord.objects.select_for_update().get(pk=export.pk)
        if export.status == ExportStatus.APPROVED:
            _move(export, ExportStatus.READY)
            _produce(export, at=timezone.now())
        if export.status != ExportStatus.READY or export.content is None:
            raise ExportNotAvailable(unavailable_message(export))
        audit_record(
            action=AuditAction.CONSULTATION,
            actor=user,
            subject=export,
            purpose=_audit_purpose(exporter, export),
        )
        stored = bytes(export.content)
    if fmt == exporter.formats[0]:
        return ExportFile(body=stored, filename=export.filename, content_type=export.content_type)
    return exporter.render(stored=stored, filename=export.filename, fmt=fmt)


def unavailable_message(export: ExportRecord) -> str:
    if export.status == ExportStatus.AWAITING_APPROVAL:
        return "This export is waiting for approval"
    if export.status == ExportStatus.REFUSED:
        return "This export was refused, so there is nothing to download"
    days = AVAILABLE_FOR.days
    return f"Files can be downloaded for {days} days; this one has been removed. Export again."


def exports_expire(*, now: datetime.datetime | None = None) -> int:
    """Removes the files whose time is up (and approvals not used in time), logging each."""
    now = now or timezone.now()
    with transaction.atomic():
        expired = list(
            ExportRecord.objects.select_for_update().filter(
                status__in=EXPORT_MOVES.sources_of(ExportStatus.EXPIRED), available_until__lte=now
            )
        )
        if not expired:
            return 0
        ExportRecord.objects.filter(pk__in=[e.pk for e in expired]).update(
            status=ExportStatus.EXPIRED, content=None
        )
        audit_append(
            actor=None,
            lines=[
                audit_line(action=AuditAction.ERASURE, subject=export, purpose="export expiry")
                for export in expired
                if export.produced_at is not None
            ],
        )
    return len(expired)


def can_use_exports(user: User) -> bool:
    """Whether the user has anything to do on the exports pages."""
    return any(
        has_capability(user, capability)
        for capability in (
            Capability.EXPORT_RECORDS,
            Capability.SUBJECT_ACCESS,
            Capability.APPROVE_EXPORTS,
        )
    )
