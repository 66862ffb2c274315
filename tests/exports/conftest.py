"""Exports: a second approver, a small daily limit, a moving clock, and helpers."""

import csv
import datetime
import io
from collections.abc import Callable
from typing import Any

import pytest

from offramp.accounts.models import User
from offramp.exports.models import ExportRecord
from offramp.referrals.models import Referral
from offramp.referrals.services import referral_create
from tests.accounts.clock import Clock
from tests.browser.conftest import browser, page, page_without_js  # noqa: F401 (fixtures)
from tests.conftest import referral_request

LIMIT = 5


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Mid-morning on a winter day, when London time is UTC."""
    return Clock(monkeypatch, datetime.datetime(2026, 3, 2, 10, 0, 0, tzinfo=datetime.UTC))


@pytest.fixture
def small_limit(settings: Any) -> int:
    settings.OFFRAMP_EXPORT_DAILY_ROW_LIMIT = LIMIT
    return LIMIT


MakeReferrals = Callable[..., list[Referral]]


@pytest.fixture
def make_referrals(school_dsl: User) -> MakeReferrals:
    """`count` referrals by the school's safeguarding lead (or `referrer`), each a new person."""
    names = ["Ava", "Ben", "Cara", "Dan", "Eve", "Finn", "Gita", "Hugo", "Isla", "Jack", "Kai"]

    def make(count: int, referrer: User | None = None) -> list[Referral]:
        made = []
        for index in range(count):
            given = names[index % len(names)]
            made.append(
                referral_create(
                    referrer=referrer or school_dsl,
                    request=referral_request(given_name=given, family_name=f"Tester{index}"),
                )
            )
        return made

    return make


def csv_rows(export: ExportRecord) -> list[list[str]]:
    assert export.content is not None
    return list(csv.reader(io.StringIO(bytes(export.content).decode("utf-8-sig"))))
