"""Merging two people moves every row that refers to one onto the other; un-merging moves
exactly those rows back."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from offramp.access.scoping import people_visible_to
from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.audit.models import AuditEntry, Event, EventCode
from offramp.index.models import MatchReview, PersonMerge, ReviewStatus
from offramp.index.services import person_merge, person_unmerge, review_decide
from offramp.intake.models import ExtractKind, SourceRecord
from offramp.people.models import AgencyIdentifier, IdentifierType, Person, PersonAlias
from offramp.referrals.models import Referral
from offramp.retention.disposal import models_referring_to_person

from .conftest import make_batch


def snapshot(people: list[int]) -> set[tuple[str, str, object, object]]:
    """Every row (outside the index's own records) that refers to these people, and whom."""
    rows = set()
    for model, name in models_referring_to_person():
        if model._meta.app_label == "person_index":
            continue
        for pk, value in model._default_manager.filter(**{f"{name}__in": people}).values_list(
            "pk", name
        ):
            rows.add((model._meta.label_lower, name, pk, value))
    return rows


@pytest.fixture
def two_records(
    referred_twice: tuple[Person, Person], agencies: dict[str, Agency], coordinator: User
) -> tuple[Person, Person]:
    """The same young man referred twice, by two schools, each making a record."""
    first, second = referred_twice
    PersonAlias.objects.create(
        person=second,
        given_name="Jay",
        family_name="Fenwick",
        recorded_by_agency=agencies["police"],
    )
    AgencyIdentifier.objects.create(
        person=second, agency=agencies["police"], identifier_type=IdentifierType.PNC, value="09/1X"
    )
    batch = make_batch(agencies["police"], coordinator, ExtractKind.POLICE_NOMINALS)
    SourceRecord.objects.create(
        agency=agencies["police"],
        batch=batch,
        record_key="k1",
        given_name="Jay",
        family_name=second.family_name,
        date_of_birth=second.date_of_birth,
        person=second,
    )
    return first, second


def test_merge_then_unmerge_restores_every_row(
    two_records: tuple[Person, Person], coordinator: User
) -> None:
    target, source = two_records
    before = snapshot([target.pk, source.pk])
    moved_before = {row for row in before if row[3] == source.pk}
    assert len({row[0] for row in moved_before}) >= 5  # referral, events, alias, id, record...

    merge = person_merge(target=target, source=source, actor=coordinator, reason="Same DOB")

    source.refresh_from_db()
    assert source.merged_into == target
    assert not people_visible_to(coordinator).filter(pk=source.pk).exists()
    after = snapshot([target.pk, source.pk])
    moved = {(label, name, pk) for label, name, pk, value in moved_before}
    assert {row[:3] for row in after if row[3] == target.pk} >= moved
    assert merge.moved_count == len(moved)
    assert Referral.objects.filter(person=target).count() == 2
    codes = Event.objects.filter(code=EventCode.INDEX_PERSON_MERGED)
    assert sorted(codes.values_list("person_id", flat=True)) == sorted([target.pk, source.pk])
    assert AuditEntry.objects.filter(event_code=EventCode.INDEX_PERSON_MERGED).count() == 2

    person_unmerge(merge=merge, actor=coordinator, reason="Twins, checked with school")

    # Every row that existed before points where it did (the merge's own events are new rows).
    existing = {row[:3] for row in before}
    restored = {row for row in snapshot([target.pk, source.pk]) if row[:3] in existing}
    assert restored == before
    source.refresh_from_db()
    assert source.merged_into is None
    assert people_visible_to(coordinator).filter(pk=source.pk).exists()
    assert Event.objects.filter(code=EventCode.INDEX_PERSON_UNMERGED).count() == 2
    # Kept apart from now on: the pair is a rejection for every later run.
    assert (
        MatchReview.objects.get(
            left_person__in=[target, source], right_person__in=[target, source]
        ).status
        == ReviewStatus.REJECTED
    )


def test_merges_are_refused_clearly(
    two_records: tuple[Person, Person], coordinator: User, school_dsl: User
) -> None:
    target, source = two_records
    with pytest.raises(ValidationError, match="cannot be merged into themselves"):
        person_merge(target=target, source=target, actor=coordinator)
    with pytest.raises(PermissionDenied):
        person_merge(target=target, source=source, actor=school_dsl)
    merge = person_merge(target=target, source=source, actor=coordinator)
    with pytest.raises(ValidationError, match="already merged into record"):
        person_merge(target=source, source=target, actor=coordinator)
    with pytest.raises(ValidationError, match="already merged into record"):
        person_merge(target=target, source=source, actor=coordinator)
    person_unmerge(merge=merge, actor=coordinator)
    with pytest.raises(ValidationError, match="already undone"):
        person_unmerge(merge=PersonMerge.objects.get(pk=merge.pk), actor=coordinator)


def test_accepting_a_review_of_two_people_merges_them(
    two_records: tuple[Person, Person], coordinator: User
) -> None:
    target, source = two_records
    review = MatchReview.objects.create(
        left_uid=f"p{target.pk}",
        right_uid=f"p{source.pk}",
        left_person=target,
        right_person=source,
        match_probability=0.8,
        reasons=[{"field": "date_of_birth", "level": "the same", "weight": 7.5}],
    )
    review_decide(review=review, actor=coordinator, accept=True, note="Checked")
    merge = PersonMerge.objects.get()
    assert (merge.target, merge.source, merge.review) == (target, source, review)
    with pytest.raises(ValidationError, match="already decided"):
        review_decide(review=review, actor=coordinator, accept=False)


def test_a_reviewed_link_goes_on_the_timeline(
    two_records: tuple[Person, Person], coordinator: User, agencies: dict[str, Agency]
) -> None:
    target, _ = two_records
    record = SourceRecord.objects.get()
    SourceRecord.objects.filter(pk=record.pk).update(person=None)
    review = MatchReview.objects.create(
        left_uid=f"p{target.pk}",
        right_uid=f"r{record.pk}",
        left_person=target,
        right_record=record,
        match_probability=0.7,
    )
    review_decide(review=review, actor=coordinator, accept=True)
    record.refresh_from_db()
    assert record.person == target and record.link_method == "reviewed"
    event = Event.objects.get(code=EventCode.INDEX_RECORD_LINKED)
    assert event.person == target and "Hartmoor Police" in event.summary


def test_a_rejected_provisional_link_is_undone(
    two_records: tuple[Person, Person], coordinator: User
) -> None:
    _, person = two_records
    record = SourceRecord.objects.get()
    SourceRecord.objects.filter(pk=record.pk).update(link_method="provisional")
    review = MatchReview.objects.create(
        left_uid=f"p{person.pk}",
        right_uid=f"r{record.pk}",
        left_person=person,
        right_record=record,
        match_probability=0.6,
    )
    review_decide(review=review, actor=coordinator, accept=False, note="Different middle name")
    record.refresh_from_db()
    assert record.person is None
    assert not Event.objects.filter(code=EventCode.INDEX_RECORD_LINKED).exists()
