""" "Is this person known?" must not grade or name people the asker may not see (issue 12, leak
2): they learn only that there may be a match and that the coordinators have been asked, who
get the check to follow up; checks are limited per user and hour, and each is logged."""

import datetime
import re
from typing import Any

import pytest
from django.urls import reverse

from offramp.accounts.models import Role, User
from offramp.agencies.models import Agency
from offramp.audit.models import AuditAction, AuditEntry
from offramp.index.models import KnownCheck, KnownOutcome
from offramp.index.services import link_records
from offramp.people.models import AgencyIdentifier, IdentifierType, Person
from tests.accounts.clock import Clock
from tests.conftest import PASSWORD, signed_in

from .conftest import Extracts, swapped

REFERRED = (
    "There may be a match whose record is not shared with you. The coordinator has been asked."
)
# What a graded or naming answer would contain: probabilities, field levels, agencies.
GRADES = ("%", "Date of birth", "Postcode", "likely", "Needs review", "Certain match")


@pytest.fixture
def robert(extracts: Extracts, coordinator: User) -> Person:
    """The index linked; Robert Okonkwo, known to the police and the youth offending service,
    whom nobody at the council or a school may see (no sharing agreement)."""
    link_records(actor=coordinator)
    return Person.objects.get(given_name="Robert", family_name="Okonkwo")


def query(given: str, family: str, born: datetime.date) -> dict[str, object]:
    return {
        "given_name": given,
        "family_name": family,
        "date_of_birth_0": born.day,
        "date_of_birth_1": born.month,
        "date_of_birth_2": born.year,
    }


def answer(content: str) -> str:
    """The page below the search form: the answer alone."""
    return content.split("<h1", 1)[1].split("</form>", 1)[1]


def test_a_practitioner_learns_only_that_there_may_be_a_match(
    robert: Person, school_dsl: User
) -> None:
    client = signed_in(school_dsl)
    answers = [
        answer(client.get(reverse("index:known"), query("Bob", "Okonkwo", born)).content.decode())
        for born in (robert.date_of_birth, swapped(robert.date_of_birth))
    ]
    for text in answers:
        assert REFERRED in text
        assert not [grade for grade in GRADES if grade in text]
        assert "Hartmoor Police" not in text and "Youth Offending" not in text
        assert reverse("web:person-detail", args=[robert.pk]) not in text
    # The exact and the mistyped date of birth get the same answer (but for the referral
    # link, which carries what was typed): nothing to home in on.
    first, second = (re.sub(r"\?[^\"]*\"", "", text) for text in answers)
    assert first == second


