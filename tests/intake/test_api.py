"""The intake API: list and read batches, upload an extract (multipart)."""

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.intake.models import ExtractKind, ImportBatch
from offramp.sharing.models import DataSharingAgreement
from tests.access.test_permission_matrix import token_client

from .conftest import ROWS, write_extract


def post_extract(client: Client, path: Path, **fields: str) -> Any:
    data = {"agency": "police", "kind": "police_nominals", "extracted_on": "2026-10-01", **fields}
    return client.post(
        "/api/v1/intake/batches",
        {**data, "file": SimpleUploadedFile(path.name, path.read_bytes())},
    )


def test_upload_then_read_the_batch(
    coordinator: User, shared: DataSharingAgreement, tmp_path: Path
) -> None:
    client = token_client(coordinator)
    good = write_extract(tmp_path / "nominals.json", ROWS[ExtractKind.POLICE_NOMINALS])

    response = post_extract(client, good)

    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["status"], body["added"], body["already_held"]) == ("completed", 2, 0)
    assert body["errors"] == []
    listed = client.get("/api/v1/intake/batches").json()
    assert [item["id"] for item in listed] == [body["id"]]
    assert "errors" not in listed[0]


def test_a_refused_upload_lists_its_row_errors(
    coordinator: User, shared: DataSharingAgreement, tmp_path: Path
) -> None:
    client = token_client(coordinator)
    rows = [dict(ROWS[ExtractKind.POLICE_NOMINALS][0], date_of_birth="2026-02-30")]
    bad = write_extract(tmp_path / "bad.csv", rows)

    body = post_extract(client, bad).json()

    assert body["status"] == "failed"
    detail = client.get(f"/api/v1/intake/batches/{body['id']}").json()
    assert detail["errors"] == [
        {
            "file": "bad.csv",
            "row": 1,
            "column": "date_of_birth",
            "value": "2026-02-30",
            "reason": "2026-02-30 is not a date",
        }
    ]


def test_bad_requests_are_refused_with_field_errors(
    coordinator: User, agencies: dict[str, Agency], tmp_path: Path
) -> None:
    client = token_client(coordinator)
    path = write_extract(tmp_path / "n.csv", ROWS[ExtractKind.POLICE_NOMINALS])
    assert post_extract(client, path, agency="nowhere").json()["errors"] == {
        "agency": ["No agency 'nowhere'"]
    }
    assert "kind" in post_extract(client, path, kind="gossip").json()["errors"]
    refused = post_extract(client, path, agency="health", kind="health_contacts")
    assert refused.status_code == 422
    assert "No active data sharing agreement" in str(refused.json()["errors"])
    assert not ImportBatch.objects.exists()


def test_others_are_refused(school_dsl: User, tmp_path: Path) -> None:
    client = token_client(school_dsl)
    path = write_extract(tmp_path / "n.csv", ROWS[ExtractKind.POLICE_NOMINALS])
    assert client.get("/api/v1/intake/batches").status_code == 403
    assert post_extract(client, path).status_code == 403
    assert not ImportBatch.objects.exists()
