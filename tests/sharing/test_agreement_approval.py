"""An agreement change that widens sharing takes effect only once a second administrator
approves it: one administrator ticking "identity" in administration showed a coordinator
records another agency never shared (ADR 0011)."""

import datetime

import pytest
from django.urls import reverse

from offramp.access.scoping import people_visible_to
from offramp.accounts.models import Role, User
from offramp.agencies.models import Agency
from offramp.audit.models import AuditEntry
from offramp.people.models import Person
from offramp.people.services import PersonDetails, person_create
from offramp.sharing.models import DataCategory, DataSharingAgreement, LawfulBasis
from offramp.sharing.services import agreement_check
from tests.conftest import PASSWORD, signed_in

WAITING = "data sharing agreement waiting for a second administrator"
APPROVED = "data sharing agreement approved"


@pytest.fixture
def second_administrator(agencies: dict[str, Agency]) -> User:
    return User.objects.create_user(
        username="admin2",
        password=PASSWORD,
        agency=agencies["police"],
        role=Role.ADMINISTRATOR,
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def police_record(police_coordinator: User) -> Person:
    """A person the police recorded and have shared with nobody."""
    return person_create(
        actor=police_coordinator,
        details=PersonDetails(
            given_name="Kieran", family_name="Doyle", date_of_birth=datetime.date(2009, 6, 14)
        ),
    )


@pytest.fixture
def protocol(agencies: dict[str, Agency]) -> DataSharingAgreement:
    """An approved agreement between the police and the council that does not cover identity."""
    agreement = DataSharingAgreement.objects.create(
        reference="ISP-1",
        title="Protocol",
        data_categories=[DataCategory.OFFENDING],
        lawful_basis=LawfulBasis.CRIME_AND_DISORDER_ACT_S115,
        purpose="SOC Prevent",
        start_date=datetime.date(2020, 1, 1),
        review_date=datetime.date(2999, 1, 1),
    )
    agreement.parties.set([agencies["police"], agencies["council"]])
    return agreement


def agreement_form(agreement: DataSharingAgreement, **changes: object) -> dict[str, object]:
    """The administration form for `agreement` as it stands, with `changes` applied."""
    data: dict[str, object] = {
        "reference": agreement.reference,
        "title": agreement.title,
        "parties": [party.pk for party in agreement.parties.all()],
        "data_categories": list(agreement.data_categories),
        "lawful_basis": agreement.lawful_basis,
        "lawful_basis_detail": agreement.lawful_basis_detail,
        "purpose": agreement.purpose,
        "start_date": agreement.start_date.isoformat(),
        "review_date": agreement.review_date.isoformat(),
        "end_date": agreement.end_date.isoformat() if agreement.end_date else "",
    }
    data.update(changes)
    return data


def edit(admin_user: User, agreement: DataSharingAgreement, **changes: object) -> str:
    response = signed_in(admin_user).post(
        reverse("admin:sharing_datasharingagreement_change", args=[agreement.pk]),
        agreement_form(agreement, **changes),
        follow=True,
    )
    assert response.status_code == 200
    assert "errornote" not in response.content.decode(), "the form must be accepted"
    return response.content.decode()


def approve(admin_user: User, agreement: DataSharingAgreement) -> str:
    response = signed_in(admin_user).post(
        reverse("admin:sharing_datasharingagreement_changelist"),
        {"action": "approve", "_selected_action": [agreement.pk]},
        follow=True,
    )
    return response.content.decode()


def sees(user: User, person: Person) -> bool:
    return people_visible_to(user).filter(pk=person.pk).exists()


def purposes(agreement: DataSharingAgreement) -> list[tuple[str, int | None]]:
    entries = AuditEntry.objects.filter(
        object_type="datasharingagreement", object_id=str(agreement.pk)
    ).order_by("sequence")
    return [(e.purpose, e.actor_id) for e in entries if e.purpose in (WAITING, APPROVED)]


def test_one_administrator_ticking_identity_shares_nothing_until_a_second_approves(
    administrator: User,
    second_administrator: User,
    coordinator: User,
    police_record: Person,
    agencies: dict[str, Agency],
    protocol: DataSharingAgreement,
) -> None:
    page = edit(
        administrator,
        protocol,
        data_categories=[DataCategory.OFFENDING, DataCategory.IDENTITY],
    )
    assert "until a second administrator approves it" in page
    protocol.refresh_from_db()
    assert protocol.covers_category(DataCategory.IDENTITY)
    assert protocol.approved_at is None
    assert protocol.changed_by == administrator
    assert not sees(coordinator, police_record)
    check = agreement_check(
        from_agency=agencies["police"],
        to_agency=agencies["council"],
        category=DataCategory.IDENTITY,
        on=datetime.date.today(),
    )
    assert check.agreement is None
    assert "waiting for a second administrator" in check.gap

    assert "ISP-1: approved" in approve(second_administrator, protocol)
    protocol.refresh_from_db()
    assert protocol.approved_by == second_administrator
    assert sees(coordinator, police_record)
    assert purposes(protocol) == [
        (WAITING, administrator.pk),
        (APPROVED, second_administrator.pk),
    ]


def test_the_administrator_who_widened_an_agreement_cannot_approve_it(
    administrator: User,
    coordinator: User,
    police_record: Person,
    protocol: DataSharingAgreement,
) -> None:
    edit(administrator, protocol, data_categories=[DataCategory.IDENTITY])
    page = approve(administrator, protocol)
    assert "You cannot approve a change you made" in page
    protocol.refresh_from_db()
    assert protocol.approved_at is None
    assert not sees(coordinator, police_record)
    assert purposes(protocol) == [(WAITING, administrator.pk)]


@pytest.mark.parametrize(
    "widening",
    [
        {"parties": "add the school"},
        {"start_date": "2019-01-01"},
        {"review_date": "3000-01-01"},
        {"lawful_basis": LawfulBasis.DPA_2018_PART_3},
    ],
)
def test_every_widening_edit_waits(
    administrator: User,
    agencies: dict[str, Agency],
    protocol: DataSharingAgreement,
    widening: dict[str, object],
) -> None:
    if "parties" in widening:
        widening = {"parties": [a.pk for a in protocol.parties.all()] + [agencies["school"].pk]}
    edit(administrator, protocol, **widening)
    protocol.refresh_from_db()
    assert protocol.approved_at is None
    assert not protocol.in_force(datetime.date.today())


def test_clearing_an_end_date_waits(administrator: User, protocol: DataSharingAgreement) -> None:
    protocol.end_date = datetime.date(2998, 1, 1)
    protocol.save()
    edit(administrator, protocol, end_date="")
    protocol.refresh_from_db()
    assert protocol.end_date is None
    assert protocol.approved_at is None


def test_a_narrowing_edit_takes_effect_at_once(
    administrator: User,
    coordinator: User,
    police_record: Person,
    agencies: dict[str, Agency],
    protocol: DataSharingAgreement,
) -> None:
    protocol.data_categories = [DataCategory.OFFENDING, DataCategory.IDENTITY]
    protocol.save()
    protocol.parties.add(agencies["school"])
    assert sees(coordinator, police_record)

    page = edit(
        administrator,
        protocol,
        data_categories=[DataCategory.IDENTITY],
        parties=[agencies["police"].pk, agencies["council"].pk],
        end_date="2998-01-01",
    )
    assert "until a second administrator" not in page
    protocol.refresh_from_db()
    assert protocol.approved_at is not None
    assert protocol.changed_by is None
    assert protocol.data_categories == [DataCategory.IDENTITY]
    assert sees(coordinator, police_record)
    assert purposes(protocol) == []


def test_a_new_agreement_waits_for_a_second_administrator(
    administrator: User,
    second_administrator: User,
    coordinator: User,
    police_record: Person,
    agencies: dict[str, Agency],
) -> None:
    response = signed_in(administrator).post(
        reverse("admin:sharing_datasharingagreement_add"),
        {
            "reference": "ISP-9",
            "title": "Identity protocol",
            "parties": [agencies["police"].pk, agencies["council"].pk],
            "data_categories": [DataCategory.IDENTITY],
            "lawful_basis": LawfulBasis.CRIME_AND_DISORDER_ACT_S115,
            "lawful_basis_detail": "",
            "purpose": "SOC Prevent",
            "start_date": "2020-01-01",
            "review_date": "2999-01-01",
            "end_date": "",
        },
        follow=True,
    )
    assert "until a second administrator approves it" in response.content.decode()
    agreement = DataSharingAgreement.objects.get(reference="ISP-9")
    assert agreement.approved_at is None
    assert agreement.changed_by == administrator
    assert not sees(coordinator, police_record)
    listing = signed_in(second_administrator).get(
        reverse("admin:sharing_datasharingagreement_changelist")
    )
    assert "Waiting for a second administrator" in listing.content.decode()

    approve(second_administrator, agreement)
    assert sees(coordinator, police_record)
    assert purposes(agreement) == [
        (WAITING, administrator.pk),
        (APPROVED, second_administrator.pk),
    ]


def test_agreements_made_in_code_are_approved_and_in_force(
    protocol: DataSharingAgreement,
) -> None:
    assert protocol.approved_at is not None
    assert protocol.in_force(datetime.date.today())
