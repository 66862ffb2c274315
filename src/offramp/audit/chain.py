"""The hash chain of the access log: canonical hashing and verification. No Django imports.

Each entry's hash is SHA-256 over a canonical JSON object (sorted keys, no spaces, UTF-8) of
every other field of the entry, including the previous entry's hash. Changing any field of any
entry, removing one or changing their order therefore breaks the chain at that point.
"""

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

GENESIS_HASH = "0" * 64

# The hashed fields, in the order `verify_chain` expects them in each row; the stored
# entry_hash follows them as the row's last value.
HASHED_FIELDS = (
    "sequence",
    "action",
    "event_code",
    "occurred_at",
    "actor_id",
    "actor_username",
    "actor_agency_id",
    "actor_agency",
    "object_type",
    "object_id",
    "person_id",
    "purpose",
    "channel",
    "previous_hash",
)
ROW_FIELDS = (*HASHED_FIELDS, "entry_hash")
_SEQUENCE = 0
_PREVIOUS_HASH = HASHED_FIELDS.index("previous_hash")
_OCCURRED_AT = HASHED_FIELDS.index("occurred_at")


def utc_timestamp(value: datetime) -> str:
    """A fixed textual form of an instant: UTC, microseconds, trailing Z."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(values: Sequence[object]) -> str:
    """The hash of one entry, from its values in HASHED_FIELDS order."""
    fields = dict(zip(HASHED_FIELDS, values, strict=True))
    occurred_at = fields["occurred_at"]
    if isinstance(occurred_at, datetime):
        fields["occurred_at"] = utc_timestamp(occurred_at)
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class BreakKind(StrEnum):
    EDITED = "edited"
    DELETED = "deleted"
    REORDERED = "reordered"
    REWRITTEN = "rewritten"


@dataclass(frozen=True)
class Checkpoint:
    """An entry's hash as published outside the database at a time (see checkpoints.py)."""

    sequence: int
    entry_hash: str
    at: str


@dataclass(frozen=True)
class ChainBreak:
    sequence: int
    kind: BreakKind
    reason: str

    def __str__(self) -> str:
        return f"sequence {self.sequence} ({self.kind}): {self.reason}"


@dataclass(frozen=True)
class ChainReport:
    entries: int
    last_hash: str
    broken: ChainBreak | None


def verify_chain(
    rows: Iterable[Sequence[object]],
    *,
    head: tuple[int, str] | None = None,
    checkpoints: Sequence[Checkpoint] = (),
    start: Checkpoint | None = None,
) -> ChainReport:
    """Walks rows (ROW_FIELDS order, ascending sequence) and reports the first break.

    `head` is the (sequence, hash) the chain head table records for the last entry: it catches
    entries removed from the end of the chain, which no later entry could reveal. `checkpoints`
    were published where the database cannot reach: each checkpointed entry must still have
    its hash, and the chain must reach the latest, which catches a tail removed or rewritten
    together with the head. With `start`, an already verified checkpoint, rows begin at its
    entry, whose link to the entries before it is taken as checked.
    """
    published = {checkpoint.sequence: checkpoint for checkpoint in checkpoints}
    expected, previous, count = 1, GENESIS_HASH, 0
    if start is not None:
        published[start.sequence] = start
        expected, previous, count = start.sequence, "", start.sequence - 1
    for row in rows:
        sequence = int(row[_SEQUENCE])  # type: ignore[call-overload]
        stored = row[-1]
        if sequence != expected:
            missing = f"{expected}" if sequence == expected + 1 else f"{expected}-{sequence - 1}"
            reason = (
                f"entry {missing} is missing: the chain jumps from {expected - 1} to {sequence}"
            )
            return ChainReport(count, previous, ChainBreak(expected, BreakKind.DELETED, reason))
        # Starting at a checkpoint, the first row's link points before it ("" until then).
        if previous and row[_PREVIOUS_HASH] != previous:
            reason = (
                f"its previous hash does not match the hash of entry {sequence - 1}: "
                "entries were moved, swapped or re-linked"
            )
            return ChainReport(count, previous, ChainBreak(sequence, BreakKind.REORDERED, reason))
        if entry_hash(row[:-1]) != stored:
            reason = "its contents no longer match its hash: a field was changed"
            return ChainReport(count, previous, ChainBreak(sequence, BreakKind.EDITED, reason))
        checkpoint = published.get(sequence)
        if checkpoint is not None and stored != checkpoint.entry_hash:
            reason = (
                f"its hash is not the one checkpointed at {checkpoint.at}: "
                "the chain was rewritten up to here"
            )
            return ChainReport(count, previous, ChainBreak(sequence, BreakKind.REWRITTEN, reason))
        previous, expected, count = str(stored), expected + 1, count + 1
    if head is not None:
        head_sequence, head_hash = head
        if head_sequence > count:
            reason = f"the chain ends at {count} but the chain head records {head_sequence} entries"
            return ChainReport(count, previous, ChainBreak(count + 1, BreakKind.DELETED, reason))
        if head_sequence < count:
            reason = f"entries after {head_sequence} were added without passing the chain head"
            return ChainReport(
                count, previous, ChainBreak(head_sequence + 1, BreakKind.EDITED, reason)
            )
        if head_hash != previous:
            reason = "the last entry's hash does not match the hash the chain head records"
            return ChainReport(count, previous, ChainBreak(count, BreakKind.EDITED, reason))
    latest = max(published.values(), key=lambda checkpoint: checkpoint.sequence, default=None)
    if latest is not None and latest.sequence > count:
        reason = (
            f"the chain ends at {count} but the checkpoint of {latest.at} "
            f"records entry {latest.sequence}"
        )
        return ChainReport(count, previous, ChainBreak(count + 1, BreakKind.DELETED, reason))
    return ChainReport(count, previous, None)
