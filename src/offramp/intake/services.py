"""Importing a partner extract: all or nothing, idempotent, with row-level errors.

`import_start` checks who is importing and on what lawful basis, and records the batch (queued);
`import_run` reads and validates the whole file, then writes every record and fact in one
transaction with the batch's audit entry. Any problem refuses the whole file: the batch is kept
as refused with its errors, and nothing else is written. `import_extract` does both.
`abandoned_imports_fail` fails the batches whose importing process ended part-way (liveness.py).
"""

import hashlib
import io
import logging
import time
from collections.abc import Callable, Collection, Mapping
from datetime import date
from pathlib import Path
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from offramp.access.permissions import Capability, acting_agency, require_capability
from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.audit.models import AuditAction
from offramp.audit.services import audit_record
from offramp.sharing.models import DataSharingAgreement, category_phrase

# Only an agreement can be an import's basis: it covers many people, so consent and
# public-interest decisions (which are about one person) cannot.
from offramp.sharing.services import NoSharingBasis, agreement_check
from offramp.transitions import move

from .importer import (
    FACTS,
    chunks,
    identifier_record_key,
    plan_records,
    write_facts,
    write_records,
)
from .liveness import UNFINISHED, abandoned, heartbeat, process_identity
from .models import BATCH_MOVES, BatchStatus, ExtractKind, ImportBatch, ImportedGroup, SourceRecord
from .readers import ErrorList, ExtractError, RowError, read_table, size_errors
from .schemas import SCHEMAS, ExtractSchema
from .validation import HeldRecord, Lookups, validate_rows

logger = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
ROWS_DONE_SECONDS = 1.0  # how often checking commits the batch's progress, for the page


def _no_progress(done: int, total: int) -> None:
    return None


def import_basis(
    *, supplier: Agency, importer: Agency, kind: ExtractKind, on: date
) -> DataSharingAgreement | None:
    """The agreement under which the importer's agency may hold the supplier's extract (None
    when it is its own), or NoSharingBasis naming what is missing."""
    if supplier.pk == importer.pk:
        return None
    category = SCHEMAS[kind].category
    check = agreement_check(from_agency=supplier, to_agency=importer, category=category, on=on)
    if check.agreement is None:
        raise NoSharingBasis(
            f"{check.gap}. A {ExtractKind(kind).label.lower()} extract is "
            f"{category_phrase(category)}: record a data sharing agreement that covers it "
            "before importing"
        )
    return check.agreement


def import_start(
    *, actor: User, agency: Agency, kind: str, file_name: str, extracted_on: date
) -> ImportBatch:
    """Records a queued batch once the actor may import this agency's extract of this kind."""
    require_capability(actor, Capability.IMPORT_PARTNER_DATA)
    errors: dict[str, str] = {}
    if kind not in ExtractKind.values:
        errors["kind"] = "Select the kind of extract from the list"
    if extracted_on > timezone.localdate():
        errors["extracted_on"] = "The extract date must be today or in the past"
    name = Path(file_name).name.strip()
    if not name:
        errors["file"] = "Select the extract file"
    elif len(name) > 255:
        errors["file"] = "The file's name must be 255 characters or fewer"
    if errors:
        raise ValidationError(errors)
    import_basis(
        supplier=agency,
        importer=acting_agency(actor),
        kind=ExtractKind(kind),
        on=timezone.localdate(),
    )
    return ImportBatch.objects.create(
        kind=kind,
        agency=agency,
        file_name=name,
        file_sha256="",
        extracted_on=extracted_on,
        uploaded_by=actor,
        process=process_identity(),
    )


def _lookups(batch: ImportBatch, schema: ExtractSchema) -> Lookups:
    reference = schema.reference

    def held_records(identifiers: set[str]) -> Mapping[str, HeldRecord]:
        if reference is None:
            return {}
        by_key = {identifier_record_key(reference.identifier_type, i): i for i in identifiers}
        held: dict[str, HeldRecord] = {}
        for chunk in chunks(list(by_key)):
            found = SourceRecord.objects.filter(
                agency_id=batch.agency_id, record_key__in=chunk
            ).values_list("record_key", "id", "date_of_birth")
            for key, pk, born in found:
                held[by_key[key]] = HeldRecord(pk, born)
        return held

    def held_groups(references: set[str]) -> Collection[str]:
        return set(
            ImportedGroup.objects.filter(
                agency_id=batch.agency_id, reference__in=list(references)
            ).values_list("reference", flat=True)
        )

    return Lookups(
        agency_slugs=set(Agency.objects.values_list("slug", flat=True)),
        held_records=held_records,
        held_groups=held_groups,
    )


