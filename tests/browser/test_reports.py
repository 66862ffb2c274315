"""An analyst produces the Local Profile in a real browser: picks a period (a reversed one is
refused), reads the profile, downloads its PDF and CSV pack; axe-core checks every page."""

import datetime
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.cases.conftest import panel, programme  # noqa: F401
from tests.reports.conftest import PERIOD_START, report_world  # noqa: F401

from .conftest import assert_accessible, screenshot
from .test_journeys import fill_date, sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture fails (CI) or skips (locally) with the reason
    expect = None  # type: ignore[assignment]

pytestmark = pytest.mark.browser
# A report is the whole profile computed and rendered: allow for a busy test machine.
REPORT_TIMEOUT_MS = 60_000


def _download(page: Any, link_name: str, tmp_path: Path) -> Path:
    with page.expect_download(timeout=REPORT_TIMEOUT_MS) as download_info:
        page.get_by_role("link", name=link_name).click()
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    return path


@pytest.mark.django_db(transaction=True)
def test_an_analyst_produces_the_local_profile(page, report_world, analyst, tmp_path):  # noqa: F811
    sign_in(page, "analyst", check=False)
    page.goto("/reports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    assert_accessible(page)

    # The end before the start: the error summary says so and links to the end date.
    fill_date(page, "Start date", datetime.date(2025, 6, 1))
    fill_date(page, "End date", datetime.date(2025, 5, 1))
    page.get_by_role("button", name="Show the reports").click()
    expect(page).to_have_title(re.compile(r"^Error: Reports"))
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link")).to_have_text(
        ["The end date must be the same as or after the start date"]
    )
    assert_accessible(page)

    today = timezone.localdate()
    fill_date(page, "Start date", PERIOD_START)
    fill_date(page, "End date", today)
    page.get_by_role("button", name="Show the reports").click()
    expect(page.locator("#reports-for-period")).to_contain_text("1 January 2025")
    assert_accessible(page)

    page.get_by_role("link", name="Open the Local Profile").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "SOC Local Profile", timeout=REPORT_TIMEOUT_MS
    )
    expect(page.get_by_role("heading", name="What works", level=2)).to_be_visible()
    expect(page.locator("img[src^='data:image/svg+xml']").first).to_have_attribute(
        "alt", re.compile(r"chart|curve", re.IGNORECASE)
    )
    assert_accessible(page)
    screenshot(page, "reports-profile")

    pdf = _download(page, "PDF", tmp_path)
    assert pdf.name.endswith(".pdf") and pdf.read_bytes().startswith(b"%PDF-")
    pack = _download(page, "CSV pack (a zip, one CSV per table)", tmp_path)
    names = zipfile.ZipFile(io.BytesIO(pack.read_bytes())).namelist()
    assert names and all(name.endswith(".csv") for name in names)

    page.locator(".govuk-back-link").click()  # back to the reports, the period kept
    page.get_by_role("link", name="Open the upstream view").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "upstream view", timeout=REPORT_TIMEOUT_MS
    )
    assert_accessible(page)
