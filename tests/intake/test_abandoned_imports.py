"""Issue 12: an import whose process ended (a restart, a kill) is marked failed with a reason the
next time anything looks at batches, and no extract it staged is left on disk."""

import importlib
import os
from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.intake import services
from offramp.intake.liveness import process_identity
from offramp.intake.models import BatchStatus, ExtractKind, ImportBatch, SourceRecord
from offramp.intake.runner import staging_dir
from offramp.sharing.models import DataSharingAgreement
from tests.access.test_permission_matrix import token_client
from tests.conftest import signed_in

from .conftest import EXTRACTED_ON, ROWS, write_extract
from .test_pages import form

STOPPED = "The import stopped: the process running it ended before it finished"


def unfinished_batch(
    coordinator: User, police: Agency, *, status: str, heartbeat_age: timedelta, process: str = ""
) -> ImportBatch:
    return ImportBatch.objects.create(
        kind=ExtractKind.POLICE_NOMINALS,
        agency=police,
        file_name="nominals.csv",
        file_sha256="",
        extracted_on=EXTRACTED_ON,
        uploaded_by=coordinator,
        status=status,
        heartbeat_at=timezone.now() - heartbeat_age,
        process=process,
    )


def staged(batch: ImportBatch) -> Path:
    """A staged extract, as the runner leaves it for a batch it is importing."""
    folder = staging_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"batch-{batch.pk}.csv"
    path.write_text("pnc,family_name\n16/476263G,PATEL\n")
    return path


def _list_page(user: User, batch: ImportBatch) -> None:
    assert signed_in(user).get(reverse("intake:batch-list")).status_code == 200


def _detail_page(user: User, batch: ImportBatch) -> None:
    url = reverse("intake:batch-detail", args=[batch.pk])
    assert signed_in(user).get(url).status_code == 200


def _api_list(user: User, batch: ImportBatch) -> None:
    assert token_client(user).get("/api/v1/intake/batches").status_code == 200


def _api_detail(user: User, batch: ImportBatch) -> None:
    assert token_client(user).get(f"/api/v1/intake/batches/{batch.pk}").status_code == 200


def _import_command(user: User, batch: ImportBatch) -> None:
    path = write_extract(staging_dir().parent / "pupils.csv", ROWS[ExtractKind.SCHOOL_PUPILS])
    call_command(
        "import",
        ExtractKind.SCHOOL_PUPILS.value,
        str(path),
        agency="school",
        extracted_on=EXTRACTED_ON.isoformat(),
        user=user.username,
        stdout=StringIO(),
        stderr=StringIO(),
    )


def _process_start(user: User, batch: ImportBatch) -> None:
    importlib.reload(importlib.import_module("offramp.config.wsgi"))


LOOKS: dict[str, Callable[[User, ImportBatch], None]] = {
    "list page": _list_page,
    "detail page": _detail_page,
    "API list": _api_list,
    "API detail": _api_detail,
    "offramp import": _import_command,
    "process start": _process_start,
}


@pytest.mark.parametrize("status", [BatchStatus.QUEUED, BatchStatus.RUNNING])
@pytest.mark.parametrize("look", LOOKS.values(), ids=LOOKS.keys())
def test_a_batch_whose_heartbeat_stopped_is_failed_and_its_staged_file_removed_at_the_next_look(
    look: Callable[[User, ImportBatch], None],
    status: str,
    coordinator: User,
    police: Agency,
    shared: DataSharingAgreement,
    settings: Any,
) -> None:
    stale = timedelta(seconds=settings.OFFRAMP_IMPORT_STALE_SECONDS + 1)
    batch = unfinished_batch(coordinator, police, status=status, heartbeat_age=stale)
    path = staged(batch)

    look(coordinator, batch)

    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert batch.finished_at is not None
    [error] = batch.errors
    assert error["file"] == "nominals.csv" and error["row"] is None
    assert error["reason"].startswith(STOPPED)
    assert "Nothing from the file was imported" in error["reason"]
    assert not path.exists()


def test_a_batch_whose_process_is_gone_is_failed_without_waiting_for_its_heartbeat(
    coordinator: User, police: Agency
) -> None:
    # A process of this host that has ended: its number is not running, so its batch is over.
    gone = process_identity().replace(f":{os.getpid()}:", ":999999999:")
    batch = unfinished_batch(
        coordinator, police, status=BatchStatus.RUNNING, heartbeat_age=timedelta(0), process=gone
    )

    _list_page(coordinator, batch)

    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert batch.errors[0]["reason"].startswith(STOPPED)


def test_a_running_import_and_its_staged_file_are_left_alone(
    coordinator: User, police: Agency
) -> None:
    batch = unfinished_batch(
        coordinator,
        police,
        status=BatchStatus.RUNNING,
        heartbeat_age=timedelta(0),
        process=process_identity(),
    )
    path = staged(batch)

    _list_page(coordinator, batch)
    _api_detail(coordinator, batch)

    batch.refresh_from_db()
    assert batch.status == BatchStatus.RUNNING and batch.errors == []
    assert path.exists()


def test_staged_files_no_running_import_needs_are_removed(
    coordinator: User, police: Agency, settings: Any
) -> None:
    done = unfinished_batch(
        coordinator, police, status=BatchStatus.COMPLETED, heartbeat_age=timedelta(0)
    )
    left_behind = [staged(done), staging_dir() / "batch-987654.json"]
    left_behind[1].write_text("[]")
    not_ours = staging_dir() / "README.txt"
    not_ours.write_text("kept: not a staged extract")

    _list_page(coordinator, done)

    assert [path.exists() for path in left_behind] == [False, False]
    assert not_ours.exists()


def test_a_batch_failed_as_abandoned_before_it_ran_is_not_run_afterwards(
    coordinator: User, police: Agency, shared: DataSharingAgreement, tmp_path: Path
) -> None:
    batch = unfinished_batch(
        coordinator, police, status=BatchStatus.QUEUED, heartbeat_age=timedelta(hours=1)
    )
    _list_page(coordinator, batch)
    path = write_extract(tmp_path / "nominals.csv", ROWS[ExtractKind.POLICE_NOMINALS])

    ran = services.import_run(batch=ImportBatch.objects.get(pk=batch.pk), file=path)

    assert ran.status == BatchStatus.FAILED
    assert ran.errors[0]["reason"].startswith(STOPPED)
    assert not SourceRecord.objects.exists()


def test_an_import_that_crashes_is_failed_and_its_staged_file_removed(
    coordinator: User,
    police: Agency,
    shared: DataSharingAgreement,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def crash(**kwargs: object) -> None:
        raise RuntimeError("a fault nobody foresaw")

    monkeypatch.setattr(services, "validate_rows", crash)
    path = write_extract(tmp_path / "nominals.csv", ROWS[ExtractKind.POLICE_NOMINALS])

    signed_in(coordinator).post(reverse("intake:batch-create"), form(police, path))

    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.FAILED
    assert batch.errors[0]["reason"].startswith("Offramp failed while importing")
    assert not SourceRecord.objects.exists()
    assert not list(staging_dir().iterdir())
