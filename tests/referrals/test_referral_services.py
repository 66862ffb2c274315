import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from offramp.audit.models import Event, EventCode
from offramp.people.models import Person
from offramp.referrals.models import ClosureReason, Referral, ReferralStatus
from offramp.referrals.services import (
    referral_close,
    referral_create,
    referral_link_to_person,
    referral_start_screening,
)
from offramp.transitions import IllegalTransition
from tests.conftest import referral_request

pytestmark = pytest.mark.django_db


def test_a_referral_creates_the_person_the_referral_and_their_timeline(school_dsl):
    referral = referral_create(referrer=school_dsl, request=referral_request())

    assert referral.reference.startswith("R")
    assert referral.status == ReferralStatus.RECEIVED
    assert referral.referring_agency == school_dsl.agency
    assert sorted(f.factor_id for f in referral.factors.all()) == ["associates", "gang_involvement"]
    assert referral.person.full_name == "Connor Walsh"
    codes = list(Event.objects.filter(person=referral.person).values_list("code", flat=True))
    assert sorted(codes) == sorted([EventCode.PERSON_CREATED, EventCode.REFERRAL_RECEIVED])


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"given_name": ""}, "given_name", "Enter the person's first name"),
        ({"family_name": "   "}, "family_name", "Enter the person's last name"),
        (
            {"date_of_birth": timezone.localdate() + datetime.timedelta(days=1)},
            "date_of_birth",
            "Date of birth must be today or in the past",
        ),
        ({"concern": "x" * 4001}, "concern", "What worries you must be 4000 characters or fewer"),
        ({"given_name": "x" * 101}, "given_name", "Given name must be 100 characters or fewer"),
        ({"agency_slug": "no-such-agency"}, "agency", "Unknown agency 'no-such-agency'"),
        (
            {"agency_slug": "police"},
            "agency",
            "You can only refer on behalf of your own agency, not 'police'",
        ),
        ({"factor_ids": ("made_up",)}, "factor_ids", "Unknown framework factor: made_up"),
        (
            {"consent": "maybe"},
            "consent",
            "Select whether the person has consented to this referral",
        ),
    ],
)
def test_bad_referrals_are_refused_with_a_specific_message_and_nothing_saved(
    school_dsl, overrides, field, message
):
    with pytest.raises(ValidationError) as refused:
        referral_create(referrer=school_dsl, request=referral_request(**overrides))

    assert refused.value.message_dict[field] == [message]
    assert Referral.objects.count() == 0
    assert Person.objects.count() == 0
    assert Event.objects.count() == 0


def test_roles_without_referral_rights_cannot_refer(analyst, auditor):
    for user in (analyst, auditor):
        with pytest.raises(PermissionDenied):
            referral_create(referrer=user, request=referral_request())
    assert Referral.objects.count() == 0


def test_screening_then_closing_walks_the_states_and_records_events(dsl_referral, coordinator):
    referral = referral_start_screening(referral=dsl_referral, actor=coordinator)
    assert referral.status == ReferralStatus.SCREENING

    referral = referral_close(referral=referral, actor=coordinator, reason=ClosureReason.SIGNPOSTED)
    assert referral.status == ReferralStatus.CLOSED
    assert referral.closure_reason == ClosureReason.SIGNPOSTED
    codes = set(Event.objects.filter(person=referral.person).values_list("code", flat=True))
    assert {EventCode.REFERRAL_SCREENING_STARTED, EventCode.REFERRAL_CLOSED} <= codes


def test_illegal_transitions_are_refused_and_leave_the_referral_unchanged(
    dsl_referral, coordinator
):
    referral_close(referral=dsl_referral, actor=coordinator, reason=ClosureReason.NO_FURTHER_ACTION)
    events_before = Event.objects.count()

    with pytest.raises(IllegalTransition, match="cannot move from 'Closed' to 'Being screened'"):
        referral_start_screening(referral=dsl_referral, actor=coordinator)

    dsl_referral.refresh_from_db()
    assert dsl_referral.status == ReferralStatus.CLOSED
    assert Event.objects.count() == events_before


def test_a_practitioner_cannot_screen_or_close(dsl_referral, school_dsl):
    with pytest.raises(PermissionDenied):
        referral_start_screening(referral=dsl_referral, actor=school_dsl)
    with pytest.raises(PermissionDenied):
        referral_close(referral=dsl_referral, actor=school_dsl, reason=ClosureReason.WITHDRAWN)


def test_linking_to_a_known_person_folds_in_the_record_made_at_referral(
    dsl_referral, other_dsl, coordinator
):
    known = referral_create(
        referrer=other_dsl,
        request=referral_request(given_name="Conor", family_name="Walsh"),
    ).person
    provisional = dsl_referral.person

    referral_link_to_person(referral=dsl_referral, person=known, actor=coordinator)

    dsl_referral.refresh_from_db()
    assert dsl_referral.person == known
    assert not Person.objects.filter(pk=provisional.pk).exists()
    codes = list(Event.objects.filter(person=known).values_list("code", flat=True))
    assert codes.count(EventCode.REFERRAL_RECEIVED) == 2
    assert EventCode.REFERRAL_LINKED in codes