def _refuse(batch: ImportBatch, errors: list[RowError]) -> ImportBatch:
    batch.status = BatchStatus.FAILED
    batch.errors = [error.as_dict() for error in errors]
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "errors", "finished_at"])
    return batch


def _refuse_whole_file(batch: ImportBatch, reason: str) -> ImportBatch:
    return _refuse(batch, [RowError(batch.file_name, None, "", "", reason)])


def _open(file: BinaryIO | Path | str) -> BinaryIO:
    return open(file, "rb") if isinstance(file, (str, Path)) else file


def import_run(
    *, batch: ImportBatch, file: BinaryIO | Path | str, progress: Progress | None = None
) -> ImportBatch:
    """Reads, validates and (only if every row passes) writes the batch's file, beating for
    the batch meanwhile (liveness.py). Whatever goes wrong, the batch ends failed with a reason.

    `progress(done, total)`: checking the rows is the first half of `total`, writing the second.
    The batch's rows_done/rows_total are committed while checking, so a page can show them.
    """
    try:
        with heartbeat(batch.pk):
            return _run(batch, file, progress or _no_progress)
    except Exception:
        if batch.status != BatchStatus.FAILED:
            _refuse_whole_file(batch, "Offramp failed while importing: nothing was imported")
        raise


def _run(batch: ImportBatch, file: BinaryIO | Path | str, report: Progress) -> ImportBatch:
    schema = SCHEMAS[ExtractKind(batch.kind)]
    batch.status = BatchStatus.RUNNING
    batch.heartbeat_at, batch.process = timezone.now(), process_identity()
    # A batch failed meanwhile as abandoned (it waited too long) stays failed: it is not run.
    if not ImportBatch.objects.filter(pk=batch.pk, status__in=UNFINISHED).update(
        status=batch.status, heartbeat_at=batch.heartbeat_at, process=batch.process
    ):
        batch.refresh_from_db()
        return batch
    handle = _open(file)
    try:
        batch.file_size = handle.seek(0, io.SEEK_END)
        too_big = size_errors(batch.file_name, batch.file_size)
        data = b""
        if not too_big:  # an oversized file is refused unread
            handle.seek(0)
            data = handle.read()
            batch.file_sha256 = hashlib.sha256(data).hexdigest()
        batch.save(update_fields=["file_sha256", "file_size"])
        try:
            if too_big:
                raise ExtractError(too_big)
            table = read_table(data, batch.file_name)
        except ExtractError as error:
            return _refuse(batch, error.errors)
    finally:
        if handle is not file:
            handle.close()
    total = len(table.rows)
    ImportBatch.objects.filter(pk=batch.pk).update(rows_total=total, rows_done=0)
    batch.rows_total = total

    last_commit = time.monotonic()

    def checked(done: int, of: int) -> None:
        nonlocal last_commit
        if done == of or time.monotonic() - last_commit >= ROWS_DONE_SECONDS:
            ImportBatch.objects.filter(pk=batch.pk).update(rows_done=done)
            last_commit = time.monotonic()
        report(done, 2 * of)

    errors = ErrorList(batch.file_name)
    valid = validate_rows(
        schema=schema, table=table, lookups=_lookups(batch, schema), errors=errors, progress=checked
    )
    batch.rows_done = total
    if errors:
        return _refuse(batch, errors.all())
    try:
        _write(batch, schema, valid.rows, valid.references, lambda done: report(done, 2 * total))
    except BatchAbandoned:
        batch.refresh_from_db()  # failed by the look that found its heartbeat stale
        return batch
    except DatabaseError as error:
        logger.exception("Import batch %s could not be written", batch.pk)
        return _refuse_whole_file(
            batch,
            "Offramp could not write the import, so nothing was imported: another import of "
            "this agency's data may have run at the same time. Import the file again "
            f"({error.__class__.__name__})",
        )
    except Exception:
        _refuse_whole_file(batch, "Offramp failed while writing the import: nothing was imported")
        raise
    report(2 * total, 2 * total)
    return batch


