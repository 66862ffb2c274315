"""People at different points of the retention schedule, and a moving clock.

The clock moves by passing `today` to the services (the scan and each decision take it), so a
test can stand on any day of the schedule without waiting for it. Activity dates are set on the
rows themselves where a test needs the past to have happened at a particular time.
"""

import datetime
from collections.abc import Callable

import pytest
from django.utils import timezone

from offramp.accounts.models import User
from offramp.assessments.models import Assessment, AssessmentStatus, OverallConcern
from offramp.assessments.services import assessment_start
from offramp.dates import add_years
from offramp.people.models import Person
from offramp.referrals.models import ClosureReason, Referral, ReferralStatus
from offramp.referrals.services import referral_close, referral_create
from tests.conftest import referral_request

ADULT_BORN = datetime.date(1990, 6, 15)


def years_after(day: datetime.date, years: int) -> datetime.date:
    return add_years(day, years)


MakePerson = Callable[..., Person]


@pytest.fixture
def closed_nfa(school_dsl: User, coordinator: User) -> MakePerson:
    """An adult referred once and closed with no further action."""

    def make(**overrides: object) -> Person:
        values: dict[str, object] = {
            "given_name": "Dale",
            "family_name": "Cooper",
            "date_of_birth": ADULT_BORN,
        }
        values.update(overrides)
        referral = referral_create(referrer=school_dsl, request=referral_request(**values))
        referral_close(referral=referral, actor=coordinator, reason=ClosureReason.NO_FURTHER_ACTION)
        return referral.person

    return make


@pytest.fixture
def assessed(school_dsl: User, coordinator: User) -> Callable[[str], Person]:
    """An adult assessed to a given overall judgement, the referral then closed."""

    def make(concern: str) -> Person:
        referral = referral_create(
            referrer=school_dsl,
            request=referral_request(
                given_name="Audrey", family_name="Horne", date_of_birth=ADULT_BORN
            ),
        )
        assessment = assessment_start(person=referral.person, actor=coordinator, referral=referral)
        # The assessment's own pages and rules are tested elsewhere: only its outcome matters.
        Assessment.objects.filter(pk=assessment.pk).update(
            status=AssessmentStatus.COMPLETED,
            overall_concern=OverallConcern(concern),
            completed_at=timezone.now(),
        )
        Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.ASSESSED)
        referral.refresh_from_db()
        referral_close(
            referral=referral, actor=coordinator, reason=ClosureReason.ASSESSMENT_COMPLETED
        )
        return referral.person

    return make
