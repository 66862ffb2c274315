"""What the commands that export share: asking the export service for an export with the
options `--purpose`, `--ask-approval` and `--justification`, and writing the file.

Every refusal is a CommandError saying what to do; nothing is printed but references and counts.
"""

import os
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError

from offramp.accounts.models import User
from offramp.command_line import refusal

from .models import ExportRecord
from .registry import ExportInput
from .services import OverDailyLimit, export_download, export_request


def export_requested(
    *, user: User, kind: str, request: ExportInput, options: Mapping[str, object]
) -> ExportRecord:
    """The export made, or waiting for approval, as the command's options ask."""
    try:
        return export_request(
            user=user,
            kind=kind,
            purpose=str(options["purpose"]),
            request=request,
            ask_approval=bool(options["ask_approval"]),
            justification=str(options["justification"]),
        )
    except OverDailyLimit as error:
        raise CommandError(
            f"{error.messages[0]} Run again with --ask-approval --justification '...'."
        ) from error
    except (ValidationError, PermissionDenied) as error:
        raise refusal(error) from error


def waiting_for_approval(export: ExportRecord, user: User, *, unit: str, fmt: str = "") -> str:
    """Says the export waits for a second person, and how to download it once approved."""
    download = f"offramp export download {export.reference} --user {user.username}"
    if fmt:
        download += f" --format {fmt}"
    return (
        f"Export {export.reference} ({export.row_count} {unit}) is waiting for approval. "
        f"Once approved: {download} --out FILE"
    )


def download_to(path: str, *, export: ExportRecord, user: User, fmt: str | None) -> None:
    """Writes the export's file readable by its owner only: it holds personal data."""
    try:
        file = export_download(export=export, user=user, fmt=fmt)
    except (ValidationError, PermissionDenied) as error:
        raise refusal(error) from error
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(file.body)
