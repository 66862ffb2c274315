"""Two-factor sign-in with OFFRAMP_REQUIRE_TWO_FACTOR on: password, then a code from an
authenticator app; nothing else is reachable in between, and no code is accepted twice."""

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from offramp.accounts import totp
from offramp.accounts.models import TotpDevice, User
from offramp.accounts.services import sign_in_locked_until
from tests.conftest import PASSWORD

from .clock import Clock

pytestmark = pytest.mark.usefixtures("two_factor_on")
CODE_PAGE = reverse("web:two-factor")
SETUP_PAGE = reverse("web:two-factor-setup")


@pytest.fixture
def two_factor_on() -> object:
    with override_settings(OFFRAMP_REQUIRE_TWO_FACTOR=True):
        yield


def current_code(secret: str, *, steps_ahead: int = 0) -> str:
    return totp.code_at(secret, totp.time_step(timezone.now().timestamp()) + steps_ahead)


def password_step(username: str, next_url: str = "") -> tuple[Client, str]:
    client = Client()
    data = {"username": username, "password": PASSWORD}
    url = reverse("web:sign-in") + (f"?next={next_url}" if next_url else "")
    response = client.post(url, data | ({"next": next_url} if next_url else {}))
    assert response.status_code == 302
    return client, response["Location"]


def enrolled(user: User) -> str:
    """Gives the user a confirmed authenticator, as if set up at an earlier sign-in."""
    device = TotpDevice.objects.create(
        user=user, secret=totp.new_secret(), confirmed_at=timezone.now()
    )
    return device.secret


def test_the_password_alone_reaches_no_page_and_no_api(coordinator: User, clock: Clock) -> None:
    enrolled(coordinator)
    client, location = password_step("coordinator")
    assert location.startswith(CODE_PAGE)
    assert client.session["_auth_user_id"]  # the password was right ...
    for url in ("/", reverse("web:referral-list"), "/admin/", reverse("web:person-search")):
        response = client.get(url)
        assert response.status_code == 302, url  # ... but it opens nothing
        assert response["Location"].startswith(CODE_PAGE), url
    assert client.get("/api/v1/referrals").status_code == 401
    assert client.post(reverse("web:referral-create"), {}).status_code == 302


