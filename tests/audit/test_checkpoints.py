"""Issue 12: the chain head is published to a signed, append-only checkpoint file the database
cannot rewrite, so removing or rewriting the end of the chain (head table included) is detected
by `offramp audit verify`, and so is a forged checkpoint line."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from offramp.audit.chain import HASHED_FIELDS, entry_hash
from offramp.audit.models import AuditChainHead, AuditEntry
from tests.audit.conftest import Busy, verify
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def checkpoint_file(settings: pytest.FixtureRequest, tmp_path: Path) -> Path:
    path = tmp_path / "checkpoints" / "audit-checkpoints.log"
    settings.OFFRAMP_AUDIT_CHECKPOINT_FILE = path  # type: ignore[attr-defined]
    settings.OFFRAMP_AUDIT_CHECKPOINT_KEY = "k" * 32 + "-kept-outside-the-database"  # type: ignore[attr-defined]
    return path


def checkpoint() -> str:
    out = io.StringIO()
    call_command("audit", "checkpoint", stdout=out)
    return out.getvalue()


def last() -> AuditEntry:
    return AuditEntry.objects.order_by("-sequence").first()  # type: ignore[return-value]


def test_a_checkpoint_is_one_signed_line_and_an_untouched_chain_verifies(
    busy: Busy, checkpoint_file: Path
) -> None:
    head = last()
    said = checkpoint()
    lines = checkpoint_file.read_text().splitlines()
    assert len(lines) == 1
    sequence, hash_, _at, signature = lines[0].split(" ")
    assert (int(sequence), hash_) == (head.sequence, head.entry_hash)
    assert len(signature) == 64
    assert f"entry {head.sequence}" in said
    checkpoint()  # appends, never rewrites
    assert checkpoint_file.read_text().splitlines()[0] == lines[0]
    code, message = verify()
    assert code == 0, message
    assert "2 checkpoints" in message


def test_truncating_the_tail_and_moving_the_head_back_is_detected(
    busy: Busy, checkpoint_file: Path, tamperable: None
) -> None:
    checkpointed = last().sequence
    checkpoint()
    keep = checkpointed - 3
    AuditEntry.objects.filter(sequence__gt=keep).delete()
    kept = AuditEntry.objects.get(sequence=keep)
    AuditChainHead.objects.filter(pk=1).update(sequence=keep, entry_hash=kept.entry_hash)
    code, message = verify()
    assert code == 1
    assert f"the chain ends at {keep}" in message
    assert f"records entry {checkpointed}" in message


def test_rewriting_the_tail_with_recomputed_hashes_is_detected(
    busy: Busy, checkpoint_file: Path, tamperable: None
) -> None:
    checkpointed = last().sequence
    checkpoint()
    previous = AuditEntry.objects.get(sequence=checkpointed - 3).entry_hash
    for entry in AuditEntry.objects.filter(sequence__gt=checkpointed - 3).order_by("sequence"):
        entry.purpose = "curiosity"
        entry.previous_hash = previous
        previous = entry_hash([getattr(entry, name) for name in HASHED_FIELDS])
        AuditEntry.objects.filter(sequence=entry.sequence).update(
            purpose="curiosity", previous_hash=entry.previous_hash, entry_hash=previous
        )
    AuditChainHead.objects.filter(pk=1).update(entry_hash=previous)
    code, message = verify()
    assert code == 1
    assert f"broken at sequence {checkpointed} (rewritten)" in message


def test_a_forged_checkpoint_line_is_reported(busy: Busy, checkpoint_file: Path) -> None:
    checkpoint()
    head = last()
    with checkpoint_file.open("a") as file:
        file.write(f"{head.sequence + 50} {'a' * 64} 2026-12-08T00:00:00.000000Z {'b' * 64}\n")
    code, message = verify()
    assert code == 1
    assert "checkpoint line 2" in message
    assert "signature" in message


def test_entries_added_after_the_checkpoint_still_verify(busy: Busy, checkpoint_file: Path) -> None:
    checkpoint()
    person_page = signed_in(busy.coordinator).get(f"/people/{busy.referral.person_id}/")
    assert person_page.status_code == 200
    assert verify()[0] == 0
    checkpoint()
    assert verify()[0] == 0


def test_checkpoint_refuses_without_a_key_and_verify_cannot_check_one(
    busy: Busy, checkpoint_file: Path, settings: pytest.FixtureRequest
) -> None:
    checkpoint()
    settings.OFFRAMP_AUDIT_CHECKPOINT_KEY = None  # type: ignore[attr-defined]
    with pytest.raises(CommandError, match="OFFRAMP_AUDIT_CHECKPOINT_KEY"):
        checkpoint()
    code, message = verify()
    assert code == 1
    assert "OFFRAMP_AUDIT_CHECKPOINT_KEY" in message


def test_checkpoint_refuses_to_bless_a_broken_chain(
    busy: Busy, checkpoint_file: Path, tamperable: None
) -> None:
    AuditEntry.objects.filter(sequence=2).update(purpose="curiosity")
    with pytest.raises(CommandError, match="broken at sequence 2"):
        checkpoint()
    assert not checkpoint_file.exists()
