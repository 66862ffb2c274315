"""An area adds, changes and retires programmes: coordinators only, validated and audited;
retiring keeps the history; places in use come from the placements of support plans."""

from dataclasses import replace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.audit.models import AuditAction, AuditEntry
from offramp.cases.models import PlacementStatus
from offramp.interventions.models import Programme
from offramp.interventions.selectors import (
    CatalogueFilters,
    catalogue,
    places_in_use,
    suggestions_for_person,
    summarise,
)
from offramp.interventions.services import (
    ProgrammeDetails,
    programme_create,
    programme_retire,
    programme_update,
)
from tests.interventions.conftest import MakeAssessed, MakeCase, Place, local_details, national

pytestmark = pytest.mark.django_db
OTHERS = ("school_dsl", "health_panel_member", "analyst", "auditor", "administrator")


def _last_audit() -> AuditEntry:
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert entry is not None
    return entry


def test_a_coordinator_adds_a_local_programme_audited(coordinator: User) -> None:
    programme = programme_create(actor=coordinator, details=local_details())
    assert programme.slug == "local-eastfield-boxing-academy"
    assert not programme.national and programme.available
    assert programme.factor_ids == ["gang_involvement", "sense_of_belonging"]
    entry = _last_audit()
    assert (entry.action, entry.object_type, entry.object_id, entry.actor_id) == (
        AuditAction.COLLECTION,
        "programme",
        str(programme.pk),
        coordinator.pk,
    )
    again = programme_create(
        actor=coordinator, details=local_details(name="Eastfield Boxing Academy!")
    )
    assert again.slug == "local-eastfield-boxing-academy-2"


