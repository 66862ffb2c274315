"""Extract files built in the tests, in every format, and what a refusal must leave alone."""

import csv
import datetime
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.intake.models import ExtractKind, ImportBatch
from offramp.intake.schemas import SCHEMAS
from offramp.intake.services import import_extract
from offramp.sharing.models import DataSharingAgreement

EXTRACTED_ON = datetime.date(2026, 10, 1)
FORMATS = ("csv", "xlsx", "json")

# Two valid rows of every kind. Offences and memberships refer to the nominals and groups here.
ROWS: dict[ExtractKind, list[dict[str, str]]] = {
    ExtractKind.POLICE_NOMINALS: [
        {
            "pnc": "16/476263G",
            "family_name": "PATEL",
            "given_name": "Amit",
            "middle_name": "",
            "date_of_birth": "1974-01-04",
            "sex": "M",
            "postcode": "HM5 3JJ",
        },
        {
            "pnc": "24/250937Y",
            "family_name": "TURNER",
            "given_name": "Paige",
            "middle_name": "Louise",
            "date_of_birth": "2003-05-22",
            "sex": "F",
            "postcode": "HM8 7TT",
        },
    ],
    ExtractKind.POLICE_OFFENCES: [
        {
            "crime_reference": "HM/25/6581917",
            "pnc": "16/476263G",
            "offence_date": "2025-02-14",
            "offence_category": "theft",
            "outcome": "conviction_community",
            "recording_agency_id": "police",
        },
        {
            "crime_reference": "HM/19/6242574",
            "pnc": "24/250937Y",
            "offence_date": "2019-06-30",
            "offence_category": "drugs_supply_class_a",
            "outcome": "youth_caution",
            "recording_agency_id": "",
        },
    ],
    ExtractKind.OCG_GROUPS: [
        {
            "reference": "OCG-HM-001",
            "name": "Granite Kestrel",
            "crime_types": "drugs_supply_class_a;money_laundering",
            "linked_countries": "NL",
            "status": "active",
        },
        {
            "reference": "OCG-HM-002",
            "name": "Amber Lapwing",
            "crime_types": "fraud",
            "linked_countries": "",
            "status": "disrupted",
        },
    ],
    ExtractKind.OCG_NOMINALS: [
        {
            "pnc": "86/928269D",
            "family_name": "HUGHES",
            "given_name": "Colin",
            "date_of_birth": "1970-01-29",
            "sex": "M",
            "postcode": "HM5 4RF",
            "overseas_links": "NG",
        },
        {
            "pnc": "22/314929K",
            "family_name": "BYRNE",
            "given_name": "Karen",
            "date_of_birth": "1969-09-30",
            "sex": "F",
            "postcode": "HM2 9GP",
            "overseas_links": "",
        },
    ],
    ExtractKind.OCG_MEMBERSHIPS: [
        {
            "group_reference": "OCG-HM-002",
            "pnc": "86/928269D",
            "role": "enabler",
            "start_date": "2018-04-01",
            "end_date": "2021-03-15",
            "source_agency_id": "police",
        },
        {
            "group_reference": "OCG-HM-001",
            "pnc": "22/314929K",
            "role": "principal",
            "start_date": "2016-02-01",
            "end_date": "",
            "source_agency_id": "",
        },
    ],
    ExtractKind.CHILDRENS_SOCIAL_CARE: [
        {
            "social_care_id": "CS4731400",
            "given_name": "Emma",
            "middle_name": "",
            "family_name": "Jones",
            "date_of_birth": "1996-05-24",
            "sex": "female",
            "postcode": "HM5 5QG",
            "episode_type": "looked_after",
            "start_date": "2007-10-03",
            "end_date": "2010-08-03",
        },
        {
            "social_care_id": "CS4731400",
            "given_name": "Emma",
            "middle_name": "",
            "family_name": "Jones",
            "date_of_birth": "1996-05-24",
            "sex": "female",
            "postcode": "HM5 5QG",
            "episode_type": "child_in_need",
            "start_date": "2006-01-02",
            "end_date": "",
        },
    ],
    ExtractKind.SCHOOL_PUPILS: [
        {
            "upn": "K999200123000",
            "school_agency_id": "school",
            "given_name": "Jack",
            "middle_name": "Marcus",
            "family_name": "Allen",
            "date_of_birth": "2019-06-03",
            "sex": "male",
            "postcode": "HM2 5HG",
            "year_group": "3",
        },
        {
            "upn": "G999400018000",
            "school_agency_id": "other-school",
            "given_name": "Christine",
            "middle_name": "",
            "family_name": "Rhodes",
            "date_of_birth": "2014-12-01",
            "sex": "female",
            "postcode": "HM1 5HG",
            "year_group": "7",
        },
    ],
    ExtractKind.SCHOOL_EXCLUSIONS: [
        {
            "upn": "G999400408000",
            "school_agency_id": "school",
            "given_name": "Arjun",
            "family_name": "Patel",
            "date_of_birth": "2004-02-19",
            "exclusion_date": "2019-12-13",
            "exclusion_type": "fixed_term",
            "reason": "verbal_abuse_against_pupil",
        },
        {
            "upn": "A999400518000",
            "school_agency_id": "school",
            "given_name": "David",
            "family_name": "Harrison",
            "date_of_birth": "2014-01-19",
            "exclusion_date": "2025-11-15",
            "exclusion_type": "permanent",
            "reason": "",
        },
    ],
    ExtractKind.YOUTH_OFFENDING: [
        {
            "yos_id": "YJ801840",
            "pnc": "26/718264F",
            "given_name": "Charlie",
            "family_name": "Wilson",
            "date_of_birth": "2010-08-23",
            "sex": "male",
            "postcode": "HM3 2UA",
            "order_type": "youth_conditional_caution",
            "start_date": "2026-09-09",
            "end_date": "2026-12-09",
        },
        {
            "yos_id": "YJ963174",
            "pnc": "",
            "given_name": "Connor",
            "family_name": "Walsh",
            "date_of_birth": "2008-07-11",
            "sex": "male",
            "postcode": "HM1 1LB",
            "order_type": "referral_order",
            "start_date": "2022-04-20",
            "end_date": "2022-12-20",
        },
    ],
    ExtractKind.PRISON_RELEASES: [
        {
            "prison_number": "G2190IU",
            "pnc": "23/686268C",
            "given_name": "Anna",
            "family_name": "WIŚNIEWSKI",
            "date_of_birth": "2003-05-05",
            "establishment": "HMYOI Fenbridge",
            "release_date": "2023-11-19",
            "sentence_months": "1",
            "release_postcode": "HM6 0DA",
        },
        {
            "prison_number": "A4853FV",
            "pnc": "22/234262G",
            "given_name": "Marcus",
            "family_name": "SHAW",
            "date_of_birth": "1972-12-05",
            "establishment": "HMP Hartmoor",
            "release_date": "2025-12-15",
            "sentence_months": "84",
            "release_postcode": "HM5 2BR",
        },
    ],
    ExtractKind.PROBATION_CASELOAD: [
        {
            "crn": "G093114",
            "pnc": "24/605601W",
            "given_name": "Ryan",
            "middle_name": "",
            "family_name": "Nowak",
            "date_of_birth": "1985-12-26",
            "sex": "M",
            "postcode": "HM2 5HG",
            "supervision_type": "licence",
            "start_date": "2025-06-17",
            "end_date": "2026-01-16",
        },
        {
            "crn": "F689779",
            "pnc": "92/104924Q",
            "given_name": "Sanjay",
            "middle_name": "Kumar",
            "family_name": "Patel",
            "date_of_birth": "1975-10-12",
            "sex": "M",
            "postcode": "HM5 5WQ",
            "supervision_type": "community_order",
            "start_date": "2023-07-23",
            "end_date": "",
        },
    ],
    ExtractKind.HEALTH_CONTACTS: [
        {
            "nhs_number": "678 902 2010",
            "given_name": "Fatima",
            "family_name": "Khan",
            "date_of_birth": "1955-08-28",
            "sex": "female",
            "postcode": "HM8 3JJ",
            "contact_date": "2025-08-23",
            "setting": "community_services",
        },
        {
            "nhs_number": "6355669207",
            "given_name": "Folake",
            "family_name": "Nwosu",
            "date_of_birth": "1972-02-05",
            "sex": "female",
            "postcode": "HM6 5HG",
            "contact_date": "2025-08-29",
            "setting": "gp_practice",
        },
    ],
    ExtractKind.RELATIONSHIPS: [
        {
            "source_agency_id": "police",
            "kind": "family_parent",
            "start_date": "2017-01-04",
            "end_date": "",
            "confidence": "high",
            "a_identifier_type": "",
            "a_identifier": "",
            "a_given_name": "Ian",
            "a_family_name": "Jones",
            "a_date_of_birth": "1995-05-16",
            "b_identifier_type": "",
            "b_identifier": "",
            "b_given_name": "Katherine",
            "b_family_name": "Jones",
            "b_date_of_birth": "2017-01-04",
        },
        {
            "source_agency_id": "police",
            "kind": "associate_peer",
            "start_date": "2020-06-18",
            "end_date": "2023-03-10",
            "confidence": "medium",
            "a_identifier_type": "pnc",
            "a_identifier": "16/476263G",
            "a_given_name": "Amit",
            "a_family_name": "PATEL",
            "a_date_of_birth": "1974-01-04",
            "b_identifier_type": "",
            "b_identifier": "",
            "b_given_name": "Ian",
            "b_family_name": "Jones",
            "b_date_of_birth": "1995-05-16",
        },
    ],
}
# The kinds that bring people only, and how many distinct people each kind's ROWS describe.
PEOPLE_IN_ROWS = {kind: 2 for kind in ExtractKind} | {
    ExtractKind.OCG_GROUPS: 0,
    ExtractKind.POLICE_OFFENCES: 0,
    ExtractKind.OCG_MEMBERSHIPS: 0,
    ExtractKind.CHILDRENS_SOCIAL_CARE: 1,
    ExtractKind.RELATIONSHIPS: 3,
}


