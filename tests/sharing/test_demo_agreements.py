"""The demo partnership shares under realistic agreements, so its coordinator can assess."""

import datetime

import pytest
from django.utils import timezone

from offramp.accounts.models import User
from offramp.agencies.models import Agency, AgencyKind
from offramp.assessments.models import Judgement
from offramp.assessments.services import FactorEntry, assessment_record_factors, assessment_start
from offramp.demo.load import load_area
from offramp.demo.synth import generate_area
from offramp.people.models import Person
from offramp.sharing.models import BasisKind, DataCategory, Disclosure, LawfulBasis
from offramp.sharing.services import NoSharingBasis, sharing_basis

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def area():
    return generate_area(people=400, seed=3)


def test_the_demo_coordinator_records_police_and_health_evidence(area):
    load_area(area)
    coordinator = User.objects.get(username="coordinator")
    police = Agency.objects.filter(kind=AgencyKind.POLICE).first()
    health = Agency.objects.filter(kind=AgencyKind.HEALTH).first()
    jobcentre = Agency.objects.filter(kind=AgencyKind.JOB_CENTRE).first()
    person = Person.objects.exclude(referrals__consent="given").first()
    assert police and health and jobcentre and person and coordinator.agency

    today = timezone.localdate()
    for source, category, reference in (
        (police, DataCategory.OFFENDING, "HSP-ISP-01"),
        (health, DataCategory.HEALTH, "HSP-HEALTH-01"),
    ):
        basis = sharing_basis(
            from_agency=source,
            to_agency=coordinator.agency,
            category=category,
            person=person,
            on=today,
        )
        assert basis.kind == BasisKind.AGREEMENT and basis.agreement is not None
        assert basis.agreement.reference == reference
    protocol = sharing_basis(
        from_agency=police,
        to_agency=coordinator.agency,
        category=DataCategory.INTELLIGENCE,
        person=person,
        on=today,
    ).agreement
    assert protocol is not None
    assert protocol.lawful_basis == LawfulBasis.CRIME_AND_DISORDER_ACT_S115
    with pytest.raises(NoSharingBasis, match="HSP-ISP-01 does not include"):
        sharing_basis(
            from_agency=jobcentre,
            to_agency=coordinator.agency,
            category=DataCategory.SOCIAL_CARE,
            person=person,
            on=today,
        )

    before = Disclosure.objects.count()
    assessment = assessment_start(person=person, actor=coordinator)
    assessment_record_factors(
        assessment=assessment,
        actor=coordinator,
        entries=[
            FactorEntry(
                factor_id="gang_involvement",
                judgement=Judgement.PRESENT,
                evidence="Intelligence report: seen with members of a county line.",
                source_agency_id=police.pk,
                evidence_date=today - datetime.timedelta(days=10),
            )
        ],
    )
    assert Disclosure.objects.count() == before + 1


def test_loaded_evidence_from_partners_is_recorded_as_shared(area):
    load_area(area)
    shared = Disclosure.objects.select_related("agreement")
    assert shared.exists()
    assert {d.agreement.reference for d in shared if d.agreement} <= {
        "HSP-ISP-01",
        "HSP-HEALTH-01",
    }
