"""Whether the process importing a batch is still alive.

Imports run inside the web process (or `offramp import`), so a restart or a kill ends them
without a word. The importing process records who it is on the batch (host, process id, and a
token, because a restarted container reuses process ids) and beats every
OFFRAMP_IMPORT_HEARTBEAT_SECONDS while the import runs. A batch is abandoned once its heartbeat is
older than OFFRAMP_IMPORT_STALE_SECONDS or, at once, when its process was on this host and has
ended.
"""

import functools
import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from .models import BatchStatus, ImportBatch

logger = logging.getLogger(__name__)
UNFINISHED = (BatchStatus.QUEUED, BatchStatus.RUNNING)


@functools.cache
def _identity(pid: int) -> str:
    return f"{socket.gethostname()}:{pid}:{uuid.uuid4().hex[:12]}"


def process_identity() -> str:
    """This process, as a batch records it (by pid, so a forked worker is not its parent)."""
    return _identity(os.getpid())


def _pid_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def process_ended(identity: str) -> bool:
    """True when the process was on this host and is no longer running. A process elsewhere
    (or one not recorded) is judged by its heartbeat alone."""
    host, _, rest = identity.partition(":")
    pid_text, _, _ = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    if identity == process_identity():
        return False
    pid = int(pid_text)
    return pid == os.getpid() or not _pid_running(pid)


def stale_before(now: datetime) -> datetime:
    return now - timedelta(seconds=float(settings.OFFRAMP_IMPORT_STALE_SECONDS))


def abandoned(batch: ImportBatch, now: datetime) -> bool:
    return batch.heartbeat_at < stale_before(now) or process_ended(batch.process)


def _beat(batch_id: int) -> None:
    ImportBatch.objects.filter(pk=batch_id, status__in=UNFINISHED).update(
        heartbeat_at=timezone.now()
    )


@contextmanager
def heartbeat(batch_id: int) -> Iterator[None]:
    """Beats for the batch from a thread of its own (with its own connection, so a beat is
    committed even while the import holds its write transaction open) until the block ends."""
    stop = threading.Event()

    def beat_until_stopped() -> None:
        interval = float(settings.OFFRAMP_IMPORT_HEARTBEAT_SECONDS)
        try:
            while not stop.wait(interval):
                try:
                    _beat(batch_id)
                except DatabaseError:  # SQLite is locked while the import writes: beat later
                    logger.debug("Heartbeat of import batch %s skipped", batch_id, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(
        target=beat_until_stopped, name=f"import-{batch_id}-heartbeat", daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
