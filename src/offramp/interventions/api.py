"""The intervention catalogue in the API: mounted at /api/v1/interventions by api/main.py.

Same rules as the pages: everyone signed in reads the catalogue; MANAGE_CATALOGUE writes;
suggestions are for people the caller may see (access.scoping.people_visible_to).
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from offramp.access.permissions import Capability, require_capability
from offramp.access.scoping import people_visible_to
from offramp.agencies.models import Agency
from offramp.api.common import caller
from offramp.api.schemas import AgencyOut, ErrorOut, ValidationErrorOut
from offramp.audit.services import audit_consultation

from .models import Programme
from .selectors import (
    CatalogueFilters,
    ProgrammeSummary,
    catalogue,
    suggestions_for_person,
    summarise,
)
from .services import ProgrammeDetails, programme_create, programme_retire

router = Router(tags=["interventions"])


class ProgrammeOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    delivered_by: str
    provider: AgencyOut | None
    kind: str = Field(description="A framework intervention kind id")
    min_age: int | None
    max_age: int | None
    eligibility: str = Field(description="Conditions beyond age the panel must check")
    crime_types: list[str] = Field(description="Framework crime type ids; empty means any")
    factor_ids: list[str]
    factor_notes: dict[str, str] = Field(description="Why it addresses each factor")
    capacity: int | None = Field(description="Number of places; null means no fixed number")
    places_in_use: int = Field(description="Placements planned or started")
    free_places: int | None
    evidence_strength: str
    evidence_note: str
    guide_paragraphs: list[str]
    national: bool = Field(description="Named in the Home Office guide; false for local ones")
    created_at: datetime
    retired_at: datetime | None
    retired_reason: str


class ProgrammeIn(Schema):
    name: str = Field(max_length=200)
    description: str = Field(max_length=4000)
    delivered_by: str = Field(max_length=200)
    provider: str | None = Field(
        None,
        pattern="^[a-z0-9-]*$",
        max_length=80,
        description="Slug of the partner agency that provides it",
    )
    kind: str
    factor_ids: list[str] = Field(max_length=100)
    crime_types: list[str] = Field(default_factory=list, max_length=100)
    min_age: int | None = Field(None, ge=0, le=120)
    max_age: int | None = Field(None, ge=0, le=120)
    eligibility: str = Field("", max_length=1000)
    capacity: int | None = Field(None, ge=1, le=100_000)
    evidence_strength: str
    evidence_note: str = Field("", max_length=2000)


class RetireIn(Schema):
    reason: str = Field(max_length=500)


ID_PATTERN = "^[a-z0-9_]*$"


class ListParams(Schema):
    kind: str = Field("", pattern=ID_PATTERN, max_length=60)
    crime_type: str = Field("", pattern=ID_PATTERN, max_length=60)
    factor_id: str = Field("", pattern=ID_PATTERN, max_length=60)
    age: int | None = Field(None, ge=0, le=120)
    include_retired: bool = False


class SuggestionParams(Schema):
    person_id: int = Field(ge=1, le=2**63 - 1)


class SuggestionOut(Schema):
    rank: int
    programme_id: int
    name: str
    addresses: list[str] = Field(description="Factor ids judged present that it addresses")
    also_possible: list[str] = Field(description="Factor ids judged possible that it addresses")
    age_fits: bool
    crime_type_fits: bool
    free_places: int | None
    reasons: list[str]
    basis: list[str] = Field(description="Why it addresses each factor, from the catalogue")


class GapOut(Schema):
    factor_id: str
    factor_name: str
    reason: str


class SuggestionsOut(Schema):
    person_id: int
    on: date
    suggestions: list[SuggestionOut]
    gaps: list[GapOut]
    notes: list[str]


def _out(summary: ProgrammeSummary) -> ProgrammeOut:
    programme = summary.programme
    provider = programme.provider
    return ProgrammeOut(
        id=programme.pk,
        slug=programme.slug,
        name=programme.name,
        description=programme.description,
        delivered_by=programme.delivered_by,
        provider=(
            AgencyOut(id=provider.pk, slug=provider.slug, name=provider.name, kind=provider.kind)
            if provider
            else None
        ),
        kind=programme.kind,
        min_age=programme.min_age,
        max_age=programme.max_age,
        eligibility=programme.eligibility,
        crime_types=list(programme.crime_types),
        factor_ids=list(programme.factor_ids),
        factor_notes=dict(programme.factor_notes),
        capacity=programme.capacity,
        places_in_use=summary.in_use,
        free_places=summary.free_places,
        evidence_strength=programme.evidence_strength,
        evidence_note=programme.evidence_note,
        guide_paragraphs=list(programme.guide_paragraphs),
        national=programme.national,
        created_at=programme.created_at,
        retired_at=programme.retired_at,
        retired_reason=programme.retired_reason,
    )


@router.get("", response={200: list[ProgrammeOut]})
def list_programmes(request: HttpRequest, params: Query[ListParams]) -> list[ProgrammeOut]:
    """The catalogue, by name; retired programmes only when asked for."""
    filters = CatalogueFilters(
        kind=params.kind,
        crime_type=params.crime_type,
        factor_id=params.factor_id,
        age=params.age,
        include_retired=params.include_retired,
    )
    return [_out(summary) for summary in summarise(catalogue(filters))]


@router.get("/suggestions", response={200: SuggestionsOut, 404: ErrorOut})
def programme_suggestions(request: HttpRequest, params: Query[SuggestionParams]) -> SuggestionsOut:
    """Ranked suggestions for a person, each with its reasons, and the gaps: present factors
    that no programme open to them addresses. Reads their latest completed assessment."""
    user = caller(request)
    person = get_object_or_404(people_visible_to(user), pk=params.person_id)
    audit_consultation(actor=user, subjects=[person], purpose="support plan")
    on = timezone.localdate()
    result = suggestions_for_person(person, on=on)
    return SuggestionsOut(
        person_id=person.pk,
        on=on,
        suggestions=[
            SuggestionOut(
                rank=rank,
                programme_id=s.programme_id,
                name=s.name,
                addresses=list(s.addresses),
                also_possible=list(s.also_possible),
                age_fits=s.age_fits,
                crime_type_fits=s.crime_type_fits,
                free_places=s.free_places,
                reasons=list(s.reasons),
                basis=list(s.basis),
            )
            for rank, s in enumerate(result.suggestions, start=1)
        ],
        gaps=[
            GapOut(factor_id=gap.factor_id, factor_name=gap.factor_name, reason=gap.reason)
            for gap in result.gaps
        ],
        notes=list(result.notes),
    )


@router.get("/{programme_id}", response={200: ProgrammeOut, 404: ErrorOut})
def get_programme(request: HttpRequest, programme_id: int) -> ProgrammeOut:
    programme = get_object_or_404(Programme.objects.select_related("provider"), pk=programme_id)
    return _out(summarise([programme])[0])


def _provider(slug: str | None) -> Agency | None:
    if not slug:
        return None
    agency = Agency.objects.filter(slug=slug).first()
    if agency is None:
        raise ValidationError({"provider": f"No partner agency {slug!r}"})
    return agency


@router.post("", response={201: ProgrammeOut, 403: ErrorOut, 422: ValidationErrorOut})
def create_programme(request: HttpRequest, payload: ProgrammeIn) -> Status[ProgrammeOut]:
    """Adds one of the area's own programmes."""
    user = caller(request)
    require_capability(user, Capability.MANAGE_CATALOGUE)
    programme = programme_create(
        actor=user,
        details=ProgrammeDetails(
            name=payload.name,
            description=payload.description,
            delivered_by=payload.delivered_by,
            kind=payload.kind,
            factor_ids=tuple(payload.factor_ids),
            evidence_strength=payload.evidence_strength,
            provider=_provider(payload.provider),
            min_age=payload.min_age,
            max_age=payload.max_age,
            crime_types=tuple(payload.crime_types),
            capacity=payload.capacity,
            evidence_note=payload.evidence_note,
            eligibility=payload.eligibility,
        ),
    )
    return Status(201, _out(summarise([programme])[0]))


@router.post(
    "/{programme_id}/retire",
    response={200: ProgrammeOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
)
def retire_programme(request: HttpRequest, programme_id: int, payload: RetireIn) -> ProgrammeOut:
    """Retires a programme; plans that already use it keep it."""
    user = caller(request)
    require_capability(user, Capability.MANAGE_CATALOGUE)
    programme = get_object_or_404(Programme, pk=programme_id)
    programme = programme_retire(programme=programme, actor=user, reason=payload.reason)
    return _out(summarise([programme])[0])
