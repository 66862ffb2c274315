"""Issue 12, leak 1: subject access is no back door. A coordinator may gather everything held
about a person only if they may see that person; a person hidden from them (another agency's
record never shared) is answered exactly as a record number that does not exist, on the page,
in the API and on the command line. Once the person is shared, the export is complete."""

import datetime
import io
import json
import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.exports import subject_access
from offramp.exports.models import ExportRecord
from offramp.exports.registry import ExportInput
from offramp.exports.services import export_download, export_request
from offramp.people.models import AgencyIdentifier, IdentifierType, Person
from offramp.people.services import PersonDetails, person_create
from offramp.sharing.models import DataSharingAgreement
from tests.api.test_api import api_client
from tests.conftest import signed_in

NHS_NUMBER = "9434765919"
MISSING = 987654


@pytest.fixture
def police_record(police_coordinator: User, agencies: dict[str, Agency]) -> Person:
    """A person the police recorded, with an NHS number, shared with nobody."""
    person = person_create(
        actor=police_coordinator,
        details=PersonDetails(
            given_name="Kieran",
            family_name="Doyle",
            date_of_birth=datetime.date(2009, 6, 14),
            postcode_district="HM4",
        ),
    )
    AgencyIdentifier.objects.create(
        person=person,
        agency=agencies["health"],
        identifier_type=IdentifierType.NHS_NUMBER,
        value=NHS_NUMBER,
    )
    return person


def without_per_request_tokens(page: str) -> str:
    """Every page has its own Content Security Policy nonce and masked CSRF token (in the
    sign-out form); the rest must be identical."""
    page = re.sub(r'nonce="[^"]*"', 'nonce=""', page)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', page)


def test_the_page_answers_a_hidden_person_as_a_record_that_does_not_exist(
    coordinator: User, police_record: Person
) -> None:
    client = signed_in(coordinator)
    hidden = reverse("exports:subject-access", args=[police_record.pk])
    missing = reverse("exports:subject-access", args=[MISSING])
    for response in (client.get(hidden), client.post(hidden, {"purpose": "SAR of 2 March"})):
        assert response.status_code == 404
        body = response.content.decode()
        assert "Kieran" not in body and "Doyle" not in body and "2009" not in body
        missing_page = client.get(missing).content.decode()
        assert without_per_request_tokens(body) == without_per_request_tokens(missing_page)
    assert not ExportRecord.objects.exists()


def test_the_api_answers_a_hidden_person_as_a_record_that_does_not_exist(
    coordinator: User, police_record: Person
) -> None:
    client = api_client(coordinator)
    payload = json.dumps({"purpose": "SAR of 2 March"})

    def ask(person_id: int) -> tuple[int, bytes]:
        response = client.post(
            f"/api/v1/exports/subject-access/{person_id}",
            data=payload,
            content_type="application/json",
        )
        return response.status_code, response.content

    assert ask(police_record.pk) == ask(MISSING)
    assert ask(police_record.pk)[0] == 404
    assert not ExportRecord.objects.exists()


def test_the_command_line_answers_a_hidden_person_as_a_record_that_does_not_exist(
    coordinator: User, police_record: Person, tmp_path: Path
) -> None:
    def refusal(person_id: int) -> str:
        with pytest.raises(CommandError) as raised:
            call_command(
                "export",
                "subject-access",
                *("--person", str(person_id), "--user", "coordinator"),
                *("--out", str(tmp_path / "sar.json")),
            )
        return str(raised.value).replace(str(person_id), "ID")

    assert refusal(police_record.pk) == refusal(MISSING)
    assert "Kieran" not in refusal(police_record.pk)
    assert not (tmp_path / "sar.json").exists()
    assert not ExportRecord.objects.exists()


def test_the_service_refuses_a_hidden_person(coordinator: User, police_record: Person) -> None:
    with pytest.raises(PermissionDenied):
        export_request(
            user=coordinator,
            kind=subject_access.KIND,
            purpose="SAR of 2 March",
            request=ExportInput(person=police_record),
        )
    assert not ExportRecord.objects.exists()


def test_once_shared_the_export_holds_everything_held_about_the_person(
    coordinator: User, police_record: Person, partnership_agreement: DataSharingAgreement
) -> None:
    page = signed_in(coordinator).get(reverse("exports:subject-access", args=[police_record.pk]))
    assert page.status_code == 200 and "Kieran Doyle" in page.content.decode()
    export = export_request(
        user=coordinator,
        kind=subject_access.KIND,
        purpose="SAR of 2 March",
        request=ExportInput(person=police_record),
    )
    body = export_download(export=export, user=coordinator).body.decode()
    assert NHS_NUMBER in body and "HM4" in body


def test_the_police_who_hold_the_record_may_answer_the_request(
    police_coordinator: User, police_record: Person, tmp_path: Path
) -> None:
    stdout = io.StringIO()
    call_command(
        "export",
        "subject-access",
        *("--person", str(police_record.pk), "--user", "police-coordinator"),
        *("--out", str(tmp_path / "sar.json")),
        stdout=stdout,
    )
    assert NHS_NUMBER in (tmp_path / "sar.json").read_text()
