"""Acceptance: retention tests with a moving clock.

Reviews fall due exactly on the schedule's date and not a day before; keeping records pushes the
next review; disposal removes every row that refers to the person, in every model that has a
foreign key to one (found by walking all models, not from a list), and leaves the anonymous
aggregates and an intact access log with its erasure entry.
"""

import datetime
import io
from collections.abc import Callable

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection, models, transaction
from django.utils import timezone

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.assessments.models import Assessment, FactorJudgement, Judgement
from offramp.assessments.services import assessment_start
from offramp.audit.models import AuditAction, AuditEntry, Event, EventCode
from offramp.audit.services import event_record
from offramp.people.models import AgencyIdentifier, IdentifierType, Person, PersonAlias
from offramp.referrals.models import Referral, ReferralFactor
from offramp.referrals.services import referral_create, referral_link_to_person
from offramp.retention.disposal import KEPT, models_referring_to_person
from offramp.retention.models import (
    DisposalRecord,
    DisposedAggregate,
    RetentionReview,
    ReviewStatus,
)
from offramp.retention.services import retention_dispose, retention_retain, retention_scan
from tests.conftest import referral_request
from tests.retention.conftest import ADULT_BORN, MakePerson, years_after

ONE_DAY = datetime.timedelta(days=1)


def due_review(person: Person) -> RetentionReview:
    return RetentionReview.objects.get(subject_id=person.pk, status=ReviewStatus.DUE)


# --- the clock and the schedule ----------------------------------------------------------------


def test_nothing_is_due_a_day_before_the_period_ends_and_it_is_due_on_the_day(
    closed_nfa: MakePerson, today: datetime.date
) -> None:
    person = closed_nfa()
    boundary = years_after(today, 2)

    assert retention_scan(today=boundary - ONE_DAY).due == 0
    assert not RetentionReview.objects.exists()

    result = retention_scan(today=boundary)
    assert (result.due, result.created) == (1, 1)
    review = due_review(person)
    assert (review.due_on, review.rule_id) == (boundary, "closed_no_further_action")


def test_the_scan_is_idempotent(closed_nfa: MakePerson, today: datetime.date) -> None:
    closed_nfa()
    later = years_after(today, 3)
    retention_scan(today=later)
    again = retention_scan(today=later)
    assert (again.created, again.updated, again.withdrawn, again.due) == (0, 0, 0, 1)
    assert RetentionReview.objects.count() == 1


@pytest.mark.parametrize(
    ("concern", "years", "rule"),
    [
        ("no_concern", 3, "assessed_no_concern"),
        ("significant_concern", 6, "significant_concern"),
        ("safeguarding_first", 6, "safeguarding_first"),
    ],
)
def test_an_assessed_persons_review_follows_the_outcome(
    assessed: Callable[[str], Person], today: datetime.date, concern: str, years: int, rule: str
) -> None:
    person = assessed(concern)
    boundary = years_after(today, years)
    assert retention_scan(today=boundary - ONE_DAY).due == 0
    retention_scan(today=boundary)
    assert (due_review(person).due_on, due_review(person).rule_id) == (boundary, rule)


def test_a_childs_records_are_kept_until_they_are_25(
    closed_nfa: MakePerson, today: datetime.date
) -> None:
    born = today - datetime.timedelta(days=14 * 365)
    person = closed_nfa(given_name="Laura", family_name="Palmer", date_of_birth=born)
    birthday = years_after(born, 25)
    assert retention_scan(today=years_after(today, 2)).due == 0
    assert retention_scan(today=birthday - ONE_DAY).due == 0
    retention_scan(today=birthday)
    assert (due_review(person).due_on, due_review(person).rule_id) == (birthday, "child_records")


def test_an_open_referral_is_never_due(dsl_referral: Referral, today: datetime.date) -> None:
    assert retention_scan(today=years_after(today, 40)).due == 0


def test_new_activity_restarts_the_clock_and_withdraws_an_undecided_review(
    closed_nfa: MakePerson, coordinator: User, today: datetime.date
) -> None:
    person = closed_nfa()
    boundary = years_after(today, 2)
    retention_scan(today=boundary)
    with transaction.atomic():
        event = event_record(
            person=person, code=EventCode.PERSON_UPDATED, actor=coordinator, summary="Area changed"
        )
    # The change happened a year after closure.
    Event.objects.filter(pk=event.pk).update(
        occurred_at=timezone.now() + datetime.timedelta(days=366)
    )
    result = retention_scan(today=boundary)
    assert (result.withdrawn, result.due) == (1, 0)
    assert not RetentionReview.objects.exists()


