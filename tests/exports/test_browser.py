"""The export and approval journey through a real browser, each page checked with axe-core.

The coordinator exports the referral list over the daily limit and asks for approval; the
auditor approves it; the coordinator downloads the marked file. The pages are plain forms and
links: none needs JavaScript.
"""

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_journeys import menu_link, sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture fails (CI) or skips (locally) with the reason
    expect = None  # type: ignore[assignment]

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_an_export_over_the_limit_is_approved_by_someone_else_and_downloaded(
    page: Any,
    coordinator: Any,
    auditor: Any,
    make_referrals: Any,
    settings: Any,
) -> None:
    settings.OFFRAMP_EXPORT_DAILY_ROW_LIMIT = 2
    make_referrals(3)
    sign_in(page, "coordinator", check=False)
    menu_link(page, "Referrals").click()
    page.get_by_role("link", name=re.compile("^Download as CSV")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export the referral list")
    expect(page.locator(".govuk-inset-text")).to_contain_text(
        "You can export 2 rows a day without approval and have used 0 today"
    )
    assert_accessible(page)

    page.get_by_label("What is the export for?").fill("Partnership board, March")
    page.get_by_role("button", name="Ask for approval").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        ["Explain why you need this export over your daily limit"]
    )
    assert_accessible(page)
    screenshot(page, "export-request")
    page.get_by_label("Why do you need it today?").fill("The board reviews every open referral")
    page.get_by_role("button", name="Ask for approval").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("sent for approval")
    reference = page.get_by_role("heading", level=1).inner_text().removeprefix("Export ")
    expect(page.locator(".govuk-tag")).to_have_text("Waiting for approval")
    assert_accessible(page)
    screenshot(page, "export-waiting")

    page.get_by_role("button", name="Sign out").click()
    approver = page
    sign_in(approver, "auditor", check=False)
    menu_link(approver, "Exports").click()
    expect(approver.get_by_role("heading", level=1)).to_have_text("Exports")
    assert_accessible(approver)
    approver.get_by_role("link", name=re.compile(r"Exports waiting for approval \(1\)")).click()
    row = approver.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Priya Shah (Hartmoor Council Community Safety)")
    assert_accessible(approver)
    row.get_by_role("link", name=reference).click()
    expect(approver.get_by_role("heading", level=1)).to_have_text(
        f"Approve or refuse export {reference}"
    )
    approver.get_by_role("button", name="Save decision").click()
    expect(approver.locator(".govuk-error-summary")).to_contain_text(
        "Select whether you approve or refuse the export"
    )
    assert_accessible(approver)
    approver.get_by_label("Approve the export").check()
    approver.get_by_label("Reason for your decision").fill("The board needs the full list")
    approver.get_by_role("button", name="Save decision").click()
    expect(approver.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Export {reference} approved"
    )
    screenshot(approver, "export-approvals")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "coordinator", check=False)
    menu_link(page, "Exports").click()
    page.get_by_role("link", name=reference).click()
    expect(page.locator(".govuk-tag")).to_have_text("Approved")
    expect(page.locator("main")).to_contain_text("The board needs the full list")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the CSV file").click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert content.startswith(
        '"OFFICIAL-SENSITIVE — exported by Priya Shah (Hartmoor Council Community Safety) at '
    )
    assert f"reference {reference}, purpose Partnership board, March" in content.splitlines()[0]
    assert len(content.splitlines()) == 2 + 3

    menu_link(page, "Exports").click()
    expect(page.get_by_role("row").filter(has_text=reference).locator(".govuk-tag")).to_have_text(
        "Ready to download"
    )
    assert_accessible(page)
