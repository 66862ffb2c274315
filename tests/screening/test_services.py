"""Screening runs, the candidates list and the coordinator's decisions, on the real database."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from offramp.access.scoping import candidates_visible_to
from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.audit.models import AuditAction, AuditEntry
from offramp.cases.models import Case, CaseStatus
from offramp.people.models import Person
from offramp.referrals.models import ConsentStatus, Referral, ReferralStatus
from offramp.screening.models import CandidateDecision, CandidateEvidence, DecisionOutcome
from offramp.screening.selectors import candidates_listed_for
from offramp.screening.services import candidate_refer, candidate_set_aside, run_screening

from .conftest import TODAY, Screen, add_care, add_offences, linked_record, person

pytestmark = pytest.mark.django_db


def listed(user: User) -> set[str]:
    return {p.given_name for p in candidates_listed_for(user)}


def test_a_run_turns_linked_records_into_evidence_and_refers_nobody(
    screen: Screen, coordinator: User, kyle: Person, leah: Person
) -> None:
    run = screen()
    found = {(e.person_id, e.factor_id, e.rule_id) for e in CandidateEvidence.objects.all()}
    assert found == {
        (kyle.pk, "early_prolific_offending", "three_sanctions_before_18"),
        (leah.pk, "sense_of_belonging", "looked_after"),
    }
    assert (run.people_count, run.evidence_count, run.rules_version) == (2, 2, "1")
    assert Referral.objects.count() == 0
    combined = AuditEntry.objects.filter(
        action=AuditAction.COMBINATION, object_type="screening_run"
    )
    assert set(combined.values_list("person_id", flat=True)) == {kyle.pk, leah.pk}
    evidence = CandidateEvidence.objects.get(person=kyle)
    assert [a.slug for a in evidence.source_agencies.all()] == ["police"]


def test_records_not_linked_to_a_person_are_not_screened(
    screen: Screen, agencies: dict[str, Agency], analyst: User
) -> None:
    add_offences(linked_record(agencies["police"], analyst, None), 13, 14, 15)
    screen()
    assert CandidateEvidence.objects.count() == 2


def test_a_second_run_replaces_the_evidence_and_keeps_when_it_was_first_found(
    screen: Screen, kyle: Person
) -> None:
    screen()
    first = CandidateEvidence.objects.get(person=kyle).first_found_at
    second_run = screen()
    evidence = CandidateEvidence.objects.get(person=kyle)
    assert evidence.run == second_run
    assert evidence.first_found_at == first
    assert CandidateEvidence.objects.count() == 2


def test_candidates_exclude_people_with_an_open_case_or_referral(
    screen: Screen,
    coordinator: User,
    kyle: Person,
    leah: Person,
    dsl_referral: Referral,
    agencies: dict[str, Agency],
) -> None:
    screen()
    assert listed(coordinator) == {"Kyle", "Leah"}
    Referral.objects.filter(pk=dsl_referral.pk).update(person=leah)
    assert listed(coordinator) == {"Kyle"}
    Referral.objects.filter(pk=dsl_referral.pk).update(status=ReferralStatus.CLOSED)
    Case.objects.create(
        reference="C-1",
        referral=dsl_referral,
        person=kyle,
        status=CaseStatus.ON_PLAN,
        route="panel",
        route_reason="Test",
        person_category="at_risk",
        lead_agency=agencies["council"],
        routed_by=coordinator,
    )
    assert listed(coordinator) == {"Leah"}


def test_not_now_is_kept_and_hides_the_person_until_new_evidence(
    screen: Screen,
    coordinator: User,
    kyle: Person,
    agencies: dict[str, Agency],
    analyst: User,
) -> None:
    screen()
    decision = candidate_set_aside(person=kyle, actor=coordinator, reason="Already mentored")
    assert (decision.outcome, decision.reason) == (DecisionOutcome.NOT_NOW, "Already mentored")
    assert AuditEntry.objects.filter(
        object_type="candidatedecision", object_id=str(decision.pk), person_id=kyle.pk
    ).exists()
    assert listed(coordinator) == {"Leah"}
    screen()  # the same evidence again: still set aside
    assert listed(coordinator) == {"Leah"}
    add_care(linked_record(agencies["council"], analyst, kyle), datetime.date(2013, 2, 1))
    screen()
    assert listed(coordinator) == {"Kyle", "Leah"}
    assert CandidateDecision.objects.filter(person=kyle).count() == 1


def test_not_now_needs_a_reason_and_changes_nothing_without_one(
    screen: Screen, coordinator: User, kyle: Person
) -> None:
    screen()
    with pytest.raises(ValidationError) as caught:
        candidate_set_aside(person=kyle, actor=coordinator, reason="  ")
    assert "reason" in caught.value.message_dict
    assert not CandidateDecision.objects.exists()


def test_opening_a_referral_makes_exactly_one_with_the_evidence(
    screen: Screen, coordinator: User, kyle: Person
) -> None:
    screen()
    people_before = Person.objects.count()
    referral = candidate_refer(
        person=kyle,
        actor=coordinator,
        concern="Three cautions for theft before 18.",
        factor_ids=["early_prolific_offending"],
    )
    assert Referral.objects.count() == 1
    assert referral.person == kyle
    assert Person.objects.count() == people_before  # the subject was already known
    assert referral.concern == "Three cautions for theft before 18."
    assert referral.consent == ConsentStatus.NOT_YET_ASKED
    assert referral.status == ReferralStatus.RECEIVED
    assert referral.referrer == coordinator
    assert [f.factor_id for f in referral.factors.all()] == ["early_prolific_offending"]
    decision = CandidateDecision.objects.get(person=kyle)
    assert (decision.outcome, decision.referral) == (DecisionOutcome.REFERRED, referral)
    assert "Kyle" not in listed(coordinator)
    with pytest.raises(ValidationError, match="already has an open referral"):
        candidate_refer(person=kyle, actor=coordinator, concern="Again", factor_ids=["associates"])
    assert Referral.objects.count() == 1


@pytest.mark.parametrize("persona", ["school_dsl", "health_panel_member", "analyst", "auditor"])
def test_only_a_coordinator_screens_sees_or_decides(
    screen: Screen, persona: str, request: pytest.FixtureRequest, kyle: Person
) -> None:
    screen()
    user: User = request.getfixturevalue(persona)
    assert not candidates_visible_to(user).exists()
    assert not candidates_listed_for(user).exists()
    with pytest.raises(PermissionDenied):
        run_screening(actor=user, today=TODAY)
    with pytest.raises(PermissionDenied):
        candidate_set_aside(person=kyle, actor=user, reason="x")
    with pytest.raises(PermissionDenied):
        candidate_refer(person=kyle, actor=user, concern="x", factor_ids=["associates"])
    assert not Referral.objects.exists()
    assert not CandidateDecision.objects.exists()


def test_evidence_from_an_agency_not_sharing_with_the_coordinator_is_not_shown(
    coordinator: User, agencies: dict[str, Agency], analyst: User
) -> None:
    """No agreement in force: the police's records stay with the police."""
    hidden = person(agencies, "Hidden", "Person", "Foxhill")
    add_offences(linked_record(agencies["police"], analyst, hidden), 14, 15, 16)
    run_screening(actor=coordinator, today=TODAY)
    assert CandidateEvidence.objects.filter(person=hidden).exists()
    assert not candidates_visible_to(coordinator).exists()
