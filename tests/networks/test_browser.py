"""The group page, the pathway map and its table alternative in Chromium, checked by axe-core.

With JavaScript the map is drawn on a canvas from the page's data; the filters are a plain form,
so without JavaScript the same filters redraw the tables.
"""

import datetime
from typing import Any

import pytest

from offramp.networks.models import NamingPurpose
from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_journeys import fill_date, menu_link, sign_in

from .conftest import NetworkWorld

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture fails (CI) or skips (locally) with the reason
    expect = None  # type: ignore[assignment]

pytestmark = pytest.mark.browser


def people_in_table(page: Any) -> list[str]:
    rows = page.get_by_role("table").first.locator("tbody tr")
    return [
        rows.nth(i).locator("td").first.locator("a").first.inner_text() for i in range(rows.count())
    ]


@pytest.mark.django_db(transaction=True)
def test_an_analyst_opens_a_groups_pathway_map_and_filters_it(
    page: Any, network: NetworkWorld, names_for_analyst: NamingPurpose
) -> None:
    sign_in(page, "analyst", check=False)
    menu_link(page, "Groups and networks").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organised crime groups")
    assert_accessible(page)
    page.get_by_role("link", name="OCG-HM-001").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("OCG-HM-001 Granite Kestrel")
    mia = page.get_by_role("row").filter(has_text="Mia Rowe")
    expect(mia.locator(".govuk-tag")).to_have_text("Victim")
    assert_accessible(page)

    page.get_by_role("button", name="Open the pathway map").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pathway map")
    pathway = page.locator("#pathway-map")
    expect(pathway.locator("canvas").first).to_be_attached()
    expect(pathway).to_have_attribute("data-people", "5")
    expect(pathway).to_have_attribute("data-ties", "4")
    assert pathway.bounding_box()["height"] > 300
    assert people_in_table(page) == [
        "Dan Boyd",
        "Lee Carter",
        "Mia Rowe",
        "Connor Walsh",
        "Jade Price",
    ]
    assert_accessible(page)
    screenshot(page, "pathway-map")

    page.get_by_label("Family: sibling").uncheck()
    page.get_by_role("button", name="Apply filters").click()
    expect(pathway).to_have_attribute("data-people", "3")
    assert people_in_table(page) == ["Dan Boyd", "Lee Carter", "Mia Rowe"]
    expect(page.get_by_label("Family: sibling")).not_to_be_checked()
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_tables_say_what_the_map_shows(
    page_without_js: Any, network: NetworkWorld, names_for_analyst: NamingPurpose
) -> None:
    page = page_without_js
    sign_in(page, "analyst", check=False)
    page.goto(f"/networks/groups/{network.group.pk}/map/")
    expect(page.locator("#pathway-map canvas")).to_have_count(0)
    connor = page.get_by_role("row").filter(has_text="Connor Walsh").first
    expect(connor).to_contain_text("Family (¶2.18)")
    expect(connor).to_contain_text("Connor Walsh is a sibling of Lee Carter")
    fill_date(page, "As it stood on", datetime.date(2024, 1, 1))
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("As it stood on 1 January 2024: 3 people and 0 ties")).to_be_visible()
    assert people_in_table(page) == ["Dan Boyd", "Lee Carter", "Mia Rowe"]
