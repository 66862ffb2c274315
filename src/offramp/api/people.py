from datetime import date

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from offramp.access.permissions import Capability, require_capability
from offramp.access.scoping import people_visible_to
from offramp.audit.selectors import person_access_log
from offramp.audit.services import AuditObject, audit_consultation
from offramp.people.models import Person
from offramp.people.selectors import agencies_knowing, person_search, person_timeline

from .common import caller
from .schemas import (
    AccessLogEntryOut,
    ErrorOut,
    EventOut,
    PersonMatchOut,
    PersonOut,
    PersonSummaryOut,
)

router = Router(tags=["people"])


class SearchParams(Schema):
    family_name: str
    given_name: str = ""
    date_of_birth: date | None = None


def _summary(person: Person) -> PersonSummaryOut:
    return PersonSummaryOut(
        id=person.pk,
        given_name=person.given_name,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
        area=person.area,
    )


@router.get("/search", response={200: list[PersonMatchOut], 403: ErrorOut})
def search_people(request: HttpRequest, params: Query[SearchParams]) -> list[PersonMatchOut]:
    """People who may be the one described, strongest match first, each with its reasons."""
    user = caller(request)
    require_capability(user, Capability.SEARCH_PEOPLE)
    matches = person_search(
        user=user,
        given_name=params.given_name[:100],
        family_name=params.family_name[:100],
        date_of_birth=params.date_of_birth,
    )[:50]
    audit_consultation(actor=user, subjects=[m.person for m in matches], purpose="search")
    return [
        PersonMatchOut(
            person=_summary(m.person),
            score=m.score,
            reasons=list(m.reasons),
            known_to=agencies_knowing(m.person),
        )
        for m in matches
    ]


def _visible_person(request: HttpRequest, person_id: int) -> Person:
    user = caller(request)
    require_capability(user, Capability.VIEW_PEOPLE)
    return get_object_or_404(
        people_visible_to(user).prefetch_related("aliases", "identifiers__agency"), pk=person_id
    )


@router.get("/{person_id}", response={200: PersonOut, 403: ErrorOut, 404: ErrorOut})
def get_person(request: HttpRequest, person_id: int) -> PersonOut:
    person = _visible_person(request, person_id)
    audit_consultation(actor=caller(request), subjects=[person], purpose="case management")
    return PersonOut(
        **_summary(person).dict(),
        middle_names=person.middle_names,
        nationality=person.nationality,
        linked_countries=list(person.linked_countries),
        postcode_district=person.postcode_district,
        sex=person.sex,
        ethnicity=person.ethnicity,
        aliases=[str(alias) for alias in person.aliases.all()],
        known_to=agencies_knowing(person),
    )


@router.get("/{person_id}/timeline", response={200: list[EventOut], 403: ErrorOut, 404: ErrorOut})
def get_timeline(request: HttpRequest, person_id: int) -> list[EventOut]:
    person = _visible_person(request, person_id)
    audit_consultation(
        actor=caller(request),
        subjects=[AuditObject("timeline", person.pk, person_id=person.pk)],
        purpose="case management",
    )
    return [
        EventOut(
            id=event.pk,
            code=event.code,
            title=event.get_code_display(),
            occurred_at=event.occurred_at,
            actor=str(event.actor) if event.actor else None,
            actor_agency=str(event.actor_agency) if event.actor_agency else None,
            summary=event.summary,
        )
        for event in person_timeline(user=caller(request), person=person)[:500]
    ]


class AccessLogParams(Schema):
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10_000_000)


@router.get(
    "/{person_id}/access-log",
    response={200: list[AccessLogEntryOut], 403: ErrorOut, 404: ErrorOut},
)
def get_access_log(
    request: HttpRequest, person_id: int, params: Query[AccessLogParams]
) -> list[AccessLogEntryOut]:
    """For auditors: who did what to this person's records, newest first. Viewing it is logged."""
    user = caller(request)
    require_capability(user, Capability.VIEW_AUDIT_LOG)
    entries = person_access_log(user=user, person_id=person_id)
    if entries is None:
        raise Http404("Not found")
    audit_consultation(
        actor=user,
        subjects=[AuditObject("access_log", person_id, person_id=person_id)],
        purpose="audit",
    )
    return [
        AccessLogEntryOut(
            sequence=entry.sequence,
            occurred_at=entry.occurred_at,
            action=entry.action,
            event_code=entry.event_code,
            actor_id=entry.actor_id,
            actor_username=entry.actor_username,
            actor_agency=entry.actor_agency,
            object_type=entry.object_type,
            object_id=entry.object_id,
            person_id=entry.person_id,
            purpose=entry.purpose,
            channel=entry.channel,
        )
        for entry in entries[params.offset : params.offset + params.limit]
    ]
