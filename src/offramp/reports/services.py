"""Producing reports: extract through the scoping selector, compute, log who produced what.

The access log records who produced which report, for which period and in which format, never
its content. A report is an aggregate, so no person is named in the log either.
"""

from datetime import date
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from offramp.accounts.models import User
from offramp.analysis.profile import Progress, build_profile
from offramp.audit.models import AuditAction
from offramp.audit.services import AuditObject, audit_record

from .extract import display_labels, profile_inputs
from .rendering import ReportDocument, build_document, profile_document


class ReportKind(StrEnum):
    PROFILE = "profile"
    UPSTREAM = "upstream"


class ReportFormat(StrEnum):
    PAGE = "page"
    HTML = "html"
    PDF = "pdf"
    CSV = "csv"
    XLSX = "xlsx"


UPSTREAM_SECTION = "upstream"  # the profile's section the upstream view shows
PURPOSES = {
    ReportKind.PROFILE: "Local Profile",
    ReportKind.UPSTREAM: "upstream view",
}


def report_audit(
    *, user: User, kind: ReportKind, period_start: date, period_end: date, fmt: ReportFormat
) -> None:
    """Logs the report before it is handed over: shown on a page (consultation) or taken away
    as a file (disclosure)."""
    action = AuditAction.CONSULTATION if fmt == ReportFormat.PAGE else AuditAction.DISCLOSURE
    with transaction.atomic():
        audit_record(
            action=action,
            actor=user,
            # The report's kind, and its period and format as the id: never its content.
            subject=AuditObject(
                f"report.{kind}", f"{period_start.isoformat()}..{period_end.isoformat()} {fmt}"
            ),
            purpose=f"{PURPOSES[kind]} ({fmt})",
        )


def report_produce(
    *,
    user: User,
    kind: ReportKind,
    period_start: date,
    period_end: date,
    progress: Progress | None = None,
) -> ReportDocument:
    """The report for the period, for a user who may produce reports (PermissionDenied else).

    The upstream view is the Local Profile's upstream section on its own, so the two never
    disagree; only that section is computed for it."""
    inputs = profile_inputs(user=user, period_start=period_start, period_end=period_end)
    upstream = kind == ReportKind.UPSTREAM
    profile = build_profile(
        inputs,
        progress=progress,
        labels=display_labels(),
        only=(UPSTREAM_SECTION,) if upstream else None,
    )
    area_name = settings.OFFRAMP_AREA_NAME
    produced_at = timezone.now()
    if upstream:
        return build_document(
            kind=kind,
            title=f"{area_name}: upstream view for partners working abroad",
            area_name=area_name,
            sections=[profile.section(UPSTREAM_SECTION)],
            period_start=period_start,
            period_end=period_end,
            produced_at=produced_at,
        )
    return profile_document(profile, area_name=area_name, produced_at=produced_at)
