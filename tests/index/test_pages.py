"""The review queue, the "Link records now" button and the merge pages."""

from django.urls import reverse

from offramp.accounts.models import User
from offramp.index.models import LinkageRun, MatchReview, PersonMerge, ReviewStatus
from offramp.people.models import Person
from tests.conftest import signed_in

from .conftest import Extracts


def test_link_records_now_then_review_the_queue(
    extracts: Extracts, coordinator: User, partnership_agreement: object
) -> None:
    client = signed_in(coordinator)
    response = client.post(reverse("index:link-run"), follow=True)
    assert LinkageRun.objects.count() == 1
    assert "Linked 50 records" in response.content.decode()
    robert = Person.objects.get(given_name="Robert", family_name="Okonkwo")
    ghost = Person.objects.create(
        given_name="Bobby",
        family_name="Okonkwo",
        date_of_birth=robert.date_of_birth,
        created_by_agency=extracts.yos,
    )
    review = MatchReview.objects.create(
        left_uid=f"p{robert.pk}",
        right_uid=f"p{ghost.pk}",
        left_person=robert,
        right_person=ghost,
        match_probability=0.93,
        reasons=[{"field": "date_of_birth", "level": "the same", "weight": 9.1}],
    )
    queue = client.get(reverse("index:review-list")).content.decode()
    assert "93% likely the same person" in queue
    assert "Date of birth: the same (+9.1)" in queue
    assert "Bobby" in queue and "Hartmoor Police" in queue

    page = client.post(reverse("index:review-detail", args=[review.pk]), {"decision": ""})
    assert "Select whether these are the same person" in page.content.decode()
    client.post(
        reverse("index:review-detail", args=[review.pk]),
        {"decision": "accept", "note": "Same PNC"},
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.ACCEPTED and review.note == "Same PNC"
    ghost.refresh_from_db()
    assert ghost.merged_into == robert
    again = client.post(
        reverse("index:review-detail", args=[review.pk]), {"decision": "reject"}
    ).content.decode()
    assert "already decided" in again


def test_merge_and_undo_from_the_person_page(
    referred_twice: tuple[Person, Person], coordinator: User
) -> None:
    client = signed_in(coordinator)
    target, source = referred_twice
    detail = client.get(reverse("web:person-detail", args=[target.pk])).content.decode()
    assert reverse("index:merge", args=[target.pk]) in detail
    refused = client.post(
        reverse("index:merge", args=[target.pk]), {"other": target.pk, "reason": "Same"}
    )
    assert "cannot be merged into themselves" in refused.content.decode()
    client.post(reverse("index:merge", args=[target.pk]), {"other": source.pk, "reason": "Same"})
    merge = PersonMerge.objects.get()
    assert client.get(reverse("web:person-detail", args=[source.pk])).status_code == 404
    detail = client.get(reverse("web:person-detail", args=[target.pk])).content.decode()
    assert reverse("index:unmerge", args=[merge.pk]) in detail
    client.post(reverse("index:unmerge", args=[merge.pk]), {"reason": "Cousins"})
    assert client.get(reverse("web:person-detail", args=[source.pk])).status_code == 200
    twice = client.post(reverse("index:unmerge", args=[merge.pk]), {"reason": "Again"})
    assert "was undone" in twice.content.decode()


def test_only_reviewers_reach_the_queue(school_dsl: User, analyst: User, auditor: User) -> None:
    for user in (school_dsl, analyst, auditor):
        client = signed_in(user)
        assert client.get(reverse("index:review-list")).status_code == 403
        assert client.post(reverse("index:link-run")).status_code == 403
        assert client.get("/api/v1/people/reviews").status_code == 403
    assert not LinkageRun.objects.exists()
