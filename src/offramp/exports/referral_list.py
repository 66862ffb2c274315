"""The referral list as CSV: the rows and columns the user sees on the referral list page.

Read through `referral_list` (and so `referrals_visible_to`): a referrer gets their own
referrals' status, a coordinator the partnership's list. No concern text: a list export is a
list, not the referrals themselves.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError

from offramp.access.permissions import Capability, has_capability
from offramp.access.scoping import referral_details_visible_to
from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.referrals.models import Referral, ReferralStatus
from offramp.referrals.selectors import ReferralFilters, referral_list
from offramp.spreadsheets import safe_cell

from .registry import Exporter, ExportInput, Marking, Produced

KIND = "referral_list"
STATUS_COLUMNS = (
    "Reference",
    "First name (as referred)",
    "Last name (as referred)",
    "Received (UTC)",
    "Status",
    "Status changed (UTC)",
)
DETAIL_COLUMNS = ("Person record", "Referring agency", "Consent", "Closure reason")
PARAMETERS = frozenset({"status", "agency_id", "received_from", "received_to", "name"})


def _utc(value: datetime.datetime) -> str:
    return f"{value.astimezone(datetime.UTC):%Y-%m-%d %H:%M:%S}"


def _date(parameters: Mapping[str, Any], name: str) -> datetime.date | None:
    raw = parameters.get(name)
    if raw in (None, ""):
        return None
    try:
        return datetime.date.fromisoformat(str(raw))
    except ValueError as error:
        raise ValidationError({name: "Enter a date as YYYY-MM-DD"}) from error


def filters_from(parameters: Mapping[str, Any]) -> ReferralFilters:
    unknown = sorted(set(parameters) - PARAMETERS)
    if unknown:
        raise ValidationError(f"Unknown referral list options: {', '.join(unknown)}")
    status = str(parameters.get("status") or "")
    if status and status not in ReferralStatus.values:
        raise ValidationError({"status": "Select a status from the list"})
    agency_id = parameters.get("agency_id")
    if agency_id not in (None, "") and (
        not isinstance(agency_id, int) or not Agency.objects.filter(pk=agency_id).exists()
    ):
        raise ValidationError({"agency_id": "Select an agency from the list"})
    name = str(parameters.get("name") or "")
    if len(name) > 100:
        raise ValidationError({"name": "Name must be 100 characters or fewer"})
    return ReferralFilters(
        status=status,
        agency_id=agency_id or None,
        received_from=_date(parameters, "received_from"),
        received_to=_date(parameters, "received_to"),
        name=name,
    )


def parameters_from(filters: ReferralFilters) -> dict[str, Any]:
    """The filters as plain JSON values, for the ExportRecord (empty ones left out)."""
    values: dict[str, Any] = {
        "status": filters.status,
        "agency_id": filters.agency_id,
        "received_from": filters.received_from.isoformat() if filters.received_from else None,
        "received_to": filters.received_to.isoformat() if filters.received_to else None,
        "name": filters.name,
    }
    return {key: value for key, value in values.items() if value not in (None, "")}


class ReferralListExporter(Exporter):
    kind = KIND
    title = "Referral list"
    audit_name = "referral list"
    capability = Capability.EXPORT_RECORDS
    formats = ("csv",)

    def validate(self, *, user: User, request: ExportInput) -> None:
        filters_from(request.parameters)

    def count(self, *, user: User, request: ExportInput) -> int:
        return referral_list(user=user, filters=filters_from(request.parameters)).count()

    def produce(self, *, user: User, request: ExportInput, marking: Marking) -> Produced:
        referrals = list(
            referral_list(user=user, filters=filters_from(request.parameters)).order_by(
                "-received_at", "-id"
            )
        )
        detailed = user_sees_details(user)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([safe_cell(marking.text)])
        writer.writerow([*STATUS_COLUMNS, *(DETAIL_COLUMNS if detailed else ())])
        for referral in referrals:
            writer.writerow([safe_cell(v) for v in _row(user, referral, detailed=detailed)])
        return Produced(
            # With a byte-order mark, so that spreadsheets open the file as UTF-8.
            body=out.getvalue().encode("utf-8-sig"),
            filename=f"{marking.reference}-referrals.csv",
            content_type="text/csv; charset=utf-8",
            rows=len(referrals),
            consulted=referrals,
        )

    def describe(self, request: ExportInput) -> str:
        parameters = request.parameters
        parts = []
        if parameters.get("status"):
            parts.append(f"status {ReferralStatus(parameters['status']).label.lower()}")
        if parameters.get("agency_id"):
            agency = Agency.objects.filter(pk=parameters["agency_id"]).first()
            parts.append(f"from {agency}" if agency else "from one agency")
        if parameters.get("received_from"):
            parts.append(f"received on or after {parameters['received_from']}")
        if parameters.get("received_to"):
            parts.append(f"received on or before {parameters['received_to']}")
        if parameters.get("name"):
            parts.append("filtered by name")
        return f"{self.title}: {', '.join(parts)}" if parts else f"{self.title}: all referrals"


def user_sees_details(user: User) -> bool:
    """Whether the list has the detail columns (each row still asks the scoping rule)."""
    return has_capability(user, Capability.SCREEN_REFERRALS)


def _row(user: User, referral: Referral, *, detailed: bool) -> list[object]:
    row: list[object] = [
        referral.reference,
        referral.subject_given_name,
        referral.subject_family_name,
        _utc(referral.received_at),
        referral.get_status_display(),
        _utc(referral.status_changed_at),
    ]
    if detailed:
        # The scoping rule decides per referral whether its details may be shown.
        if referral_details_visible_to(user, referral):
            row += [
                referral.person_id,
                referral.referring_agency.name,
                referral.get_consent_display(),
                referral.get_closure_reason_display() if referral.closure_reason else "",
            ]
        else:
            row += ["", "", "", ""]
    return row
