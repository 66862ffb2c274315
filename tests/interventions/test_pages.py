"""The catalogue pages: everyone signed in reads them; only the coordinator writes."""

import pytest
from django.urls import reverse

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.cases.models import PlacementStatus
from offramp.interventions.models import Programme
from tests.conftest import signed_in
from tests.interventions.conftest import MakeCase, Place, national

pytestmark = pytest.mark.django_db
READERS = (
    "coordinator",
    "school_dsl",
    "health_panel_member",
    "analyst",
    "auditor",
    "administrator",
)
NEW_PROGRAMME = {
    "name": "Eastfield Boxing Academy",
    "description": "Evening boxing sessions with a mentor.",
    "delivered_by": "Eastfield Boxing Club",
    "provider": "",
    "kind": "mentoring",
    "factor_ids": ["gang_involvement", "sense_of_belonging"],
    "crime_types": ["violence"],
    "min_age": "12",
    "max_age": "19",
    "eligibility": "",
    "capacity": "8",
    "evidence_strength": "emerging",
    "evidence_note": "No evaluation yet.",
}


@pytest.mark.parametrize("persona", READERS)
def test_everyone_signed_in_reads_the_catalogue_and_a_programme(
    persona: str, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    client = signed_in(user)
    listing = client.get(reverse("interventions:catalogue"))
    assert listing.status_code == 200
    content = listing.content.decode()
    assert "Pathways Out Programme" in content and "Victim Awareness Course" in content
    assert 'href="/interventions/"' in content  # in the service navigation
    assert ("Add a local programme" in content) == (persona == "coordinator")
    page = client.get(reverse("interventions:programme", args=[national("pathways-out").pk]))
    assert page.status_code == 200
    assert "an intervention initiative for gang members" in page.content.decode()
    assert ("Retire this programme" in page.content.decode()) == (persona == "coordinator")


def test_the_catalogue_shows_places_in_use_and_filters(
    coordinator: User, open_case: MakeCase, place: Place
) -> None:
    course = national("victim-awareness-course")
    place(open_case(), course, PlacementStatus.STARTED)
    client = signed_in(coordinator)
    content = client.get(reverse("interventions:catalogue")).content.decode()
    assert "1 of 12" in content
    filtered = client.get(
        reverse("interventions:catalogue"), {"factor_id": "pro_criminal_attitudes", "age": "30"}
    ).content.decode()
    assert "Victim Awareness Course" in filtered and "Pathways Out Programme" not in filtered
    wrong = client.get(reverse("interventions:catalogue"), {"age": "old"})
    assert "Open to someone aged must be a whole number" in wrong.content.decode()
    assert "govuk-error-summary" in wrong.content.decode()


def test_the_coordinator_adds_changes_and_retires_a_programme(
    coordinator: User, agencies: dict[str, Agency]
) -> None:
    client = signed_in(coordinator)
    assert client.get(reverse("interventions:programme-create")).status_code == 200
    missing = client.post(reverse("interventions:programme-create"), {**NEW_PROGRAMME, "name": ""})
    assert missing.status_code == 200
    content = missing.content.decode()
    assert "There is a problem" in content and "Enter the programme&#x27;s name" in content

    added = client.post(reverse("interventions:programme-create"), NEW_PROGRAMME)
    programme = Programme.objects.get(name="Eastfield Boxing Academy")
    assert added["Location"] == reverse("interventions:programme", args=[programme.pk])
    assert (programme.national, programme.capacity, programme.min_age) == (False, 8, 12)

    edit = reverse("interventions:programme-edit", args=[programme.pk])
    assert 'value="Eastfield Boxing Academy"' in client.get(edit).content.decode()
    client.post(edit, {**NEW_PROGRAMME, "capacity": "10"})
    programme.refresh_from_db()
    assert programme.capacity == 10

    retire = reverse("interventions:programme-retire", args=[programme.pk])
    assert client.post(retire, {"reason": ""}).status_code == 200
    done = client.post(retire, {"reason": "Funding ended"})
    assert done.status_code == 302
    programme.refresh_from_db()
    assert programme.retired_reason == "Funding ended"
    page = client.get(reverse("interventions:programme", args=[programme.pk])).content.decode()
    assert "Retired on" in page and "Funding ended" in page


def test_a_national_programme_offers_only_its_provider_and_places(
    coordinator: User, agencies: dict[str, Agency]
) -> None:
    programme = national("troubled-families")
    client = signed_in(coordinator)
    edit = reverse("interventions:programme-edit", args=[programme.pk])
    form = client.get(edit).content.decode()
    assert 'name="capacity"' in form and 'name="name"' not in form
    client.post(edit, {"provider": agencies["council"].pk, "capacity": "25", "name": "Ignored"})
    programme.refresh_from_db()
    assert (programme.capacity, programme.provider, programme.name) == (
        25,
        agencies["council"],
        "Troubled Families (whole-family support)",
    )


@pytest.mark.parametrize("persona", [p for p in READERS if p != "coordinator"])
def test_nobody_else_may_write(persona: str, request: pytest.FixtureRequest) -> None:
    client = signed_in(request.getfixturevalue(persona))
    programme = national("pathways-out")
    for url, data in (
        (reverse("interventions:programme-create"), NEW_PROGRAMME),
        (reverse("interventions:programme-edit", args=[programme.pk]), {"capacity": "99"}),
        (reverse("interventions:programme-retire", args=[programme.pk]), {"reason": "No"}),
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, data).status_code == 403, url
    programme.refresh_from_db()
    assert (programme.capacity, programme.available) == (12, True)
    assert not Programme.objects.filter(national=False).exists()
