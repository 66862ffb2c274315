"""Test support for test_import_killed.py, run as a process of its own (never by the app).

`python import_fault_child.py STAGING_DIR EXTRACT [POINT]`, with DATABASE_URL naming the
database: looks at the batches as the pages do, prints what the database and the staging folder
hold, then imports EXTRACT as an uploaded police nominals extract. Given a POINT it stops there
(printing {"paused": POINT}) and waits to be killed; otherwise it finishes and prints again.
Every line it prints is one JSON object.
"""

import json
import os
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

HEARTBEAT_SECONDS = 0.2


def _say(**message: object) -> None:
    print(json.dumps(message, default=str), flush=True)


def _wait_to_be_killed(point: str) -> None:
    _say(paused=point)
    time.sleep(600)
    raise SystemExit(f"not killed at {point}")


def _pause_before(point: str, real: Callable[..., Any]) -> Callable[..., Any]:
    def paused(*args: object, **kwargs: object) -> Any:
        _wait_to_be_killed(point)
        return real(*args, **kwargs)

    return paused


def _pause_after(point: str, real: Callable[..., Any]) -> Callable[..., Any]:
    def paused(*args: object, **kwargs: object) -> Any:
        result = real(*args, **kwargs)
        _wait_to_be_killed(point)
        return result

    return paused


def _pause_at(point: str) -> None:
    from offramp.intake import importer, runner, services

    module, name, wrap = {
        # the upload is staged and its batch queued; the import has not begun
        "queued": (runner, "import_run", _pause_before),
        # the file is read and hashed; its rows are being checked
        "validating": (services, "validate_rows", _pause_before),
        # the first rows are inserted, in the import's open transaction
        "writing": (importer, "insert_rows", _pause_after),
        # committed (the batch completed), before the runner removes the staged file
        "committed": (runner, "import_run", _pause_after),
    }[point]
    setattr(module, name, wrap(point, getattr(module, name)))


def _state(staging: Path) -> dict[str, object]:
    from offramp.audit.models import AuditAction, AuditEntry
    from offramp.intake.models import ImportBatch, SourceRecord

    return {
        "batches": [
            {
                "id": batch.pk,
                "status": batch.status,
                "reasons": [error["reason"] for error in batch.errors],
                "counts": batch.counts,
                "beat_for_seconds": (batch.heartbeat_at - batch.created_at).total_seconds(),
            }
            for batch in ImportBatch.objects.order_by("pk")
        ],
        "records": SourceRecord.objects.count(),
        "audit_entries": AuditEntry.objects.filter(action=AuditAction.COLLECTION).count(),
        "staged": sorted(path.name for path in staging.iterdir()) if staging.exists() else [],
    }


def _participants() -> tuple[Any, Any]:
    """The coordinator and the police, made on the first run (the database starts empty)."""
    from offramp.accounts.models import Role, User
    from offramp.agencies.models import Agency, AgencyKind
    from offramp.sharing.models import DataCategory, DataSharingAgreement, LawfulBasis

    council, _ = Agency.objects.get_or_create(
        slug="council", defaults={"name": "Council", "kind": AgencyKind.COMMUNITY_SAFETY}
    )
    police, _ = Agency.objects.get_or_create(
        slug="police", defaults={"name": "Police", "kind": AgencyKind.POLICE}
    )
    coordinator = User.objects.filter(username="coordinator").first() or User.objects.create_user(
        username="coordinator", agency=council, role=Role.COORDINATOR, password="x" * 16
    )
    if not DataSharingAgreement.objects.exists():
        agreement = DataSharingAgreement.objects.create(
            reference="HISP-FAULTS",
            title="Fault test protocol",
            data_categories=list(DataCategory.values),
            lawful_basis=LawfulBasis.CRIME_AND_DISORDER_ACT_S115,
            purpose="Testing",
            start_date=date(2020, 1, 1),
            review_date=date(2999, 1, 1),
        )
        agreement.parties.set([council, police])
    return coordinator, police


def main(staging: Path, extract: Path, point: str | None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "offramp.config.settings.test")
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.OFFRAMP_IMPORT_STAGING_DIR = staging
    settings.OFFRAMP_IMPORT_HEARTBEAT_SECONDS = HEARTBEAT_SECONDS
    from offramp.intake import runner
    from offramp.intake.services import import_start

    runner.imports_settle()
    _say(state=_state(staging))
    coordinator, police = _participants()
    if point:
        _pause_at(point)
    batch = import_start(
        actor=coordinator,
        agency=police,
        kind="police_nominals",
        file_name=extract.name,
        extracted_on=date(2026, 10, 1),
    )
    runner.import_upload(batch, SimpleUploadedFile(extract.name, extract.read_bytes()))
    _say(state=_state(staging))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None)
