"""Sign-ins, failed sign-ins and lockouts are written to the access log (issue 3's audit log).

Each is an entry about the account ("account", its id): a sign-in by the user; a failure or a
lockout by nobody known (whoever typed), in the transaction that counts it. A username with no
account is logged as "unknown": what was typed is never kept. (These tests sit with the export
work that added the logging; they belong with tests/accounts.)
"""

import pytest
from django.db import DatabaseError
from django.test import Client, override_settings
from django.urls import reverse

from offramp.accounts.models import SignInThrottle, User
from offramp.audit.models import AuditAction, AuditEntry
from tests.accounts.clock import Clock
from tests.accounts.test_two_factor import current_code, enrolled, password_step
from tests.audit.conftest import verify
from tests.conftest import PASSWORD


def sign_in(username: str, password: str) -> int:
    response = Client().post(reverse("web:sign-in"), {"username": username, "password": password})
    return response.status_code


def account_log() -> list[tuple[str, str, str, int | None, str]]:
    return list(
        AuditEntry.objects.filter(object_type="account")
        .order_by("sequence")
        .values_list("action", "object_id", "purpose", "actor_id", "channel")
    )


def test_a_sign_in_is_logged_by_the_user(coordinator: User) -> None:
    assert sign_in("coordinator", PASSWORD) == 302
    assert account_log() == [
        (AuditAction.COLLECTION, str(coordinator.pk), "sign-in", coordinator.pk, "page")
    ]
    entry = AuditEntry.objects.get(object_type="account")
    assert (entry.actor_username, entry.actor_agency) == (
        "coordinator",
        "Hartmoor Council Community Safety",
    )


def test_failures_and_the_lockout_they_cause_are_logged(coordinator: User, clock: Clock) -> None:
    for _ in range(5):
        assert sign_in("coordinator", "not-the-password") == 200
    failure = (AuditAction.COLLECTION, str(coordinator.pk), "sign-in failure", None, "page")
    lockout = (AuditAction.ALTERATION, str(coordinator.pk), "sign-in lockout", None, "page")
    assert account_log() == [failure] * 5 + [lockout]
    assert verify()[0] == 0


def test_a_username_with_no_account_is_logged_without_what_was_typed(db: None) -> None:
    assert sign_in("correct-horse-battery-staple", "x") == 200
    entry = AuditEntry.objects.get(object_type="account")
    assert (entry.object_id, entry.purpose, entry.actor_username) == (
        "unknown",
        "sign-in failure",
        "",
    )
    assert "correct-horse" not in repr(list(AuditEntry.objects.values()))


def test_with_two_factor_the_sign_in_is_logged_once_the_code_is_right(
    coordinator: User, clock: Clock
) -> None:
    with override_settings(OFFRAMP_REQUIRE_TWO_FACTOR=True):
        secret = enrolled(coordinator)
        client, location = password_step("coordinator")
        assert account_log() == []  # the password alone is not a sign-in
        client.post(location, {"code": "000000" if current_code(secret) != "000000" else "111111"})
        assert [row[2] for row in account_log()] == ["sign-in failure"]
        client.post(location, {"code": current_code(secret)})
    assert [row[2] for row in account_log()] == ["sign-in failure", "sign-in"]


def test_a_failure_is_not_counted_if_it_cannot_be_logged(
    coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise DatabaseError("the audit log is unavailable")

    monkeypatch.setattr(AuditEntry.objects, "bulk_create", refuse)
    client = Client(raise_request_exception=False)
    response = client.post(reverse("web:sign-in"), {"username": "coordinator", "password": "wrong"})
    assert response.status_code == 500
    assert not SignInThrottle.objects.exists()
    response = client.post(
        reverse("web:sign-in"), {"username": "coordinator", "password": PASSWORD}
    )
    assert response.status_code == 500
    assert "_auth_user_id" not in client.session  # no session without its log entry
