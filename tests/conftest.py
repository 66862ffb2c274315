"""Named personas and the agencies they work for, shared by the whole suite."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from offramp.accounts.models import Role, User
from offramp.agencies.models import Agency, AgencyKind
from offramp.referrals.models import ConsentStatus, Referral
from offramp.referrals.services import ReferralRequest, referral_create
from offramp.sharing.models import DataCategory, DataSharingAgreement, LawfulBasis

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def agencies(db: None) -> dict[str, Agency]:
    specs = {
        "police": ("Hartmoor Police", AgencyKind.POLICE),
        "council": ("Hartmoor Council Community Safety", AgencyKind.COMMUNITY_SAFETY),
        "school": ("Hartmoor Academy", AgencyKind.SCHOOL),
        "other_school": ("St Aidan's High School", AgencyKind.SCHOOL),
        "health": ("Hartmoor Health Trust", AgencyKind.HEALTH),
        "yos": ("Hartmoor Youth Offending Service", AgencyKind.YOUTH_OFFENDING),
    }
    return {
        key: Agency.objects.create(slug=key.replace("_", "-"), name=name, kind=kind)
        for key, (name, kind) in specs.items()
    }


@pytest.fixture
def partnership_agreement(agencies: dict[str, Agency]) -> DataSharingAgreement:
    """An information sharing protocol between every persona's agency, for every category,
    about anyone: a statutory gateway with a special category condition for health."""
    agreement = DataSharingAgreement.objects.create(
        reference="HISP-TEST",
        title="Hartmoor SOC Prevent information sharing protocol",
        data_categories=list(DataCategory.values),
        lawful_basis=LawfulBasis.OTHER_STATUTORY,
        lawful_basis_detail=(
            "Crime and Disorder Act 1998, section 115, with Data Protection Act 2018, "
            "Schedule 1, paragraphs 10 and 18 for health information"
        ),
        purpose="Preventing serious and organised crime and safeguarding those exploited by it",
        start_date=datetime.date(2020, 1, 1),
        review_date=datetime.date(2999, 1, 1),
    )
    agreement.parties.set(agencies.values())
    return agreement


def _user(username: str, agency: Agency, role: Role, first: str, last: str) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        agency=agency,
        role=role,
        first_name=first,
        last_name=last,
    )
    return user


@pytest.fixture
def coordinator(agencies: dict[str, Agency]) -> User:
    """The SOC Prevent coordinator at the council."""
    return _user("coordinator", agencies["council"], Role.COORDINATOR, "Priya", "Shah")


@pytest.fixture
def school_dsl(agencies: dict[str, Agency]) -> User:
    """A school designated safeguarding lead: a practitioner at an identifying organisation."""
    return _user("dsl", agencies["school"], Role.PRACTITIONER, "Tom", "Baker")


@pytest.fixture
def other_dsl(agencies: dict[str, Agency]) -> User:
    """The designated safeguarding lead of another school."""
    return _user("other-dsl", agencies["other_school"], Role.PRACTITIONER, "Grace", "Okafor")


@pytest.fixture
def health_panel_member(agencies: dict[str, Agency]) -> User:
    return _user("health", agencies["health"], Role.PANEL_MEMBER, "Ruth", "Evans")


@pytest.fixture
def analyst(agencies: dict[str, Agency]) -> User:
    return _user("analyst", agencies["police"], Role.ANALYST, "Sam", "Lee")


@pytest.fixture
def auditor(agencies: dict[str, Agency]) -> User:
    return _user("auditor", agencies["council"], Role.AUDITOR, "Alan", "Price")


@pytest.fixture
def administrator(agencies: dict[str, Agency]) -> User:
    user = _user("admin", agencies["council"], Role.ADMINISTRATOR, "Ada", "Jones")
    user.is_staff = True
    user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def police_coordinator(agencies: dict[str, Agency]) -> User:
    """A coordinator at the police: another agency's coordinator (a second approver, or one
    whose records the council's people may not see)."""
    return _user("police-coordinator", agencies["police"], Role.COORDINATOR, "Dev", "Patel")


@pytest.fixture
def today() -> datetime.date:
    """The real today: activity is stamped with it."""
    return timezone.localdate()


def referral_request(**overrides: object) -> ReferralRequest:
    values: dict[str, object] = {
        "given_name": "Connor",
        "family_name": "Walsh",
        "date_of_birth": datetime.date(2011, 4, 9),
        "area": "Northgate",
        "concern": "Seen with older boys near the station after school; new trainers and phone.",
        "consent": ConsentStatus.GIVEN,
        "factor_ids": ("gang_involvement", "associates"),
    }
    values.update(overrides)
    return ReferralRequest(**values)  # type: ignore[arg-type]


@pytest.fixture
def dsl_referral(school_dsl: User) -> Referral:
    return referral_create(referrer=school_dsl, request=referral_request())


@pytest.fixture
def other_referral(other_dsl: User) -> Referral:
    return referral_create(
        referrer=other_dsl,
        request=referral_request(
            given_name="Paige", family_name="Morris", date_of_birth=datetime.date(2008, 1, 3)
        ),
    )


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
