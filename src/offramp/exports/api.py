"""/api/v1/exports: the same exports, limit, approvals and audit as the pages."""

import base64
from datetime import date, datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from offramp.access.permissions import Capability, require_capability
from offramp.access.scoping import people_for_subject_access
from offramp.accounts.models import User
from offramp.api.common import caller
from offramp.api.schemas import ErrorOut, ValidationErrorOut
from offramp.referrals.selectors import ReferralFilters

from . import referral_list, subject_access
from .models import ExportRecord, ExportStatus
from .registry import ExportFile, ExportInput, exporter_for
from .selectors import approvals_waiting_for, exports_requested_by, exports_visible_to
from .services import (
    JUSTIFICATION_MAX,
    PURPOSE_MAX,
    REASON_MAX,
    can_use_exports,
    export_approve,
    export_download,
    export_refuse,
    export_request,
)

router = Router(tags=["exports"])


class ExportDecisionOut(Schema):
    decision: str = Field(description="approved or refused")
    decided_by: str
    decided_at: datetime
    reason: str


class ExportOut(Schema):
    """An export's record: who asked for what and why, never its content."""

    id: int
    reference: str
    kind: str
    description: str
    purpose: str
    requested_by: str
    agency: str
    requested_at: datetime
    row_count: int
    status: str = Field(description="awaiting_approval, approved, ready, refused or expired")
    justification: str
    decision: ExportDecisionOut | None
    produced_at: datetime | None
    available_until: datetime | None
    sha256: str


