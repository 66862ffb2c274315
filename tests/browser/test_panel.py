"""Acceptance for cases: the coordinator runs a panel meeting in Chromium.

Route a referral to the panel, schedule a meeting, record who attends, put the case on the
agenda, record consent, add an intervention, agree the support plan, set an action with an
owner and a due date, hold the review, record the intervention's outcome and exit the case,
with its 6- and 12-month follow-ups listed. axe-core checks every page on the way.
"""

import datetime
import re
from typing import Any

import pytest

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.assessments.models import OverallConcern
from offramp.cases.models import Panel
from offramp.interventions.models import EvidenceStrength, Programme
from offramp.referrals.models import Referral
from tests.cases.conftest import complete_assessment

from .conftest import assert_accessible, screenshot
from .test_journeys import fill_date, menu_link, sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture fails (CI) or skips (locally) with the reason
    expect = None  # type: ignore[assignment]

pytestmark = pytest.mark.browser

PROGRAMME = "Hartmoor Mentoring Pilot"


@pytest.fixture
def panel(agencies: dict[str, Agency]) -> Panel:
    panel = Panel.objects.create(name="Hartmoor SOC Prevent panel")
    panel.member_agencies.set([agencies["council"], agencies["health"], agencies["yos"]])
    return panel


@pytest.fixture
def programme(db: None) -> Programme:
    """A catalogue programme of our own, whatever the national catalogue holds."""
    return Programme.objects.create(
        slug="hartmoor-mentoring",
        name=PROGRAMME,
        description="Peer mentoring for young people on the edge of gangs.",
        delivered_by="Hartmoor Youth Offending Service",
        kind="mentoring",
        factor_ids=["gang_involvement"],
        capacity=5,
        evidence_strength=EvidenceStrength.EMERGING,
    )


@pytest.fixture
def assessed(dsl_referral: Referral, coordinator: User) -> Referral:
    """Connor, 14, assessed with significant concern: Offramp suggests the panel."""
    complete_assessment(
        dsl_referral,
        coordinator,
        present={"gang_involvement", "associates"},
        concern=OverallConcern.SIGNIFICANT_CONCERN,
    )
    return dsl_referral


def heading(page: Any) -> Any:
    return page.get_by_role("heading", level=1)


def banner(page: Any) -> Any:
    return page.locator(".govuk-notification-banner--success")


def route_to_the_panel(page: Any, referral: Referral) -> None:
    page.goto(f"/referrals/{referral.pk}/")
    page.get_by_role("button", name="Record a route").click()
    expect(heading(page)).to_have_text("Record a route for Connor Walsh")
    suggestion = page.locator(".govuk-summary-card")
    expect(suggestion).to_contain_text("Offramp suggests: Prevent multi-agency panel")
    expect(suggestion).to_contain_text("found significant concern")
    assert_accessible(page)

    # Agreeing needs no reason for disagreeing, but the route itself needs one.
    page.get_by_role("button", name="Record the route").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why you chose this route")
    assert_accessible(page)

    expect(page.get_by_label("Prevent multi-agency panel")).to_be_checked()
    page.get_by_label("Which panel will hear the case?").select_option(
        label="Hartmoor SOC Prevent panel"
    )
    page.get_by_label("Why this route?").fill(
        "Several agencies know him; a tailored multi-agency plan is needed."
    )
    expect(page.get_by_label("At risk", exact=True)).to_be_checked()
    page.get_by_role("button", name="Record the route").click()
    expect(banner(page)).to_contain_text("Route recorded")
    expect(page.locator(".moj-identity-bar")).to_contain_text("Connor Walsh")
    expect(page.locator(".govuk-summary-list").first).to_contain_text("Waiting for the panel")
    suggested = page.get_by_role("heading", level=3).filter(has_text=PROGRAMME)
    expect(suggested).to_be_visible()  # among the suggested interventions, with reasons
    assert_accessible(page)


