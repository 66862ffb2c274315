"""The import pages: importing through the form, watching a batch, reading its row errors."""

import threading
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.intake import runner
from offramp.intake.models import BatchStatus, ExtractKind, ImportBatch
from offramp.intake.runner import staging_dir
from offramp.sharing.models import DataSharingAgreement
from tests.conftest import signed_in

from .conftest import ROWS, intake_and_people_counts, write_extract


def upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes())


def form(agency: Agency, path: Path, kind: str = "police_nominals") -> dict[str, object]:
    return {
        "agency": agency.pk,
        "kind": kind,
        "extracted_on_0": "1",
        "extracted_on_1": "10",
        "extracted_on_2": "2026",
        "file": upload(path),
    }


def test_a_coordinator_imports_an_extract_through_the_form(
    coordinator: User, police: Agency, shared: DataSharingAgreement, tmp_path: Path
) -> None:
    path = write_extract(tmp_path / "nominals.csv", ROWS[ExtractKind.POLICE_NOMINALS])
    client = signed_in(coordinator)
    assert client.get(reverse("intake:batch-create")).status_code == 200

    response = client.post(reverse("intake:batch-create"), form(police, path))

    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:batch-detail", args=[batch.pk])
    assert batch.status == BatchStatus.COMPLETED
    page = client.get(response["Location"]).content.decode()
    assert "2 added, 0 already held" in page
    assert 'http-equiv="refresh"' not in page
    assert not list(staging_dir().iterdir()), "the staged upload is removed"
    listing = client.get(reverse("intake:batch-list")).content.decode()
    assert "nominals.csv" in listing and "Imported" in listing


def test_a_refused_file_shows_every_row_error(
    coordinator: User, police: Agency, shared: DataSharingAgreement, tmp_path: Path
) -> None:
    rows = [dict(ROWS[ExtractKind.POLICE_NOMINALS][0], date_of_birth="2026-02-30", sex="x")]
    path = write_extract(tmp_path / "bad.csv", rows)
    client = signed_in(coordinator)
    before = intake_and_people_counts()

    response = client.post(reverse("intake:batch-create"), form(police, path), follow=True)

    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "2026-02-30 is not a date" in page
    assert "is not allowed: use one of male, female" in page
    after = intake_and_people_counts()
    assert after.pop("intake.ImportBatch") == before.pop("intake.ImportBatch") + 1
    assert after == before


def test_a_running_batch_refreshes_and_shows_its_progress(
    coordinator: User, police: Agency
) -> None:
    batch = ImportBatch.objects.create(
        kind=ExtractKind.POLICE_NOMINALS,
        agency=police,
        file_name="big.csv",
        file_sha256="",
        extracted_on="2026-10-01",
        uploaded_by=coordinator,
        status=BatchStatus.RUNNING,
        rows_total=40_000,
        rows_done=10_000,
    )
    page = signed_in(coordinator).get(reverse("intake:batch-detail", args=[batch.pk]))
    content = page.content.decode()
    assert "data-import-running" in content  # batch-progress.mjs keeps it up to date
    assert f'href="{reverse("intake:batch-detail", args=[batch.pk])}">Check progress' in content
    assert "Checked 10,000 of 40,000 rows" in content
    assert '<progress id="import-progress" max="100" value="25">' in content


def test_the_form_refuses_without_an_agreement_saying_what_is_missing(
    coordinator: User, agencies: dict[str, Agency], tmp_path: Path
) -> None:
    path = write_extract(tmp_path / "health.csv", ROWS[ExtractKind.HEALTH_CONTACTS])
    response = signed_in(coordinator).post(
        reverse("intake:batch-create"), form(agencies["health"], path, "health_contacts")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "No active data sharing agreement between Hartmoor Health Trust" in page
    assert not ImportBatch.objects.exists()


def test_the_form_asks_for_what_is_missing(coordinator: User) -> None:
    response = signed_in(coordinator).post(reverse("intake:batch-create"), {})
    page = response.content.decode()
    for message in (
        "Select the agency the extract came from",
        "Select the kind of extract",
        "Enter the date the extract was taken",
        "Select the extract file",
    ):
        assert message in page


@pytest.mark.parametrize("persona", ["school_dsl", "analyst", "auditor", "health_panel_member"])
def test_only_those_who_may_import_see_the_pages(
    persona: str, request: pytest.FixtureRequest
) -> None:
    client = signed_in(request.getfixturevalue(persona))
    for name in ("intake:batch-list", "intake:batch-create"):
        assert client.get(reverse(name)).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_by_default_the_import_runs_in_the_background(
    coordinator: User,
    police: Agency,
    shared: DataSharingAgreement,
    settings: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.OFFRAMP_IMPORTS_IN_BACKGROUND = True
    path = write_extract(tmp_path / "nominals.csv", ROWS[ExtractKind.POLICE_NOMINALS])
    # The in-memory test database locks whole tables: the import waits for the response.
    answered, finished = threading.Event(), threading.Event()
    in_thread = runner._in_thread

    def after_the_response(batch_id: int, staged: Path) -> None:
        answered.wait(timeout=30)
        in_thread(batch_id, staged)
        finished.set()

    monkeypatch.setattr(runner, "_in_thread", after_the_response)

    response = signed_in(coordinator).post(reverse("intake:batch-create"), form(police, path))

    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("intake:batch-detail", args=[batch.pk])
    assert batch.status == BatchStatus.QUEUED
    answered.set()
    assert finished.wait(timeout=30)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMPLETED, batch.errors
    assert batch.counts["records_added"] == 2
    assert not list(staging_dir().iterdir())