REQUEST_RESPONSES = {201: ExportOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


class ExportFileOut(Schema):
    reference: str
    filename: str
    content_type: str
    encoding: str = Field(
        description="utf-8: `content` is the text of the file; base64: the file is binary (a "
        "ZIP) and `content` is its bytes in base64"
    )
    content: str = Field(description="The file, which opens with its OFFICIAL-SENSITIVE marking")


class ExportRequestIn(Schema):
    purpose: str = Field(max_length=PURPOSE_MAX)
    ask_approval: bool = Field(
        False, description="Over the daily limit, ask a second person to approve"
    )
    justification: str = Field("", max_length=JUSTIFICATION_MAX)


class ReferralExportIn(ExportRequestIn):
    status: str = Field("", pattern="^[a-z_]*$", max_length=20)
    agency_id: int | None = Field(None, ge=1, le=2**63 - 1)
    received_from: date | None = None
    received_to: date | None = None
    name: str = Field("", max_length=100)


class DecisionIn(Schema):
    approve: bool
    reason: str = Field(max_length=REASON_MAX)


class ListParams(Schema):
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


class FileParams(Schema):
    format: str = Field("", pattern="^[a-z0-9]*$", max_length=10)


TEXT_TYPES = ("text/", "application/json", "application/xml")


def _file_out(reference: str, file: ExportFile) -> ExportFileOut:
    """A text file as its text (without the byte-order mark spreadsheets need); any other file
    (a ZIP) in base64, since its bytes are not text."""
    if file.content_type.startswith(TEXT_TYPES):
        encoding, content = "utf-8", file.body.decode("utf-8-sig")
    else:
        encoding, content = "base64", base64.b64encode(file.body).decode("ascii")
    return ExportFileOut(
        reference=reference,
        filename=file.filename,
        content_type=file.content_type,
        encoding=encoding,
        content=content,
    )


def _person_name(user: object) -> str:
    full = getattr(user, "get_full_name", lambda: "")()
    return str(full or getattr(user, "username", ""))


def _out(export: ExportRecord) -> ExportOut:
    try:
        exporter = exporter_for(export.kind)
        description = exporter.describe(
            ExportInput(parameters=export.parameters, person=export.person)
        )
    except ValueError:
        description = export.kind
    decision = None
    if export.decided_by is not None and export.decided_at is not None:
        decision = ExportDecisionOut(
            decision="refused" if export.status == ExportStatus.REFUSED else "approved",
            decided_by=_person_name(export.decided_by),
            decided_at=export.decided_at,
            reason=export.decision_reason,
        )
    return ExportOut(
        id=export.pk,
        reference=export.reference,
        kind=export.kind,
        description=description,
        purpose=export.purpose,
        requested_by=_person_name(export.requested_by),
        agency=export.agency.name,
        requested_at=export.requested_at,
        row_count=export.row_count,
        status=export.status,
        justification=export.justification,
        decision=decision,
        produced_at=export.produced_at,
        available_until=export.available_until,
        sha256=export.sha256,
    )


def _exports_caller(request: HttpRequest) -> User:
    user = caller(request)
    if not can_use_exports(user):
        require_capability(user, Capability.EXPORT_RECORDS)  # raises with the usual message
    return user


@router.get("", response={200: list[ExportOut], 403: ErrorOut})
def list_exports(request: HttpRequest, params: Query[ListParams]) -> list[ExportOut]:
    """Your own exports, newest first."""
    user = _exports_caller(request)
    exports = exports_requested_by(user)[params.offset : params.offset + params.limit]
    return [_out(export) for export in exports]


@router.get("/approvals", response={200: list[ExportOut], 403: ErrorOut})
def list_export_approvals(request: HttpRequest) -> list[ExportOut]:
    """Other people's exports waiting for a second person (approvers only)."""
    user = caller(request)
    require_capability(user, Capability.APPROVE_EXPORTS)
    return [_out(export) for export in approvals_waiting_for(user)[:500]]


@router.post("/referrals", response=REQUEST_RESPONSES)
def request_referral_export(request: HttpRequest, payload: ReferralExportIn) -> Status[ExportOut]:
    """The referral list you can see, as CSV. Refused over the daily limit unless you ask for
    approval (then it waits for a second person)."""
    user = caller(request)
    filters = ReferralFilters(
        status=payload.status,
        agency_id=payload.agency_id,
        received_from=payload.received_from,
        received_to=payload.received_to,
        name=payload.name,
    )
    export = export_request(
        user=user,
        kind=referral_list.KIND,
        purpose=payload.purpose,
        request=ExportInput(parameters=referral_list.parameters_from(filters)),
        ask_approval=payload.ask_approval,
        justification=payload.justification,
    )
    return Status(201, _out(export))


@router.post("/subject-access/{person_id}", response=REQUEST_RESPONSES)
def request_subject_access(
    request: HttpRequest, person_id: int, payload: ExportRequestIn
) -> Status[ExportOut]:
    """Everything held about one person, redacted for third parties, for a subject access
    request. A person must review the file before it is released."""
    user = caller(request)
    require_capability(user, Capability.SUBJECT_ACCESS)
    person = get_object_or_404(people_for_subject_access(user), pk=person_id)
    export = export_request(
        user=user,
        kind=subject_access.KIND,
        purpose=payload.purpose,
        request=ExportInput(person=person),
        ask_approval=payload.ask_approval,
        justification=payload.justification,
    )
    return Status(201, _out(export))


@router.get("/{export_id}", response={200: ExportOut, 403: ErrorOut, 404: ErrorOut})
def get_export(request: HttpRequest, export_id: int) -> ExportOut:
    user = _exports_caller(request)
    return _out(get_object_or_404(exports_visible_to(user), pk=export_id))


@router.get(
    "/{export_id}/file",
    response={200: ExportFileOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
)
def get_export_file(
    request: HttpRequest, export_id: int, params: Query[FileParams]
) -> ExportFileOut:
    """Your export's file (each download is logged). `format`: csv for lists; json (the
    default) or html for subject access; zip (the default), graphml, gexf or i2 for networks.
    ZIP files come in base64 (`encoding`)."""
    user = _exports_caller(request)
    export = get_object_or_404(exports_requested_by(user), pk=export_id)
    file = export_download(export=export, user=user, fmt=params.format or None)
    return _file_out(export.reference, file)


@router.post(
    "/{export_id}/decision",
    response={200: ExportOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
)
def decide_export(request: HttpRequest, export_id: int, payload: DecisionIn) -> ExportOut:
    """Approve or refuse someone else's export that is over their daily limit, with a reason."""
    user = caller(request)
    require_capability(user, Capability.APPROVE_EXPORTS)
    export = get_object_or_404(exports_visible_to(user).exclude(requested_by=user), pk=export_id)
    decide = export_approve if payload.approve else export_refuse
    return _out(decide(export=export, approver=user, reason=payload.reason))
