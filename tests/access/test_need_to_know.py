"""Default deny by agency: a coordinator sees a person another agency recorded only once that
person is shared with the partnership (issue 3, part 1)."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse

from offramp.access.scoping import people_visible_to
from offramp.accounts.models import Role, User
from offramp.intake.models import ExtractKind, ImportBatch, SourceRecord
from offramp.people.selectors import person_search
from offramp.people.services import PersonDetails, person_create
from offramp.referrals.services import referral_create, referral_link_to_person
from offramp.sharing.models import BasisKind, DataCategory, DataSharingAgreement, LawfulBasis
from offramp.sharing.services import SharingBasis, disclosure_record
from tests.conftest import referral_request, signed_in

BORN = datetime.date(2009, 6, 14)


@pytest.fixture
def police_record(police_coordinator):
    """A person the police recorded in Offramp and have shared with nobody."""
    return person_create(
        actor=police_coordinator,
        details=PersonDetails(given_name="Kieran", family_name="Doyle", date_of_birth=BORN),
    )


def _agreement(agencies, *, categories, ends=None) -> DataSharingAgreement:
    agreement = DataSharingAgreement.objects.create(
        reference="ISP-1",
        title="Protocol",
        data_categories=categories,
        lawful_basis=LawfulBasis.CRIME_AND_DISORDER_ACT_S115,
        purpose="SOC Prevent",
        start_date=datetime.date(2020, 1, 1),
        review_date=datetime.date(2999, 1, 1),
        end_date=ends,
    )
    agreement.parties.set([agencies["police"], agencies["council"]])
    return agreement


def _sees(user, person) -> bool:
    return people_visible_to(user).filter(pk=person.pk).exists()


def test_a_record_stays_with_the_agency_that_made_it(
    coordinator, police_coordinator, police_record
):
    assert _sees(police_coordinator, police_record)
    assert not _sees(coordinator, police_record)
    assert person_search(user=coordinator, given_name="Kieran", family_name="Doyle") == []
    page = signed_in(coordinator).get(reverse("web:person-detail", args=[police_record.pk]))
    assert page.status_code == 404


def test_an_agreement_covering_identity_shares_it_while_in_force(
    coordinator, agencies, police_record
):
    _agreement(agencies, categories=[DataCategory.OFFENDING])
    assert not _sees(coordinator, police_record), "an agreement must cover identity"
    DataSharingAgreement.objects.all().delete()
    _agreement(agencies, categories=[DataCategory.IDENTITY], ends=datetime.date(2021, 1, 1))
    assert not _sees(coordinator, police_record), "an ended agreement shares nothing"
    DataSharingAgreement.objects.update(end_date=None)
    assert _sees(coordinator, police_record)


def test_a_referral_brings_the_person_to_the_partnership(
    coordinator, police_coordinator, school_dsl, police_record
):
    referral = referral_create(
        referrer=school_dsl,
        request=referral_request(given_name="Kieran", family_name="Doyle", date_of_birth=BORN),
    )
    referral_link_to_person(referral=referral, person=police_record, actor=police_coordinator)
    assert _sees(coordinator, police_record)


def test_a_recorded_disclosure_shares_the_person_with_the_receiving_agency_only(
    coordinator, police_coordinator, agencies, police_record
):
    other_council = User.objects.create_user(
        username="yos-coordinator", agency=agencies["yos"], role=Role.COORDINATOR
    )
    with transaction.atomic():
        disclosure_record(
            person=police_record,
            category=DataCategory.IDENTITY,
            subject=police_record,
            from_agency=agencies["police"],
            to_agency=agencies["council"],
            basis=SharingBasis(
                kind=BasisKind.AGREEMENT,
                agreement=_agreement(agencies, categories=[DataCategory.OFFENDING]),
            ),
            actor=police_coordinator,
        )
    assert _sees(coordinator, police_record)
    assert not _sees(other_council, police_record)


def test_people_in_a_partner_extract_are_seen_by_the_parties_to_its_agreement(
    coordinator, agencies, police_coordinator, police_record
):
    batch = ImportBatch.objects.create(
        kind=ExtractKind.POLICE_NOMINALS,
        agency=agencies["yos"],
        file_name="yos.csv",
        file_sha256="0" * 64,
        extracted_on=datetime.date(2026, 11, 1),
        uploaded_by=police_coordinator,
    )
    SourceRecord.objects.create(
        agency=agencies["yos"], batch=batch, record_key="k", person=police_record
    )
    assert not _sees(coordinator, police_record)
    agreement = _agreement(agencies, categories=[DataCategory.IDENTITY])
    agreement.parties.set([agencies["yos"], agencies["council"]])
    assert _sees(coordinator, police_record)
