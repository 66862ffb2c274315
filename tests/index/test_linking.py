"""Linking partner records into the person index: truth kept, re-runs idempotent, labels kept."""

from collections import defaultdict

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from offramp.accounts.models import User
from offramp.audit.models import AuditAction, AuditEntry, Event, EventCode
from offramp.index.models import LinkageRun, MatchReview, ReviewStatus
from offramp.index.services import link_records, review_decide
from offramp.intake.models import LinkMethod, SourceRecord
from offramp.people.models import AgencyIdentifier, Ethnicity, Person, Sex

from .conftest import Extracts


def people_found(extracts: Extracts) -> dict[int, set[int]]:
    """True person -> the index people their records were linked to."""
    found: dict[int, set[int]] = defaultdict(set)
    for record in SourceRecord.objects.all():
        found[extracts.truth[record.pk]].add(record.person_id)
    return found


def test_linking_puts_each_persons_records_together_and_creates_the_rest(
    extracts: Extracts, coordinator: User
) -> None:
    run = link_records(actor=coordinator)

    found = people_found(extracts)
    assert all(None not in people for people in found.values()), found
    merged_wrongly = [p for p in found.values() if len(p) != 1]
    assert not merged_wrongly, "a true person split over people in the index"
    index_people = [next(iter(p)) for p in found.values()]
    assert len(set(index_people)) == 35, "two true people share one person in the index"
    assert Person.objects.count() == 35
    assert run.counts["new_people"] == 35
    assert run.model_settings["comparisons"]
    person = Person.objects.get(family_name="Okonkwo", given_name="Robert")
    assert person.ethnicity == Ethnicity.NOT_KNOWN
    assert person.sex in (Sex.MALE, Sex.FEMALE)
    assert person.created_by_agency == extracts.police
    assert person.postcode_district.startswith("HM")
    assert AgencyIdentifier.objects.filter(person=person, identifier_type="pnc").exists()
    # One audit entry for the run, and each founded person's timeline says where it came from
    # (which agencies, never what they hold), with its own access-log entry.
    entries = AuditEntry.objects.filter(object_type="linkagerun")
    assert [(e.action, e.object_id) for e in entries] == [(AuditAction.COMBINATION, str(run.pk))]
    created = Event.objects.get(person=person)
    assert created.code == EventCode.PERSON_CREATED
    assert "held by Hartmoor" in created.summary and "Okonkwo" not in created.summary
    assert Event.objects.count() == 35
    assert AuditEntry.objects.filter(person_id=person.pk, event_code=EventCode.PERSON_CREATED)


def test_a_second_run_with_nothing_new_adds_nothing(extracts: Extracts, coordinator: User) -> None:
    link_records(actor=coordinator)
    before = (
        Person.objects.count(),
        MatchReview.objects.count(),
        list(SourceRecord.objects.values_list("pk", "person_id", "link_method")),
    )
    again = link_records(actor=coordinator)
    after = (
        Person.objects.count(),
        MatchReview.objects.count(),
        list(SourceRecord.objects.values_list("pk", "person_id", "link_method")),
    )
    assert after == before
    assert again.counts["new_people"] == again.counts["linked_certain"] == 0
    assert again.counts["reviews_added"] == 0
    assert LinkageRun.objects.count() == 2


def test_new_records_link_to_people_already_in_the_index(
    extracts: Extracts, coordinator: User
) -> None:
    link_records(actor=coordinator)
    robert = Person.objects.get(family_name="Okonkwo", given_name="Robert")
    record = SourceRecord.objects.filter(person=robert).first()
    late = SourceRecord.objects.create(
        agency=extracts.yos,
        batch=SourceRecord.objects.filter(agency=extracts.yos).first().batch,
        record_key="yos-late",
        identifier_type="yos_id",
        identifier="YOS9999",
        given_name="Bob",
        family_name="Okonkwo",
        date_of_birth=record.date_of_birth,
        postcode=record.postcode,
        other_identifiers={"pnc": record.identifier},
    )
    run = link_records(actor=coordinator)
    late.refresh_from_db()
    assert late.person == robert
    assert late.link_method == LinkMethod.CERTAIN
    assert late.match_probability >= 0.99
    assert run.counts["new_people"] == 0


def test_a_rejected_pair_is_never_linked_again(extracts: Extracts, coordinator: User) -> None:
    """A reviewer says two people are different: re-running never puts them together."""
    link_records(actor=coordinator)
    robert = Person.objects.get(family_name="Okonkwo", given_name="Robert")
    record = SourceRecord.objects.filter(person=robert).first()
    twin = SourceRecord.objects.create(
        agency=extracts.yos,
        batch=SourceRecord.objects.filter(agency=extracts.yos).first().batch,
        record_key="yos-twin",
        identifier_type="yos_id",
        identifier="YOS7777",
        given_name="Robert",
        family_name="Okonkwo",
        date_of_birth=record.date_of_birth,
        postcode=record.postcode,
    )
    link_records(actor=coordinator)
    twin.refresh_from_db()
    assert twin.person == robert
    review = MatchReview.objects.create(
        left_uid=f"p{robert.pk}",
        right_uid=f"r{twin.pk}",
        left_person=robert,
        right_record=twin,
        match_probability=0.99,
    )
    review_decide(review=review, actor=coordinator, accept=False, note="Twin brother")
    # The certain link stays until someone says otherwise: unlink it as a reviewer would.
    SourceRecord.objects.filter(pk=twin.pk).update(person=None, link_method="")
    for _ in range(2):
        link_records(actor=coordinator)
        twin.refresh_from_db()
        assert twin.person is not None and twin.person != robert
    assert MatchReview.objects.get(pk=review.pk).status == ReviewStatus.REJECTED


def test_linking_needs_records_and_the_capability(
    agencies: object, coordinator: User, school_dsl: User
) -> None:
    with pytest.raises(ValidationError, match="import a partner extract first"):
        link_records(actor=coordinator)
    with pytest.raises(PermissionDenied):
        link_records(actor=school_dsl)


def test_a_cluster_touching_two_people_is_queued_never_merged(
    extracts: Extracts, coordinator: User
) -> None:
    link_records(actor=coordinator)
    robert = Person.objects.get(family_name="Okonkwo", given_name="Robert")
    referred = Person.objects.create(
        given_name="Robert",
        family_name="Okonkwo",
        date_of_birth=robert.date_of_birth,
        created_by_agency=extracts.yos,
    )
    link_records(actor=coordinator)
    referred.refresh_from_db()
    assert referred.merged_into is None
    review = MatchReview.objects.get(left_person__in=[robert, referred], right_person__isnull=False)
    assert {review.left_person, review.right_person} == {robert, referred}
    assert review.status == ReviewStatus.PENDING and review.match_probability >= 0.5
    assert review.reasons and {"field", "level", "weight"} <= set(review.reasons[0])
