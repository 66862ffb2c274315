"""The two journeys the partnership relies on, driven through a real browser.

A school's designated safeguarding lead refers a child and follows the referral's status; the
coordinator screens it, assesses the person against the framework and finds them again by a
misspelt name. axe-core checks every page on the way, and the referral form and person page are
checked once more with JavaScript turned off.
"""

import datetime
import re
from typing import Any

import pytest

from tests.conftest import PASSWORD

from .conftest import assert_accessible, screenshot

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture fails (CI) or skips (locally) with the reason
    expect = None  # type: ignore[assignment]

pytestmark = pytest.mark.browser

CATEGORIES = ("Criminality", "Ability", "Networks", "Identity")
REFERENCE = re.compile(r"^R\d{2}-\d{6}$")


def sign_in(page: Any, username: str, *, check: bool = True) -> None:
    page.goto("/")  # signed out, the service sends people to the sign-in page
    expect(page).to_have_url(re.compile(r"/sign-in/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Offramp")
    if check:
        assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def assert_offramp_branding(page: Any) -> None:
    """Offramp is not a GOV.UK service: its own dark teal header, no crown, no GOV.UK logotype."""
    header = page.locator("header.offramp-header")
    expect(header).to_have_css("background-color", "rgb(6, 58, 68)")
    expect(header.locator(".govuk-generic-header__homepage-link")).to_contain_text("Offramp")
    crown = page.locator(".govuk-header__logotype, .govuk-logo, svg[class*='crown']")
    expect(crown).to_have_count(0)
    assert "GOV.UK" not in header.inner_text()
    heading_font = page.locator("h1").first.evaluate("el => getComputedStyle(el).fontFamily")
    assert heading_font.startswith("system-ui"), heading_font  # never GDS Transport


# Visible text whose font is not Offramp's system stack: it fell back to the browser's default
# (a serif face) because no GOV.UK font class or rule reached it.
TEXT_OUTSIDE_THE_SYSTEM_FONT = """() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const element = walker.currentNode.parentElement;
    const text = walker.currentNode.textContent.trim();
    if (!text || !element || element.closest("script, style")) continue;
    const box = element.getBoundingClientRect();
    if (box.width < 2 || box.height < 2) continue;
    const font = getComputedStyle(element).fontFamily;
    if (font.includes("system-ui")) continue;
    const tag = element.tagName.toLowerCase();
    found.push(`<${tag} class="${element.className}">${text.slice(0, 40)} in ${font}`);
  }
  return found;
}"""


def menu_link(page: Any, name: str) -> Any:
    return page.get_by_role("navigation", name="Menu").get_by_role("link", name=name, exact=True)


def fill_date(page: Any, group: str, date: datetime.date, *, within: Any = None) -> None:
    fieldset = (within or page).get_by_role("group", name=group)
    fieldset.get_by_label("Day").fill(str(date.day))
    fieldset.get_by_label("Month").fill(str(date.month))
    fieldset.get_by_label("Year").fill(str(date.year))


def fill_referral(page: Any, *, given: str, family: str, concern: str) -> None:
    page.get_by_label("First name", exact=True).fill(given)
    page.get_by_label("Last name", exact=True).fill(family)
    fill_date(page, "Date of birth", datetime.date(2010, 2, 14))
    page.get_by_label("Where they live (area or ward)").fill("Eastfield")
    page.get_by_label("What worries you about this person?").fill(concern)
    page.get_by_label("Gang involvement", exact=True).check()
    page.get_by_label("Criminal associates", exact=True).check()
    page.get_by_label("Consent given", exact=True).check()


@pytest.mark.django_db(transaction=True)
def test_a_school_dsl_makes_a_referral_and_follows_its_status(page, school_dsl):
    concern = "Missing lessons; seen handing small packages to older boys by the canal."
    sign_in(page, "dsl")
    assert_accessible(page)

    menu_link(page, "Make a referral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make a referral")
    assert_accessible(page)

    # An empty form: the GOV.UK error summary lists every problem, each linked to its field.
    page.get_by_role("button", name="Send referral").click()
    expect(page).to_have_title(re.compile(r"^Error: Make a referral"))
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to it
    expected = {
        "Enter the person's first name": "#id_given_name",
        "Enter the person's last name": "#id_family_name",
        "Enter the date of birth": "#id_date_of_birth_0",
        "Describe what worries you about this person": "#id_concern",
        "Select whether the person has consented to this referral": "#id_consent_0",
    }
    links = summary.get_by_role("link")
    expect(links).to_have_text(list(expected))
    for text, anchor in expected.items():
        expect(summary.get_by_role("link", name=text)).to_have_attribute("href", anchor)
        expect(page.locator(anchor)).to_have_count(1)
    summary.get_by_role("link", name="Enter the person's last name").click()
    expect(page.locator("#id_family_name")).to_be_focused()
    assert_accessible(page)

    fill_referral(page, given="Jayden", family="Okoro", concern=concern)
    page.get_by_role("button", name="Send referral").click()
    panel = page.locator(".govuk-panel--confirmation")
    expect(panel.get_by_role("heading", level=1)).to_have_text("Referral sent")
    reference = panel.locator("strong").inner_text().strip()
    assert REFERENCE.match(reference), reference
    assert_accessible(page)

    menu_link(page, "My referrals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your referrals")
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Jayden Okoro")
    expect(row.locator(".govuk-tag")).to_have_text("Received")
    assert_accessible(page)

    # The referrer sees the status only: not the concern, nor what other agencies hold.
    row.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your referral of Jayden Okoro")
    expect(page.locator(".govuk-summary-list .govuk-tag")).to_have_text("Received")
    main = page.locator("main").inner_text()
    assert concern not in main
    assert "Gang involvement" not in main
    expect(page.get_by_role("button", name="Start screening")).to_have_count(0)
    assert_accessible(page)


def record_category(page: Any, category: str, present: dict[str, Any]) -> None:
    """Records every factor of a category as not known, except the ones given as present."""
    page.get_by_role("link", name=category, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(category)
    assert_accessible(page)
    sections = page.locator("form [id^='factor-']")
    factor_ids = [sections.nth(i).get_attribute("id") for i in range(sections.count())]
    assert factor_ids, f"no factors on the {category} page"
    for section_id in factor_ids:
        section = page.locator(f"#{section_id}")
        factor_id = section_id.removeprefix("factor-")
        if factor_id in present:
            evidence = present[factor_id]
            section.get_by_label("Present", exact=True).check()
            section.get_by_label("Evidence", exact=True).fill(evidence["evidence"])
            section.get_by_label("Agency the evidence came from").select_option(
                label=evidence["agency"]
            )
            fill_date(page, "Date of the evidence", evidence["date"], within=section)
        else:
            section.get_by_label("Not known", exact=True).check()
    page.get_by_role("button", name="Save and return to the task list").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"{category} recorded"
    )
    status = page.locator(f"#task-{category.lower()}-status")
    expect(status).to_have_text("Completed")
    expect(page.locator(f"#task-{category.lower()}-hint")).to_have_text(
        f"{len(factor_ids)} of {len(factor_ids)} factors recorded"
    )


@pytest.mark.django_db(transaction=True)
def test_the_coordinator_screens_assesses_and_finds_the_person(
    page, coordinator, dsl_referral, partnership_agreement
):
    reference = dsl_referral.reference
    sign_in(page, "coordinator")
    expect(page.get_by_role("table").filter(has_text=reference)).to_contain_text("Connor Walsh")
    assert_accessible(page)

    # The MoJ filter: a status with no referrals empties the list, "Received" brings it back.
    menu_link(page, "Referrals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals")
    assert_accessible(page)
    status = page.get_by_label("Status", exact=True)
    status.select_option(label="Being assessed")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("No referrals match these filters.")).to_be_visible()
    page.get_by_label("Status", exact=True).select_option(label="Received")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"status=received"))
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Connor Walsh")
    expect(row.locator(".govuk-tag")).to_have_text("Received")
    assert_accessible(page)

    row.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connor Walsh")
    expect(page.locator("main")).to_contain_text("Seen with older boys near the station")
    assert_accessible(page)

    page.get_by_role("button", name="Start screening").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Screening of {reference} started"
    )
    expect(page.locator(".govuk-summary-list .govuk-tag")).to_have_text("Being screened")
    expect(page.get_by_role("heading", name="Is this person already known?")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Start an assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assess Connor Walsh")
    tasks = page.locator(".govuk-task-list").first.locator(".govuk-task-list__link")
    expect(tasks).to_have_text(list(CATEGORIES))
    for category in CATEGORIES:
        expect(page.locator(f"#task-{category.lower()}-status")).to_have_text("Not yet started")
    expect(page.locator("#task-complete-status")).to_have_text("Cannot start yet")
    assert_accessible(page)

    evidence_date = datetime.date.today() - datetime.timedelta(days=30)
    gang = {
        "evidence": "Police intelligence: seen with members of a local street gang.",
        "agency": "Hartmoor Police",
        "date": evidence_date,
    }
    record_category(page, "Criminality", {"gang_involvement": gang})
    assert_accessible(page)
    for category in CATEGORIES[1:]:
        record_category(page, category, {})
    assert_accessible(page)

    page.get_by_role("link", name="Protective factors and summary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Protective factors and summary")
    assert_accessible(page)
    page.get_by_label("Protective factors", exact=True).fill(
        "Close to his grandmother; plays football."
    )
    page.get_by_label("Some concern: support may help").check()
    page.get_by_label("Summary of your judgement").fill("Early gang contact; mentoring may help.")
    page.get_by_role("button", name="Save and return to the task list").click()
    expect(page.locator("#task-summary-status")).to_have_text("Completed")
    expect(page.locator("#task-complete-status")).to_have_text("Ready")
    assert_accessible(page)
    screenshot(page, "assessment-task-list")

    page.get_by_role("link", name="Check and complete").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the assessment before completing it"
    )
    gang_row = page.locator(".govuk-summary-list__row").filter(has_text="Gang involvement")
    expect(gang_row).to_contain_text("Present")
    expect(gang_row).to_contain_text(gang["evidence"])
    expect(gang_row).to_contain_text("From Hartmoor Police")
    assert_accessible(page)

    page.get_by_role("button", name="Complete assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connor Walsh")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Assessment completed"
    )
    identity = page.locator(".moj-identity-bar")
    expect(identity).to_contain_text("Connor Walsh")
    expect(identity).to_contain_text("Born 9 April 2011")
    details = page.locator(".govuk-summary-list").first
    expect(
        details.locator(".govuk-summary-list__row").filter(has_text="Date of birth")
    ).to_contain_text("9 April 2011")
    timeline = page.locator(".moj-timeline")
    expect(timeline.locator(".moj-timeline__title").first).to_have_text("Assessment completed")
    expect(timeline).to_contain_text("Referral received")
    assessments = page.get_by_role("table").filter(has_text="Some concern: support may help")
    expect(assessments).to_contain_text("Completed")
    assert_offramp_branding(page)
    assert_accessible(page)
    screenshot(page, "person-page")

    # Found again by a misspelt name, with the reason shown.
    menu_link(page, "Find a person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a person")
    assert_accessible(page)
    page.get_by_label("First name", exact=True).fill("Conor")
    page.get_by_label("Last name", exact=True).fill("Walsch")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=2, name=re.compile(r"possible match"))).to_have_text(
        "1 possible match"
    )
    match = page.get_by_role("row").filter(has_text="Connor Walsh")
    expect(match).to_contain_text("9 Apr 2011")
    assert_accessible(page)
    match.get_by_role("link", name="Connor Walsh").click()
    expect(page.locator(".moj-identity-bar")).to_contain_text("Connor Walsh")


