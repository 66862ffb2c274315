"""Export records for the pages and the API, built on offramp.access.scoping's export rules."""

from django.db.models import QuerySet

from offramp.access import scoping
from offramp.accounts.models import User

from .models import ExportRecord


def exports_requested_by(user: User) -> QuerySet[ExportRecord]:
    return scoping.exports_requested_by(user).select_related("agency", "decided_by", "requested_by")


def approvals_waiting_for(user: User) -> QuerySet[ExportRecord]:
    return (
        scoping.export_approvals_waiting_for(user)
        .select_related("agency", "requested_by", "requested_by__agency")
        .order_by("requested_at", "id")
    )


def decisions_by(user: User) -> QuerySet[ExportRecord]:
    return scoping.export_decisions_by(user).select_related("agency", "requested_by", "decided_by")


def exports_visible_to(user: User) -> QuerySet[ExportRecord]:
    return scoping.exports_visible_to(user).select_related(
        "agency", "requested_by", "requested_by__agency", "decided_by", "decided_by__agency"
    )
