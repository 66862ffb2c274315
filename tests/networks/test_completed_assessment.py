"""A completed assessment cannot be changed: a network suggestion on one is refused the same way
as any other change to it (IllegalTransition), and nothing is recorded."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from offramp.accounts.models import User
from offramp.assessments.models import Assessment, AssessmentStatus
from offramp.assessments.services import assessment_start
from offramp.networks.models import DismissedSuggestion
from offramp.networks.services import suggestion_dismiss
from offramp.transitions import IllegalTransition
from tests.conftest import signed_in

from .conftest import NetworkWorld

REFUSAL = "A completed assessment cannot be changed; start a new one"


def _completed(network: NetworkWorld, coordinator: User) -> Assessment:
    assessment = assessment_start(person=network.people["connor"], actor=coordinator)
    Assessment.objects.filter(pk=assessment.pk).update(status=AssessmentStatus.COMPLETED)
    assessment.refresh_from_db()
    return assessment


def test_dismissing_a_suggestion_on_a_completed_assessment_is_an_illegal_transition(
    network: NetworkWorld, coordinator: User
) -> None:
    assessment = _completed(network, coordinator)
    with pytest.raises(IllegalTransition, match=REFUSAL):
        suggestion_dismiss(
            assessment=assessment,
            factor_id="family_network",
            relationship=network.ties["lee-connor"],
            actor=coordinator,
        )
    assert not DismissedSuggestion.objects.exists()


def test_the_page_says_a_completed_assessment_cannot_be_changed(
    network: NetworkWorld, coordinator: User
) -> None:
    assessment = _completed(network, coordinator)
    response = signed_in(coordinator).post(
        reverse("networks:suggestion-dismiss", args=[assessment.pk]),
        {"factor_id": "family_network", "relationship": network.ties["lee-connor"].pk},
    )
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [REFUSAL]
    assert not DismissedSuggestion.objects.exists()
