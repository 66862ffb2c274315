"""Acceptance for screening: a coordinator works the candidates list in Chromium.

Screening has found evidence in partners' records about two people. The coordinator opens the
candidates list, filters it by a factor, opens a candidate, reads the evidence with its guide
paragraph and opens a referral. axe-core checks every page on the way.
"""

import datetime
import re
from typing import Any

import pytest

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.referrals.models import Referral
from offramp.screening.services import run_screening
from offramp.sharing.models import DataSharingAgreement
from tests.screening.conftest import add_care, add_offences, linked_record, person

from .conftest import assert_accessible, screenshot
from .test_journeys import sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture fails (CI) or skips (locally) with the reason
    expect = None  # type: ignore[assignment]

pytestmark = pytest.mark.browser


@pytest.fixture
def screened(
    coordinator: User,
    analyst: User,
    agencies: dict[str, Agency],
    partnership_agreement: DataSharingAgreement,
) -> None:
    kyle = person(agencies, "Kyle", "Brennan", "Castleton")
    add_offences(linked_record(agencies["police"], analyst, kyle), 14, 15, 16)
    leah = person(agencies, "Leah", "Okoro", "Dunmore")
    add_care(linked_record(agencies["council"], analyst, leah), datetime.date(2012, 5, 1))
    run_screening(actor=coordinator, today=datetime.date(2026, 11, 1))


def test_a_coordinator_filters_the_candidates_and_opens_a_referral(
    page: Any, screened: None, coordinator: User
) -> None:
    sign_in(page, coordinator.username)
    page.goto("/screening/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Candidates")
    table = page.get_by_role("table")
    expect(table.get_by_role("link", name="Kyle Brennan")).to_be_visible()
    expect(table.get_by_role("link", name="Leah Okoro")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Factor").select_option(label="Early prolific offending")
    page.get_by_role("button", name="Apply filters").click()
    expect(table.get_by_role("link", name="Kyle Brennan")).to_be_visible()
    expect(table.get_by_role("link", name="Leah Okoro")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "candidates-list")

    table.get_by_role("link", name="Kyle Brennan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "What screening found about Kyle Brennan"
    )
    expect(page.get_by_text("3 criminal sanctions recorded")).to_be_visible()
    expect(page.get_by_text("¶2.7", exact=False)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Open a referral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open a referral for Kyle Brennan")
    expect(page.get_by_label("Early prolific offending")).to_be_checked()
    expect(page.get_by_label("What worries the partnership")).to_have_value(
        re.compile("Found by screening partner records")
    )
    assert_accessible(page)
    page.get_by_role("button", name="Open the referral").click()

    referral = Referral.objects.get()
    expect(page).to_have_url(re.compile(rf"/referrals/{referral.pk}/$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Referral {referral.reference} opened"
    )
    assert_accessible(page)
    assert referral.person.given_name == "Kyle"
    assert referral.consent == "not_yet_asked"
