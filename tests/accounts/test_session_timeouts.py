"""Idle (30 minutes) and absolute (10 hours) session timeouts, with a clock moved by hand."""

from django.test import Client, override_settings
from django.urls import reverse

from offramp.accounts.models import User
from tests.conftest import PASSWORD

from .clock import Clock


def sign_in(username: str) -> Client:
    client = Client()
    response = client.post(reverse("web:sign-in"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def follow_to_sign_in(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 302, f"{url} still served after the timeout"
    assert response["Location"].startswith(reverse("web:sign-in"))
    return client.get(response["Location"]).content.decode()


def test_a_session_used_within_the_idle_limit_stays_signed_in(
    coordinator: User, clock: Clock
) -> None:
    client = sign_in("coordinator")
    for _ in range(5):
        clock.advance(minutes=29)
        assert client.get(reverse("web:referral-list")).status_code == 200


def test_thirty_minutes_idle_signs_the_user_out_and_says_why(
    coordinator: User, clock: Clock
) -> None:
    client = sign_in("coordinator")
    assert client.get(reverse("web:dashboard")).status_code == 200
    clock.advance(minutes=30, seconds=1)
    page = follow_to_sign_in(client, reverse("web:referral-list"))
    assert "You were signed out because you had not used Offramp for 30 minutes" in page
    assert "_auth_user_id" not in client.session
    # The message is shown once, and the user is still signed out afterwards.
    assert "You were signed out" not in client.get(reverse("web:sign-in")).content.decode()
    assert client.get(reverse("web:dashboard")).status_code == 302


def test_the_sign_in_page_brings_the_user_back_where_they_were(
    coordinator: User, clock: Clock
) -> None:
    client = sign_in("coordinator")
    clock.advance(minutes=31)
    response = client.get(reverse("web:referral-list") + "?status=received")
    assert "next=/referrals/%3Fstatus%3Dreceived" in response["Location"]


def test_ten_hours_after_signing_in_the_session_ends_however_busy(
    coordinator: User, clock: Clock
) -> None:
    client = sign_in("coordinator")
    for _ in range(29):  # a request every 20 minutes: never idle
        clock.advance(minutes=20)
        assert client.get(reverse("web:dashboard")).status_code == 200
    clock.advance(minutes=19)  # 9 h 59 min
    assert client.get(reverse("web:dashboard")).status_code == 200
    clock.advance(minutes=1, seconds=1)
    page = follow_to_sign_in(client, reverse("web:dashboard"))
    assert "You were signed out because you had been signed in for more than 10 hours" in page


@override_settings(OFFRAMP_SESSION_IDLE_SECONDS=5 * 60, OFFRAMP_SESSION_ABSOLUTE_SECONDS=3600)
def test_the_limits_come_from_settings(coordinator: User, clock: Clock) -> None:
    client = sign_in("coordinator")
    clock.advance(minutes=4)
    assert client.get(reverse("web:dashboard")).status_code == 200
    clock.advance(minutes=5, seconds=1)
    assert "had not used Offramp for 5 minutes" in follow_to_sign_in(client, "/")

    client = sign_in("coordinator")
    for _ in range(15):
        clock.advance(minutes=4)
        assert client.get("/").status_code == 200  # exactly one hour is still allowed
    clock.advance(seconds=1)
    assert "signed in for more than 1 hour." in follow_to_sign_in(client, "/")


def test_a_session_started_without_the_sign_in_page_gets_the_same_limits(
    coordinator: User, clock: Clock
) -> None:
    client = Client()
    client.force_login(coordinator)
    assert client.get("/").status_code == 200
    clock.advance(minutes=31)
    assert client.get("/").status_code == 302


def test_the_api_answers_401_to_a_timed_out_session(coordinator: User, clock: Clock) -> None:
    client = sign_in("coordinator")
    assert client.get("/api/v1/referrals").status_code == 200
    clock.advance(minutes=31)
    assert client.get("/api/v1/referrals").status_code == 401
    assert "_auth_user_id" not in client.session


def test_a_timed_out_form_post_changes_nothing_and_asks_to_sign_in(
    coordinator: User, clock: Clock
) -> None:
    client = sign_in("coordinator")
    clock.advance(minutes=31)
    response = client.post(reverse("web:referral-create"), {"given_name": "X"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:sign-in"))