@pytest.mark.parametrize("persona", OTHERS)
def test_nobody_else_may_add_change_or_retire(persona: str, request: pytest.FixtureRequest) -> None:
    user: User = request.getfixturevalue(persona)
    programme = national("peer-mentoring")
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        programme_create(actor=user, details=local_details())
    with pytest.raises(PermissionDenied):
        programme_update(
            programme=programme,
            actor=user,
            details=replace(ProgrammeDetails.of(programme), capacity=99),
        )
    with pytest.raises(PermissionDenied):
        programme_retire(programme=programme, actor=user, reason="Not here")
    programme.refresh_from_db()
    assert (programme.capacity, programme.available) == (10, True)
    assert not Programme.objects.filter(national=False).exists()
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": " "}, "name", "Enter the programme's name"),
        ({"name": "Pathways Out Programme"}, "name", "already a programme with this name"),
        ({"factor_ids": ()}, "factor_ids", "Select the risk factors"),
        ({"factor_ids": ("gangs",)}, "factor_ids", "Select factors from the risk framework"),
        ({"crime_types": ("drug_dealing",)}, "crime_types", "Select crime types"),
        ({"kind": "boxing"}, "kind", "Select the kind of intervention"),
        ({"min_age": 20, "max_age": 12}, "max_age", "same as or above the youngest"),
        ({"max_age": 130}, "max_age", "An age must be from 0 to 120"),
        ({"capacity": 0}, "capacity", "The number of places must be from 1"),
        ({"evidence_strength": "strong", "evidence_note": ""}, "evidence_note", "evaluation"),
        ({"description": "Bad\x00"}, "description", "null characters"),
    ],
)
def test_a_local_programme_is_checked(
    coordinator: User, overrides: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        programme_create(actor=coordinator, details=local_details(**overrides))
    assert message in " ".join(raised.value.message_dict[field])
    assert not Programme.objects.filter(national=False).exists()


def test_a_local_programme_is_changed_audited(coordinator: User) -> None:
    programme = programme_create(actor=coordinator, details=local_details())
    changed = programme_update(
        programme=programme,
        actor=coordinator,
        details=local_details(capacity=10, factor_ids=("gang_involvement",)),
    )
    assert (changed.capacity, changed.factor_ids) == (10, ["gang_involvement"])
    assert (_last_audit().action, _last_audit().object_id) == (
        AuditAction.ALTERATION,
        str(programme.pk),
    )
    before = AuditEntry.objects.count()
    programme_update(
        programme=changed, actor=coordinator, details=ProgrammeDetails.of(changed)
    )  # nothing changed: nothing logged
    assert AuditEntry.objects.count() == before


def test_an_area_sets_only_the_provider_and_places_of_a_national_programme(
    coordinator: User, agencies: dict[str, Agency]
) -> None:
    programme = national("victim-awareness-course")
    current = ProgrammeDetails.of(programme)
    with pytest.raises(ValidationError) as raised:
        programme_update(
            programme=programme,
            actor=coordinator,
            details=replace(current, factor_ids=("financial_difficulties",), name="VAC"),
        )
    assert set(raised.value.message_dict) == {"factor_ids", "name"}
    assert "national catalogue" in raised.value.message_dict["name"][0]
    programme_update(
        programme=programme,
        actor=coordinator,
        details=replace(current, capacity=20, provider=agencies["council"]),
    )
    programme.refresh_from_db()
    assert (programme.capacity, programme.provider) == (20, agencies["council"])
    assert programme.factor_ids == ["pro_criminal_attitudes"]


def test_places_in_use_count_planned_and_started_placements(
    open_case: MakeCase, place: Place
) -> None:
    course = national("victim-awareness-course")
    for status in (
        PlacementStatus.PLANNED,
        PlacementStatus.STARTED,
        PlacementStatus.STARTED,
        PlacementStatus.COMPLETED,
        PlacementStatus.ENDED_EARLY,
    ):
        place(open_case(), course, status)
    assert places_in_use([course]) == {course.pk: 3}
    summary = summarise([course])[0]
    assert (summary.in_use, summary.free_places) == (3, 9)


def test_a_retired_programme_keeps_its_history_and_its_places_but_is_not_offered(
    coordinator: User, open_case: MakeCase, place: Place, assessed: MakeAssessed
) -> None:
    course = national("victim-awareness-course")
    case = open_case()
    placement = place(case, course, PlacementStatus.STARTED)
    paige = assessed(present=("pro_criminal_attitudes",))
    assert course.pk in [s.programme_id for s in suggestions_for_person(paige).suggestions]

    with pytest.raises(ValidationError, match="Enter why"):
        programme_retire(programme=course, actor=coordinator, reason="  ")
    retired = programme_retire(programme=course, actor=coordinator, reason="Funding ended")

    assert (retired.available, retired.retired_reason) == (False, "Funding ended")
    assert _last_audit().action == AuditAction.ALTERATION
    placement.refresh_from_db()
    assert placement.programme_id == course.pk and case.placements.count() == 1
    assert summarise([retired])[0].in_use == 1
    assert course not in catalogue()
    assert course in catalogue(CatalogueFilters(include_retired=True))
    result = suggestions_for_person(paige)
    assert course.pk not in [s.programme_id for s in result.suggestions]
    assert [gap.factor_id for gap in result.gaps] == ["pro_criminal_attitudes"]
    with pytest.raises(ValidationError, match="already retired"):
        programme_retire(programme=retired, actor=coordinator, reason="Again")
    with pytest.raises(ValidationError, match="has been retired"):
        programme_update(programme=retired, actor=coordinator, details=ProgrammeDetails.of(retired))


def slugs(**filters: object) -> set[str]:
    return {p.slug for p in catalogue(CatalogueFilters(**filters))}  # type: ignore[arg-type]


def test_the_catalogue_filters(coordinator: User) -> None:
    programme_create(actor=coordinator, details=local_details())
    assert slugs(kind="victim_awareness") == {"victim-awareness-course"}
    assert "local-eastfield-boxing-academy" in slugs(factor_id="sense_of_belonging")
    over_60 = slugs(age=61)
    assert "victim-awareness-course" in over_60 and "pathways-out" not in over_60
    violence = slugs(crime_type="violence")
    assert {"pathways-out", "victim-awareness-course"} <= violence  # the course is for any crime
    assert "awareness-raising-professions" not in violence
