"""Running an import from the pages and the API: the upload is stored under a staging
directory, then imported in a background thread (or at once, when the setting
OFFRAMP_IMPORTS_IN_BACKGROUND is False, as in the tests). The staged file holds people's details,
so it is removed when the import ends, whatever its outcome; and `imports_settle`, called
whenever anything looks at batches and when the server starts, fails the batches whose process
ended and removes any staged file no running import needs."""

import logging
import re
import threading
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, connection

from .liveness import UNFINISHED
from .models import ImportBatch
from .readers import FORMATS, file_format
from .services import abandoned_imports_fail, import_run

logger = logging.getLogger(__name__)
STAGED_NAME = re.compile(rf"batch-(\d+)(\.(?:{'|'.join(FORMATS)}))?")


def staging_dir() -> Path:
    return Path(settings.OFFRAMP_IMPORT_STAGING_DIR)


def stage_upload(batch: ImportBatch, upload: UploadedFile) -> Path:
    folder = staging_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    # The suffix is for the operators (the reader goes by the batch's file name); only a known
    # one, so every staged file has a name the sweep below recognises.
    fmt = file_format(batch.file_name)
    path = folder / (f"batch-{batch.pk}.{fmt}" if fmt in FORMATS else f"batch-{batch.pk}")
    try:
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _run_staged(batch_id: int, path: Path) -> None:
    try:
        import_run(batch=ImportBatch.objects.get(pk=batch_id), file=path)
    except Exception:  # the batch already says it failed; keep the reason for the operators
        logger.exception("Import batch %s failed", batch_id)
    finally:
        path.unlink(missing_ok=True)


def _in_thread(batch_id: int, path: Path) -> None:
    try:
        _run_staged(batch_id, path)
    finally:
        connection.close()  # the thread's own connection


def import_upload(batch: ImportBatch, upload: UploadedFile) -> None:
    """Stages the upload and imports it, in the background unless configured otherwise."""
    path = stage_upload(batch, upload)
    if settings.OFFRAMP_IMPORTS_IN_BACKGROUND:
        threading.Thread(
            target=_in_thread, args=(batch.pk, path), name=f"import-{batch.pk}", daemon=True
        ).start()
    else:
        _run_staged(batch.pk, path)


def _orphaned_staged_files_remove() -> None:
    # Listed before the running batches are read: a file staged after that read belongs to a
    # batch created (queued, beating) before it, so it is never taken for an orphan.
    folder = staging_dir()
    staged = (
        [p for p in folder.iterdir() if STAGED_NAME.fullmatch(p.name)] if folder.is_dir() else []
    )
    if not staged:
        return
    running = {
        str(pk)
        for pk in ImportBatch.objects.filter(status__in=UNFINISHED).values_list("pk", flat=True)
    }
    for path in staged:
        match = STAGED_NAME.fullmatch(path.name)
        if match and match.group(1) not in running:
            path.unlink(missing_ok=True)


def imports_settle() -> None:
    """Fails the batches whose process ended, then removes the staged files of every batch
    that is not running (abandoned batches included)."""
    abandoned_imports_fail()
    _orphaned_staged_files_remove()


def imports_settle_at_start() -> None:
    """At server start: as `imports_settle`, unless the database is not migrated yet."""
    try:
        imports_settle()
    except DatabaseError:
        logger.warning("Unfinished imports not checked at start", exc_info=True)
    finally:
        # A server may fork workers next, and none may inherit this connection (unless it is
        # inside a transaction: then it is not ours to close).
        if not connection.in_atomic_block:
            connection.close()
