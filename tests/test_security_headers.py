"""Security headers: a strict Content Security Policy with a per-response nonce, no framing, no
MIME sniffing, a same-origin referrer, and nothing personal kept in the browser's cache."""

import re
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from offramp.accounts.models import User
from offramp.referrals.models import Referral
from tests.conftest import signed_in


def csp_directives(response: Any) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_common_headers(response: Any) -> None:
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def assert_nonce_matches_page(response: Any) -> str:
    nonces = [v for v in csp_directives(response)["script-src"] if v.startswith("'nonce-")]
    assert len(nonces) == 1, "script-src must carry exactly one nonce"
    nonce = nonces[0][len("'nonce-") : -1]
    html = response.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline, "the page has no inline script to check"
    assert all(f'nonce="{nonce}"' in attributes for attributes in inline)
    return nonce


def test_a_signed_in_page_with_personal_data_has_every_header(
    coordinator: User, dsl_referral: Referral
) -> None:
    client = signed_in(coordinator)
    response = client.get(reverse("web:referral-detail", args=[dsl_referral.pk]))
    assert response.status_code == 200
    assert dsl_referral.person.family_name in response.content.decode()
    assert_common_headers(response)
    assert response["Cache-Control"] == "no-store"
    first = assert_nonce_matches_page(response)
    second = assert_nonce_matches_page(client.get(reverse("web:dashboard")))
    assert first != second, "the nonce must be new for every response"


@pytest.mark.parametrize("url_name", ["web:dashboard", "web:referral-list", "web:person-search"])
def test_signed_in_pages_are_not_cached(url_name: str, coordinator: User) -> None:
    response = signed_in(coordinator).get(reverse(url_name))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert_common_headers(response)


def test_the_signed_in_api_is_not_cached(coordinator: User) -> None:
    response = signed_in(coordinator).get("/api/v1/referrals")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_sign_in_page_has_the_headers_and_is_not_cached() -> None:
    response = Client().get(reverse("web:sign-in"))
    assert response.status_code == 200
    assert_common_headers(response)
    assert_nonce_matches_page(response)
    assert "no-store" in response["Cache-Control"]


@override_settings(OFFRAMP_REQUIRE_TWO_FACTOR=True)
def test_the_two_factor_set_up_page_showing_a_secret_is_not_cached(coordinator: User) -> None:
    client = Client()
    client.post(
        reverse("web:sign-in"),
        {"username": "coordinator", "password": "correct-horse-battery-staple"},
    )
    response = client.get(reverse("web:two-factor-setup"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert_common_headers(response)