def write_extract(
    path: Path, rows: Sequence[dict[str, str]], columns: Sequence[str] | None = None
) -> Path:
    """Writes rows in the format the path's suffix names; columns default to the first row's."""
    names = list(columns if columns is not None else rows[0])
    fmt = path.suffix.lstrip(".")
    if fmt == "csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, quoting=csv.QUOTE_NONNUMERIC)
            writer.writerow(names)
            writer.writerows([[row.get(name, "") for name in names] for row in rows])
    elif fmt == "xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(names)
        for row in rows:
            sheet.append([row.get(name, "") or None for name in names])
        book.save(path)
    else:
        path.write_text(json.dumps([{n: row.get(n, "") for n in names} for row in rows]))
    return path


def extract_rows(kind: ExtractKind) -> list[dict[str, str]]:
    return [dict(row) for row in ROWS[kind]]


def intake_and_people_counts() -> dict[str, int]:
    """Rows in every table of the intake and people apps (and the audit log)."""
    labels = ("intake", "people", "audit")
    return {
        model._meta.label: model._default_manager.count()
        for label in labels
        for model in apps.get_app_config(label).get_models()
    }


@pytest.fixture
def police(agencies: dict[str, Agency]) -> Agency:
    return agencies["police"]


@pytest.fixture(autouse=True)
def staging_in_tmp(settings: Any, tmp_path: Path) -> None:
    """Uploads wait in the test's own folder, so a test can see that it is emptied after."""
    settings.OFFRAMP_IMPORT_STAGING_DIR = str(tmp_path / "staging")


