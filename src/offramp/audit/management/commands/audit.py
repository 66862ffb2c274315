"""`offramp audit verify | checkpoint | sweeps`: check the access log's hash chain against its
published checkpoints, publish a new checkpoint, and list sweep alerts."""

import os
from argparse import ArgumentParser
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from tqdm import tqdm

from offramp.audit.chain import ROW_FIELDS, ChainReport, Checkpoint, verify_chain
from offramp.audit.checkpoints import (
    MINIMUM_KEY_LENGTH,
    CheckpointFile,
    checkpoint_line,
    read_checkpoints,
)
from offramp.audit.models import AuditChainHead, AuditEntry, SweepAlert

CHUNK = 5000


class Command(BaseCommand):
    help = (
        "The access log: `verify` recomputes every hash, follows every link and checks the "
        "published checkpoints; `checkpoint` publishes the chain head (run it hourly); "
        "`sweeps` lists users refused more often than OFFRAMP_SWEEP_REFUSALS allows."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        verify = actions.add_parser(
            "verify",
            help="Detect edited, deleted, reordered or rewritten entries (exit code 1 if any)",
        )
        checkpoint = actions.add_parser(
            "checkpoint",
            help="Verify the entries since the last checkpoint, then append a signed line for "
            "the chain head to OFFRAMP_AUDIT_CHECKPOINT_FILE",
        )
        for action in (verify, checkpoint):
            action.add_argument(
                "--no-progress", action="store_true", help="Do not draw a progress bar"
            )
        sweeps = actions.add_parser("sweeps", help="List sweep alerts, the latest first")
        sweeps.add_argument(
            "--days", type=int, default=30, help="Alerts raised in this many days (30)"
        )

    def handle(self, *args: object, **options: object) -> None:
        if options["action"] == "sweeps":
            self._sweeps(days=int(options["days"]))  # type: ignore[call-overload]
            return
        progress = not options["no_progress"]
        with _snapshot():
            if options["action"] == "checkpoint":
                self._checkpoint(progress=progress)
            else:
                self._verify(progress=progress)

    def _verify(self, *, progress: bool) -> None:
        path: Path = settings.OFFRAMP_AUDIT_CHECKPOINT_FILE
        published = _read_checkpoint_file(path) if path.exists() else CheckpointFile()
        report = self._walk(checkpoints=published.checkpoints, start=None, progress=progress)
        problems = [*published.problems]
        if report.broken is not None:
            problems.append(
                f"Audit chain broken at {report.broken}. "
                f"{report.entries} entries before it verified."
            )
        if problems:
            raise CommandError("\n".join(problems), returncode=1)
        self.stdout.write(
            f"Audit chain intact: {report.entries} entries, last hash {report.last_hash}"
        )
        latest = published.latest
        if latest is None:
            self.stderr.write(
                f"No checkpoints at {path}: entries removed from the end of the chain together "
                "with its head cannot be detected. Run `offramp audit checkpoint` hourly."
            )
        else:
            count = len(published.checkpoints)
            self.stdout.write(
                f"Checked against {count} checkpoint{'s' if count != 1 else ''}: "
                f"the latest records entry {latest.sequence} at {latest.at}."
            )

    def _checkpoint(self, *, progress: bool) -> None:
        path: Path = settings.OFFRAMP_AUDIT_CHECKPOINT_FILE
        published = _read_checkpoint_file(path) if path.exists() else CheckpointFile()
        if published.problems:
            raise CommandError("\n".join(published.problems), returncode=1)
        # Only what came after the latest checkpoint needs walking; `verify` walks it all.
        report = self._walk(
            checkpoints=published.checkpoints, start=published.latest, progress=progress
        )
        if report.broken is not None:
            raise CommandError(
                f"Audit chain broken at {report.broken}: no checkpoint written.", returncode=1
            )
        if report.entries == 0:
            self.stdout.write("The access log is empty: nothing to checkpoint.")
            return
        line = checkpoint_line(
            sequence=report.entries,
            entry_hash=report.last_hash,
            at=timezone.now(),
            key=_checkpoint_key(),
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as file:
            file.write(line)
            file.flush()
            os.fsync(file.fileno())
        self.stdout.write(
            f"Checkpoint of entry {report.entries} (hash {report.last_hash}) appended to {path}"
        )

    def _walk(
        self, *, checkpoints: Sequence[Checkpoint], start: Checkpoint | None, progress: bool
    ) -> ChainReport:
        first = start.sequence if start is not None else 1
        entries = AuditEntry.objects.filter(sequence__gte=first).order_by("sequence")
        head = AuditChainHead.objects.filter(pk=1).values_list("sequence", "entry_hash").first()
        total = entries.count()
        bar = tqdm(
            total=total,
            desc="Verifying the audit chain",
            unit="entry",
            unit_scale=True,
            file=self.stderr,
            disable=not progress or total < CHUNK,
        )
        with bar:
            return verify_chain(
                _rows(entries.values_list(*ROW_FIELDS), bar),
                head=head,
                checkpoints=checkpoints,
                start=start,
            )

    def _sweeps(self, *, days: int) -> None:
        since = timezone.now() - timedelta(days=days)
        alerts = SweepAlert.objects.filter(last_refusal_at__gte=since).order_by("-last_refusal_at")
        if not alerts:
            self.stdout.write(f"No sweep alerts in the last {days} days.")
        for alert in alerts:
            agency = f" ({alert.actor_agency})" if alert.actor_agency else ""
            self.stdout.write(
                f"{alert.first_refusal_at:%Y-%m-%d %H:%M:%S} to "
                f"{alert.last_refusal_at:%Y-%m-%d %H:%M:%S} UTC  "
                f"{alert.actor_username}{agency}: {alert.refusals} refusals "
                f"({alert.not_found} not found, {alert.forbidden} forbidden)"
            )


def _checkpoint_key() -> str:
    key = settings.OFFRAMP_AUDIT_CHECKPOINT_KEY
    if not key or len(key) < MINIMUM_KEY_LENGTH:
        raise CommandError(
            f"Set OFFRAMP_AUDIT_CHECKPOINT_KEY in the environment to a secret of at least "
            f"{MINIMUM_KEY_LENGTH} characters, kept out of the database, to sign and check "
            "audit checkpoints.",
            returncode=1,
        )
    return str(key)


def _read_checkpoint_file(path: Path) -> CheckpointFile:
    key = _checkpoint_key()
    with path.open(encoding="utf-8") as file:
        return read_checkpoints(file, key=key)


@contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent view of the head and the entries while appends go on: REPEATABLE READ
    on PostgreSQL (a SQLite read transaction already is one). Inside a caller's transaction
    (the tests), that transaction's view is used."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def _rows(values: QuerySet[AuditEntry, tuple[Any, ...]], bar: tqdm) -> Iterator[Sequence[object]]:
    for count, row in enumerate(values.iterator(chunk_size=CHUNK), start=1):
        if count % CHUNK == 0:
            bar.update(CHUNK)
        yield row
    bar.update(bar.total - bar.n)