# --- keeping records ---------------------------------------------------------------------------


def test_keeping_records_pushes_the_next_review(
    closed_nfa: MakePerson, coordinator: User, today: datetime.date
) -> None:
    person = closed_nfa()
    boundary = years_after(today, 2)
    retention_scan(today=boundary)
    until = years_after(boundary, 1)
    review = retention_retain(
        review=due_review(person),
        actor=coordinator,
        reason="A linked investigation is still open.",
        until=until,
        today=boundary,
    )
    assert (review.status, review.next_review_on, review.decided_by) == (
        ReviewStatus.RETAINED,
        until,
        coordinator,
    )
    assert retention_scan(today=until - ONE_DAY).due == 0
    result = retention_scan(today=until)
    assert (result.created, result.due) == (1, 1)
    assert due_review(person).due_on == until
    logged = AuditEntry.objects.filter(object_type="retentionreview").get()
    assert (logged.action, logged.person_id) == (AuditAction.ALTERATION, person.pk)


def test_keeping_records_needs_a_reason_and_a_future_date(
    closed_nfa: MakePerson, coordinator: User, today: datetime.date
) -> None:
    person = closed_nfa()
    boundary = years_after(today, 2)
    retention_scan(today=boundary)
    review = due_review(person)
    with pytest.raises(ValidationError) as raised:
        retention_retain(
            review=review, actor=coordinator, reason=" ", until=boundary, today=boundary
        )
    assert set(raised.value.message_dict) == {"reason", "until"}
    with pytest.raises(ValidationError, match="within 10 years"):
        retention_retain(
            review=review,
            actor=coordinator,
            reason="Still needed",
            until=years_after(boundary, 11),
            today=boundary,
        )