def schedule_meeting(page: Any, today: datetime.date) -> None:
    menu_link(page, "Panels").click()
    expect(heading(page)).to_have_text("Panel meetings")
    assert_accessible(page)
    page.get_by_role("button", name="Schedule a meeting").click()
    expect(heading(page)).to_have_text("Schedule a panel meeting")
    assert_accessible(page)
    page.get_by_label("Panel", exact=True).select_option(label="Hartmoor SOC Prevent panel")
    fill_date(page, "Date of the meeting", today)
    page.get_by_role("button", name="Schedule the meeting").click()
    expect(heading(page)).to_have_text(f"Meeting on {today.day} {today:%B %Y}")
    assert_accessible(page)


def prepare_the_agenda(page: Any, case_reference: str) -> None:
    page.get_by_label("Hartmoor Council Community Safety").check()
    page.get_by_label("Hartmoor Health Trust").check()
    page.get_by_role("button", name="Record attendance").click()
    expect(banner(page)).to_contain_text("Attendance recorded")
    page.get_by_label("Case", exact=True).select_option(label=f"{case_reference}: Connor Walsh")
    page.get_by_role("button", name="Add to the agenda").click()
    expect(banner(page)).to_contain_text(f"Case {case_reference} is on the agenda")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Hartmoor Health Trust")
    assert_accessible(page)


def agree_the_plan(page: Any, today: datetime.date) -> None:
    """Consent from Connor and a parent (he is 14), one intervention, then the decision."""
    page.get_by_role("link", name="Open the case and its support plan").click()
    for giver in ("The person", "A parent or carer"):
        page.get_by_role("button", name="Record consent").click()
        expect(heading(page)).to_have_text("Record consent to the support plan")
        assert_accessible(page)
        page.get_by_label(giver, exact=True).check()
        page.get_by_label("Given", exact=True).check()
        page.get_by_role("button", name="Record consent").click()
        expect(banner(page)).to_contain_text(f"Recorded: {giver}: Given")

    page.get_by_role("button", name="Add an intervention").click()
    expect(heading(page)).to_have_text("Add an intervention to the support plan")
    assert_accessible(page)
    page.get_by_label("Programme").select_option(label=PROGRAMME)
    page.get_by_label("Provider").fill("Hartmoor YOS mentoring team")
    fill_date(page, "Start date", today)
    fill_date(page, "Expected end date", today + datetime.timedelta(days=90))
    page.get_by_role("button", name="Add the intervention").click()
    expect(banner(page)).to_contain_text(f"{PROGRAMME} added to the support plan")
    plan = page.get_by_role("table").filter(has_text=PROGRAMME)
    expect(plan).to_contain_text("Hartmoor YOS mentoring team")
    assert_accessible(page)

    page.get_by_role("link", name=re.compile(r"Hartmoor SOC Prevent panel on")).click()
    expect(heading(page)).to_contain_text("Case C")
    assert_accessible(page)
    page.get_by_label("Agree a support plan").check()
    page.get_by_label("Reasons for the decision").fill("Connor and his mother agreed to mentoring.")
    page.get_by_role("button", name="Record the decision").click()
    expect(banner(page)).to_contain_text("Decision recorded: Agree a support plan")
    assert_accessible(page)


def set_an_action(page: Any, today: datetime.date) -> None:
    due = today + datetime.timedelta(days=14)
    page.get_by_label("Action", exact=True).fill("Share the clinic's attendance record")
    page.get_by_label("Owner").select_option(label="Ruth Evans, Hartmoor Health Trust")
    fill_date(page, "Due date", due)
    page.get_by_role("button", name="Set the action").click()
    expect(banner(page)).to_contain_text("Action set for Ruth Evans")
    actions = page.get_by_role("table").filter(has_text="Share the clinic's attendance record")
    expect(actions).to_contain_text("Ruth Evans")
    expect(actions).to_contain_text(f"{due.day} {due:%b %Y}")
    assert_accessible(page)


def hold_the_review(page: Any) -> None:
    page.get_by_role("link", name="Open the case and its support plan").click()
    expect(page.locator(".govuk-summary-list").first).to_contain_text("Support plan in place")
    page.get_by_role("link", name=re.compile(r"^Hold the review")).click()
    expect(heading(page)).to_have_text("Hold the scheduled review")
    assert_accessible(page)
    page.get_by_label("Concern reduced").check()
    page.get_by_label("What did the review find?").fill(
        "Attending mentoring weekly; no longer seen at the station."
    )
    page.get_by_role("button", name="Record the review").click()
    expect(banner(page)).to_contain_text("Scheduled review recorded")
    expect(page.get_by_role("table").filter(has_text="Concern reduced")).to_be_visible()
    assert_accessible(page)


