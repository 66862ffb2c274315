"""Acceptance: "Sharing without a covering basis is refused with a message that says what is
missing." Another agency's information enters a case only under an agreement, the person's
consent or a recorded public-interest decision, and every share is recorded."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.assessments.models import Assessment, FactorJudgement, Judgement
from offramp.assessments.services import FactorEntry, assessment_record_factors, assessment_start
from offramp.audit.models import AuditAction, AuditEntry, Event, EventCode
from offramp.people.models import Person
from offramp.referrals.models import ConsentStatus, Referral
from offramp.referrals.services import referral_create, referral_link_to_person
from offramp.sharing.models import (
    AgreementStatus,
    BasisKind,
    DataCategory,
    DataSharingAgreement,
    Disclosure,
    LawfulBasis,
    PublicInterestDecision,
)
from offramp.sharing.services import (
    NoSharingBasis,
    PublicInterestRequest,
    public_interest_decision_record,
    sharing_basis,
)
from tests.api.test_api import api_client, send
from tests.conftest import referral_request, signed_in

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)
EVIDENCE = "Clinic notes: attends with injuries he will not explain."
POLICE_EVIDENCE = "Stop-and-search record naming two known members of the Eastside group."
REFUSAL_TAIL = "Record one of these before adding this information."


def agreement(
    parties: list[Agency],
    categories: list[str],
    *,
    reference: str = "DSA-1",
    start: datetime.date = datetime.date(2024, 1, 1),
    review: datetime.date = datetime.date(2027, 1, 1),
    end: datetime.date | None = None,
) -> DataSharingAgreement:
    made = DataSharingAgreement.objects.create(
        reference=reference,
        title="Hartmoor information sharing protocol",
        data_categories=categories,
        lawful_basis=LawfulBasis.CRIME_AND_DISORDER_ACT_S115,
        purpose="Preventing serious and organised crime",
        start_date=start,
        review_date=review,
        end_date=end,
    )
    made.parties.set(parties)
    return made


@pytest.fixture
def unconsented(school_dsl: User) -> Referral:
    """A referral made without asking: the person has not consented to anything."""
    return referral_create(
        referrer=school_dsl, request=referral_request(consent=ConsentStatus.NOT_YET_ASKED)
    )


@pytest.fixture
def person(unconsented: Referral) -> Person:
    return unconsented.person


def basis_for(agencies: dict[str, Agency], person: Person, source: str, category: str) -> object:
    return sharing_basis(
        from_agency=agencies[source],
        to_agency=agencies["council"],
        category=category,
        person=person,
        on=TODAY,
    )


def refusal(agencies: dict[str, Agency], person: Person, source: str, category: str) -> str:
    with pytest.raises(NoSharingBasis) as refused:
        basis_for(agencies, person, source, category)
    return refused.value.messages[0]


# --- what the refusal says ---------------------------------------------------------------------


def test_with_nothing_in_place_the_refusal_names_all_three_missing_bases(agencies, person):
    assert refusal(agencies, person, "health", DataCategory.HEALTH) == (
        "No active data sharing agreement between Hartmoor Health Trust and Hartmoor Council "
        "Community Safety covers health information, the person has not consented, and no "
        f"public-interest decision has been recorded. {REFUSAL_TAIL}"
    )


def test_an_agreement_for_other_categories_is_named_with_what_it_lacks(agencies, person):
    agreement([agencies["police"], agencies["council"]], [DataCategory.OFFENDING])
    message = refusal(agencies, person, "police", DataCategory.INTELLIGENCE)
    assert message.startswith(
        "No active data sharing agreement between Hartmoor Police and Hartmoor Council "
        "Community Safety covers intelligence information (DSA-1 does not include "
        "intelligence information), the person has not consented"
    )
    assert basis_for(agencies, person, "police", DataCategory.OFFENDING).kind == "agreement"


def test_an_expired_agreement_does_not_cover_and_says_when_it_ended(agencies, person):
    agreement(
        [agencies["police"], agencies["council"]],
        [DataCategory.OFFENDING],
        end=datetime.date(2026, 3, 31),
    )
    assert "(DSA-1 ended on 31 March 2026)" in refusal(
        agencies, person, "police", DataCategory.OFFENDING
    )


def test_an_agreement_not_yet_in_force_does_not_cover(agencies, person):
    agreement(
        [agencies["police"], agencies["council"]],
        [DataCategory.OFFENDING],
        start=datetime.date(2027, 1, 1),
        review=datetime.date(2028, 1, 1),
    )
    assert "(DSA-1 starts on 1 January 2027)" in refusal(
        agencies, person, "police", DataCategory.OFFENDING
    )


def test_an_agreement_without_one_of_the_parties_names_the_missing_party(agencies, person):
    agreement([agencies["police"], agencies["school"]], [DataCategory.OFFENDING])
    message = refusal(agencies, person, "police", DataCategory.OFFENDING)
    assert "(DSA-1 does not include Hartmoor Council Community Safety)" in message


def test_a_refusal_of_consent_is_named(agencies, school_dsl):
    refused = referral_create(
        referrer=school_dsl, request=referral_request(consent=ConsentStatus.REFUSED)
    )
    message = refusal(agencies, refused.person, "police", DataCategory.OFFENDING)
    assert f"the person refused consent (referral {refused.reference})" in message


# --- what covers a share -------------------------------------------------------------------------


def test_an_agreement_in_force_but_due_for_review_still_covers(agencies, person):
    made = agreement(
        [agencies["police"], agencies["council"]],
        [DataCategory.OFFENDING],
        review=datetime.date(2026, 6, 1),
    )
    assert made.status_on(TODAY) == AgreementStatus.DUE_FOR_REVIEW
    basis = basis_for(agencies, person, "police", DataCategory.OFFENDING)
    assert (basis.kind, basis.agreement) == (BasisKind.AGREEMENT, made)


def test_agreement_status_is_derived_from_its_dates(agencies):
    made = agreement(
        [agencies["police"], agencies["council"]],
        [DataCategory.OFFENDING],
        start=datetime.date(2025, 1, 1),
        review=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 12, 31),
    )
    assert made.status_on(datetime.date(2024, 12, 31)) == AgreementStatus.NOT_STARTED
    assert made.status_on(datetime.date(2025, 6, 1)) == AgreementStatus.ACTIVE
    assert made.status_on(datetime.date(2026, 6, 1)) == AgreementStatus.DUE_FOR_REVIEW
    assert made.status_on(datetime.date(2027, 1, 1)) == AgreementStatus.EXPIRED


def test_the_persons_consent_covers_and_a_later_refusal_withdraws_it(
    agencies, dsl_referral, school_dsl, coordinator
):
    person = dsl_referral.person  # consent given on the referral
    basis = basis_for(agencies, person, "health", DataCategory.HEALTH)
    assert (basis.kind, basis.consent_reference) == (BasisKind.CONSENT, dsl_referral.reference)

    later = referral_create(
        referrer=school_dsl, request=referral_request(consent=ConsentStatus.REFUSED)
    )
    referral_link_to_person(referral=later, person=person, actor=coordinator)
    with pytest.raises(NoSharingBasis, match="the person refused consent"):
        basis_for(agencies, person, "health", DataCategory.HEALTH)


def decide(
    person: Person, coordinator: User, source: Agency, categories: tuple[str, ...], **extra: object
) -> PublicInterestDecision:
    values: dict[str, object] = {
        "from_agency_id": source.pk,
        "to_agency_id": None,
        "data_categories": categories,
        "description": "Clinic attendance and the nurse's safeguarding concerns",
        "reason": "He is at risk of serious harm; asking for consent would alert his exploiters.",
    }
    values.update(extra)
    return public_interest_decision_record(
        person=person,
        actor=coordinator,
        request=PublicInterestRequest(**values),  # type: ignore[arg-type]
    )


def test_a_public_interest_decision_covers_only_its_person_and_categories(
    agencies, person, coordinator, other_dsl
):
    decision = decide(person, coordinator, agencies["health"], (DataCategory.HEALTH,))
    basis = basis_for(agencies, person, "health", DataCategory.HEALTH)
    assert (basis.kind, basis.decision) == (BasisKind.PUBLIC_INTEREST, decision)

    with pytest.raises(NoSharingBasis) as other_category:
        basis_for(agencies, person, "health", DataCategory.SOCIAL_CARE)
    assert (
        "no public-interest decision has been recorded for social care information"
        in (other_category.value.messages[0])
    )
    with pytest.raises(NoSharingBasis):
        basis_for(agencies, person, "police", DataCategory.HEALTH)  # another source agency
    someone_else = referral_create(
        referrer=other_dsl,
        request=referral_request(
            given_name="Paige",
            family_name="Morris",
            date_of_birth=datetime.date(2008, 1, 3),
            consent=ConsentStatus.NOT_SOUGHT,
        ),
    ).person
    with pytest.raises(NoSharingBasis):
        basis_for(agencies, someone_else, "health", DataCategory.HEALTH)


def test_a_decision_naming_a_recipient_covers_that_agency_only(agencies, person, coordinator):
    decide(
        person,
        coordinator,
        agencies["health"],
        (DataCategory.HEALTH,),
        to_agency_id=agencies["yos"].pk,
    )
    assert sharing_basis(
        from_agency=agencies["health"],
        to_agency=agencies["yos"],
        category=DataCategory.HEALTH,
        person=person,
        on=TODAY,
    ).kind == (BasisKind.PUBLIC_INTEREST)
    with pytest.raises(NoSharingBasis):
        basis_for(agencies, person, "health", DataCategory.HEALTH)  # to the council


# --- only the coordinator decides ----------------------------------------------------------------


def test_only_the_coordinator_records_a_public_interest_decision(
    agencies, person, coordinator, school_dsl, health_panel_member, analyst, auditor
):
    for user in (school_dsl, health_panel_member, analyst, auditor):
        with pytest.raises(PermissionDenied):
            decide(person, user, agencies["health"], (DataCategory.HEALTH,))
    assert not PublicInterestDecision.objects.exists()

    decision = decide(person, coordinator, agencies["health"], (DataCategory.HEALTH,))
    assert decision.decided_by == coordinator
    event = Event.objects.get(code=EventCode.PUBLIC_INTEREST_DECISION)
    assert (event.person, event.object_id) == (person, decision.pk)
    assert "risk of serious harm" not in event.summary  # the reason stays out of the timeline


def test_a_decision_needs_a_source_categories_what_and_why(agencies, person, coordinator):
    with pytest.raises(ValidationError) as refused:
        decide(person, coordinator, agencies["health"], (), from_agency_id=None, reason=" ")
    assert set(refused.value.message_dict) == {"from_agency", "data_categories", "reason"}
    assert not Event.objects.filter(code=EventCode.PUBLIC_INTEREST_DECISION).exists()


def test_the_coordinator_records_a_decision_through_the_page(agencies, person, coordinator):
    client = signed_in(coordinator)
    url = reverse("web:public-interest-create", args=[person.pk])
    assert client.get(url).status_code == 200
    empty = client.post(url, {"description": "Clinic attendance"})
    assert empty.status_code == 200
    assert "Explain why sharing is in the public interest" in empty.content.decode()

    response = client.post(
        url,
        {
            "from_agency": agencies["health"].pk,
            "to_agency": "",
            "data_categories": [DataCategory.HEALTH],
            "description": "Clinic attendance",
            "reason": "Serious harm outweighs his privacy.",
        },
    )
    assert response.status_code == 302
    decision = PublicInterestDecision.objects.get()
    assert (decision.person, decision.to_agency, decision.data_categories) == (
        person,
        None,
        ["health"],
    )
    page = client.get(reverse("web:person-detail", args=[person.pk])).content.decode()
    assert "Health (special category) from Hartmoor Health Trust to The partnership" in page


# --- adding another agency's evidence to an assessment -------------------------------------------


def evidence(factor_id: str, source: Agency, text: str = POLICE_EVIDENCE) -> FactorEntry:
    return FactorEntry(
        factor_id=factor_id,
        judgement=Judgement.PRESENT,
        evidence=text,
        source_agency_id=source.pk,
        evidence_date=timezone.localdate() - datetime.timedelta(days=3),
    )


@pytest.fixture
def assessment(person: Person, coordinator: User) -> Assessment:
    return assessment_start(person=person, actor=coordinator)


def test_evidence_without_a_basis_refuses_the_whole_save_naming_the_factor(
    agencies, coordinator, assessment
):
    agreement([agencies["police"], agencies["council"]], [DataCategory.OFFENDING])
    events_before = Event.objects.count()
    with pytest.raises(ValidationError) as refused:
        assessment_record_factors(
            assessment=assessment,
            actor=coordinator,
            entries=[
                evidence("gang_involvement", agencies["police"]),  # offending: covered
                evidence("sense_of_belonging", agencies["health"], EVIDENCE),  # health: not
            ],
        )
    assert refused.value.message_dict == {
        "sense_of_belonging-source_agency": [
            "No active data sharing agreement between Hartmoor Health Trust and Hartmoor "
            "Council Community Safety covers health information, the person has not "
            f"consented, and no public-interest decision has been recorded. {REFUSAL_TAIL}"
        ]
    }
    assert not FactorJudgement.objects.exists()
    assert not Disclosure.objects.exists()
    assert Event.objects.count() == events_before


def test_each_allowed_share_writes_a_disclosure_an_audit_entry_and_an_event(
    agencies, coordinator, assessment, partnership_agreement
):
    assessment_record_factors(
        assessment=assessment,
        actor=coordinator,
        entries=[
            evidence("gang_involvement", agencies["police"]),
            evidence("associates", agencies["police"]),
            evidence("sense_of_belonging", agencies["health"], EVIDENCE),
            evidence("power_and_status", agencies["council"]),  # the assessor's own agency
        ],
    )
    disclosures = list(Disclosure.objects.order_by("pk"))
    judgements = {j.factor_id: j for j in assessment.judgements.all()}
    council = "Hartmoor Council Community Safety"
    assert [
        (d.category, d.from_agency.name, d.to_agency.name, d.object_id) for d in disclosures
    ] == [
        ("offending", "Hartmoor Police", council, judgements["gang_involvement"].pk),
        ("intelligence", "Hartmoor Police", council, judgements["associates"].pk),
        ("health", "Hartmoor Health Trust", council, judgements["sense_of_belonging"].pk),
    ]
    for disclosure in disclosures:
        assert disclosure.basis_kind == BasisKind.AGREEMENT
        assert disclosure.agreement == partnership_agreement
        assert disclosure.object_type == "factorjudgement"
        assert disclosure.recorded_by == coordinator
        event = Event.objects.get(code=EventCode.INFORMATION_SHARED, object_id=disclosure.pk)
        assert event.person == assessment.person
        assert "HISP-TEST" in event.summary and POLICE_EVIDENCE not in event.summary
        entry = AuditEntry.objects.get(object_type="disclosure", object_id=str(disclosure.pk))
        assert (entry.action, entry.person_id, entry.actor_id) == (
            AuditAction.DISCLOSURE,
            assessment.person_id,
            coordinator.pk,
        )

    # Saving the same evidence again shares nothing new.
    assessment_record_factors(
        assessment=assessment,
        actor=coordinator,
        entries=[evidence("gang_involvement", agencies["police"])],
    )
    assert Disclosure.objects.count() == 3


def test_a_share_whose_record_fails_leaves_nothing_behind(
    agencies, coordinator, assessment, partnership_agreement, monkeypatch
):
    def broken(**kwargs: object) -> None:
        raise RuntimeError("the access log is unavailable")

    monkeypatch.setattr("offramp.assessments.services.disclosure_record", broken)
    before = (Event.objects.count(), AuditEntry.objects.count())
    with pytest.raises(RuntimeError):
        assessment_record_factors(
            assessment=assessment,
            actor=coordinator,
            entries=[evidence("gang_involvement", agencies["police"])],
        )
    assert not FactorJudgement.objects.exists()
    assert not Disclosure.objects.exists()
    assert (Event.objects.count(), AuditEntry.objects.count()) == before


def test_the_disclosure_audit_write_failing_rolls_back_the_share(
    agencies, coordinator, assessment, partnership_agreement, monkeypatch
):
    from offramp.audit import services as audit_services

    real = audit_services.audit_record

    def failing_on_disclosure(**kwargs: object) -> object:
        if kwargs.get("action") == AuditAction.DISCLOSURE:
            raise RuntimeError("the access log is unavailable")
        return real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(audit_services, "audit_record", failing_on_disclosure)
    with pytest.raises(RuntimeError):
        assessment_record_factors(
            assessment=assessment,
            actor=coordinator,
            entries=[evidence("gang_involvement", agencies["police"])],
        )
    assert not FactorJudgement.objects.exists()
    assert not Disclosure.objects.exists()
    assert not Event.objects.filter(code=EventCode.FACTORS_RECORDED).exists()


def test_the_assessment_page_shows_what_is_missing_on_the_agency_field(
    agencies, coordinator, assessment
):
    client = signed_in(coordinator)
    url = reverse("web:assessment-category", args=[assessment.pk, "criminality"])
    form = {
        "gang_involvement-judgement": "present",
        "gang_involvement-evidence": POLICE_EVIDENCE,
        "gang_involvement-source_agency": agencies["police"].pk,
        "gang_involvement-evidence_date_0": "1",
        "gang_involvement-evidence_date_1": "10",
        "gang_involvement-evidence_date_2": "2026",
        "early_prolific_offending-judgement": "not_known",
        "late_serious_offending-judgement": "not_known",
    }
    response = client.post(url, form)
    assert response.status_code == 200
    content = response.content.decode()
    assert "covers offending information, the person has not consented" in content
    assert 'href="#id_gang_involvement-source_agency"' in content  # in the error summary
    assert not FactorJudgement.objects.exists()


def test_the_api_refuses_unshared_evidence_with_the_message(agencies, coordinator, assessment):
    body = {
        "judgement": "present",
        "evidence": POLICE_EVIDENCE,
        "source_agency_id": agencies["police"].pk,
        "evidence_date": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
    }
    response = send(
        api_client(coordinator),
        "put",
        f"/assessments/{assessment.pk}/factors/gang_involvement",
        body,
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "the person has not consented" in " ".join(errors["gang_involvement-source_agency"])


def test_the_person_page_lists_what_was_shared(
    agencies, coordinator, assessment, partnership_agreement
):
    assessment_record_factors(
        assessment=assessment,
        actor=coordinator,
        entries=[evidence("gang_involvement", agencies["police"])],
    )
    page = signed_in(coordinator).get(reverse("web:person-detail", args=[assessment.person_id]))
    content = page.content.decode()
    assert "Information shared" in content
    assert "Hartmoor Police" in content
    assert (
        "Agreement HISP-TEST (Other statutory basis: Crime and Disorder Act 1998, section 115"
        in content
    )
    assert "Information shared between agencies" in content  # on the timeline


# --- administration ------------------------------------------------------------------------------


def test_administrators_manage_agreements(administrator, agencies):
    client = signed_in(administrator)
    assert client.get(reverse("admin:sharing_datasharingagreement_add")).status_code == 200
    response = client.post(
        reverse("admin:sharing_datasharingagreement_add"),
        {
            "reference": "DSA-H1",
            "title": "Safeguarding health information",
            "parties": [agencies["health"].pk, agencies["council"].pk],
            "data_categories": [DataCategory.HEALTH],
            "lawful_basis": LawfulBasis.OTHER_STATUTORY,
            "lawful_basis_detail": "",
            "purpose": "Safeguarding children at risk of exploitation",
            "start_date": "2026-01-01",
            "review_date": "2027-01-01",
        },
    )
    assert response.status_code == 200
    assert "Name the statute and section" in response.content.decode()
    assert not DataSharingAgreement.objects.exists()
    listing = client.get(reverse("admin:sharing_datasharingagreement_changelist"))
    assert listing.status_code == 200
