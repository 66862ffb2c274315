"""Partner records linked to people in the index, made directly (the importer and the linkage
are other work): a police extract with offences, and a children's social care extract."""

import datetime
import itertools
from collections.abc import Callable

import pytest

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.intake.models import CareEpisode, ExtractKind, ImportBatch, Offence, SourceRecord
from offramp.people.models import Person
from offramp.screening.models import ScreeningRun
from offramp.screening.services import run_screening
from offramp.sharing.models import DataSharingAgreement

TODAY = datetime.date(2026, 11, 1)
_keys = itertools.count(1)

Screen = Callable[[], ScreeningRun]


def linked_record(agency: Agency, user: User, person: Person | None) -> SourceRecord:
    key = next(_keys)
    batch = ImportBatch.objects.create(
        kind=ExtractKind.POLICE_OFFENCES,
        agency=agency,
        file_name=f"extract-{key}.csv",
        file_sha256=f"{key:064d}",
        extracted_on=TODAY,
        uploaded_by=user,
    )
    return SourceRecord.objects.create(
        agency=agency, batch=batch, record_key=f"record-{key}", person=person
    )


def add_offences(record: SourceRecord, *ages: int, outcome: str = "caution") -> None:
    for age in ages:
        Offence.objects.create(
            batch=record.batch,
            agency=record.agency,
            row=1,
            fact_key=f"offence-{next(_keys)}",
            record=record,
            crime_reference="HM/20/0000001",
            offence_date=datetime.date(2005 + age, 6, 1),
            offence_category="theft",
            outcome=outcome,
            age_at_offence=age,
        )


def add_care(record: SourceRecord, start: datetime.date) -> None:
    CareEpisode.objects.create(
        batch=record.batch,
        agency=record.agency,
        row=1,
        fact_key=f"care-{next(_keys)}",
        record=record,
        episode_type="looked_after",
        start_date=start,
    )


def person(agencies: dict[str, Agency], given: str, family: str, area: str) -> Person:
    return Person.objects.create(
        given_name=given,
        family_name=family,
        date_of_birth=datetime.date(1990, 1, 1),
        area=area,
        created_by_agency=agencies["police"],
    )


@pytest.fixture
def kyle(agencies: dict[str, Agency], analyst: User) -> Person:
    """Three cautions before 18 in the police extract."""
    found = person(agencies, "Kyle", "Brennan", "Castleton")
    add_offences(linked_record(agencies["police"], analyst, found), 14, 15, 16)
    return found


@pytest.fixture
def leah(agencies: dict[str, Agency], analyst: User) -> Person:
    """Looked after, in the children's social care extract."""
    found = person(agencies, "Leah", "Okoro", "Dunmore")
    add_care(linked_record(agencies["council"], analyst, found), datetime.date(2012, 5, 1))
    return found


@pytest.fixture
def screen(
    coordinator: User, partnership_agreement: DataSharingAgreement, kyle: Person, leah: Person
) -> Screen:
    return lambda: run_screening(actor=coordinator, today=TODAY)