class BatchAbandoned(Exception):
    """The batch was failed as abandoned while it was being written: roll the writing back."""


def _write(
    batch: ImportBatch,
    schema: ExtractSchema,
    rows: list[dict[str, object]],
    references: Mapping[str, HeldRecord],
    progress: Callable[[int], None],
) -> None:
    """Writes everything in one transaction. `progress` gets rows-equivalents done, from
    len(rows) (all checked) to twice that: records fill the first half of writing, facts the
    second."""
    total, half = len(rows), len(rows) // 2
    plan = plan_records(schema, rows)
    with transaction.atomic():
        ids, records_added = write_records(
            batch, plan, lambda done, of: progress(total + half * done // of)
        )
        facts_added, facts_held = write_facts(
            batch=batch,
            schema=schema,
            rows=rows,
            record_ids=[tuple(ids[key] for key in keys) for keys in plan.row_keys],
            references=references,
            progress=lambda done, of: progress(total + half + (total - half) * done // of),
        )
        batch.counts = {
            "records_added": records_added,
            "records_already_held": len(plan.records) - records_added,
            "facts_added": facts_added,
            "facts_already_held": facts_held,
        }
        move(batch, machine=BATCH_MOVES, target=BatchStatus.COMPLETED, what=f"Import {batch.pk}")
        batch.finished_at = timezone.now()
        # Only a batch still running completes: one failed meanwhile as abandoned (its
        # heartbeat went stale) must not turn out to have data after all.
        completed = ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.RUNNING).update(
            counts=batch.counts,
            status=batch.status,
            rows_done=batch.rows_done,
            rows_total=batch.rows_total,
            finished_at=batch.finished_at,
        )
        if not completed:
            raise BatchAbandoned
        added, held = batch_added_and_held(batch)
        audit_record(
            action=AuditAction.COLLECTION,
            actor=batch.uploaded_by,
            subject=batch,
            purpose=f"import {batch.kind}: {added} added, {held} held",
        )


STOPPED = (
    "The import stopped: the process running it ended before it finished (the server "
    "restarted, or the import was stopped). Nothing from the file was imported: import it again"
)


def abandoned_imports_fail() -> None:
    """Fails every queued or running batch whose process has ended (liveness.py), with the
    reason. A batch that beats, or completes, meanwhile is left as it is."""
    now = timezone.now()
    for batch in ImportBatch.objects.filter(status__in=UNFINISHED):
        if not abandoned(batch, now):
            continue
        error = RowError(batch.file_name, None, "", "", STOPPED)
        if ImportBatch.objects.filter(
            pk=batch.pk, status=batch.status, heartbeat_at=batch.heartbeat_at
        ).update(status=BatchStatus.FAILED, errors=[error.as_dict()], finished_at=now):
            logger.warning("Import batch %s failed: its process ended", batch.pk)


def batch_added_and_held(batch: ImportBatch) -> tuple[int, int]:
    """What the batch added and what was already held: its facts, or its people for a kind
    that brings people only (nominals, pupils)."""
    counts = batch.counts or {}
    if batch.kind in FACTS:
        return counts.get("facts_added", 0), counts.get("facts_already_held", 0)
    return counts.get("records_added", 0), counts.get("records_already_held", 0)


def import_extract(
    *,
    actor: User,
    agency: Agency,
    kind: str,
    file: BinaryIO | Path | str,
    file_name: str,
    extracted_on: date,
    progress: Progress | None = None,
) -> ImportBatch:
    """Imports one extract file from one agency, all or nothing. Returns the batch: completed
    with its counts, or refused (status failed) with every row error."""
    batch = import_start(
        actor=actor, agency=agency, kind=kind, file_name=file_name, extracted_on=extracted_on
    )
    return import_run(batch=batch, file=file, progress=progress)
