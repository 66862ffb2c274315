"""Checkpoints: the chain head published, signed, to an append-only file outside the database.

The chain itself cannot show that its last entries were removed, or rewritten with their
hashes recomputed, if the head table was moved back with them (ADR 0005). A checkpoint line
records an entry's sequence number and hash at a time, with an HMAC-SHA256 under a key that
is never stored in the database, so neither the log nor the checkpoints can be rewritten from
the database alone. No Django imports.

A line: `<sequence> <entry hash> <UTC time> <HMAC>`, separated by single spaces.
"""

import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from .chain import Checkpoint, utc_timestamp

MINIMUM_KEY_LENGTH = 32
_HASH = re.compile(r"[0-9a-f]{64}")


def _signature(key: str, sequence: int, entry_hash: str, at: str) -> str:
    message = f"offramp-audit-checkpoint:{sequence}:{entry_hash}:{at}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def checkpoint_line(*, sequence: int, entry_hash: str, at: datetime, key: str) -> str:
    stamp = utc_timestamp(at)
    return f"{sequence} {entry_hash} {stamp} {_signature(key, sequence, entry_hash, stamp)}\n"


@dataclass
class CheckpointFile:
    checkpoints: list[Checkpoint] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def latest(self) -> Checkpoint | None:
        return max(self.checkpoints, key=lambda checkpoint: checkpoint.sequence, default=None)


def read_checkpoints(lines: Iterable[str], *, key: str) -> CheckpointFile:
    """The lines whose signature holds; each other line is a problem, named by line number."""
    read = CheckpointFile()
    for number, text in enumerate(lines, start=1):
        parts = text.split()
        if not parts:
            continue
        if len(parts) != 4 or not parts[0].isdigit() or not _HASH.fullmatch(parts[1]):
            read.problems.append(
                f"checkpoint line {number} is not `<sequence> <hash> <time> <signature>`"
            )
            continue
        sequence, entry_hash, at, signature = int(parts[0]), parts[1], parts[2], parts[3]
        if not hmac.compare_digest(_signature(key, sequence, entry_hash, at), signature):
            read.problems.append(
                f"checkpoint line {number} has a bad signature: it was not written by "
                "`offramp audit checkpoint` with this key (forged or altered)"
            )
            continue
        read.checkpoints.append(Checkpoint(sequence, entry_hash, at))
    return read