def record_the_outcome(page: Any) -> None:
    for status, outcome in (("Started", None), ("Completed", "Aims achieved")):
        page.get_by_role("link", name=f"Update {PROGRAMME}").click()
        expect(heading(page)).to_have_text(f"Update {PROGRAMME}")
        assert_accessible(page)
        page.get_by_label(status, exact=True).check()
        if outcome:
            page.get_by_label(outcome, exact=True).check()
        page.get_by_label("Progress").fill(f"{status}: mentoring sessions on track.")
        page.get_by_role("button", name="Save progress").click()
        expect(banner(page)).to_contain_text(f"{PROGRAMME}: {status.lower()}")
    plan = page.get_by_role("table").filter(has_text=PROGRAMME)
    expect(plan).to_contain_text("Completed: aims achieved")


def exit_the_case(page: Any) -> None:
    page.get_by_role("button", name="Exit the case").click()
    expect(heading(page)).to_have_text("Exit the case")
    assert_accessible(page)
    page.get_by_label("Risk reduced").check()
    page.get_by_label("Reasons").fill("Mentoring completed; no further concern from any agency.")
    page.get_by_role("button", name="Exit the case").click()
    expect(banner(page)).to_contain_text("follow-up reviews booked at 6 and 12 months")
    reviews = page.get_by_role("table").filter(has_text="Follow-up 6 months after exit")
    expect(reviews).to_contain_text("Follow-up 12 months after exit")
    expect(page.locator(".moj-timeline")).to_contain_text("Case exited")
    assert_accessible(page)
    screenshot(page, "case-page-after-exit")


@pytest.mark.django_db(transaction=True)
def test_the_coordinator_runs_a_panel_meeting_from_route_to_exit(
    page, coordinator, health_panel_member, assessed, panel, programme
):
    today = datetime.date.today()
    sign_in(page, "coordinator")
    route_to_the_panel(page, assessed)
    case_reference = page.locator(".govuk-caption-l").inner_text().removeprefix("Case ").strip()

    schedule_meeting(page, today)
    prepare_the_agenda(page, case_reference)
    page.get_by_role("link", name=f"{case_reference}: Connor Walsh").click()
    agree_the_plan(page, today)
    set_an_action(page, today)
    hold_the_review(page)
    record_the_outcome(page)
    exit_the_case(page)

    menu_link(page, "Cases").click()
    page.get_by_role("link", name="Reviews and follow-ups due").click()
    expect(heading(page)).to_have_text("Reviews and follow-ups due")
    page.get_by_label("Kind", exact=True).select_option(label="Follow-ups after exit")
    page.get_by_role("button", name="Apply filters").click()
    due = page.get_by_role("table").filter(has_text=case_reference)
    expect(due).to_contain_text("Follow-up 6 months after exit")
    expect(due).to_contain_text("Follow-up 12 months after exit")
    assert_accessible(page)

    # Every case has its decision, so the meeting closes.
    menu_link(page, "Panels").click()
    page.get_by_role("link", name=f"{today.day} {today:%b %Y}").click()
    page.get_by_role("button", name="Close the meeting").click()
    expect(banner(page)).to_contain_text("Meeting closed")
    assert_accessible(page)

    menu_link(page, "Cases").click()
    expect(page.get_by_role("row").filter(has_text=case_reference)).to_contain_text("Exited")
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_route_page_shows_every_field(
    page_without_js, coordinator, assessed, panel
):
    page = page_without_js
    sign_in(page, "coordinator", check=False)
    page.goto(f"/referrals/{assessed.pk}/route/")
    expect(page.get_by_label("Which service are you signposting them to?")).to_be_visible()
    expect(page.get_by_label("Which panel will hear the case?")).to_be_visible()
    page.get_by_label("Signpost to a named service").check()
    page.get_by_label("Why this route?").fill("One service is enough.")
    page.get_by_role("button", name="Record the route").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Name the service you are signposting them to")
    expect(summary).to_contain_text("say why you chose a different route")
