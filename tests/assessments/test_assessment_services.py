import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from offramp.assessments.framework import current_framework
from offramp.assessments.models import Assessment, AssessmentStatus, FactorJudgement, Judgement
from offramp.assessments.selectors import TaskStatus, assessment_changes, assessment_task_list
from offramp.assessments.services import (
    AssessmentSummary,
    FactorEntry,
    assessment_complete,
    assessment_record_factors,
    assessment_record_summary,
    assessment_start,
)
from offramp.audit.models import Event, EventCode
from offramp.referrals.models import ReferralStatus
from offramp.transitions import IllegalTransition

pytestmark = pytest.mark.django_db

EVIDENCE_DATE = datetime.date(2026, 10, 1)


def _all_factors(police_id: int, present: set[str]) -> list[FactorEntry]:
    entries = []
    for factor in current_framework().factors:
        if factor.id in present:
            entries.append(
                FactorEntry(
                    factor_id=factor.id,
                    judgement=Judgement.PRESENT,
                    evidence="Stop-and-search record with two known members",
                    source_agency_id=police_id,
                    evidence_date=EVIDENCE_DATE,
                )
            )
        else:
            entries.append(FactorEntry(factor_id=factor.id, judgement=Judgement.NOT_KNOWN))
    return entries


SUMMARY = AssessmentSummary(
    protective_factors="Attends school; close to his grandmother",
    summary="Being groomed by older peers; support likely to help.",
    overall_concern="some_concern",
)


def _complete(person, coordinator, police, present, referral=None):
    assessment = assessment_start(person=person, actor=coordinator, referral=referral)
    assessment_record_factors(
        assessment=assessment, actor=coordinator, entries=_all_factors(police.pk, present)
    )
    assessment_record_summary(assessment=assessment, actor=coordinator, summary=SUMMARY)
    return assessment_complete(assessment=assessment, actor=coordinator)


def test_a_whole_assessment_records_framework_version_factors_and_moves_the_referral(
    dsl_referral, coordinator, agencies, partnership_agreement
):
    assessment = _complete(
        dsl_referral.person, coordinator, agencies["police"], {"gang_involvement"}, dsl_referral
    )

    assert assessment.status == AssessmentStatus.COMPLETED
    assert assessment.framework_version == current_framework().version
    assert assessment.judgements.count() == len(current_framework().factors)
    gang = assessment.judgements.get(factor_id="gang_involvement")
    assert (gang.judgement, gang.source_agency, gang.evidence_date) == (
        Judgement.PRESENT,
        agencies["police"],
        EVIDENCE_DATE,
    )
    dsl_referral.refresh_from_db()
    assert dsl_referral.status == ReferralStatus.ASSESSED
    codes = set(Event.objects.filter(person=dsl_referral.person).values_list("code", flat=True))
    assert {
        EventCode.ASSESSMENT_STARTED,
        EventCode.FACTORS_RECORDED,
        EventCode.ASSESSMENT_COMPLETED,
    } <= codes


def test_present_or_possible_needs_evidence_source_and_date(dsl_referral, coordinator):
    assessment = assessment_start(person=dsl_referral.person, actor=coordinator)
    with pytest.raises(ValidationError) as refused:
        assessment_record_factors(
            assessment=assessment,
            actor=coordinator,
            entries=[FactorEntry(factor_id="gang_involvement", judgement=Judgement.POSSIBLE)],
        )
    assert refused.value.message_dict == {
        "gang_involvement-evidence": ["Describe the evidence for this factor"],
        "gang_involvement-source_agency": ["Select the agency the evidence came from"],
        "gang_involvement-evidence_date": ["Enter the date of the evidence"],
    }
    assert FactorJudgement.objects.count() == 0


