"""Running an import from the pages and the API: the upload is stored under a staging
directory, then imported in a background thread (or at once, when the setting
OFFRAMP_IMPORTS_IN_BACKGROUND is False, as in the tests). The staged file is removed when the
import ends, whatever its outcome."""

import logging
import threading
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connection

from .models import ImportBatch
from .services import import_run

logger = logging.getLogger(__name__)


def staging_dir() -> Path:
    return Path(settings.OFFRAMP_IMPORT_STAGING_DIR)


def stage_upload(batch: ImportBatch, upload: UploadedFile) -> Path:
    folder = staging_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"batch-{batch.pk}{Path(batch.file_name).suffix.lower()}"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
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
