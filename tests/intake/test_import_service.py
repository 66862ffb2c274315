"""Importing each kind of extract, in each format; idempotence; the lawful basis; rollback."""

import datetime
from collections.abc import Sequence
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Model

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.audit.models import AuditEntry
from offramp.intake import importer
from offramp.intake.importer import FACTS
from offramp.intake.models import (
    BatchStatus,
    CareEpisode,
    ExtractKind,
    ImportBatch,
    ImportedRelationship,
    Offence,
    SourceRecord,
)
from offramp.intake.services import import_extract
from offramp.sharing.models import DataCategory, DataSharingAgreement
from offramp.sharing.services import NoSharingBasis

from .conftest import (
    EXTRACTED_ON,
    FORMATS,
    PEOPLE_IN_ROWS,
    ROWS,
    Importer,
    intake_and_people_counts,
    prerequisites,
    write_extract,
)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", list(ExtractKind), ids=lambda kind: kind.value)
def test_every_kind_imports_from_every_format(
    kind: ExtractKind, fmt: str, import_rows: Importer
) -> None:
    for earlier in prerequisites(kind):
        assert import_rows(earlier).status == BatchStatus.COMPLETED
    records_before = SourceRecord.objects.count()

    batch = import_rows(kind, fmt=fmt)

    assert batch.status == BatchStatus.COMPLETED, batch.errors
    assert batch.errors == []
    assert batch.rows_total == batch.rows_done == len(ROWS[kind])
    assert SourceRecord.objects.count() - records_before == PEOPLE_IN_ROWS[kind]
    if kind in FACTS:
        model = FACTS[kind][0]
        facts = model._default_manager.filter(batch=batch)
        assert facts.count() == batch.counts["facts_added"] == len(ROWS[kind])
        assert sorted(facts.values_list("row", flat=True)) == [1, 2]
    assert batch.counts["records_added"] == PEOPLE_IN_ROWS[kind]


def test_importing_the_same_file_again_adds_nothing(import_file: Importer, tmp_path: Path) -> None:
    nominals = write_extract(tmp_path / "nominals.csv", ROWS[ExtractKind.POLICE_NOMINALS])
    offences = write_extract(tmp_path / "offences.csv", ROWS[ExtractKind.POLICE_OFFENCES])
    first = import_file(ExtractKind.POLICE_NOMINALS, nominals)
    import_file(ExtractKind.POLICE_OFFENCES, offences)
    before = intake_and_people_counts()

    again = import_file(ExtractKind.POLICE_NOMINALS, nominals)
    offences_again = import_file(ExtractKind.POLICE_OFFENCES, offences)

    assert first.counts["records_added"] == 2
    assert again.status == offences_again.status == BatchStatus.COMPLETED
    assert again.counts == {
        "records_added": 0,
        "records_already_held": 2,
        "facts_added": 0,
        "facts_already_held": 0,
    }
    assert offences_again.counts["facts_added"] == 0
    assert offences_again.counts["facts_already_held"] == 2
    after = intake_and_people_counts()
    # Only the two new batches and their audit entries.
    assert after["intake.ImportBatch"] == before["intake.ImportBatch"] + 2
    assert after["audit.AuditEntry"] == before["audit.AuditEntry"] + 2
    unchanged = {
        k: v
        for k, v in after.items()
        if k not in {"intake.ImportBatch", "audit.AuditEntry", "audit.AuditChainHead"}
    }
    assert unchanged == {k: before[k] for k in unchanged}


def test_offences_keep_provenance_and_the_age_at_the_time(import_rows: Importer) -> None:
    import_rows(ExtractKind.POLICE_NOMINALS)
    batch = import_rows(ExtractKind.POLICE_OFFENCES)

    offence = Offence.objects.get(crime_reference="HM/19/6242574")
    assert offence.batch == batch
    assert offence.agency == batch.agency
    assert batch.extracted_on == EXTRACTED_ON
    assert offence.record.identifier == "24/250937Y"
    assert offence.age_at_offence == 16  # born 2003-05-22, offence 2019-06-30
    assert offence.row == 2


def test_identifiers_are_held_without_spaces_and_other_agencies_ids_kept(
    import_rows: Importer, agencies: dict[str, Agency]
) -> None:
    import_rows(ExtractKind.HEALTH_CONTACTS, agency=agencies["health"])
    import_rows(ExtractKind.YOUTH_OFFENDING, agency=agencies["yos"])

    assert SourceRecord.objects.filter(identifier="6789022010").exists()
    charlie = SourceRecord.objects.get(identifier="YJ801840")
    assert charlie.identifier_type == "yos_id"
    assert charlie.other_identifiers == {"pnc": "26/718264F"}