@pytest.mark.parametrize("persona", ["school_dsl", "health_panel_member", "analyst", "auditor"])
def test_only_a_coordinator_decides(
    closed_nfa: MakePerson, today: datetime.date, persona: str, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    person = closed_nfa()
    boundary = years_after(today, 2)
    retention_scan(today=boundary)
    with pytest.raises(PermissionDenied):
        retention_retain(
            review=due_review(person),
            actor=user,
            reason="x",
            until=years_after(boundary, 1),
            today=boundary,
        )
    with pytest.raises(PermissionDenied):
        retention_dispose(review=due_review(person), actor=user, today=boundary)
    assert Person.objects.filter(pk=person.pk).exists()


# --- disposal ----------------------------------------------------------------------------------


def person_references(person_id: int) -> dict[str, int]:
    """Rows in ANY model with a foreign key to Person that point at this person.

    Walks every installed model's fields itself rather than trusting the disposal code's list.
    """
    found = {}
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if (
                isinstance(field, models.ForeignKey)
                and field.related_model is Person
                and model._meta.label_lower not in KEPT
            ):
                count = model._default_manager.filter(**{field.attname: person_id}).count()
                if count:
                    found[f"{model._meta.label_lower}.{field.name}"] = count
    return found


def fill_required(
    model: type[models.Model], person: Person, user: User, **given: object
) -> models.Model:
    """One row of any model, pointing at the person: for models this test does not know."""
    agency = Agency.objects.first()
    values: dict[str, object] = {}
    for field in model._meta.concrete_fields:
        refers_to_person = isinstance(field, models.ForeignKey) and field.related_model is Person
        optional = field.primary_key or field.has_default() or field.null or field.blank
        if field.name in given or (optional and not refers_to_person):
            continue
        if isinstance(field, models.ForeignKey):
            target = field.related_model
            known = {Person: person, User: user, Agency: agency}
            if target not in known:
                pytest.fail(f"{model._meta.label}.{field.name}: add a builder to BUILDERS")
            values[field.name] = known[target]  # type: ignore[index]
        elif field.choices:
            values[field.name] = field.choices[0][0]
        elif isinstance(field, models.DateTimeField):
            values[field.name] = timezone.now()
        elif isinstance(field, models.DateField):
            values[field.name] = timezone.localdate()
        elif isinstance(field, (models.IntegerField, models.DecimalField, models.FloatField)):
            values[field.name] = 1
        elif isinstance(field, models.BooleanField):
            values[field.name] = False
        elif isinstance(field, models.JSONField):
            values[field.name] = {}
        else:
            values[field.name] = "x"
    return model._default_manager.create(**values, **given)


def _disclosure(person: Person, user: User) -> models.Model:
    """A disclosure under a public-interest decision: two rows, one referring to the other."""
    decision = fill_required(apps.get_model("sharing", "PublicInterestDecision"), person, user)
    return fill_required(
        apps.get_model("sharing", "Disclosure"),
        person,
        user,
        basis_kind="public_interest",
        decision=decision,
    )


def _group_link(person: Person, user: User) -> models.Model:
    from offramp.networks.models import GroupMembership, OrganisedCrimeGroup

    agency = Agency.objects.first()
    group = OrganisedCrimeGroup.objects.create(
        reference="OCG-RETENTION",
        name="Retention test group",
        status="active",
        source_agency=agency,
    )
    return GroupMembership.objects.create(
        group=group, person=person, category="victim", source_agency=agency, confidence="high"
    )


def _ties(person: Person, user: User) -> models.Model:
    """A tie each way round: the person is the first of one and the second of the other."""
    from offramp.networks.models import Relationship

    other = Person.objects.create(
        given_name="Tied",
        family_name="Tester",
        date_of_birth=ADULT_BORN,
        created_by_agency=person.created_by_agency,
    )
    tie = {
        "tie_type": "associate_peer",
        "source_agency": person.created_by_agency,
        "confidence": "low",
    }
    Relationship.objects.create(person_a=other, person_b=person, **tie)
    return Relationship.objects.create(person_a=person, person_b=other, **tie)


def _case(person: Person, user: User) -> models.Model:
    referral = Referral.objects.filter(person=person, case__isnull=True).first() or fill_required(
        apps.get_model("referrals", "Referral"), person, user, reference=f"R-CASE-{person.pk}"
    )
    return fill_required(
        apps.get_model("cases", "Case"),
        person,
        user,
        referral=referral,
        reference=f"C-{referral.pk}",
    )


def _case_link(person: Person, user: User) -> models.Model:
    """A connection to a case (on the person's own second case: the link is what is tested)."""
    return fill_required(
        apps.get_model("cases", "CaseLink"), person, user, case=_case(person, user)
    )


def _case(person: Person, user: User) -> models.Model:
    """A case routed from the person's own referral (a case needs its referral)."""
    from offramp.cases.models import Case

    referral = Referral.objects.filter(person=person).order_by("pk").first()
    assert referral is not None
    return Case.objects.create(
        reference="C-RETENTION",
        person=person,
        person_category="at_risk",
        referral=referral,
        lead_agency=user.agency,
        status="routed_elsewhere",
        route="no_further_action",
        route_reason="Retention test",
        routed_by=user,
    )


def _case_link(person: Person, user: User) -> models.Model:
    """The person connected to a case (their own, made by _case)."""
    from offramp.cases.models import Case, CaseLink

    return CaseLink.objects.create(
        case=Case.objects.get(reference="C-RETENTION"),
        person=person,
        category="associate",
        recorded_by=user,
    )


def _candidate_evidence(person: Person, user: User) -> models.Model:
    """Screening evidence hangs off a run (which refers to no person)."""
    from offramp.screening.models import CandidateEvidence, ScreeningRun

    run = ScreeningRun.objects.create(
        started_by=user, screened_on=timezone.localdate(), rules_version="1", framework_version="x"
    )
    return CandidateEvidence.objects.create(
        run=run,
        person=person,
        factor_id="associates",
        rule_id="associate_of_group_member",
        evidence="A current tie to a member of an organised crime group is recorded.",
        observed_on=timezone.localdate(),
    )


def _match_review(person: Person, user: User) -> models.Model:
    """Pairs in the review queue with this person on the left and on the right (sides are
    sorted ids). Called once per reference to a person, it makes the two rows once."""
    from offramp.index.models import MatchReview

    MatchReview.objects.get_or_create(left_uid="p0", right_uid=f"p{person.pk}", right_person=person)
    return MatchReview.objects.get_or_create(
        left_uid=f"p{person.pk}", right_uid="r999999", left_person=person
    )[0]


def _source_record(person: Person, user: User) -> models.Model:
    """A police nominal linked to the person, with an offence and a tie to someone unlinked
    (tests/intake/test_retention.py checks that disposal removes the facts too)."""
    from offramp.intake.models import ImportBatch, ImportedRelationship, Offence, SourceRecord

    agency = person.created_by_agency
    batch = ImportBatch.objects.create(
        kind="police_nominals",
        agency=agency,
        file_name="nominals.csv",
        extracted_on=timezone.localdate(),
        uploaded_by=user,
    )
    record, other = (
        SourceRecord.objects.create(
            agency=agency, batch=batch, record_key=key, given_name=name, person=linked
        )
        for key, name, linked in (("r1", person.given_name, person), ("r2", "Other", None))
    )
    facts = {"batch": batch, "agency": agency, "row": 1}
    Offence.objects.create(
        **facts,
        fact_key="f1",
        record=record,
        crime_reference="HM/26/1",
        offence_date=timezone.localdate(),
        offence_category="theft",
        outcome="caution",
    )
    ImportedRelationship.objects.create(
        **facts, fact_key="f2", record_a=other, record_b=record, kind="associate_peer"
    )
    return record


def _known_check_match(person: Person, user: User) -> models.Model:
    """An "is this person known?" check that may have matched the person, to follow up."""
    from offramp.index.models import KnownCheck, KnownCheckMatch, KnownOutcome

    check = KnownCheck.objects.create(
        asked_by=user, channel="page", purpose="referral check", outcome=KnownOutcome.REFERRED
    )
    return KnownCheckMatch.objects.create(known_check=check, person=person)


# Models whose rules the generic filler cannot satisfy. Any other model that refers to a person
# gets a row from fill_required, so a new one is in this test without anyone adding it.
BUILDERS: dict[str, Callable[[Person, User], models.Model]] = {
    "sharing.disclosure": _disclosure,
    "sharing.publicinterestdecision": lambda person, user: person,  # made with its disclosure
    "cases.case": _case,
    "cases.caselink": _case_link,
    "networks.groupmembership": _group_link,
    "networks.relationship": _ties,
    "screening.candidateevidence": _candidate_evidence,
    "person_index.matchreview": _match_review,
    "person_index.knowncheckmatch": _known_check_match,
    "intake.sourcerecord": _source_record,
}


@pytest.fixture
def everything(
    closed_nfa: MakePerson,
    coordinator: User,
    school_dsl: User,
    other_dsl: User,
    agencies: dict[str, Agency],
) -> Person:
    """A person with something in every place a person's data can be."""
    person = closed_nfa()
    # A second referral, about a new record, linked to this person at screening.
    second = referral_create(
        referrer=other_dsl,
        request=referral_request(given_name="Dale", family_name="Cooper", date_of_birth=ADULT_BORN),
    )
    referral_link_to_person(referral=second, person=person, actor=coordinator)
    from offramp.referrals.services import referral_close

    referral_close(referral=second, actor=coordinator, reason="no_further_action")
    PersonAlias.objects.create(
        person=person,
        given_name="Richard",
        family_name="Cooper",
        recorded_by_agency=agencies["police"],
    )
    AgencyIdentifier.objects.create(
        person=person,
        agency=agencies["police"],
        identifier_type=IdentifierType.PNC,
        value="12/345678A",
    )
    assessment = Assessment.objects.create(
        person=person,
        framework_version="test",
        assessor=coordinator,
        agency=agencies["council"],
        status="completed",
        overall_concern="no_concern",
        completed_at=timezone.now(),
        summary="Nothing of concern: Dale Cooper is doing well.",
    )
    FactorJudgement.objects.create(
        assessment=assessment, factor_id="associates", judgement=Judgement.ABSENT
    )
    # Anything else that refers to a person (sharing records, and models not yet written).
    known = {
        "referrals.referral",
        "assessments.assessment",
        "people.personalias",
        "people.agencyidentifier",
        "audit.event",
        *KEPT,
    }
    for model, _ in models_referring_to_person():
        if model._meta.label_lower not in known and not model._meta.auto_created:
            build = BUILDERS.get(model._meta.label_lower)
            if build is not None:
                build(person, coordinator)
            else:
                fill_required(model, person, coordinator)
    return person


def test_disposal_removes_every_row_that_refers_to_the_person(
    everything: Person, coordinator: User, today: datetime.date, dsl_referral: Referral
) -> None:
    person = everything
    pid = person.pk
    referral_ids = list(Referral.objects.filter(person=person).values_list("pk", flat=True))
    assert len(referral_ids) == 2
    # Someone else's assessment that cites one of this person's referrals keeps itself.
    other_assessment = assessment_start(
        person=dsl_referral.person, actor=coordinator, referral=dsl_referral
    )
    Assessment.objects.filter(pk=other_assessment.pk).update(referral_id=referral_ids[0])
    boundary = years_after(today, 3)
    retention_scan(today=boundary)
    earlier = due_review(person)
    retention_retain(
        review=earlier,
        actor=coordinator,
        reason="Dale Cooper's brother is being assessed",
        until=years_after(boundary, 1),
        today=boundary,
    )
    later = years_after(boundary, 1)
    retention_scan(today=later)
    before = person_references(pid)
    # Every model that can refer to a person holds a row about this one before disposal.
    assert set(before) == {
        f"{model._meta.label_lower}.{name}"
        for model, name in models_referring_to_person()
        if model._meta.label_lower not in KEPT
    }
    assert {"referrals.referral.person", "audit.event.person", "people.personalias.person"} <= set(
        before
    )

    record = retention_dispose(review=due_review(person), actor=coordinator, today=later)

    assert person_references(pid) == {}
    assert not Person.objects.filter(pk=pid).exists()
    assert not ReferralFactor.objects.filter(referral_id__in=referral_ids).exists()
    assert not FactorJudgement.objects.filter(assessment__person_id=pid).exists()
    other_assessment.refresh_from_db()
    assert other_assessment.referral_id is None
    connection.check_constraints()  # no foreign key left pointing at a removed row

    # The person, and the record merged into theirs (the same person: index.PersonMerge).
    assert record.removed["people.person"] == 2
    assert record.removed["referrals.referral"] == 2
    assert record.removed["audit.event"] == before["audit.event.person"]
    assert (record.subject_id, record.decided_by_id, record.rule_id) == (
        pid,
        coordinator.pk,
        "assessed_no_concern",
    )
    reviews = RetentionReview.objects.filter(subject_id=pid)
    assert {r.status for r in reviews} == {ReviewStatus.RETAINED, ReviewStatus.DISPOSED}
    assert all(r.person_id is None and r.reason == "" for r in reviews)

    aggregates = {
        (a.final_status, a.closure_reason, a.agency_kind): a.count
        for a in DisposedAggregate.objects.all()
    }
    assert aggregates == {("closed", "no_further_action", "school"): 2}

    erasure = AuditEntry.objects.filter(action=AuditAction.ERASURE, object_type="person").last()
    assert erasure is not None
    assert (erasure.object_id, erasure.person_id, erasure.actor_id) == (
        str(pid),
        pid,
        coordinator.pk,
    )
    out = io.StringIO()
    call_command("audit", "verify", "--no-progress", stdout=out)
    assert "intact" in out.getvalue()

    # Nothing left anywhere in retention, or the log, says who they were.
    left = repr(list(DisposalRecord.objects.values())) + repr(
        list(DisposedAggregate.objects.values())
    )
    left += repr(list(RetentionReview.objects.values())) + repr(list(AuditEntry.objects.values()))
    for secret in ("Cooper", "Dale", "Richard", "1990-06-15", "12/345678A"):
        assert secret not in left


def test_disposal_is_refused_when_a_new_referral_arrives_after_the_review_fell_due(
    closed_nfa: MakePerson, coordinator: User, other_dsl: User, today: datetime.date
) -> None:
    person = closed_nfa()
    boundary = years_after(today, 2)
    retention_scan(today=boundary)
    new = referral_create(
        referrer=other_dsl,
        request=referral_request(given_name="Dale", family_name="Cooper", date_of_birth=ADULT_BORN),
    )
    referral_link_to_person(referral=new, person=person, actor=coordinator)
    with pytest.raises(ValidationError, match="open referral"):
        retention_dispose(review=due_review(person), actor=coordinator, today=boundary)
    assert Person.objects.filter(pk=person.pk).exists()
    assert not DisposalRecord.objects.exists()


def test_a_disposal_whose_log_cannot_be_written_removes_nothing(
    closed_nfa: MakePerson, coordinator: User, today: datetime.date, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = closed_nfa()
    boundary = years_after(today, 2)
    retention_scan(today=boundary)

    def fail(**kwargs: object) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("offramp.retention.services.audit_record", fail)
    with pytest.raises(RuntimeError):
        retention_dispose(review=due_review(person), actor=coordinator, today=boundary)
    assert Person.objects.filter(pk=person.pk).exists()
    assert not DisposalRecord.objects.exists() and not DisposedAggregate.objects.exists()
    assert due_review(person).status == ReviewStatus.DUE


PLAIN_PERSON_COLUMNS = {
    # Plain record numbers that outlive the record on purpose (ADR 0005, ADR 0007).
    "audit.auditentry.person_id",
    "retention.retentionreview.subject_id",
    "retention.disposalrecord.subject_id",
}


def test_no_model_holds_a_person_as_a_plain_number_without_saying_so() -> None:
    """Disposal finds people through foreign keys; a person's id kept as a plain column would
    be missed, so each one must be declared here (and be meant to survive disposal)."""
    found = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey):
                continue
            name = field.name
            if name in {"person_id", "subject_id"} or name.endswith("_person_id"):
                found.add(f"{model._meta.label_lower}.{name}")
    assert found == PLAIN_PERSON_COLUMNS
