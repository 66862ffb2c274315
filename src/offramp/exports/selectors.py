"""Who sees which export records. The records say who exported what and why, never the content;
only the requester downloads the file."""

from django.db.models import Q, QuerySet

from offramp.access.permissions import Capability, has_capability
from offramp.accounts.models import User

from .models import ExportRecord, ExportStatus


def exports_requested_by(user: User) -> QuerySet[ExportRecord]:
    if not user.is_authenticated:
        return ExportRecord.objects.none()
    return ExportRecord.objects.filter(requested_by=user).select_related(
        "agency", "decided_by", "requested_by"
    )


def approvals_waiting_for(user: User) -> QuerySet[ExportRecord]:
    """Other people's exports waiting for a second person: never the user's own."""
    if not has_capability(user, Capability.APPROVE_EXPORTS):
        return ExportRecord.objects.none()
    return (
        ExportRecord.objects.filter(status=ExportStatus.AWAITING_APPROVAL)
        .exclude(requested_by=user)
        .select_related("agency", "requested_by", "requested_by__agency")
        .order_by("requested_at", "id")
    )


def decisions_by(user: User) -> QuerySet[ExportRecord]:
    if not has_capability(user, Capability.APPROVE_EXPORTS):
        return ExportRecord.objects.none()
    return ExportRecord.objects.filter(decided_by=user).select_related(
        "agency", "requested_by", "decided_by"
    )


def exports_visible_to(user: User) -> QuerySet[ExportRecord]:
    """The user's own exports; for an approver also those waiting for them and those they
    decided."""
    if not user.is_authenticated:
        return ExportRecord.objects.none()
    visible = Q(requested_by=user)
    if has_capability(user, Capability.APPROVE_EXPORTS):
        waiting = Q(status=ExportStatus.AWAITING_APPROVAL) & ~Q(requested_by=user)
        visible |= waiting | Q(decided_by=user)
    return ExportRecord.objects.filter(visible).select_related(
        "agency", "requested_by", "requested_by__agency", "decided_by", "decided_by__agency"
    )
