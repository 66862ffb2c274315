"""No case page prints a Python object where text belongs (issue 12: a raw `<QuerySet …>`)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.cases.models import Panel, Route
from offramp.cases.services import (
    RouteRequest,
    action_set,
    agenda_add,
    case_route,
    meeting_attendance_record,
    panel_meeting_schedule,
)
from offramp.people.models import PersonCategory
from offramp.referrals.models import Referral
from offramp.referrals.services import referral_start_screening
from tests.conftest import signed_in


@pytest.mark.parametrize("persona", ["coordinator", "health_panel_member"])
def test_no_case_page_prints_a_queryset(
    persona: str,
    request: pytest.FixtureRequest,
    dsl_referral: Referral,
    coordinator: User,
    health_panel_member: User,
    panel: Panel,
    agencies: dict[str, Agency],
) -> None:
    referral_start_screening(referral=dsl_referral, actor=coordinator)
    case = case_route(
        referral=dsl_referral,
        request=RouteRequest(
            route=Route.PANEL,
            reason="Several agencies involved.",
            person_category=PersonCategory.AT_RISK,
            panel=panel,
        ),
        actor=coordinator,
    )
    meeting = panel_meeting_schedule(panel=panel, meets_on=timezone.localdate(), actor=coordinator)
    meeting_attendance_record(
        meeting=meeting, agencies=[agencies["council"], agencies["health"]], actor=coordinator
    )
    item = agenda_add(meeting=meeting, case=case, actor=coordinator)
    for owner in (coordinator, health_panel_member):
        action_set(
            item=item,
            description="Call the school",
            owner=owner,
            due_on=meeting.meets_on,
            actor=coordinator,
        )
    client = signed_in(request.getfixturevalue(persona))
    for url in (
        reverse("cases:case-list"),
        reverse("cases:case-detail", args=[case.pk]),
        reverse("cases:meeting", args=[meeting.pk]),
        reverse("cases:agenda-item", args=[item.pk]),
        reverse("cases:my-actions"),
        reverse("web:dashboard"),
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "QuerySet" not in page.content.decode(), url