@pytest.fixture
def shared(partnership_agreement: DataSharingAgreement) -> DataSharingAgreement:
    return partnership_agreement


Importer = Callable[..., ImportBatch]


@pytest.fixture
def import_file(coordinator: User, police: Agency, shared: DataSharingAgreement) -> Importer:
    """Imports a file as the coordinator, from the police unless another agency is named."""

    def run(kind: ExtractKind, path: Path, *, agency: Agency | None = None) -> ImportBatch:
        return import_extract(
            actor=coordinator,
            agency=agency or police,
            kind=kind,
            file=path,
            file_name=path.name,
            extracted_on=EXTRACTED_ON,
        )

    return run


@pytest.fixture
def import_rows(import_file: Importer, tmp_path: Path) -> Importer:
    """Writes rows of a kind as a file of the given format and imports it."""

    def run(
        kind: ExtractKind,
        rows: Sequence[dict[str, str]] | None = None,
        *,
        fmt: str = "csv",
        name: str = "",
        columns: Sequence[str] | None = None,
        agency: Agency | None = None,
    ) -> ImportBatch:
        path = tmp_path / (name or f"{kind.value}.{fmt}")
        write_extract(path, rows if rows is not None else extract_rows(kind), columns)
        return import_file(kind, path, agency=agency)

    return run


def prerequisites(kind: ExtractKind) -> list[ExtractKind]:
    """The kinds to import before this one, in order."""
    first = []
    for earlier in SCHEMAS[kind].imported_first:
        first += [*prerequisites(earlier), earlier]
    return list(dict.fromkeys(first))
