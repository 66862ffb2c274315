""" "Is this person known?": the linkage model over the index, agency names without content."""

import datetime

import pytest
from django.urls import reverse

from offramp.accounts.models import User
from offramp.audit.models import AuditEntry
from offramp.index.selectors import is_person_known
from offramp.index.services import link_records
from offramp.intake.models import SourceRecord
from offramp.people.models import Person
from tests.conftest import signed_in

from .conftest import Extracts, swapped


@pytest.fixture
def linked(extracts: Extracts, coordinator: User) -> Person:
    """The index linked; Robert Okonkwo, known to the police and the youth offending service."""
    link_records(actor=coordinator)
    return Person.objects.get(given_name="Robert", family_name="Okonkwo")


def check_url(given: str, family: str, born: datetime.date) -> str:
    query = (
        f"given_name={given}&family_name={family}&date_of_birth_0={born.day}"
        f"&date_of_birth_1={born.month}&date_of_birth_2={born.year}"
    )
    return f"{reverse('index:known')}?{query}"


def test_a_nickname_and_swapped_date_find_the_person(
    linked: Person, coordinator: User, partnership_agreement: object
) -> None:
    born = swapped(linked.date_of_birth)
    assert born != linked.date_of_birth
    result = is_person_known(
        user=coordinator, given_name="Bob", family_name="Okonkwo", date_of_birth=born
    )
    assert result.model_trained
    best = result.candidates[0]
    assert best.person_id == linked.pk
    assert best.match_probability >= 0.5
    assert "Hartmoor Police" in best.agencies
    assert any("swapped" in reason.level for reason in best.reasons)
    assert any("nickname" in reason.level for reason in best.reasons)


def test_a_practitioner_sees_nothing_the_index_holds_and_can_refer_at_once(
    linked: Person, school_dsl: User
) -> None:
    record = SourceRecord.objects.filter(person=linked).first()
    page = signed_in(school_dsl).get(check_url("Bob", "Okonkwo", swapped(linked.date_of_birth)))
    assert page.status_code == 200
    content = page.content.decode()
    assert "The coordinator has been asked" in content
    held = [
        "Robert",
        "Hartmoor Police",
        record.identifier,
        record.postcode,
        linked.date_of_birth.strftime("%-d %b %Y"),
        reverse("web:person-detail", args=[linked.pk]),
    ]
    assert not [text for text in held if text in content]
    # The referral form is filled in with the person checked.
    assert f"{reverse('web:referral-create')}?given_name=Bob" in content
    form = signed_in(school_dsl).get(
        reverse("web:referral-create"), {"given_name": "Bob", "family_name": "Okonkwo"}
    )
    assert 'value="Bob"' in form.content.decode()
    # The look-up is in the access log, against the person, without content.
    entry = AuditEntry.objects.filter(
        actor_id=school_dsl.pk, purpose="referral check", object_type="person_index"
    ).first()
    assert entry is not None and entry.person_id == linked.pk


def test_the_coordinator_sees_the_person_and_their_page_says_who_knows_them(
    linked: Person, coordinator: User, partnership_agreement: object
) -> None:
    client = signed_in(coordinator)
    born = swapped(linked.date_of_birth)
    page = client.get(
        reverse("web:person-search"),
        {
            "given_name": "Bob",
            "family_name": "Okonkwo",
            "date_of_birth_0": born.day,
            "date_of_birth_1": born.month,
            "date_of_birth_2": born.year,
        },
    )
    content = page.content.decode()
    assert reverse("web:person-detail", args=[linked.pk]) in content
    assert "Certain match" in content or "Needs review" in content
    detail = client.get(reverse("web:person-detail", args=[linked.pk])).content.decode()
    assert "Known to" in detail and "Police nominals" in detail and "1 Oct 2026" in detail


def test_before_any_linking_the_search_says_it_uses_name_matching(
    dsl_referral: object, coordinator: User
) -> None:
    page = signed_in(coordinator).get(
        reverse("web:person-search"), {"given_name": "x", "family_name": "Fenwick"}
    )
    assert "have not been linked yet" in page.content.decode()


def test_the_api_answers_with_the_candidates_the_caller_may_see(
    linked: Person, coordinator: User, partnership_agreement: object
) -> None:
    client = signed_in(coordinator)
    born = swapped(linked.date_of_birth)
    response = client.get(
        "/api/v1/people/known",
        {"given_name": "Bob", "family_name": "Okonkwo", "date_of_birth": born.isoformat()},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["model_trained"] is True and body["coordinator_asked"] is False
    first = body["candidates"][0]
    assert first["person"]["id"] == linked.pk
    assert "Hartmoor Police" in first["known_to"]


def test_roles_without_referrals_or_search_are_refused(
    linked: Person, analyst: User, auditor: User
) -> None:
    for user in (analyst, auditor):
        client = signed_in(user)
        assert client.get(check_url("Bob", "Okonkwo", linked.date_of_birth)).status_code == 403
        response = client.get("/api/v1/people/known", {"family_name": "Okonkwo"})
        assert response.status_code == 403
