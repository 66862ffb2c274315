"""A realistic stretch of work, so the access log has every kind of entry in it."""

import io
from dataclasses import dataclass

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.assessments.framework import current_framework
from offramp.assessments.models import Assessment, Judgement
from offramp.assessments.services import (
    AssessmentSummary,
    FactorEntry,
    assessment_complete,
    assessment_record_factors,
    assessment_record_summary,
    assessment_start,
)
from offramp.referrals.models import ClosureReason, Referral
from offramp.referrals.services import (
    referral_close,
    referral_create,
    referral_link_to_person,
    referral_start_screening,
)
from offramp.sharing.models import DataSharingAgreement
from tests.api.test_api import api_client
from tests.conftest import referral_request, signed_in

SECOND_CONCERN = "Told a teacher he is paid to carry parcels across town on Fridays."
EVIDENCE = "Stop-and-search record naming two known members of the Eastside group."
SUMMARY_TEXT = "Being groomed by older peers; support from the youth service likely to help."


@dataclass
class Busy:
    coordinator: User
    school_dsl: User
    auditor: User
    referral: Referral  # the school's referral, screened and assessed
    other: Referral  # another school's, closed
    relinked: Referral  # a second referral about the same boy, linked to his record
    assessment: Assessment
    secrets: list[str]  # what must never appear in the log


def complete_assessment(referral: Referral, actor: User, police: Agency) -> Assessment:
    assessment = assessment_start(person=referral.person, actor=actor, referral=referral)
    entries = [
        FactorEntry(
            factor_id=factor.id,
            judgement=Judgement.PRESENT,
            evidence=EVIDENCE,
            source_agency_id=police.pk,
            evidence_date=referral.received_at.date(),
        )
        if factor.id == "gang_involvement"
        else FactorEntry(factor_id=factor.id, judgement=Judgement.NOT_KNOWN)
        for factor in current_framework().factors
    ]
    assessment_record_factors(assessment=assessment, actor=actor, entries=entries)
    assessment_record_summary(
        assessment=assessment,
        actor=actor,
        summary=AssessmentSummary(
            protective_factors="Close to his grandmother",
            summary=SUMMARY_TEXT,
            overall_concern="some_concern",
        ),
    )
    return assessment_complete(assessment=assessment, actor=actor)


@pytest.fixture
def busy(
    coordinator: User,
    school_dsl: User,
    auditor: User,
    agencies: dict[str, Agency],
    dsl_referral: Referral,
    other_referral: Referral,
    partnership_agreement: DataSharingAgreement,
) -> Busy:
    referral_start_screening(referral=dsl_referral, actor=coordinator)
    relinked = referral_create(
        referrer=school_dsl, request=referral_request(concern=SECOND_CONCERN)
    )
    referral_link_to_person(referral=relinked, person=dsl_referral.person, actor=coordinator)
    assessment = complete_assessment(dsl_referral, coordinator, agencies["police"])
    referral_close(
        referral=other_referral, actor=coordinator, reason=ClosureReason.NO_FURTHER_ACTION
    )

    person = dsl_referral.person
    pages = signed_in(coordinator)
    for url in (
        reverse("web:person-detail", args=[person.pk]),
        reverse("web:referral-detail", args=[dsl_referral.pk]),
        reverse("web:referral-list"),
        reverse("web:assessment", args=[assessment.pk]),
        reverse("web:person-search") + "?given_name=Connor&family_name=Walsh",
    ):
        assert pages.get(url).status_code == 200, url
    api = api_client(coordinator)
    for path in (
        f"/people/{person.pk}",
        f"/people/{person.pk}/timeline",
        f"/referrals/{dsl_referral.pk}",
        f"/assessments/{assessment.pk}",
        "/people/search?given_name=Connor&family_name=Walsh",
    ):
        assert api.get(f"/api/v1{path}").status_code == 200, path
    own = signed_in(school_dsl).get(reverse("web:referral-detail", args=[dsl_referral.pk]))
    assert own.status_code == 200
    log = signed_in(auditor).get(reverse("web:person-access-log", args=[person.pk]))
    assert log.status_code == 200

    secrets = [SECOND_CONCERN, EVIDENCE, SUMMARY_TEXT, "Close to his grandmother"]
    for referral in (dsl_referral, other_referral):
        secrets += [
            referral.concern,
            referral.subject_given_name,
            referral.subject_family_name,
            referral.subject_date_of_birth.isoformat(),
            referral.reference,
        ]
    return Busy(
        coordinator=coordinator,
        school_dsl=school_dsl,
        auditor=auditor,
        referral=dsl_referral,
        other=other_referral,
        relinked=relinked,
        assessment=assessment,
        secrets=secrets,
    )


def verify() -> tuple[int, str]:
    """Runs `offramp audit verify`: its exit code and what it said."""
    out = io.StringIO()
    try:
        call_command("audit", "verify", "--no-progress", stdout=out, stderr=io.StringIO())
    except CommandError as error:
        return error.returncode, str(error)
    return 0, out.getvalue()


@pytest.fixture
def tamperable(db: None) -> None:
    """On PostgreSQL, lift the append-only trigger for this test's transaction only, as a
    superuser could: tamper detection must not depend on the trigger."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
