"""The referral and person pages offer only the moves the referral's transition table allows."""

import pytest
from django.urls import reverse

from offramp.accounts.models import User
from offramp.referrals.models import Referral, ReferralStatus
from tests.conftest import signed_in

# status: (start screening, start an assessment from the referral, the person page links a
# new assessment to it)
OFFERED = {
    ReferralStatus.RECEIVED: (True, True, True),
    ReferralStatus.SCREENING: (False, True, True),
    ReferralStatus.ASSESSMENT: (False, False, True),
    ReferralStatus.ASSESSED: (False, False, False),
    ReferralStatus.CLOSED: (False, False, False),
}


def _in(status: ReferralStatus, dsl_referral: Referral) -> Referral:
    Referral.objects.filter(pk=dsl_referral.pk).update(status=status)
    return dsl_referral


@pytest.mark.parametrize("status", ReferralStatus, ids=str)
def test_the_referral_page_offers_the_moves_its_status_allows(
    status: ReferralStatus, dsl_referral: Referral, coordinator: User
) -> None:
    referral = _in(status, dsl_referral)
    response = signed_in(coordinator).get(reverse("web:referral-detail", args=[referral.pk]))
    page = response.content.decode()
    screening, assessment, _ = OFFERED[status]
    assert ("Start screening" in page) is screening
    assert ("Start an assessment" in page) is assessment
    assert ("Is this person already known?" in page) is (status != ReferralStatus.CLOSED)


@pytest.mark.parametrize("status", ReferralStatus, ids=str)
def test_a_new_assessment_is_linked_to_the_referral_only_while_it_awaits_one(
    status: ReferralStatus, dsl_referral: Referral, coordinator: User
) -> None:
    referral = _in(status, dsl_referral)
    response = signed_in(coordinator).get(reverse("web:person-detail", args=[referral.person_id]))
    assert response.status_code == 200
    linked = f'name="referral" value="{referral.pk}"' in response.content.decode()
    assert linked is OFFERED[status][2]
