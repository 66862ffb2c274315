"""The match review queue shows identifying details, so a reviewer sees (and decides) a pair
only when they may see both sides (issue 12, leak 3)."""

import datetime

import pytest
from django.urls import reverse

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.index.models import MatchReview, ReviewStatus
from offramp.intake.models import ExtractKind, SourceRecord
from offramp.people.models import Person
from tests.conftest import signed_in

from .conftest import make_batch

BORN = datetime.date(1990, 2, 3)


def person(agency: Agency, given: str, family: str) -> Person:
    return Person.objects.create(
        given_name=given, family_name=family, date_of_birth=BORN, created_by_agency=agency
    )


def pair(one: Person | SourceRecord, other: Person | SourceRecord) -> MatchReview:
    def side(thing: Person | SourceRecord) -> tuple[str, dict[str, object]]:
        if isinstance(thing, Person):
            return f"p{thing.pk}", {"person": thing}
        return f"r{thing.pk}", {"record": thing}

    (left_uid, left), (right_uid, right) = sorted((side(one), side(other)), key=lambda s: s[0])
    return MatchReview.objects.create(
        left_uid=left_uid,
        right_uid=right_uid,
        **{f"left_{k}": v for k, v in left.items()},
        **{f"right_{k}": v for k, v in right.items()},
        match_probability=0.9,
        reasons=[{"field": "date_of_birth", "level": "the same", "weight": 9.0}],
    )


@pytest.fixture
def police_pair(agencies: dict[str, Agency]) -> MatchReview:
    """Two police records of one man, never shared with the council."""
    police = agencies["police"]
    return pair(person(police, "Darren", "Holtby"), person(police, "Daz", "Holtby"))


@pytest.fixture
def council_pair(agencies: dict[str, Agency]) -> MatchReview:
    council = agencies["council"]
    return pair(person(council, "Lena", "Marsh"), person(council, "Helena", "Marsh"))


def test_a_pair_of_hidden_people_is_not_in_the_reviewers_queue(
    police_pair: MatchReview, council_pair: MatchReview, coordinator: User
) -> None:
    client = signed_in(coordinator)
    queue = client.get(reverse("index:review-list")).content.decode()
    assert "1 pair waiting" in queue and "Marsh" in queue
    assert "Holtby" not in queue and "3 Feb 1990" not in queue.split("Marsh")[0]
    listed = client.get("/api/v1/people/reviews").json()
    assert [review["id"] for review in listed] == [council_pair.pk]


def test_a_pair_of_hidden_people_answers_404_and_cannot_be_decided(
    police_pair: MatchReview, coordinator: User
) -> None:
    client = signed_in(coordinator)
    detail = reverse("index:review-detail", args=[police_pair.pk])
    assert client.get(detail).status_code == 404
    assert client.post(detail, {"decision": "accept"}).status_code == 404
    for verdict in ("accept", "reject"):
        response = client.post(
            f"/api/v1/people/reviews/{police_pair.pk}/{verdict}",
            {"note": ""},
            content_type="application/json",
        )
        assert response.status_code == 404
    police_pair.refresh_from_db()
    assert police_pair.status == ReviewStatus.PENDING
    assert not Person.objects.filter(merged_into__isnull=False).exists()


def test_a_reviewer_who_may_see_both_people_reviews_the_pair(
    police_pair: MatchReview, police_coordinator: User
) -> None:
    client = signed_in(police_coordinator)
    assert "Holtby" in client.get(reverse("index:review-list")).content.decode()
    page = client.get(reverse("index:review-detail", args=[police_pair.pk]))
    assert page.status_code == 200


def test_a_partner_record_is_reviewed_only_where_its_agency_shares_identity(
    agencies: dict[str, Agency], coordinator: User, partnership_agreement: object
) -> None:
    police = agencies["police"]
    record = SourceRecord.objects.create(
        agency=police,
        batch=make_batch(police, coordinator, ExtractKind.POLICE_NOMINALS),
        record_key="k1",
        given_name="Darren",
        family_name="Holtby",
        date_of_birth=BORN,
    )
    review = pair(record, person(agencies["council"], "Darren", "Holtby"))
    client = signed_in(coordinator)
    assert client.get(reverse("index:review-detail", args=[review.pk])).status_code == 200
    partnership_agreement.delete()  # type: ignore[attr-defined]
    assert client.get(reverse("index:review-detail", args=[review.pk])).status_code == 404
