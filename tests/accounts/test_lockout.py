"""Lockout after repeated failed sign-ins: five failures for a username within 15 minutes shut
it out for 15 minutes, whether or not the account exists."""

import datetime
import re

import pytest
from django.contrib.admin.sites import site
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from offramp.accounts.models import SignInThrottle, TotpDevice, User
from offramp.accounts.services import (
    sign_in_failure_record,
    sign_in_locked_until,
    sign_in_username_digest,
)
from tests.conftest import PASSWORD, signed_in

from .clock import Clock

LOCKED = "too many failed attempts to sign in with this username"
WRONG = "Enter a correct username and password"


def attempt(client: Client, username: str, password: str) -> tuple[int, str]:
    response = client.post(reverse("web:sign-in"), {"username": username, "password": password})
    return response.status_code, response.content.decode()


def error_summary(html: str) -> str:
    match = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S)
    assert match, "no GOV.UK error summary on the page"
    return re.sub(r"\s+", " ", match.group(0))


def fail(client: Client, username: str, times: int) -> str:
    html = ""
    for _ in range(times):
        status, html = attempt(client, username, "not-the-password")
        assert status == 200
    return html


def test_four_failures_then_the_right_password_signs_in_and_clears_the_count(
    coordinator: User, clock: Clock
) -> None:
    client = Client()
    assert WRONG in fail(client, "coordinator", 4)
    status, _ = attempt(client, "coordinator", PASSWORD)
    assert status == 302
    assert not SignInThrottle.objects.exists()


def test_the_fifth_failure_locks_the_username_even_against_the_right_password(
    coordinator: User, clock: Clock
) -> None:
    client = Client()
    html = fail(client, "coordinator", 5)
    assert LOCKED in error_summary(html)
    status, html = attempt(Client(), "coordinator", PASSWORD)
    assert status == 200, "a locked username signed in"
    summary = error_summary(html)
    assert "There is a problem" in summary and LOCKED in summary
    assert "Wait 15 minutes" in summary
    assert "_auth_user_id" not in Client().session


def test_the_lockout_ends_after_15_minutes(coordinator: User, clock: Clock) -> None:
    fail(Client(), "coordinator", 5)
    clock.advance(minutes=14, seconds=59)
    assert attempt(Client(), "coordinator", PASSWORD)[0] == 200
    clock.advance(seconds=2)
    assert attempt(Client(), "coordinator", PASSWORD)[0] == 302


def test_attempts_made_while_locked_do_not_extend_the_lockout(
    coordinator: User, clock: Clock
) -> None:
    fail(Client(), "coordinator", 5)
    for _ in range(10):
        clock.advance(minutes=1)
        attempt(Client(), "coordinator", "not-the-password")
    clock.advance(minutes=5, seconds=1)
    assert attempt(Client(), "coordinator", PASSWORD)[0] == 302


def test_failures_spread_over_more_than_the_window_do_not_lock(
    coordinator: User, clock: Clock
) -> None:
    fail(Client(), "coordinator", 4)
    clock.advance(minutes=16)
    fail(Client(), "coordinator", 4)
    assert sign_in_locked_until(username="coordinator") is None
    assert attempt(Client(), "coordinator", PASSWORD)[0] == 302


def test_a_lockout_does_not_say_whether_the_account_exists(coordinator: User, clock: Clock) -> None:
    real = error_summary(fail(Client(), "coordinator", 6))
    made_up = error_summary(fail(Client(), "no-such-person", 6))
    assert real == made_up
    assert LOCKED in real
    assert error_summary(fail(Client(), "coordinator2", 1)) == error_summary(
        fail(Client(), "nobody", 1)
    )


def test_changing_the_case_of_the_username_buys_no_more_attempts(
    coordinator: User, clock: Clock
) -> None:
    for name in ("coordinator", "Coordinator", "COORDINATOR", " coordinator", "coordinatoR"):
        attempt(Client(), name, "not-the-password")
    assert sign_in_locked_until(username="coordinator") is not None


def test_a_lockout_on_one_username_leaves_others_alone(
    coordinator: User, school_dsl: User, clock: Clock
) -> None:
    fail(Client(), "coordinator", 5)
    assert attempt(Client(), "dsl", PASSWORD)[0] == 302


def test_the_failure_count_is_kept_in_the_database_for_every_process(
    coordinator: User, clock: Clock
) -> None:
    for _ in range(5):
        sign_in_failure_record(username="coordinator")
    throttle = SignInThrottle.objects.get(username_digest=sign_in_username_digest("coordinator"))
    assert throttle.failures == 5
    assert throttle.locked_until == clock.now + datetime.timedelta(minutes=15)


def test_offramp_unlock_lifts_a_lockout(
    coordinator: User, clock: Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    fail(Client(), "coordinator", 5)
    call_command("unlock", "coordinator")
    assert "Lockout lifted for coordinator" in capsys.readouterr().out
    assert attempt(Client(), "coordinator", PASSWORD)[0] == 302
    call_command("unlock", "coordinator")
    assert "No failed sign-ins recorded" in capsys.readouterr().out


def test_offramp_unlock_can_reset_two_factor(
    coordinator: User, capsys: pytest.CaptureFixture[str]
) -> None:
    TotpDevice.objects.create(user=coordinator, secret="JBSWY3DPEHPK3PXP")
    call_command("unlock", "coordinator", "--reset-two-factor")
    assert "Two-factor device removed" in capsys.readouterr().out
    assert not TotpDevice.objects.filter(user=coordinator).exists()


def test_an_administrator_lifts_a_lockout_in_administration(
    coordinator: User, administrator: User, clock: Clock
) -> None:
    fail(Client(), "coordinator", 5)
    admin_client = signed_in(administrator)
    changelist = reverse("admin:accounts_signinthrottle_changelist")
    found = admin_client.get(changelist, {"q": "coordinator"}).content.decode()
    assert sign_in_username_digest("coordinator")[:12] in found
    throttle = SignInThrottle.objects.get()
    response = admin_client.post(
        changelist, {"action": "lift_lockout", "_selected_action": [throttle.pk]}
    )
    assert response.status_code == 302
    assert attempt(Client(), "coordinator", PASSWORD)[0] == 302


def test_administration_never_shows_a_two_factor_secret(
    coordinator: User, administrator: User
) -> None:
    device = TotpDevice.objects.create(user=coordinator, secret="JBSWY3DPEHPK3PXP")
    admin_client = signed_in(administrator)
    for url in (
        reverse("admin:accounts_totpdevice_changelist"),
        reverse("admin:accounts_totpdevice_change", args=[device.pk]),
    ):
        response = admin_client.get(url)
        assert response.status_code == 200
        assert "JBSWY3DPEHPK3PXP" not in response.content.decode()
    assert TotpDevice in site._registry


def test_the_admin_login_form_is_not_a_way_around_the_lockout(
    coordinator: User, clock: Clock
) -> None:
    fail(Client(), "coordinator", 5)
    client = Client()
    response = client.post(
        reverse("admin:login"), {"username": "coordinator", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:sign-in"))
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:login"))["Location"].startswith(reverse("web:sign-in"))


@pytest.mark.parametrize("field", ["username", "password"])
def test_a_missing_field_is_not_counted_as_a_failure(field: str, coordinator: User) -> None:
    data = {"username": "coordinator", "password": "x"}
    data[field] = ""
    for _ in range(6):
        Client().post(reverse("web:sign-in"), data)
    assert sign_in_locked_until(username="coordinator") is None
