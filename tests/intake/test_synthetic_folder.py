"""The synthetic area's extract folder imports end to end, through the command."""

import datetime
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from offramp.accounts.models import Role, User
from offramp.agencies.models import Agency
from offramp.demo.synth import SyntheticArea, generate_area, write_partner_extracts
from offramp.intake.importer import FACTS
from offramp.intake.models import BatchStatus, ExtractKind, ImportBatch, SourceRecord
from offramp.sharing.models import DataCategory, DataSharingAgreement

from .conftest import ROWS, intake_and_people_counts, write_extract


@pytest.fixture(scope="module")
def area() -> SyntheticArea:
    return generate_area(people=300, seed=11)


@pytest.fixture(scope="module")
def folder(area: SyntheticArea, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hartmoor")
    write_partner_extracts(area, out, seed=11)
    return out


@pytest.fixture
def hartmoor(db: None, area: SyntheticArea) -> User:
    """The synthetic agencies, a protocol between them all, and their coordinator."""
    agencies = Agency.objects.bulk_create(
        Agency(slug=row.agency_id, name=row.name, kind=row.kind)
        for row in area.agencies.itertuples(index=False)
    )
    protocol = DataSharingAgreement.objects.create(
        reference="HSP-TEST",
        title="Protocol",
        data_categories=list(DataCategory.values),
        # Section 115 alone cannot carry the health extract (ADR 0006, "Fit").
        lawful_basis="other_statutory",
        lawful_basis_detail="Crime and Disorder Act 1998, s.115; DPA 2018, Sch. 1, paras 10, 18",
        purpose="Testing",
        start_date=datetime.date(2020, 1, 1),
        review_date=datetime.date(2999, 1, 1),
    )
    protocol.parties.set(Agency.objects.all())
    assert len(agencies) > 13
    return User.objects.create_user(
        username="coordinator",
        agency=Agency.objects.get(slug="hartmoor-community-safety"),
        role=Role.COORDINATOR,
    )


def test_the_synthetic_folder_imports_with_the_expected_counts(
    folder: Path, hartmoor: User
) -> None:
    rows = {
        Path(f["path"]).stem: f["rows"]
        for f in json.loads((folder / "manifest.json").read_text())["files"]
    }
    out = StringIO()

    call_command("import", directory=str(folder), user="coordinator", stdout=out, stderr=StringIO())

    batches = {b.kind: b for b in ImportBatch.objects.all()}
    assert set(batches) == set(ExtractKind.values)
    for kind, batch in batches.items():
        assert batch.status == BatchStatus.COMPLETED, (kind, batch.errors[:3])
        assert batch.rows_total == rows[kind]
        if kind in FACTS:
            assert batch.counts["facts_added"] == rows[kind], kind
        else:  # nominals and pupils: one person per row
            assert batch.counts["records_added"] == rows[kind], kind
    assert batches["police_offences"].agency.slug == "hartmoor-police"
    assert (
        SourceRecord.objects.filter(agency__slug="hartmoor-police").count()
        == rows["police_nominals"]
    )
    assert (
        "police_offences.csv (police_offences from hartmoor-police): "
        f"{rows['police_offences']:,} added, 0 already held" in out.getvalue()
    )

    before = intake_and_people_counts()
    again = StringIO()
    call_command(
        "import", directory=str(folder), user="coordinator", stdout=again, stderr=StringIO()
    )
    after = intake_and_people_counts()
    assert after["intake.SourceRecord"] == before["intake.SourceRecord"]
    assert all(
        after[label] == before[label]
        for label in before
        if label.startswith("intake.") and label != "intake.ImportBatch"
    )
    assert f"{rows['relationships']:,} already held" in again.getvalue()


def test_one_file_through_the_command_and_its_errors(
    coordinator: User,
    agencies: dict[str, Agency],
    partnership_agreement: DataSharingAgreement,
    tmp_path: Path,
) -> None:
    good = write_extract(tmp_path / "nominals.csv", ROWS[ExtractKind.POLICE_NOMINALS])
    out = StringIO()
    call_command(
        "import",
        "police_nominals",
        str(good),
        agency="police",
        extracted_on="2026-10-01",
        user="coordinator",
        stdout=out,
        stderr=StringIO(),
    )
    assert "nominals.csv (police_nominals from police): 2 added, 0 already held" in out.getvalue()

    bad = write_extract(
        tmp_path / "bad.csv",
        [dict(ROWS[ExtractKind.POLICE_NOMINALS][0], date_of_birth="2026-02-30")],
    )
    errors = StringIO()
    with pytest.raises(CommandError, match=r"bad\.csv was refused") as refused:
        call_command(
            "import",
            "police_nominals",
            str(bad),
            agency="police",
            extracted_on="2026-10-01",
            user="coordinator",
            stdout=StringIO(),
            stderr=errors,
        )
    assert refused.value.returncode == 1
    lines = errors.getvalue().splitlines()
    assert "file\trow\tcolumn\tvalue\treason" in lines
    assert "bad.csv\t1\tdate_of_birth\t2026-02-30\t2026-02-30 is not a date" in lines
