"""A user's role and agency change only when a second administrator approves (issue 12, leak 7):
an administrator who gives themselves the coordinator role in administration opens no person's
record until someone else agrees, and every step is in the access log."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from offramp.accounts.models import AccessChange, AccessChangeStatus, Role, TotpDevice, User
from offramp.accounts.services import (
    access_change_approve,
    access_change_reject,
    access_change_request,
)
from offramp.agencies.models import Agency
from offramp.audit.models import AuditEntry
from offramp.referrals.models import Referral
from tests.conftest import PASSWORD, signed_in


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


def user_form(user: User, **changes: object) -> dict[str, object]:
    """The administration change form for `user` as it stands, with `changes` applied."""
    data: dict[str, object] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "agency": user.agency_id or "",
        "role": user.role,
        "job_title": user.job_title,
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
    }
    data.update(changes)
    return data


def change_in_administration(admin_user: User, user: User, **changes: object) -> None:
    response = signed_in(admin_user).post(
        reverse("admin:accounts_user_change", args=[user.pk]), user_form(user, **changes)
    )
    assert response.status_code == 302, response.content.decode()[:3000]


def test_an_administrators_own_role_change_waits_for_a_second_administrator(
    administrator: User, second_administrator: User, dsl_referral: Referral
) -> None:
    change_in_administration(administrator, administrator, role=Role.COORDINATOR)
    administrator.refresh_from_db()
    assert administrator.role == Role.ADMINISTRATOR
    person_page = reverse("web:person-detail", args=[dsl_referral.person_id])
    assert signed_in(administrator).get(person_page).status_code in (403, 404)

    change = AccessChange.objects.get(user=administrator, status=AccessChangeStatus.PENDING)
    access_change_approve(change=change, approver=second_administrator)
    administrator.refresh_from_db()
    assert administrator.role == Role.COORDINATOR
    assert not administrator.is_staff and not administrator.is_superuser


def test_nobody_approves_their_own_request(
    administrator: User, second_administrator: User, coordinator: User
) -> None:
    change = access_change_request(
        requested_by=administrator, user=coordinator, role=Role.ANALYST, agency=coordinator.agency
    )
    with pytest.raises(PermissionDenied, match="your own request"):
        access_change_approve(change=change, approver=administrator)
    coordinator.refresh_from_db()
    assert coordinator.role == Role.COORDINATOR


def test_nobody_approves_or_rejects_a_change_about_themselves(
    administrator: User, second_administrator: User
) -> None:
    change = access_change_request(
        requested_by=administrator,
        user=second_administrator,
        role=Role.PRACTITIONER,
        agency=second_administrator.agency,
    )
    with pytest.raises(PermissionDenied, match="about yourself"):
        access_change_approve(change=change, approver=second_administrator)
    with pytest.raises(PermissionDenied, match="about yourself"):
        access_change_reject(change=change, decider=second_administrator)
    second_administrator.refresh_from_db()
    assert second_administrator.role == Role.ADMINISTRATOR


def test_self_approval_is_refused_in_administration(
    administrator: User, second_administrator: User, coordinator: User
) -> None:
    change_in_administration(administrator, coordinator, role=Role.ANALYST)
    change = AccessChange.objects.get(user=coordinator)
    response = signed_in(administrator).post(
        reverse("admin:accounts_accesschange_changelist"),
        {"action": "approve", "_selected_action": [change.pk]},
        follow=True,
    )
    assert "your own request" in response.content.decode()
    coordinator.refresh_from_db()
    assert coordinator.role == Role.COORDINATOR
    signed_in(second_administrator).post(
        reverse("admin:accounts_accesschange_changelist"),
        {"action": "approve", "_selected_action": [change.pk]},
    )
    coordinator.refresh_from_db()
    assert coordinator.role == Role.ANALYST


def test_an_agency_change_waits_and_a_rejection_leaves_the_user_as_they_were(
    administrator: User, second_administrator: User, coordinator: User, agencies: dict[str, Agency]
) -> None:
    change_in_administration(administrator, coordinator, agency=agencies["police"].pk)
    coordinator.refresh_from_db()
    assert coordinator.agency == agencies["council"]
    change = AccessChange.objects.get(user=coordinator)
    access_change_reject(change=change, decider=second_administrator)
    change.refresh_from_db()
    assert change.status == AccessChangeStatus.REJECTED
    coordinator.refresh_from_db()
    assert coordinator.agency == agencies["council"]
    with pytest.raises(ValidationError, match="already been decided"):
        access_change_approve(change=change, approver=second_administrator)


def test_requests_and_decisions_are_in_the_access_log(
    administrator: User, second_administrator: User, coordinator: User
) -> None:
    change = access_change_request(
        requested_by=administrator, user=coordinator, role=Role.ANALYST, agency=coordinator.agency
    )
    access_change_approve(change=change, approver=second_administrator)
    purposes = list(
        AuditEntry.objects.filter(object_type="accesschange", object_id=str(change.pk)).values_list(
            "purpose", "actor_id"
        )
    )
    assert ("access change requested", administrator.pk) in purposes
    assert ("access change approved", second_administrator.pk) in purposes


def test_a_request_that_changes_nothing_or_comes_from_a_non_administrator_is_refused(
    administrator: User, coordinator: User
) -> None:
    with pytest.raises(ValidationError, match="already"):
        access_change_request(
            requested_by=administrator,
            user=coordinator,
            role=coordinator.role,
            agency=coordinator.agency,
        )
    with pytest.raises(PermissionDenied):
        access_change_request(
            requested_by=coordinator, user=coordinator, role=Role.AUDITOR, agency=coordinator.agency
        )
    assert not AccessChange.objects.exists()


def test_a_user_added_in_administration_is_inactive_until_approved(
    administrator: User, second_administrator: User, agencies: dict[str, Agency]
) -> None:
    response = signed_in(administrator).post(
        reverse("admin:accounts_user_add"),
        {
            "username": "newcoord",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "usable_password": "true",
            "first_name": "New",
            "last_name": "Coordinator",
            "agency": agencies["police"].pk,
            "role": Role.COORDINATOR,
            "job_title": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="newcoord")
    assert not user.is_active and user.agency is None
    client = Client()
    client.post(reverse("web:sign-in"), {"username": "newcoord", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    access_change_approve(change=AccessChange.objects.get(user=user), approver=second_administrator)
    user.refresh_from_db()
    assert user.is_active and user.role == Role.COORDINATOR and user.agency == agencies["police"]


def test_administration_cannot_grant_superuser_or_staff_directly(
    administrator: User, coordinator: User
) -> None:
    change_in_administration(
        administrator, coordinator, is_staff="on", is_superuser="on", last_name="Shah-Jones"
    )
    coordinator.refresh_from_db()
    assert coordinator.last_name == "Shah-Jones"
    assert not coordinator.is_staff and not coordinator.is_superuser


def test_createsuperuser_beyond_the_first_two_administrators_needs_approval(
    administrator: User, second_administrator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", "--no-input", username="admin3", email="a3@example.org")
    user = User.objects.get(username="admin3")
    assert not user.is_active and not user.is_staff and not user.is_superuser
    change = AccessChange.objects.get(user=user, status=AccessChangeStatus.PENDING)
    assert change.role == Role.ADMINISTRATOR and change.requested_by is None
    access_change_approve(change=change, approver=administrator)
    user.refresh_from_db()
    assert user.is_active and user.is_staff and user.role == Role.ADMINISTRATOR


def test_createsuperuser_sets_up_the_first_administrators_directly(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", "--no-input", username="first", email="f@example.org")
    user = User.objects.get(username="first")
    assert user.is_active and user.is_superuser and user.role == Role.ADMINISTRATOR
    assert AuditEntry.objects.filter(object_type="user", object_id=str(user.pk)).exists()


def test_an_administrator_cannot_take_over_a_coordinators_sign_in(
    administrator: User, coordinator: User
) -> None:
    """Setting a coordinator's password (and, in production, removing their two-factor
    device) would let one administrator sign in as them and read the records they may see."""
    client = signed_in(administrator)
    password_page = reverse("admin:auth_user_password_change", args=[coordinator.pk])
    response = client.post(
        password_page,
        {"password1": "a-new-long-password-1", "password2": "a-new-long-password-1"},
    )
    assert response.status_code == 403
    coordinator.refresh_from_db()
    assert coordinator.check_password(PASSWORD)

    device = TotpDevice.objects.create(user=coordinator, secret="JBSWY3DPEHPK3PXP")
    client.post(reverse("admin:accounts_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert TotpDevice.objects.filter(pk=device.pk).exists()


def test_an_administrator_cannot_take_over_another_administrators_sign_in(
    administrator: User, second_administrator: User
) -> None:
    """Setting their password or removing their two-factor device would let one administrator
    sign in as the other and approve their own request."""
    client = signed_in(administrator)
    password_page = reverse("admin:auth_user_password_change", args=[second_administrator.pk])
    response = client.post(
        password_page,
        {"password1": "a-new-long-password-1", "password2": "a-new-long-password-1"},
    )
    assert response.status_code == 403
    second_administrator.refresh_from_db()
    assert second_administrator.check_password(PASSWORD)

    device = TotpDevice.objects.create(user=second_administrator, secret="JBSWY3DPEHPK3PXP")
    client.post(reverse("admin:accounts_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert TotpDevice.objects.filter(pk=device.pk).exists()
