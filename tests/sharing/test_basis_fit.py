"""Security trial (issue 12): an agreement covers a share only when its lawful basis fits the
data (health needs a special category condition) and the person (the Children Act 2004 is
about children). One check, `agreement_check`, so evidence, panel contributions and imports
all obey, and the refusal says why."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.assessments.models import Judgement
from offramp.assessments.services import FactorEntry, assessment_record_factors, assessment_start
from offramp.intake.models import ExtractKind
from offramp.intake.services import import_basis
from offramp.people.models import Person
from offramp.referrals.models import ConsentStatus
from offramp.referrals.services import referral_create
from offramp.sharing.models import (
    BASIS_FIT,
    BasisKind,
    DataCategory,
    DataSharingAgreement,
    Disclosure,
    LawfulBasis,
)
from offramp.sharing.services import NoSharingBasis, agreement_check, sharing_basis
from tests.conftest import referral_request, signed_in

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
CHILD_BORN = TODAY - datetime.timedelta(days=15 * 365)
ADULT_BORN = datetime.date(1990, 3, 1)


def _agreement(
    agencies: dict[str, Agency], basis: str, categories: list[str]
) -> DataSharingAgreement:
    made = DataSharingAgreement.objects.create(
        reference="DSA-FIT",
        title="Safeguarding health information",
        data_categories=categories,
        lawful_basis=basis,
        purpose="Safeguarding children from criminal exploitation",
        start_date=datetime.date(2024, 1, 1),
        review_date=datetime.date(2999, 1, 1),
    )
    made.parties.set([agencies["health"], agencies["council"]])
    return made


def _unconsented(school_dsl: User, born: datetime.date) -> Person:
    request = referral_request(date_of_birth=born, consent=ConsentStatus.NOT_YET_ASKED)
    return referral_create(referrer=school_dsl, request=request).person


def _health_basis(agencies: dict[str, Agency], person: Person):
    return sharing_basis(
        from_agency=agencies["health"],
        to_agency=agencies["council"],
        category=DataCategory.HEALTH,
        person=person,
        on=TODAY,
    )


def test_the_children_act_covers_health_information_about_a_child(agencies, school_dsl):
    agreement = _agreement(agencies, LawfulBasis.CHILDREN_ACT_2004, [DataCategory.HEALTH])
    basis = _health_basis(agencies, _unconsented(school_dsl, CHILD_BORN))
    assert (basis.kind, basis.agreement) == (BasisKind.AGREEMENT, agreement)


def test_the_children_act_does_not_cover_health_information_about_an_adult(agencies, school_dsl):
    _agreement(agencies, LawfulBasis.CHILDREN_ACT_2004, [DataCategory.HEALTH])
    with pytest.raises(NoSharingBasis) as refused:
        _health_basis(agencies, _unconsented(school_dsl, ADULT_BORN))
    assert refused.value.messages[0].startswith(
        "No active data sharing agreement between Hartmoor Health Trust and Hartmoor Council "
        "Community Safety covers health information (DSA-FIT lists it, but its lawful basis, "
        "Children Act 2004, sections 10 and 11, supports information about children only "
        "(its duties are to safeguard and promote the welfare of children), and this person "
        "is an adult), the person has not consented"
    )


def test_section_115_does_not_cover_health_information_about_anyone(agencies, school_dsl):
    _agreement(agencies, LawfulBasis.CRIME_AND_DISORDER_ACT_S115, [DataCategory.HEALTH])
    with pytest.raises(NoSharingBasis) as refused:
        _health_basis(agencies, _unconsented(school_dsl, CHILD_BORN))
    message = refused.value.messages[0]
    assert "Crime and Disorder Act 1998, section 115, cannot support health information" in message
    assert "special category data" in message


def test_section_115_covers_offending_information_about_an_adult(agencies, school_dsl):
    agreement = _agreement(
        agencies, LawfulBasis.CRIME_AND_DISORDER_ACT_S115, [DataCategory.OFFENDING]
    )
    basis = sharing_basis(
        from_agency=agencies["health"],
        to_agency=agencies["council"],
        category=DataCategory.OFFENDING,
        person=_unconsented(school_dsl, ADULT_BORN),
        on=TODAY,
    )
    assert basis.agreement == agreement


def test_evidence_about_an_adult_under_the_children_act_is_refused_and_nothing_is_shared(
    agencies, school_dsl, coordinator
):
    _agreement(agencies, LawfulBasis.CHILDREN_ACT_2004, [DataCategory.HEALTH])
    assessment = assessment_start(person=_unconsented(school_dsl, ADULT_BORN), actor=coordinator)
    entry = FactorEntry(
        factor_id="associates",
        judgement=Judgement.PRESENT,
        evidence="Clinic notes: attends with injuries he will not explain.",
        source_agency_id=agencies["health"].pk,
        evidence_date=TODAY - datetime.timedelta(days=3),
    )
    with pytest.raises(NoSharingBasis) as refused:
        assessment_record_factors(assessment=assessment, actor=coordinator, entries=[entry])
    assert "this person is an adult" in refused.value.message_dict["associates-source_agency"][0]
    assert not Disclosure.objects.exists()


def test_an_extract_cannot_be_imported_under_a_basis_for_children_only(agencies):
    _agreement(agencies, LawfulBasis.CHILDREN_ACT_2004, [DataCategory.HEALTH])
    check = agreement_check(
        from_agency=agencies["health"],
        to_agency=agencies["council"],
        category=DataCategory.HEALTH,
        on=TODAY,
    )
    assert check.agreement is None
    assert "the information may be about anyone" in check.gap
    with pytest.raises(NoSharingBasis, match="children only"):
        import_basis(
            supplier=agencies["health"],
            importer=agencies["council"],
            kind=ExtractKind.HEALTH_CONTACTS,
            on=TODAY,
        )


def test_administration_refuses_an_agreement_whose_basis_cannot_carry_its_categories(
    administrator, agencies
):
    response = signed_in(administrator).post(
        reverse("admin:sharing_datasharingagreement_add"),
        {
            "reference": "DSA-H1",
            "title": "Health information",
            "parties": [agencies["health"].pk, agencies["council"].pk],
            "data_categories": [DataCategory.OFFENDING, DataCategory.HEALTH],
            "lawful_basis": LawfulBasis.CRIME_AND_DISORDER_ACT_S115,
            "purpose": "Preventing serious and organised crime",
            "start_date": "2026-01-01",
            "review_date": "2027-01-01",
        },
    )
    assert response.status_code == 200
    assert (
        "Crime and Disorder Act 1998, section 115 cannot support health information"
        in response.content.decode()
    )
    assert not DataSharingAgreement.objects.exists()


def test_every_lawful_basis_says_what_it_can_support():
    assert set(BASIS_FIT) == set(LawfulBasis.values)
