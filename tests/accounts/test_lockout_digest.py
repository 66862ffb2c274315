"""The lockout table keeps no typed username in clear (issue 12, leak 7): a password pasted into
the username box must not show up in administration. It keeps a keyed hash instead."""

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from offramp.accounts.models import SignInThrottle, User
from offramp.accounts.services import sign_in_locked_until
from tests.conftest import PASSWORD, signed_in

from .clock import Clock

PASTED_PASSWORD = "Tr0ub4dor&3-pasted"


def fail(username: str, times: int) -> None:
    for _ in range(times):
        Client().post(reverse("web:sign-in"), {"username": username, "password": "wrong-one"})


def test_lockout_rows_contain_no_clear_username(coordinator: User, clock: Clock) -> None:
    fail(PASTED_PASSWORD, 1)
    fail("coordinator", 5)
    rows = list(SignInThrottle.objects.values())
    assert len(rows) == 2
    for row in rows:
        for value in row.values():
            text = str(value).casefold()
            assert PASTED_PASSWORD.casefold() not in text and "coordinator" not in text
    assert sign_in_locked_until(username="Coordinator ") is not None


def test_administration_shows_no_typed_username_but_finds_one_typed_in_search(
    coordinator: User, administrator: User, clock: Clock
) -> None:
    fail(PASTED_PASSWORD, 1)
    fail("coordinator", 5)
    client = signed_in(administrator)
    changelist = reverse("admin:accounts_signinthrottle_changelist")
    assert PASTED_PASSWORD.casefold() not in client.get(changelist).content.decode().casefold()
    found = client.get(changelist, {"q": "Coordinator"}).content.decode()
    assert "1 result" in found
    throttle = SignInThrottle.objects.get(failures=5)
    client.post(changelist, {"action": "lift_lockout", "_selected_action": [throttle.pk]})
    assert sign_in_locked_until(username="coordinator") is None


def test_offramp_unlock_still_lifts_a_lockout_by_username(coordinator: User, clock: Clock) -> None:
    fail("coordinator", 5)
    call_command("unlock", "COORDINATOR")
    response = Client().post(
        reverse("web:sign-in"), {"username": "coordinator", "password": PASSWORD}
    )
    assert response.status_code == 302
