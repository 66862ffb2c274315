"""Acceptance for the person index in Chromium: a coordinator asks "is this person known?",
sees the candidates with the agencies that know them, and accepts a match from the review
queue. axe-core checks every page on the way."""

from typing import Any

import pytest

from offramp.accounts.models import User
from offramp.index.models import MatchReview, ReviewStatus
from offramp.index.services import link_records
from offramp.people.models import Person
from tests.index.conftest import Extracts, extracts, swapped  # noqa: F401 (fixture)

from .conftest import assert_accessible, screenshot
from .test_journeys import fill_date, sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture fails (CI) or skips (locally) with the reason
    expect = None  # type: ignore[assignment]

pytestmark = pytest.mark.browser


@pytest.fixture
def duplicate(extracts: Extracts, coordinator: User, partnership_agreement: object) -> Person:  # noqa: F811
    """The index linked, and a second record of Robert Okonkwo queued as a possible duplicate."""
    link_records(actor=coordinator)
    robert = Person.objects.get(given_name="Robert", family_name="Okonkwo")
    bobby = Person.objects.create(
        given_name="Bobby",
        family_name="Okonkwo",
        date_of_birth=robert.date_of_birth,
        created_by_agency=coordinator.agency,
    )
    MatchReview.objects.create(
        left_uid=f"p{robert.pk}",
        right_uid=f"p{bobby.pk}",
        left_person=robert,
        right_person=bobby,
        match_probability=0.91,
        reasons=[{"field": "date_of_birth", "level": "the same", "weight": 9.1}],
    )
    return robert


def test_a_coordinator_finds_a_known_person_and_accepts_a_match(
    page: Any, duplicate: Person
) -> None:
    sign_in(page, "coordinator")
    page.goto("/people/search/")
    assert_accessible(page)
    page.get_by_label("First name").fill("Bob")
    page.get_by_label("Last name").fill("Okonkwo")
    fill_date(page, "Date of birth", swapped(duplicate.date_of_birth))
    page.get_by_role("button", name="Search").click()
    table = page.get_by_role("table")
    first = table.get_by_role("row").nth(1)
    expect(first).to_contain_text("Robert Okonkwo")
    expect(first).to_contain_text("Hartmoor Police")
    expect(first).to_contain_text("Date of birth: the same with day and month swapped")
    assert_accessible(page)
    screenshot(page, "person-known")

    page.goto("/index/reviews/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Matches to review")
    expect(page.get_by_text("91% likely the same person")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Review pair").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Are these the same person?")
    assert_accessible(page)
    page.get_by_label("Yes, the same person: link them").check()
    page.get_by_label("Note (optional)").fill("Same date of birth and address")
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_text("Linked: the same person")).to_be_visible()
    assert_accessible(page)
    assert MatchReview.objects.get().status == ReviewStatus.ACCEPTED
    assert Person.objects.get(given_name="Bobby").merged_into == duplicate


def test_a_practitioner_is_told_only_that_the_coordinator_was_asked_who_follows_it_up(
    page: Any,
    extracts: Extracts,  # noqa: F811
    school_dsl: User,
    coordinator: User,
    partnership_agreement: object,
) -> None:
    link_records(actor=coordinator)
    robert = Person.objects.get(given_name="Robert", family_name="Okonkwo")
    sign_in(page, "dsl")
    page.goto("/index/known/")
    page.get_by_label("First name").fill("Bob")
    page.get_by_label("Last name").fill("Okonkwo")
    fill_date(page, "Date of birth", robert.date_of_birth)
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_text("The coordinator has been asked.")).to_be_visible()
    expect(page.get_by_role("table")).to_have_count(0)
    assert "Hartmoor Police" not in page.content()
    assert_accessible(page)
    screenshot(page, "person-known-referred")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "coordinator", check=False)
    page.goto("/index/reviews/")
    page.get_by_role("link", name='1 "is this person known?" check to follow up').click()
    expect(page.get_by_text("Tom Baker, Hartmoor Academy")).to_be_visible()
    expect(page.get_by_role("link", name="Robert Okonkwo")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("What you did (optional)").fill("Asked for a referral")
    page.get_by_role("button", name="Mark as followed up").click()
    expect(page.get_by_text("There is nothing to follow up.")).to_be_visible()
