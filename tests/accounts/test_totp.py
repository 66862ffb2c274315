"""The one-time code algorithm against RFC 6238's own test vectors."""

import base64
from urllib.parse import parse_qs, urlparse

import pytest

from offramp.accounts import totp

# RFC 6238 appendix B: the SHA-1 key is the ASCII string "12345678901234567890".
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(
    ("unix_time", "expected"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_codes_match_the_rfc_6238_test_vectors(unix_time: int, expected: str) -> None:
    assert totp.code_at(RFC_SECRET, totp.time_step(unix_time), digits=8) == expected


def test_a_code_matches_its_own_step_and_one_either_side_but_no_further() -> None:
    secret = totp.new_secret()
    now = 1_700_000_000.0
    step = totp.time_step(now)
    for offset in (-1, 0, 1):
        assert totp.matching_step(secret, totp.code_at(secret, step + offset), unix_time=now) == (
            step + offset
        )
    for offset in (-3, 3):
        assert (
            totp.matching_step(secret, totp.code_at(secret, step + offset), unix_time=now) is None
        )


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_malformed_codes_never_match(code: str) -> None:
    assert totp.matching_step(totp.new_secret(), code, unix_time=1_700_000_000) is None


def test_spaces_in_a_typed_code_are_ignored() -> None:
    secret = totp.new_secret()
    code = totp.code_at(secret, totp.time_step(1_700_000_000))
    spaced = f"{code[:3]} {code[3:]}"
    assert totp.matching_step(secret, spaced, unix_time=1_700_000_000) is not None


def test_the_provisioning_uri_carries_what_an_authenticator_app_needs() -> None:
    secret = totp.new_secret()
    uri = urlparse(totp.provisioning_uri(secret, account="coordinator", issuer="Offramp"))
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert uri.path == "/Offramp%3Acoordinator"
    query = parse_qs(uri.query)
    assert query["secret"] == [secret]
    assert query["issuer"] == ["Offramp"]
    assert query["digits"] == ["6"] and query["period"] == ["30"]


def test_new_secrets_are_160_bits_and_differ() -> None:
    secrets = {totp.new_secret() for _ in range(20)}
    assert len(secrets) == 20
    assert all(len(base64.b32decode(s)) == 20 for s in secrets)
