"""Two people whose dates of birth cannot be one person's are never merged or linked, and never
queued for review (issue 12: accepting a pair merged a 1980-born adult into a 2015-born child).
Ages are measured on the clock's day, which the tests move."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.index.birth_dates import why_not_one_person
from offramp.index.models import MatchReview, PersonMerge, ReviewStatus
from offramp.index.services import link_records, person_merge, review_decide
from offramp.intake.models import SourceRecord
from offramp.people.models import Person
from tests.accounts.clock import Clock
from tests.conftest import signed_in

from .conftest import Extracts

date = datetime.date
TODAY = date(2026, 6, 1)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch, datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC))


def born(agency: Agency, day: date, given: str = "Kieran") -> Person:
    return Person.objects.create(
        given_name=given, family_name="Ashdown", date_of_birth=day, created_by_agency=agency
    )


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (date(1980, 3, 4), date(1980, 3, 4)),
        (date(1980, 3, 4), date(1980, 4, 3)),  # day and month swapped
        (date(1980, 3, 4), date(1986, 3, 4)),  # one digit
        (date(1980, 3, 14), date(1980, 3, 11)),  # one digit
        (date(1980, 3, 4), date(1908, 3, 4)),  # two neighbouring digits transposed
        (date(1980, 3, 4), None),  # nothing to contradict
    ],
)
def test_typing_errors_may_be_one_person(one: date, other: date | None) -> None:
    assert why_not_one_person(one, other, today=TODAY) == ""


@pytest.mark.parametrize(
    ("one", "other", "why"),
    [
        (date(1980, 3, 4), date(2015, 3, 4), "too far apart"),
        (date(1980, 3, 4), date(1981, 4, 3), "too far apart"),
        (date(1980, 3, 4), date(1980, 5, 6), "too far apart"),
        (date(2005, 3, 4), date(2015, 3, 4), "a child and the other an adult"),
    ],
)
def test_other_dates_are_two_people(one: date, other: date, why: str) -> None:
    assert why in why_not_one_person(one, other, today=TODAY)


def test_an_adult_is_never_merged_into_a_child(
    agencies: dict[str, Agency], coordinator: User, clock: Clock
) -> None:
    child = born(agencies["council"], date(2015, 3, 4))
    adult = born(agencies["council"], date(1980, 3, 4))
    with pytest.raises(ValidationError, match="too far apart to be one person"):
        person_merge(target=child, source=adult, actor=coordinator, reason="Same name")
    adult.refresh_from_db()
    assert adult.merged_into is None and not PersonMerge.objects.exists()


def test_a_child_and_an_adult_by_one_digit_merge_only_once_both_are_adults(
    agencies: dict[str, Agency], coordinator: User, clock: Clock
) -> None:
    seventeen = born(agencies["council"], date(2009, 5, 1))
    eighteen = born(agencies["council"], date(2008, 5, 1))
    with pytest.raises(ValidationError, match="one a child and the other an adult"):
        person_merge(target=seventeen, source=eighteen, actor=coordinator, reason="Typo")
    clock.advance(days=365)
    person_merge(target=seventeen, source=eighteen, actor=coordinator, reason="Typo")
    eighteen.refresh_from_db()
    assert eighteen.merged_into == seventeen


def test_accepting_an_impossible_pair_is_refused_on_the_page_and_in_the_api(
    agencies: dict[str, Agency], coordinator: User, clock: Clock
) -> None:
    adult = born(agencies["council"], date(1980, 3, 4))
    child = born(agencies["council"], date(2015, 3, 4))
    review = MatchReview.objects.create(
        left_uid=f"p{adult.pk}",
        right_uid=f"p{child.pk}",
        left_person=adult,
        right_person=child,
        match_probability=0.8,
    )
    client = signed_in(coordinator)
    page = client.post(reverse("index:review-detail", args=[review.pk]), {"decision": "accept"})
    assert "too far apart to be one person" in page.content.decode()
    response = client.post(
        f"/api/v1/people/reviews/{review.pk}/accept", {"note": ""}, content_type="application/json"
    )
    assert response.status_code == 422
    merge = client.post(
        f"/api/v1/people/{child.pk}/merge",
        {"other_id": adult.pk, "reason": "Same name"},
        content_type="application/json",
    )
    assert merge.status_code == 422 and "too far apart" in merge.content.decode()
    review.refresh_from_db()
    assert review.status == ReviewStatus.PENDING and not PersonMerge.objects.exists()


def test_a_record_is_not_linked_to_a_person_it_cannot_be(
    extracts: Extracts, coordinator: User, clock: Clock
) -> None:
    record = SourceRecord.objects.filter(agency=extracts.police).first()
    assert record is not None
    elder = born(extracts.police, date(1950, 1, 1), given=record.given_name)
    review = MatchReview.objects.create(
        left_uid=f"p{elder.pk}",
        right_uid=f"r{record.pk}",
        left_person=elder,
        right_record=record,
        match_probability=0.7,
    )
    with pytest.raises(ValidationError, match="too far apart"):
        review_decide(review=review, actor=coordinator, accept=True)
    record.refresh_from_db()
    assert record.person is None


def test_linking_queues_and_links_no_impossible_pair(
    extracts: Extracts, agencies: dict[str, Agency], coordinator: User
) -> None:
    """Robert Okonkwo's namesake, born decades earlier, is known to the council: the model may
    find them alike by name, but they are never paired for review or linked."""
    robert = extracts.people[0]
    elder = Person.objects.create(
        given_name=robert.given,
        family_name=robert.family,
        date_of_birth=date(1961, 11, 27),
        created_by_agency=agencies["council"],
    )
    link_records(actor=coordinator)
    assert not SourceRecord.objects.filter(person=elder).exists()
    paired = MatchReview.objects.filter(left_uid=f"p{elder.pk}") | MatchReview.objects.filter(
        right_uid=f"p{elder.pk}"
    )
    assert not paired.exists()
