"""A coordinator imports a partner extract through the pages, sees it complete, then uploads a
bad file and reads its row errors; every page passes axe-core."""

import datetime
from pathlib import Path
from typing import Any

import pytest

from offramp.accounts.models import User
from offramp.sharing.models import DataSharingAgreement
from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_journeys import fill_date, sign_in
from tests.intake.conftest import ROWS, write_extract

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture fails (CI) or skips (locally) with the reason
    expect = None  # type: ignore[assignment]

pytestmark = pytest.mark.browser


def import_extract(page: Any, path: Path) -> None:
    page.goto("/intake/")
    page.get_by_role("button", name="Import an extract").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import an extract")
    page.get_by_label("Which agency's system is the extract from?").select_option(
        label="Hartmoor Police"
    )
    page.get_by_label("What kind of extract is it?").select_option(label="Police nominals")
    fill_date(page, "Date the extract was taken", datetime.date(2026, 10, 1))
    page.get_by_label("Upload the extract").set_input_files(str(path))
    page.get_by_role("button", name="Import the extract").click()


@pytest.mark.django_db(transaction=True)
def test_a_coordinator_imports_an_extract_then_reads_a_bad_files_errors(
    page: Any,
    coordinator: User,
    partnership_agreement: DataSharingAgreement,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.OFFRAMP_IMPORTS_IN_BACKGROUND = False
    settings.OFFRAMP_IMPORT_STAGING_DIR = str(tmp_path / "staging")
    nominals = ROWS["police_nominals"]  # type: ignore[index]
    good = write_extract(tmp_path / "nominals.csv", nominals)
    bad = write_extract(tmp_path / "bad.csv", [dict(nominals[0], date_of_birth="2026-02-30")])
    sign_in(page, "coordinator", check=False)

    page.goto("/intake/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Imports of partner extracts")
    assert_accessible(page)
    page.get_by_role("button", name="Import an extract").click()
    assert_accessible(page)

    import_extract(page, good)
    expect(page.get_by_role("heading", level=1)).to_have_text("nominals.csv")
    expect(page.locator(".govuk-panel")).to_contain_text("2 added, 0 already held")
    assert_accessible(page)
    screenshot(page, "intake-imported")

    import_extract(page, bad)
    expect(page.get_by_role("heading", level=1)).to_have_text("bad.csv")
    expect(page.get_by_role("heading", name="Nothing was imported")).to_be_visible()
    error = page.get_by_role("row").filter(has_text="2026-02-30 is not a date")
    expect(error.locator("td")).to_have_text(
        ["bad.csv", "1", "date_of_birth", "2026-02-30", "2026-02-30 is not a date"]
    )
    assert_accessible(page)
    screenshot(page, "intake-refused")

    page.goto("/intake/")
    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Refused")
    expect(rows.nth(1)).to_contain_text("Imported")
    assert_accessible(page)
