"""Groups, links to groups, ties, exposure and the periphery in the API: mounted at
/api/v1/networks by api/main.py.

The same rules as the pages: analysts and coordinators only (MANAGE_NETWORKS), reads through
the scoping selectors, every person shown logged as consulted. Records name people by record
number; a person is labelled (by name or pseudonym, offramp.access.naming) only where a path
is explained (exposure and the periphery).
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from offramp.access.naming import naming_purposes_in_force
from offramp.access.permissions import Capability, require_capability
from offramp.access.scoping import (
    groups_visible_to,
    memberships_visible_to,
    network_people_visible_to,
    relationships_visible_to,
)
from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.api.common import caller
from offramp.api.schemas import ErrorOut, ValidationErrorOut
from offramp.audit.services import AuditObject, audit_consultation
from offramp.people.models import Person

from .models import GroupMembership, NamingPurpose, OrganisedCrimeGroup, Relationship
from .selectors import (
    NOT_A_SCORE,
    ExplainedExposure,
    ExplainedStep,
    PersonRef,
    consultation_purpose,
    linkable_person,
    not_linkable,
    periphery_rows,
    person_exposure,
)
from .services import (
    GroupDetails,
    MembershipDetails,
    RelationshipDetails,
    group_create,
    membership_add,
    naming_purpose_state,
    relationship_add,
)

router = Router(tags=["networks"])
ID = Field(..., ge=1, le=2**63 - 1)
SLUG = Field(..., pattern="^[a-z0-9-]+$", max_length=80, description="The agency's slug")


class GroupOut(Schema):
    id: int
    reference: str
    name: str
    status: str
    crime_types: list[str] = Field(description="Framework crime type ids")
    countries: list[str] = Field(description="ISO 3166 alpha-2 codes")
    source_agency: str
    notes: str
    created_at: datetime
    updated_at: datetime


class GroupIn(Schema):
    reference: str = Field(max_length=40)
    name: str = Field(max_length=200)
    status: str = Field(max_length=20, description="active, dormant or disrupted")
    source_agency: str = SLUG
    crime_types: list[str] = Field(default_factory=list, max_length=50)
    countries: list[str] = Field(default_factory=list, max_length=50)
    notes: str = Field("", max_length=4000)


class MembershipOut(Schema):
    id: int
    group_id: int
    person_id: int
    category: str = Field(description="at_risk, victim, suspect_or_offender, witness, associate")
    role: str = Field(description="Only for a suspect or offender; empty for everyone else")
    started_on: date | None
    ended_on: date | None
    source_agency: str
    confidence: str
    note: str


class MembershipIn(Schema):
    group_id: int = ID
    person_id: int = ID
    category: str = Field(max_length=30)
    role: str = Field("", max_length=20)
    started_on: date | None = None
    ended_on: date | None = None
    source_agency: str = SLUG
    confidence: str = Field(max_length=10, description="high, medium or low")
    note: str = Field("", max_length=2000)


class RelationshipOut(Schema):
    id: int
    person_a_id: int = Field(description="The tie reads from this person")
    person_b_id: int
    tie_type: str
    started_on: date | None
    ended_on: date | None
    source_agency: str
    confidence: str
    weight: float
    note: str


class RelationshipIn(Schema):
    first_person_id: int = ID
    second_person_id: int = ID
    tie_type: str = Field(
        max_length=30, description="Read from the first person: family_parent means its parent"
    )
    started_on: date | None = None
    ended_on: date | None = None
    source_agency: str = SLUG
    confidence: str = Field(max_length=10, description="high, medium or low")
    note: str = Field("", max_length=2000)
    weight: float = Field(1.0, gt=0, le=1_000_000)


class NetworkPersonOut(Schema):
    id: int
    name: str = Field(
        description="The person's name where the caller may read it, otherwise a stable "
        "pseudonym such as 'Person K7F3A2CQ' (docs/network-analysis.md, who sees what)"
    )


class PathStepOut(Schema):
    from_person: NetworkPersonOut
    to_person: NetworkPersonOut
    relationship_id: int
    tie_type: str = Field(description="Read from from_person")
    text: str


class MemberOut(Schema):
    person: NetworkPersonOut
    roles: list[str]


class SuggestionOut(Schema):
    factor_id: str
    guide_paragraph: str
    rule: str
    text: str
    path: list[PathStepOut]


class ExposureOut(Schema):
    person: NetworkPersonOut
    is_member: bool
    ties_to_nearest_member: int | None = Field(description="Fewest ties; null when none")
    nearest_members: list[MemberOut]
    path: list[PathStepOut]
    suggestions: list[SuggestionOut]
    notice: str = Field(description="Network proximity is a reason to offer support, not a score")


class PeripheryOut(ExposureOut):
    open_case: bool


class ListParams(Schema):
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


class LinkParams(ListParams):
    group_id: int | None = Field(None, ge=1, le=2**63 - 1)
    person_id: int | None = Field(None, ge=1, le=2**63 - 1)


class TieParams(ListParams):
    person_id: int | None = Field(None, ge=1, le=2**63 - 1)


class NamingPurposeIn(Schema):
    text: str = Field(max_length=1000, description="Why the caller needs to see names")
    days: int = Field(description="How long the purpose lasts, from 1 to 14 days")
    covers_children: bool = Field(description="Whether it covers the names of children too")


class NamingPurposeOut(Schema):
    id: int
    text: str
    covers_children: bool
    stated_at: datetime
    expires_at: datetime


class PeripheryParams(Schema):
    open_case: bool = Field(False, description="Include people with an open case")
    limit: int = Field(100, ge=1, le=500)


def _manager(request: HttpRequest) -> User:
    user = caller(request)
    require_capability(user, Capability.MANAGE_NETWORKS)
    return user


def _agency(slug: str) -> int:
    agency = Agency.objects.filter(slug=slug).first()
    if agency is None:
        raise ValidationError({"source_agency": f"No agency '{slug}'"})
    return agency.pk


def _person(user: User, person_id: int, field: str) -> Person:
    person = linkable_person(user, person_id)
    if person is None:
        raise ValidationError({field: not_linkable(person_id)})
    return person


def _group_out(group: OrganisedCrimeGroup) -> GroupOut:
    return GroupOut(
        id=group.pk,
        reference=group.reference,
        name=group.name,
        status=group.status,
        crime_types=list(group.crime_types),
        countries=list(group.countries),
        source_agency=group.source_agency.slug,
        notes=group.notes,
        created_at=group.created_at,
        updated_at=group.updated_at,
    )


def _link_out(link: GroupMembership) -> MembershipOut:
    return MembershipOut(
        id=link.pk,
        group_id=link.group_id,
        person_id=link.person_id,
        category=link.category,
        role=link.role,
        started_on=link.started_on,
        ended_on=link.ended_on,
        source_agency=link.source_agency.slug,
        confidence=link.confidence,
        note=link.note,
    )


def _tie_out(tie: Relationship) -> RelationshipOut:
    return RelationshipOut(
        id=tie.pk,
        person_a_id=tie.person_a_id,
        person_b_id=tie.person_b_id,
        tie_type=tie.tie_type,
        started_on=tie.started_on,
        ended_on=tie.ended_on,
        source_agency=tie.source_agency.slug,
        confidence=tie.confidence,
        weight=tie.weight,
        note=tie.note,
    )


def _person_out(ref: PersonRef) -> NetworkPersonOut:
    return NetworkPersonOut(id=ref.id, name=ref.name)


def _steps_out(steps: tuple[ExplainedStep, ...]) -> list[PathStepOut]:
    return [
        PathStepOut(
            from_person=_person_out(step.from_person),
            to_person=_person_out(step.to_person),
            relationship_id=step.relationship.pk,
            tie_type=step.tie_type.value,
            text=step.text,
        )
        for step in steps
    ]


def _exposure_fields(explained: ExplainedExposure) -> dict[str, object]:
    return {
        "person": _person_out(explained.person),
        "is_member": explained.is_member,
        "ties_to_nearest_member": explained.hops if explained.hops >= 0 else None,
        "nearest_members": [
            MemberOut(person=_person_out(m.person), roles=list(m.roles)) for m in explained.nearest
        ],
        "path": _steps_out(explained.path),
        "suggestions": [
            SuggestionOut(
                factor_id=s.factor_id,
                guide_paragraph=s.guide_paragraph,
                rule=s.rule,
                text=s.text,
                path=_steps_out(s.steps),
            )
            for s in explained.suggestions
        ],
        "notice": NOT_A_SCORE,
    }


def _named(explained: ExplainedExposure) -> list[AuditObject]:
    """Everyone an explanation names, for the access log."""
    steps = [*explained.path, *(step for s in explained.suggestions for step in s.steps)]
    ids = {explained.person.id, *(m.person.id for m in explained.nearest)}
    ids |= {step.to_person.id for step in steps}
    return [AuditObject("person", pid, person_id=pid) for pid in sorted(ids)]


# --- groups ---------------------------------------------------------------------------------------


@router.get("/groups", response={200: list[GroupOut], 403: ErrorOut})
def list_groups(request: HttpRequest, params: Query[ListParams]) -> list[GroupOut]:
    groups = groups_visible_to(_manager(request)).select_related("source_agency")
    return [_group_out(g) for g in groups[params.offset : params.offset + params.limit]]


@router.post("/groups", response={201: GroupOut, 403: ErrorOut, 422: ValidationErrorOut})
def create_group(request: HttpRequest, payload: GroupIn) -> Status[GroupOut]:
    user = _manager(request)
    details = GroupDetails(
        reference=payload.reference,
        name=payload.name,
        status=payload.status,
        source_agency_id=_agency(payload.source_agency),
        crime_types=tuple(payload.crime_types),
        countries=tuple(payload.countries),
        notes=payload.notes,
    )
    return Status(201, _group_out(group_create(actor=user, details=details)))


@router.get("/groups/{group_id}", response={200: GroupOut, 403: ErrorOut, 404: ErrorOut})
def get_group(request: HttpRequest, group_id: int) -> GroupOut:
    user = _manager(request)
    return _group_out(
        get_object_or_404(groups_visible_to(user).select_related("source_agency"), pk=group_id)
    )


# --- links to groups ------------------------------------------------------------------------------


@router.get("/memberships", response={200: list[MembershipOut], 403: ErrorOut})
def list_memberships(request: HttpRequest, params: Query[LinkParams]) -> list[MembershipOut]:
    user = _manager(request)
    links = memberships_visible_to(user).select_related("source_agency").order_by("pk")
    if params.group_id is not None:
        links = links.filter(group_id=params.group_id)
    if params.person_id is not None:
        links = links.filter(person_id=params.person_id)
    page = list(links[params.offset : params.offset + params.limit])
    audit_consultation(actor=user, subjects=page, purpose=consultation_purpose(user))
    return [_link_out(link) for link in page]


@router.post(
    "/memberships",
    response={201: MembershipOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
)
def create_membership(request: HttpRequest, payload: MembershipIn) -> Status[MembershipOut]:
    """Links a person to a group. Only a suspect or offender has a `role`."""
    user = _manager(request)
    group = get_object_or_404(groups_visible_to(user), pk=payload.group_id)
    details = MembershipDetails(
        category=payload.category,
        role=payload.role,
        started_on=payload.started_on,
        ended_on=payload.ended_on,
        source_agency_id=_agency(payload.source_agency),
        confidence=payload.confidence,
        note=payload.note,
    )
    person = _person(user, payload.person_id, "person_id")
    link = membership_add(group=group, person=person, actor=user, details=details)
    return Status(201, _link_out(link))


@router.get(
    "/memberships/{membership_id}", response={200: MembershipOut, 403: ErrorOut, 404: ErrorOut}
)
def get_membership(request: HttpRequest, membership_id: int) -> MembershipOut:
    user = _manager(request)
    links = memberships_visible_to(user).select_related("source_agency")
    link = get_object_or_404(links, pk=membership_id)
    audit_consultation(actor=user, subjects=[link], purpose=consultation_purpose(user))
    return _link_out(link)


# --- ties -----------------------------------------------------------------------------------------


@router.get("/relationships", response={200: list[RelationshipOut], 403: ErrorOut})
def list_relationships(request: HttpRequest, params: Query[TieParams]) -> list[RelationshipOut]:
    user = _manager(request)
    ties = relationships_visible_to(user).select_related("source_agency").order_by("pk")
    if params.person_id is not None:
        ties = ties.filter(Q(person_a_id=params.person_id) | Q(person_b_id=params.person_id))
    page = list(ties[params.offset : params.offset + params.limit])
    people = {pid for tie in page for pid in (tie.person_a_id, tie.person_b_id)}
    audit_consultation(
        actor=user,
        subjects=[AuditObject("person", pid, person_id=pid) for pid in sorted(people)],
        purpose=consultation_purpose(user),
    )
    return [_tie_out(tie) for tie in page]


@router.post(
    "/relationships", response={201: RelationshipOut, 403: ErrorOut, 422: ValidationErrorOut}
)
def create_relationship(request: HttpRequest, payload: RelationshipIn) -> Status[RelationshipOut]:
    """Records that the first person is `tie_type` to the second."""
    user = _manager(request)
    details = RelationshipDetails(
        tie_type=payload.tie_type,
        started_on=payload.started_on,
        ended_on=payload.ended_on,
        source_agency_id=_agency(payload.source_agency),
        confidence=payload.confidence,
        note=payload.note,
        weight=payload.weight,
    )
    first = _person(user, payload.first_person_id, "first_person_id")
    second = _person(user, payload.second_person_id, "second_person_id")
    tie = relationship_add(first=first, second=second, actor=user, details=details)
    return Status(201, _tie_out(tie))


@router.get(
    "/relationships/{relationship_id}",
    response={200: RelationshipOut, 403: ErrorOut, 404: ErrorOut},
)
def get_relationship(request: HttpRequest, relationship_id: int) -> RelationshipOut:
    user = _manager(request)
    ties = relationships_visible_to(user).select_related("source_agency")
    tie = get_object_or_404(ties, pk=relationship_id)
    audit_consultation(
        actor=user,
        subjects=[
            AuditObject("person", p, person_id=p) for p in (tie.person_a_id, tie.person_b_id)
        ],
        purpose=consultation_purpose(user),
    )
    return _tie_out(tie)


# --- exposure and the periphery -------------------------------------------------------------------


@router.get(
    "/people/{person_id}/exposure", response={200: ExposureOut, 403: ErrorOut, 404: ErrorOut}
)
def get_exposure(request: HttpRequest, person_id: int) -> ExposureOut:
    """Today's shortest paths from the person to members of groups that are not disrupted, the
    people on them, and the Networks factors their own ties may be evidence for."""
    user = _manager(request)
    person = get_object_or_404(network_people_visible_to(user), pk=person_id)
    explained = person_exposure(user=user, person=person)
    audit_consultation(actor=user, subjects=_named(explained), purpose=consultation_purpose(user))
    return ExposureOut(**_exposure_fields(explained))  # type: ignore[arg-type]


@router.get("/periphery", response={200: list[PeripheryOut], 403: ErrorOut})
def list_periphery(request: HttpRequest, params: Query[PeripheryParams]) -> list[PeripheryOut]:
    """People in no group but within two ties of a member, nearest first; by default only those
    with no open case."""
    user = _manager(request)
    rows, _ = periphery_rows(user=user, no_open_case=not params.open_case, limit=params.limit)
    audit_consultation(
        actor=user,
        subjects=[subject for row in rows for subject in _named(row.explained)],
        purpose=consultation_purpose(user),
    )
    return [
        PeripheryOut(**_exposure_fields(row.explained), open_case=row.open_case)  # type: ignore[arg-type]
        for row in rows
    ]


# --- a stated purpose to read names ---------------------------------------------------------------


def _purpose_out(purpose: NamingPurpose) -> NamingPurposeOut:
    return NamingPurposeOut(
        id=purpose.pk,
        text=purpose.text,
        covers_children=purpose.covers_children,
        stated_at=purpose.stated_at,
        expires_at=purpose.expires_at,
    )


@router.get("/purposes", response={200: list[NamingPurposeOut], 403: ErrorOut})
def list_purposes(request: HttpRequest) -> list[NamingPurposeOut]:
    """The caller's own purposes in force: while one is, they read names."""
    return [_purpose_out(p) for p in naming_purposes_in_force(_manager(request))]


@router.post("/purposes", response={201: NamingPurposeOut, 403: ErrorOut, 422: ValidationErrorOut})
def state_purpose(request: HttpRequest, payload: NamingPurposeIn) -> Status[NamingPurposeOut]:
    """An analyst states why they need names and for how long; logged in the access log."""
    purpose = naming_purpose_state(
        actor=_manager(request),
        text=payload.text,
        days=payload.days,
        covers_children=payload.covers_children,
    )
    return Status(201, _purpose_out(purpose))