def test_first_sign_in_sets_up_an_authenticator_then_reaches_the_service(
    coordinator: User, clock: Clock
) -> None:
    client, location = password_step("coordinator")
    response = client.get(location)
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP_PAGE)
    page = client.get(response["Location"])
    html = page.content.decode()
    device = TotpDevice.objects.get(user=coordinator)
    assert not device.confirmed
    assert totp.grouped(device.secret) in html
    assert f"otpauth://totp/Offramp%3Acoordinator?secret={device.secret}" in html
    assert "no-store" in page["Cache-Control"]

    response = client.post(page.wsgi_request.get_full_path(), {"code": current_code(device.secret)})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:dashboard")
    assert client.get("/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_the_secret_is_not_shown_again_once_confirmed(coordinator: User, clock: Clock) -> None:
    secret = enrolled(coordinator)
    client, _ = password_step("coordinator")
    response = client.get(SETUP_PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(CODE_PAGE)
    html = client.get(CODE_PAGE).content.decode()
    assert secret not in html and totp.grouped(secret) not in html


def test_a_returning_user_enters_a_code_and_lands_where_they_were_going(
    coordinator: User, clock: Clock
) -> None:
    secret = enrolled(coordinator)
    client, location = password_step("coordinator", next_url="/referrals/")
    assert location == f"{CODE_PAGE}?next=%2Freferrals%2F"
    before = client.session.session_key
    response = client.post(location, {"code": current_code(secret), "next": "/referrals/"})
    assert response.status_code == 302
    assert response["Location"] == "/referrals/"
    assert client.session.session_key != before, "the session key must change on verification"
    assert client.get("/referrals/").status_code == 200


def test_a_wrong_code_is_refused_with_an_error_summary(coordinator: User, clock: Clock) -> None:
    secret = enrolled(coordinator)
    client, location = password_step("coordinator")
    wrong = f"{(int(current_code(secret)) + 1) % 1_000_000:06d}"
    response = client.post(location, {"code": wrong})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "The code is not correct, or it has been used already" in html
    assert 'href="#id_code"' in html
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("code", "message"),
    [("", "Enter the 6-digit code"), ("12ab56", "must be 6 digits"), ("1234", "must be 6 digits")],
)
def test_malformed_codes_get_a_clear_message(
    code: str, message: str, coordinator: User, clock: Clock
) -> None:
    enrolled(coordinator)
    client, location = password_step("coordinator")
    assert message in client.post(location, {"code": code}).content.decode()


def test_the_same_code_is_never_accepted_twice(coordinator: User, clock: Clock) -> None:
    secret = enrolled(coordinator)
    code = current_code(secret)
    first, location = password_step("coordinator")
    assert first.post(location, {"code": code}).status_code == 302

    # Someone who watched the code being typed tries it within its 30 seconds ...
    clock.advance(seconds=10)
    second, location = password_step("coordinator")
    response = second.post(location, {"code": code})
    assert response.status_code == 200
    assert "it has been used already" in response.content.decode()
    # ... and neither can an older code from the drift window be used after a newer one.
    assert second.post(location, {"code": current_code(secret, steps_ahead=-1)}).status_code == 200
    # The next code the app shows is accepted.
    clock.advance(seconds=30)
    assert second.post(location, {"code": current_code(secret)}).status_code == 302


def test_the_code_used_to_confirm_set_up_cannot_sign_in_again(
    coordinator: User, clock: Clock
) -> None:
    client, _ = password_step("coordinator")
    client.get(SETUP_PAGE)
    secret = TotpDevice.objects.get(user=coordinator).secret
    code = current_code(secret)
    assert client.post(SETUP_PAGE, {"code": code}).status_code == 302
    other, location = password_step("coordinator")
    assert other.post(location, {"code": code}).status_code == 200


def test_a_wrong_code_during_set_up_leaves_the_device_unconfirmed(
    coordinator: User, clock: Clock
) -> None:
    client, _ = password_step("coordinator")
    client.get(SETUP_PAGE)
    secret = TotpDevice.objects.get(user=coordinator).secret
    wrong = f"{(int(current_code(secret)) + 1) % 1_000_000:06d}"
    response = client.post(SETUP_PAGE, {"code": wrong})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not TotpDevice.objects.get(user=coordinator).confirmed
    assert client.get("/").status_code == 302


def test_codes_an_hour_old_are_refused(coordinator: User, clock: Clock) -> None:
    secret = enrolled(coordinator)
    old = current_code(secret)
    clock.advance(hours=1)
    client, location = password_step("coordinator")
    assert client.post(location, {"code": old}).status_code == 200


def test_guessing_codes_locks_the_username_and_signs_the_session_out(
    coordinator: User, clock: Clock
) -> None:
    secret = enrolled(coordinator)
    client, location = password_step("coordinator")
    wrong = f"{(int(current_code(secret)) + 500_000) % 1_000_000:06d}"
    for _ in range(4):
        assert client.post(location, {"code": wrong}).status_code == 200
    response = client.post(location, {"code": wrong})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:sign-in")
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "too many failed attempts to sign in with this username" in page
    assert sign_in_locked_until(username="coordinator") is not None
    # Nor does the right password then open a new session for another round of guesses.
    again = Client().post(reverse("web:sign-in"), {"username": "coordinator", "password": PASSWORD})
    assert again.status_code == 200


def test_a_correct_password_alone_does_not_forgive_earlier_failures(
    coordinator: User, clock: Clock
) -> None:
    secret = enrolled(coordinator)
    for _ in range(3):
        Client().post(reverse("web:sign-in"), {"username": "coordinator", "password": "nope"})
    client, location = password_step("coordinator")
    wrong = f"{(int(current_code(secret)) + 500_000) % 1_000_000:06d}"
    client.post(location, {"code": wrong})
    assert client.post(location, {"code": wrong}).status_code == 302  # the fifth failure
    assert sign_in_locked_until(username="coordinator") is not None


def test_signing_out_is_possible_before_the_code(coordinator: User, clock: Clock) -> None:
    enrolled(coordinator)
    client, _ = password_step("coordinator")
    assert client.post(reverse("web:sign-out")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_an_anonymous_visitor_is_sent_to_sign_in_from_the_code_pages() -> None:
    for url in (CODE_PAGE, SETUP_PAGE):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:sign-in"))


def test_the_next_address_cannot_send_the_user_to_another_site(
    coordinator: User, clock: Clock
) -> None:
    secret = enrolled(coordinator)
    client, _ = password_step("coordinator")
    response = client.post(
        f"{CODE_PAGE}?next=https://evil.example/", {"code": current_code(secret)}
    )
    assert response["Location"] == reverse("web:dashboard")


def test_a_session_key_seen_before_the_code_is_useless_after_it(
    coordinator: User, clock: Clock
) -> None:
    secret = enrolled(coordinator)
    client, location = password_step("coordinator")
    stolen = Client()
    stolen.cookies["sessionid"] = client.cookies["sessionid"].value
    client.post(location, {"code": current_code(secret)})
    response = stolen.get("/")
    assert response.status_code == 302
    assert not re.search(r"/sign-in/code/", response["Location"] or "")


@override_settings(OFFRAMP_REQUIRE_TWO_FACTOR=False)
def test_with_the_setting_off_the_password_is_enough(coordinator: User) -> None:
    client, location = password_step("coordinator")
    assert location == reverse("web:dashboard")
    assert client.get("/").status_code == 200
    assert client.get(CODE_PAGE)["Location"] == reverse("web:dashboard")
