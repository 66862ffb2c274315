"""An extract larger than Django's form limit still reaches the importer (its own limit rules)."""

from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.intake.models import ExtractKind, ImportBatch
from offramp.sharing.models import DataSharingAgreement
from tests.conftest import signed_in

from .conftest import ROWS, write_extract


def test_an_extract_over_the_form_limit_but_under_the_import_limit_is_imported(
    coordinator: User, police: Agency, shared: DataSharingAgreement, tmp_path: Path
) -> None:
    path = write_extract(tmp_path / "nominals.csv", ROWS[ExtractKind.POLICE_NOMINALS])
    # Trailing blank lines: a file larger than DATA_UPLOAD_MAX_MEMORY_SIZE with the same rows.
    padded = path.read_bytes() + b"\n" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    assert len(padded) < settings.OFFRAMP_IMPORT_MAX_BYTES
    form = {
        "agency": police.pk,
        "kind": "police_nominals",
        "extracted_on_0": "1",
        "extracted_on_1": "10",
        "extracted_on_2": "2026",
        "file": SimpleUploadedFile("nominals.csv", padded),
    }

    response = signed_in(coordinator).post(reverse("intake:batch-create"), form)

    assert response.status_code == 302
    assert ImportBatch.objects.get().file_name == "nominals.csv"