def test_a_relationship_describes_two_people(import_rows: Importer) -> None:
    batch = import_rows(ExtractKind.RELATIONSHIPS)

    ties = ImportedRelationship.objects.filter(batch=batch).order_by("row")
    parent = ties[0]
    assert (parent.record_a.given_name, parent.record_b.given_name) == ("Ian", "Katherine")
    assert parent.source_agency == "police"
    # Ian Jones, described the same way twice (no identifier), is one record.
    assert ties[1].record_b_id == parent.record_a_id
    assert ties[1].record_a.identifier_type == "pnc"


def test_each_batch_is_audited_without_names(import_rows: Importer) -> None:
    batch = import_rows(ExtractKind.POLICE_NOMINALS)

    entry = AuditEntry.objects.get(object_type="importbatch", object_id=str(batch.pk))
    assert entry.action == "collection"
    assert entry.purpose == "import police_nominals: 2 added, 0 held"
    assert "PATEL" not in str(entry.__dict__)


def test_only_those_who_may_import_partner_data_can(
    school_dsl: User, police: Agency, tmp_path: Path
) -> None:
    path = write_extract(tmp_path / "n.csv", ROWS[ExtractKind.POLICE_NOMINALS])
    before = intake_and_people_counts()
    with pytest.raises(PermissionDenied):
        import_extract(
            actor=school_dsl,
            agency=police,
            kind=ExtractKind.POLICE_NOMINALS,
            file=path,
            file_name=path.name,
            extracted_on=EXTRACTED_ON,
        )
    assert intake_and_people_counts() == before


def test_without_a_sharing_agreement_the_import_is_refused_saying_what_is_missing(
    coordinator: User, agencies: dict[str, Agency], tmp_path: Path
) -> None:
    path = write_extract(tmp_path / "health.csv", ROWS[ExtractKind.HEALTH_CONTACTS])
    agreement = DataSharingAgreement.objects.create(
        reference="HISP-NO-HEALTH",
        title="Protocol without health",
        data_categories=[DataCategory.OFFENDING],
        lawful_basis="crime_and_disorder_act_s115",
        purpose="Testing",
        start_date=datetime.date(2020, 1, 1),
        review_date=datetime.date(2999, 1, 1),
    )
    agreement.parties.set(agencies.values())
    before = intake_and_people_counts()

    with pytest.raises(NoSharingBasis) as refusal:
        import_extract(
            actor=coordinator,
            agency=agencies["health"],
            kind=ExtractKind.HEALTH_CONTACTS,
            file=path,
            file_name=path.name,
            extracted_on=EXTRACTED_ON,
        )

    message = refusal.value.messages[0]
    assert "Hartmoor Health Trust" in message
    assert "health information" in message
    assert "HISP-NO-HEALTH does not include health information" in message
    assert intake_and_people_counts() == before


def test_an_agencys_own_extract_needs_no_agreement(
    coordinator: User, agencies: dict[str, Agency], tmp_path: Path
) -> None:
    path = write_extract(tmp_path / "rel.csv", ROWS[ExtractKind.RELATIONSHIPS])
    batch = import_extract(
        actor=coordinator,
        agency=agencies["council"],
        kind=ExtractKind.RELATIONSHIPS,
        file=path,
        file_name=path.name,
        extracted_on=EXTRACTED_ON,
    )
    assert batch.status == BatchStatus.COMPLETED, batch.errors


def test_a_failure_midway_through_writing_rolls_everything_back(
    import_rows: Importer, agencies: dict[str, Agency], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = intake_and_people_counts()

    insert_rows = importer.insert_rows

    def failing_for_episodes(model: type[Model], rows: Sequence[dict[str, object]]) -> None:
        if model is CareEpisode:
            raise RuntimeError("disk full")
        insert_rows(model, rows)

    # The care episodes' person is written first; then writing the episodes fails.
    monkeypatch.setattr(importer, "insert_rows", failing_for_episodes)
    with pytest.raises(RuntimeError, match="disk full"):
        import_rows(ExtractKind.CHILDRENS_SOCIAL_CARE, agency=agencies["council"])

    after = intake_and_people_counts()
    assert after.pop("intake.ImportBatch") == before.pop("intake.ImportBatch") + 1
    assert after == before
    assert SourceRecord.objects.count() == 0
    failed = ImportBatch.objects.get()
    assert failed.status == BatchStatus.FAILED
    assert "nothing was imported" in failed.errors[0]["reason"]