@pytest.mark.django_db(transaction=True)
def test_without_javascript_a_referral_is_sent_and_the_person_page_renders(
    page_without_js, school_dsl, coordinator
):
    page = page_without_js
    sign_in(page, "dsl", check=False)
    assert "js-enabled" not in (page.locator("body").get_attribute("class") or "")
    menu_link(page, "Make a referral").click()
    fill_referral(page, given="Lily", family="Marsh", concern="Unexplained cash and a new phone.")
    page.get_by_role("button", name="Send referral").click()
    panel = page.locator(".govuk-panel--confirmation")
    expect(panel.get_by_role("heading", level=1)).to_have_text("Referral sent")
    reference = panel.locator("strong").inner_text().strip()

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "coordinator", check=False)
    page.get_by_role("link", name=reference).click()
    page.get_by_role("link", name="Lily Marsh").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lily Marsh")
    expect(page.locator(".moj-identity-bar")).to_contain_text("Born 14 February 2010")
    expect(page.locator(".moj-timeline")).to_contain_text("Referral received")
    expect(page.get_by_role("button", name="Start an assessment")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_person_pages_show_the_identity_bar_in_the_system_font(page, coordinator, dsl_referral):
    sign_in(page, "coordinator", check=False)
    page.goto(f"/people/{dsl_referral.person_id}/")
    outside = page.evaluate(TEXT_OUTSIDE_THE_SYSTEM_FONT)
    problems = [f"text outside the system font: {text}" for text in outside]
    if not page.locator(".moj-identity-bar").get_by_text("Born 9 April 2011").is_visible():
        problems.append("the identity bar's date of birth is not visible")
    current = page.locator("[aria-current='page']").all_inner_texts()
    if current:
        problems.append(f"navigation claims the person page is {current}")
    assert not problems, "\n".join(problems)