def test_the_api_says_only_that_the_coordinator_was_asked(robert: Person, school_dsl: User) -> None:
    response = signed_in(school_dsl).get(
        "/api/v1/people/known",
        {
            "given_name": "Bob",
            "family_name": "Okonkwo",
            "date_of_birth": robert.date_of_birth.isoformat(),
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["coordinator_asked"] is True
    assert body["candidates"] == [] and body["name_matches"] == []
    assert "Hartmoor" not in response.content.decode()


def test_a_health_only_record_is_never_named_to_a_coordinator_who_may_not_see_it(
    robert: Person, agencies: dict[str, Agency], coordinator: User
) -> None:
    health = agencies["health"]
    patient = Person.objects.create(
        given_name="Imogen",
        family_name="Threadgold",
        date_of_birth=datetime.date(2007, 8, 19),
        created_by_agency=health,
    )
    AgencyIdentifier.objects.create(
        person=patient,
        agency=health,
        identifier_type=IdentifierType.NHS_NUMBER,
        value="943 476 5919",
    )
    page = signed_in(coordinator).get(
        reverse("web:person-search"), query("Imogen", "Threadgold", patient.date_of_birth)
    )
    text = answer(page.content.decode())
    assert REFERRED in text
    assert "Health" not in text and "943 476 5919" not in text
    assert "Threadgold" not in text.split("Make a referral")[0]


def test_a_coordinator_still_sees_people_shared_with_them_in_full(
    robert: Person, coordinator: User, partnership_agreement: object
) -> None:
    page = signed_in(coordinator).get(
        reverse("web:person-search"), query("Bob", "Okonkwo", robert.date_of_birth)
    )
    text = answer(page.content.decode())
    assert reverse("web:person-detail", args=[robert.pk]) in text
    assert "Hartmoor Police" in text and "%" in text
    assert REFERRED not in text


def test_the_coordinators_get_the_check_to_follow_up(
    robert: Person, school_dsl: User, coordinator: User, partnership_agreement: object
) -> None:
    signed_in(school_dsl).get(reverse("index:known"), query("Bob", "Okonkwo", robert.date_of_birth))
    check = KnownCheck.objects.get(asked_by=school_dsl)
    assert check.outcome == KnownOutcome.REFERRED
    assert list(check.matches.values_list("person_id", flat=True)) == [robert.pk]

    client = signed_in(coordinator)
    queue = client.get(reverse("index:review-list")).content.decode()
    assert '1 "is this person known?" check to follow up' in queue
    listed = client.get(reverse("index:check-list")).content.decode()
    assert "Tom Baker" in listed and "Hartmoor Academy" in listed
    assert reverse("web:person-detail", args=[robert.pk]) in listed

    client.post(reverse("index:check-follow-up", args=[check.pk]), {"note": "Asked for a referral"})
    check.refresh_from_db()
    assert check.followed_up_by == coordinator and check.follow_up_note == "Asked for a referral"
    assert "Tom Baker" not in client.get(reverse("index:check-list")).content.decode()
    assert AuditEntry.objects.filter(
        object_type="knowncheck", object_id=str(check.pk), action=AuditAction.ALTERATION
    ).exists()


def test_a_coordinator_who_may_not_see_the_match_is_asked_without_being_told_who(
    robert: Person, school_dsl: User, coordinator: User
) -> None:
    signed_in(school_dsl).get(reverse("index:known"), query("Bob", "Okonkwo", robert.date_of_birth))
    listed = signed_in(coordinator).get(reverse("index:check-list")).content.decode()
    assert "Tom Baker" in listed and "not shared with you either" in listed
    assert "Okonkwo" not in listed


def test_only_reviewers_see_the_checks_to_follow_up(robert: Person, school_dsl: User) -> None:
    client = signed_in(school_dsl)
    client.get(reverse("index:known"), query("Bob", "Okonkwo", robert.date_of_birth))
    check = KnownCheck.objects.get()
    assert client.get(reverse("index:check-list")).status_code == 403
    assert client.post(reverse("index:check-follow-up", args=[check.pk])).status_code == 403
    assert KnownCheck.objects.get().followed_up_at is None


def test_every_check_is_logged_by_its_class_without_what_was_typed(
    robert: Person, school_dsl: User
) -> None:
    client = signed_in(school_dsl)
    client.get(reverse("index:known"), query("Bob", "Okonkwo", robert.date_of_birth))
    client.get(reverse("index:known"), query("Zebedee", "Quixlington", datetime.date(1950, 1, 1)))
    checks = list(KnownCheck.objects.order_by("pk"))
    assert [c.outcome for c in checks] == [KnownOutcome.REFERRED, KnownOutcome.NONE]
    for check in checks:
        entry = AuditEntry.objects.get(object_type="knowncheck", object_id=str(check.pk))
        assert entry.actor_id == school_dsl.pk and entry.purpose == "referral check"
    stored = " ".join(str(v) for c in KnownCheck.objects.values() for v in c.values())
    assert "Okonkwo" not in stored and "Quixlington" not in stored
    # The look-up is on the hidden person's access log, so a subject access request shows it.
    assert AuditEntry.objects.filter(object_type="person_index", person_id=robert.pk).exists()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch, datetime.datetime(2026, 12, 7, 10, 0, tzinfo=datetime.UTC))


@pytest.fixture
def two_an_hour(settings: Any) -> int:
    settings.OFFRAMP_KNOWN_CHECKS_PER_HOUR = 2
    return 2


def test_checks_are_limited_per_user_and_hour_across_page_and_api(
    robert: Person, school_dsl: User, other_dsl: User, clock: Clock, two_an_hour: int
) -> None:
    client = signed_in(school_dsl)
    ask = query("Bob", "Okonkwo", robert.date_of_birth)
    api = {"family_name": "Okonkwo", "given_name": "Bob"}
    assert client.get(reverse("index:known"), ask).status_code == 200
    clock.advance(minutes=10)
    assert client.get("/api/v1/people/known", api).status_code == 200

    refused = client.get(reverse("index:known"), ask)
    assert refused.status_code == 429
    content = refused.content.decode()
    assert "You have made 2 checks in the last hour" in content and "from 11:00" in content
    assert REFERRED not in content
    over = client.get("/api/v1/people/known", api)
    assert over.status_code == 429 and "2 checks in the last hour" in over.json()["detail"]
    assert KnownCheck.objects.filter(asked_by=school_dsl).count() == 2
    # Another user has their own allowance.
    assert signed_in(other_dsl).get(reverse("index:known"), ask).status_code == 200

    clock.advance(minutes=51)
    again = signed_in(school_dsl)  # the session itself has timed out meanwhile
    assert again.get(reverse("index:known"), ask).status_code == 200


def test_a_coordinator_checking_is_limited_too(
    robert: Person, agencies: dict[str, Agency], clock: Clock, two_an_hour: int
) -> None:
    searcher = User.objects.create_user(
        username="police-coordinator",
        password=PASSWORD,
        agency=agencies["police"],
        role=Role.COORDINATOR,
    )
    client = signed_in(searcher)
    ask = query("Bob", "Okonkwo", robert.date_of_birth)
    statuses = [client.get(reverse("web:person-search"), ask).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