def test_evidence_dated_in_the_future_and_unknown_factors_are_refused(
    dsl_referral, coordinator, agencies
):
    assessment = assessment_start(person=dsl_referral.person, actor=coordinator)
    with pytest.raises(ValidationError) as refused:
        assessment_record_factors(
            assessment=assessment,
            actor=coordinator,
            entries=[
                FactorEntry(
                    factor_id="gang_involvement",
                    judgement=Judgement.PRESENT,
                    evidence="x",
                    source_agency_id=agencies["police"].pk,
                    evidence_date=datetime.date(2999, 1, 1),
                ),
                FactorEntry(factor_id="star_sign", judgement=Judgement.PRESENT),
            ],
        )
    assert refused.value.message_dict["gang_involvement-evidence_date"] == [
        "The date of the evidence must be today or in the past"
    ]
    assert refused.value.message_dict["star_sign"] == ["Unknown framework factor 'star_sign'"]


def test_the_task_list_follows_categories(
    dsl_referral, coordinator, agencies, partnership_agreement
):
    assessment = assessment_start(person=dsl_referral.person, actor=coordinator)
    criminality = [
        f
        for f in _all_factors(agencies["police"].pk, set())
        if f.factor_id in {f.id for f in current_framework().factors_in("criminality")}
    ]
    assessment_record_factors(assessment=assessment, actor=coordinator, entries=criminality[:1])
    statuses = {task.category.id: task.status for task in assessment_task_list(assessment)}
    assert statuses["criminality"] == TaskStatus.IN_PROGRESS
    assert statuses["networks"] == TaskStatus.NOT_STARTED
    assessment_record_factors(assessment=assessment, actor=coordinator, entries=criminality)
    statuses = {task.category.id: task.status for task in assessment_task_list(assessment)}
    assert statuses["criminality"] == TaskStatus.COMPLETED


def test_completion_needs_every_factor_and_a_summary(dsl_referral, coordinator):
    assessment = assessment_start(person=dsl_referral.person, actor=coordinator)
    with pytest.raises(ValidationError) as refused:
        assessment_complete(assessment=assessment, actor=coordinator)
    assert set(refused.value.message_dict) == {"factors", "summary"}
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.IN_PROGRESS


def test_a_completed_assessment_cannot_be_changed(
    dsl_referral, coordinator, agencies, partnership_agreement
):
    assessment = _complete(dsl_referral.person, coordinator, agencies["police"], set())
    with pytest.raises(IllegalTransition):
        assessment_record_summary(assessment=assessment, actor=coordinator, summary=SUMMARY)
    with pytest.raises(IllegalTransition):
        assessment_complete(assessment=assessment, actor=coordinator)


def test_only_one_assessment_in_progress_per_person(dsl_referral, coordinator):
    assessment_start(person=dsl_referral.person, actor=coordinator)
    with pytest.raises(ValidationError, match="already has an assessment in progress"):
        assessment_start(person=dsl_referral.person, actor=coordinator)
    assert Assessment.objects.count() == 1


def test_changes_since_the_previous_assessment_are_listed(
    dsl_referral, coordinator, agencies, partnership_agreement
):
    first = _complete(dsl_referral.person, coordinator, agencies["police"], {"gang_involvement"})
    assert assessment_changes(first) is None

    second = assessment_start(person=dsl_referral.person, actor=coordinator)
    assessment_record_factors(
        assessment=second,
        actor=coordinator,
        entries=_all_factors(agencies["police"].pk, {"gang_involvement", "associates"}),
    )
    changes = assessment_changes(second)
    assert [(c.factor.id, c.before, c.after) for c in changes] == [
        ("associates", "Not known", "Present")
    ]


def test_practitioners_and_panel_members_cannot_assess(
    dsl_referral, school_dsl, health_panel_member
):
    for user in (school_dsl, health_panel_member):
        with pytest.raises(PermissionDenied):
            assessment_start(person=dsl_referral.person, actor=user)


@pytest.mark.django_db(transaction=True)
def test_events_must_be_written_inside_the_changes_transaction(dsl_referral, coordinator):
    from offramp.audit.services import event_record

    with pytest.raises(RuntimeError, match="transaction of the change"):
        event_record(
            person=dsl_referral.person,
            code=EventCode.PERSON_UPDATED,
            actor=coordinator,
            summary="x",
        )
    with transaction.atomic():
        event_record(
            person=dsl_referral.person,
            code=EventCode.PERSON_UPDATED,
            actor=coordinator,
            summary="x",
        )
