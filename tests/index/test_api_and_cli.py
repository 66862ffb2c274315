"""The person index through the API and the `offramp link` command."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from offramp.accounts.models import User
from offramp.index.models import LinkageRun, MatchReview, PersonMerge, ReviewStatus
from offramp.people.models import Person
from tests.conftest import signed_in

from .conftest import Extracts


def test_offramp_link_prints_the_counts(extracts: Extracts, coordinator: User) -> None:
    out = StringIO()
    call_command("link", "--user", coordinator.username, stdout=out, stderr=StringIO())
    assert "new people: 35" in out.getvalue()
    assert LinkageRun.objects.get().actor == coordinator
    with pytest.raises(CommandError, match="No active user"):
        call_command("link", "--user", "nobody", stdout=StringIO(), stderr=StringIO())


def test_offramp_link_refuses_an_empty_index(agencies: object) -> None:
    with pytest.raises(CommandError, match="import a partner extract first"):
        call_command("link", stdout=StringIO(), stderr=StringIO())


def test_review_merge_and_unmerge_through_the_api(
    referred_twice: tuple[Person, Person], coordinator: User
) -> None:
    client = signed_in(coordinator)
    one, other = sorted(referred_twice, key=lambda p: p.pk)
    review = MatchReview.objects.create(
        left_uid=f"p{one.pk}",
        right_uid=f"p{other.pk}",
        left_person=one,
        right_person=other,
        match_probability=0.8,
    )
    listed = client.get("/api/v1/people/reviews").json()
    assert [(r["id"], r["left"]["person_id"]) for r in listed] == [(review.pk, one.pk)]
    rejected = client.post(
        f"/api/v1/people/reviews/{review.pk}/reject",
        {"note": "Different schools, different people"},
        content_type="application/json",
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == ReviewStatus.REJECTED
    again = client.post(
        f"/api/v1/people/reviews/{review.pk}/accept", {}, content_type="application/json"
    )
    assert again.status_code == 422

    merged = client.post(
        f"/api/v1/people/{one.pk}/merge",
        {"other_id": other.pk, "reason": "Same person after all"},
        content_type="application/json",
    )
    assert merged.status_code == 200, merged.content
    merge = PersonMerge.objects.get()
    assert merged.json()["rows_moved"] == merge.moved_count > 0
    assert Person.objects.get(pk=other.pk).merged_into_id == one.pk
    undone = client.post(
        f"/api/v1/people/merges/{merge.pk}/unmerge",
        {"reason": "No"},
        content_type="application/json",
    )
    assert undone.status_code == 200 and undone.json()["unmerged_at"]
    twice = client.post(
        f"/api/v1/people/merges/{merge.pk}/unmerge",
        {"reason": "No"},
        content_type="application/json",
    )
    assert twice.status_code == 422
    assert "already undone" in str(twice.json()["errors"])
