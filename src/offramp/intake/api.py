"""Partner extract imports in the API: mounted at /api/v1/intake by api/main.py.

The same rules as the pages: only those who may import partner data (coordinators) list, read
and upload batches. An upload (multipart: the file and its agency, kind and extract date) is
imported like one through the page, in the background unless OFFRAMP_IMPORTS_IN_BACKGROUND is
False; poll the batch for its status, counts and row errors.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from offramp.access.permissions import Capability, require_capability
from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.api.common import caller
from offramp.api.schemas import ErrorOut, ValidationErrorOut

from .models import ExtractKind, ImportBatch
from .runner import import_upload, imports_settle
from .selectors import batches_visible_to
from .services import batch_added_and_held, import_start

router = Router(tags=["intake"])


class RowErrorOut(Schema):
    file: str
    row: int | None = Field(description="1 is the first row after the header; null: the file")
    column: str
    value: str
    reason: str


class BatchOut(Schema):
    id: int
    kind: str
    agency: str = Field(description="The slug of the agency whose system it came from")
    file_name: str
    file_sha256: str
    extracted_on: date
    status: str = Field(description="queued, running, completed or failed (refused)")
    rows_total: int
    rows_done: int
    added: int = Field(description="Facts added (people, for a kind that brings people only)")
    already_held: int
    counts: dict[str, int]
    created_at: datetime
    finished_at: datetime | None


class BatchDetailOut(BatchOut):
    errors: list[RowErrorOut]


class UploadIn(Schema):
    agency: str = Field(max_length=80, description="The supplying agency's slug")
    kind: str = Field(max_length=40, description="One of the extract kinds")
    extracted_on: date = Field(description="The date the partner took the extract")


class ListParams(Schema):
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


def _importer(request: HttpRequest) -> User:
    user = caller(request)
    require_capability(user, Capability.IMPORT_PARTNER_DATA)
    return user


def _settled_batches(request: HttpRequest) -> QuerySet[ImportBatch]:
    """The caller's batches, once those whose process ended are failed (runner.py)."""
    user = _importer(request)
    imports_settle()
    return batches_visible_to(user)


def _batch_out(batch: ImportBatch) -> dict[str, object]:
    added, held = batch_added_and_held(batch)
    return {
        "id": batch.pk,
        "kind": batch.kind,
        "agency": batch.agency.slug,
        "file_name": batch.file_name,
        "file_sha256": batch.file_sha256,
        "extracted_on": batch.extracted_on,
        "status": batch.status,
        "rows_total": batch.rows_total,
        "rows_done": batch.rows_done,
        "added": added,
        "already_held": held,
        "counts": batch.counts or {},
        "created_at": batch.created_at,
        "finished_at": batch.finished_at,
    }


@router.get("/batches", response={200: list[BatchOut], 403: ErrorOut})
def list_batches(request: HttpRequest, params: Query[ListParams]) -> list[dict[str, object]]:
    batches = _settled_batches(request)
    return [_batch_out(b) for b in batches[params.offset : params.offset + params.limit]]


@router.get("/batches/{batch_id}", response={200: BatchDetailOut, 403: ErrorOut, 404: ErrorOut})
def get_batch(request: HttpRequest, batch_id: int) -> dict[str, object]:
    batch = get_object_or_404(_settled_batches(request), pk=batch_id)
    return {**_batch_out(batch), "errors": batch.errors}


@router.post("/batches", response={202: BatchDetailOut, 403: ErrorOut, 422: ValidationErrorOut})
def upload_extract(
    request: HttpRequest, file: File[UploadedFile], details: Form[UploadIn]
) -> Status[dict[str, object]]:
    """Uploads an extract and imports it, all or nothing. Answers 202 with the batch: poll
    GET /batches/{id} until its status is completed or failed (refused, with its errors)."""
    user = _importer(request)
    supplier = Agency.objects.filter(slug=details.agency).first()
    if supplier is None:
        raise ValidationError({"agency": f"No agency '{details.agency}'"})
    if details.kind not in ExtractKind.values:
        raise ValidationError({"kind": f"Use one of {', '.join(ExtractKind.values)}"})
    batch = import_start(
        actor=user,
        agency=supplier,
        kind=details.kind,
        file_name=file.name or "",
        extracted_on=details.extracted_on,
    )
    import_upload(batch, file)
    batch.refresh_from_db()
    return Status(202, {**_batch_out(batch), "errors": batch.errors})
