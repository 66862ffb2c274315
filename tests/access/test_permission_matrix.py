"""Acceptance: a practitioner sees nothing but the status of their own referrals.

"A practitioner cannot see any person or referral other than their own referrals' status — in
the pages and in the API (tests prove it for every URL that takes an object id)."

Every URL pattern of the project is found by walking the resolver (the django-ninja API's
patterns under /api/v1/ included). A route that takes a path parameter must have an entry in
ID_ROUTES saying how to build it with real object ids; a new route without one fails
`test_object_route_access` naming it, so no route escapes the matrix. Each route is called by
every persona for: each persona's own referral, another agency's referral, the people and the
assessments behind them, and an id that does not exist. Refusals (403 or 404, never 200 and
never 500) must change nothing and must not reveal whether the object exists.
"""

import datetime
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from offramp.accounts.models import ApiToken, Role, User
from offramp.api.schemas import ReferralOut, ReferralStatusOut
from offramp.assessments.framework import current_framework
from offramp.assessments.models import Assessment, FactorJudgement
from offramp.assessments.services import assessment_start
from offramp.audit.models import Event
from offramp.cases.models import (
    AgendaItem,
    Case,
    CaseLink,
    CaseReview,
    ConsentRecord,
    Contribution,
    Panel,
    PanelAction,
    PanelMeeting,
    Placement,
    ReviewKind,
)
from offramp.cases.models import Route as CaseRoute
from offramp.cases.services import (
    PlacementRequest,
    RouteRequest,
    action_set,
    agenda_add,
    case_route,
    meeting_attendance_record,
    panel_meeting_schedule,
    placement_add,
)
from offramp.interventions.models import EvidenceStrength, Programme
from offramp.people.models import Person, PersonCategory
from offramp.people.services import PersonDetails, person_create
from offramp.referrals.models import ClosureReason, Referral
from offramp.referrals.services import referral_create, referral_link_to_person
from offramp.sharing.models import Disclosure, PublicInterestDecision
from tests.conftest import referral_request, signed_in

PERSONAS = (
    "coordinator",
    "school_dsl",
    "other_dsl",
    "health_panel_member",
    "analyst",
    "auditor",
    "administrator",
)
NO_SUCH_ID = 987_654_321
HEALTH_CONCERN = "Missed three clinic appointments; says he is holding something for a cousin."
REFUSED = (403, 404)
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


# --- the objects every route is tried against ------------------------------------------------


@dataclass
class CaseWorld:
    """Both schools' referrals routed to the panel; only school_dsl's is on its agenda, so the
    health panel member (whose agency sits on the panel) sees that case and not the other."""

    cases: dict[str, Case]  # keyed by the persona whose referral it follows
    panel: Panel
    meeting: PanelMeeting
    item: AgendaItem  # school_dsl's case on the meeting's agenda
    placement: Placement  # in school_dsl's case's plan
    review: CaseReview  # of school_dsl's case
    actions: dict[str, PanelAction]  # on school_dsl's case, keyed by the persona who owns it


@dataclass
class World:
    users: dict[str, User]
    referrals: dict[str, Referral]  # keyed by the persona who made it
    assessments: dict[str, Assessment]  # keyed by the persona whose referral it follows
    casework: CaseWorld
    # A record the police made and have shared with nobody: every route answers for it as
    # for an id that does not exist (the "hidden record" pattern of the security trial).
    hidden: Person
    hidden_assessment: Assessment

    def person(self, owner: str) -> Person:
        return self.referrals[owner].person


@pytest.fixture
def world(
    coordinator: User,
    school_dsl: User,
    other_dsl: User,
    health_panel_member: User,
    analyst: User,
    auditor: User,
    administrator: User,
    dsl_referral: Referral,
    other_referral: Referral,
) -> World:
    health_referral = referral_create(
        referrer=health_panel_member,
        request=referral_request(
            given_name="Jayden", family_name="Fenwick", concern=HEALTH_CONCERN, factor_ids=()
        ),
    )
    users = {
        "coordinator": coordinator,
        "school_dsl": school_dsl,
        "other_dsl": other_dsl,
        "health_panel_member": health_panel_member,
        "analyst": analyst,
        "auditor": auditor,
        "administrator": administrator,
    }
    referrals = {
        "school_dsl": dsl_referral,
        "other_dsl": other_referral,
        "health_panel_member": health_referral,
    }
    assessments = {
        owner: assessment_start(
            person=referrals[owner].person, actor=coordinator, referral=referrals[owner]
        )
        for owner in ("school_dsl", "other_dsl")
    }
    police = User.objects.create_user(
        username="matrix-police-coordinator", agency=analyst.agency, role=Role.COORDINATOR
    )
    hidden = person_create(
        actor=police,
        details=PersonDetails(
            given_name="Kestrel",
            family_name="Vantongeren",
            date_of_birth=datetime.date(1994, 2, 8),
        ),
    )
    return World(
        users=users,
        referrals=referrals,
        assessments=assessments,
        casework=build_casework(users, referrals),
        hidden=hidden,
        hidden_assessment=assessment_start(person=hidden, actor=police),
    )


def build_casework(users: dict[str, User], referrals: dict[str, Referral]) -> CaseWorld:
    coordinator, health = users["coordinator"], users["health_panel_member"]
    panel = Panel.objects.create(name="Matrix panel")
    panel.member_agencies.set([coordinator.agency, health.agency])
    meeting = panel_meeting_schedule(panel=panel, meets_on=timezone.localdate(), actor=coordinator)
    meeting_attendance_record(
        meeting=meeting, agencies=[coordinator.agency, health.agency], actor=coordinator
    )
    cases = {
        owner: case_route(
            referral=referrals[owner],
            request=RouteRequest(
                route=CaseRoute.PANEL,
                reason="Matrix",
                person_category=PersonCategory.AT_RISK,
                panel=panel,
            ),
            actor=coordinator,
        )
        for owner in ("school_dsl", "other_dsl")
    }
    item = agenda_add(meeting=meeting, case=cases["school_dsl"], actor=coordinator)
    programme = Programme.objects.create(
        slug="matrix-programme",
        name="Matrix programme",
        description="A programme for the matrix.",
        delivered_by="Matrix",
        kind="mentoring",
        factor_ids=["gang_involvement"],
        evidence_strength=EvidenceStrength.EMERGING,
    )
    day = timezone.localdate()
    placement = placement_add(
        case=cases["school_dsl"],
        request=PlacementRequest(
            programme=programme, provider="Matrix", starts_on=day, expected_end_on=day
        ),
        actor=coordinator,
    )
    review = CaseReview.objects.create(
        case=cases["school_dsl"], kind=ReviewKind.SCHEDULED, due_on=day
    )
    actions = {
        persona: action_set(
            item=item,
            description="Matrix action",
            owner=users[persona],
            due_on=day,
            actor=coordinator,
        )
        for persona in ("coordinator", "health_panel_member")
    }
    return CaseWorld(
        cases=cases,
        panel=panel,
        meeting=meeting,
        item=item,
        placement=placement,
        review=review,
        actions=actions,
    )


# --- how to build each route with real ids ---------------------------------------------------


@dataclass(frozen=True)
class Target:
    label: str
    kwargs: dict[str, object]
    exists: bool = True
    owner: str | None = None  # who made the referral: they may see its status
    # Who else is let in to this object only (a panel member to a case on their agenda).
    also_allowed: tuple[str, ...] = ()
    # Another agency's record never shared: refused to all as if it did not exist.
    hidden: bool = False


@dataclass(frozen=True)
class RouteSpec:
    targets: Callable[[World], list[Target]]
    # Pages only: the methods the view answers. API methods come from the OpenAPI document.
    page_methods: tuple[str, ...] = ()
    body: Callable[[World], dict[str, object]] | None = None
    # The referrer may see this route for their own referral, reduced to its status.
    status_only: bool = False
    # Who is let in to every object: the coordinator works the cases, the auditor reads logs.
    allowed: tuple[str, ...] = ("coordinator",)
    # The auditor's oversight (a record's access log) reaches records no agency shared.
    sees_hidden: bool = False


def by_referral(param: str) -> Callable[[World], list[Target]]:
    def build(world: World) -> list[Target]:
        return [
            *(
                Target(f"{owner}'s referral", {param: referral.pk}, owner=owner)
                for owner, referral in world.referrals.items()
            ),
            Target("no such referral", {param: NO_SUCH_ID}, exists=False),
        ]

    return build


def by_person(param: str, *, panel_member_sees: bool = False) -> Callable[[World], list[Target]]:
    """The people behind the referrals; school_dsl's is on the health panel's agenda."""

    def build(world: World) -> list[Target]:
        return [
            *(
                Target(
                    f"the person behind {owner}'s referral",
                    {param: world.person(owner).pk},
                    also_allowed=PANEL_MEMBER
                    if panel_member_sees and owner == "school_dsl"
                    else (),
                )
                for owner in world.referrals
            ),
            Target("the police's unshared record", {param: world.hidden.pk}, hidden=True),
            Target("no such person", {param: NO_SUCH_ID}, exists=False),
        ]

    return build


def by_assessment(
    param: str, *, panel_member_sees: bool = False, **extra: Callable[[], object]
) -> Callable[[World], list[Target]]:
    def build(world: World) -> list[Target]:
        fixed = {name: make() for name, make in extra.items()}
        return [
            *(
                Target(
                    f"the assessment after {owner}'s referral",
                    {param: a.pk, **fixed},
                    also_allowed=PANEL_MEMBER
                    if panel_member_sees and owner == "school_dsl"
                    else (),
                )
                for owner, a in world.assessments.items()
            ),
            Target(
                "the police's assessment of their unshared record",
                {param: world.hidden_assessment.pk, **fixed},
                hidden=True,
            ),
            Target("no such assessment", {param: NO_SUCH_ID, **fixed}, exists=False),
        ]

    return build


def referral_and_person(world: World) -> list[Target]:
    """Linking a referral to a person: each pairing a referrer might try."""
    pairs = [
        ("school_dsl", "other_dsl"),
        ("other_dsl", "school_dsl"),
        ("health_panel_member", "school_dsl"),
    ]
    return [
        *(
            Target(
                f"{owner}'s referral linked to the person behind {other}'s",
                {"pk": world.referrals[owner].pk, "person_pk": world.person(other).pk},
            )
            for owner, other in pairs
        ),
        Target(
            "no such referral or person", {"pk": NO_SUCH_ID, "person_pk": NO_SUCH_ID}, exists=False
        ),
    ]


def by_review(param: str) -> Callable[[World], list[Target]]:
    """Retention reviews of the people behind two referrals (made on the spot: the world has
    none, since its records are years from being due)."""

    def build(world: World) -> list[Target]:
        from offramp.retention.models import RetentionReview

        people = {
            "the person behind school_dsl's referral": world.person("school_dsl"),
            "the person behind other_dsl's referral": world.person("other_dsl"),
            "the police's unshared record": world.hidden,
        }
        targets = []
        for label, person in people.items():
            review = RetentionReview.objects.filter(subject_id=person.pk).first()
            if review is None:
                review = RetentionReview.objects.create(
                    person=person,
                    subject_id=person.pk,
                    due_on=timezone.localdate(),
                    rule_id="any_record",
                    schedule_version="test",
                )
            hidden = person == world.hidden
            targets.append(Target(f"the review of {label}", {param: review.pk}, hidden=hidden))
        return [*targets, Target("no such review", {param: NO_SUCH_ID}, exists=False)]

    return build


RETAIN = {"reason": "Still needed", "until_0": "1", "until_1": "1", "until_2": "2030"}


# --- cases: the health panel member is let in to what is on their panel's agenda ---------------

PANEL_MEMBER = ("health_panel_member",)


def by_case(param: str, *, panel_member_sees: bool = False) -> Callable[[World], list[Target]]:
    def build(world: World) -> list[Target]:
        cases = world.casework.cases
        return [
            Target(
                "school_dsl's case, on the panel's agenda",
                {param: cases["school_dsl"].pk},
                also_allowed=PANEL_MEMBER if panel_member_sees else (),
            ),
            Target("other_dsl's case, on no agenda", {param: cases["other_dsl"].pk}),
            Target("no such case", {param: NO_SUCH_ID}, exists=False),
        ]

    return build


def by_agenda_item(
    param: str, *, panel_member_sees: bool = False
) -> Callable[[World], list[Target]]:
    def build(world: World) -> list[Target]:
        return [
            Target(
                "school_dsl's case on the agenda",
                {param: world.casework.item.pk},
                also_allowed=PANEL_MEMBER if panel_member_sees else (),
            ),
            Target("no such agenda item", {param: NO_SUCH_ID}, exists=False),
        ]

    return build


def by_casework(
    param: str,
    label: str,
    pick: Callable[[CaseWorld], object],
    *,
    panel_member_sees: bool = False,
) -> Callable[[World], list[Target]]:
    """One object of the case world that only the coordinator may reach (and, where the panel
    member reads it, the health panel member)."""

    def build(world: World) -> list[Target]:
        found = pick(world.casework)
        return [
            Target(
                label,
                {param: found.pk},  # type: ignore[attr-defined]
                also_allowed=PANEL_MEMBER if panel_member_sees else (),
            ),
            Target(f"no such {label}", {param: NO_SUCH_ID}, exists=False),
        ]

    return build


def by_action(param: str) -> Callable[[World], list[Target]]:
    """Its owner marks an action done; the coordinator may mark any."""

    def build(world: World) -> list[Target]:
        actions = world.casework.actions
        return [
            Target(
                "the health panel member's action",
                {param: actions["health_panel_member"].pk},
                also_allowed=PANEL_MEMBER,
            ),
            Target("the coordinator's action", {param: actions["coordinator"].pk}),
            Target("no such action", {param: NO_SUCH_ID}, exists=False),
        ]

    return build


def dated(name: str) -> dict[str, object]:
    day = timezone.localdate()
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


def route_form(world: World) -> dict[str, object]:
    return {
        "route": CaseRoute.PANEL,
        "reason": "Matrix",
        "person_category": PersonCategory.AT_RISK,
        "panel": world.casework.panel.pk,
    }


def placement_form(world: World) -> dict[str, object]:
    return {
        "programme": world.casework.placement.programme_id,
        "provider": "Matrix",
        **dated("starts_on"),
        **dated("expected_end_on"),
    }


def action_form(world: World) -> dict[str, object]:
    return {
        "description": "Another matrix action",
        "owner": world.users["coordinator"].pk,
        **dated("due_on"),
    }


def first_category() -> str:
    return current_framework().categories[0].id


def first_factor() -> str:
    return current_framework().factors[0].id


def category_form(world: World) -> dict[str, object]:
    factors = current_framework().factors_in(first_category())
    return {f"{factor.id}-judgement": "absent" for factor in factors}


SUMMARY = {"summary": "Nothing found that worries the panel.", "overall_concern": "no_concern"}


def public_interest_form(world: World) -> dict[str, object]:
    return {
        "from_agency": world.users["health_panel_member"].agency_id,
        "to_agency": "",
        "data_categories": ["health"],
        "description": "Clinic attendance and the safeguarding nurse's concerns.",
        "reason": "Risk of serious harm from exploitation outweighs his privacy.",
    }


# --- exports: requesters see and download their own; approvers decide other people's ---------


def _matrix_exports(world: World) -> dict[str, object]:
    """A ready export each for the coordinator and school_dsl; an export waiting for approval
    by a second coordinator (no persona) and one by the coordinator. Made once per test."""
    from offramp.accounts.models import Role
    from offramp.exports.models import ExportRecord, ExportStatus
    from offramp.exports.referral_list import KIND
    from offramp.exports.services import export_request

    made: dict[str, object] = {
        e.purpose: e for e in ExportRecord.objects.filter(purpose__startswith="Matrix ")
    }
    if made:
        return made
    for owner in ("coordinator", "school_dsl"):
        made[f"Matrix {owner}"] = export_request(
            user=world.users[owner], kind=KIND, purpose=f"Matrix {owner}"
        )
    coordinator = world.users["coordinator"]
    second = User.objects.create_user(
        username="matrix-second-coordinator", agency=coordinator.agency, role=Role.COORDINATOR
    )
    waiting = ((second, "Matrix waiting"), (coordinator, "Matrix own waiting"))
    for number, (requester, purpose) in enumerate(waiting, start=1):
        made[purpose] = ExportRecord.objects.create(
            reference=f"EX-MATRIX-{number}",
            kind=KIND,
            purpose=purpose,
            requested_by=requester,
            agency=requester.agency,
            row_count=5000,
            status=ExportStatus.AWAITING_APPROVAL,
            justification="Every referral ever made",
        )
    return made


APPROVERS = ("coordinator", "auditor")


def by_export(param: str, *, approvers_see_waiting: bool) -> Callable[[World], list[Target]]:
    """Each export is its requester's; approvers also see one waiting for a decision."""

    def build(world: World) -> list[Target]:
        made = _matrix_exports(world)
        pk = {purpose: export.pk for purpose, export in made.items()}  # type: ignore[attr-defined]
        return [
            Target(
                "the coordinator's export",
                {param: pk["Matrix coordinator"]},
                also_allowed=("coordinator",),
            ),
            Target(
                "school_dsl's export",
                {param: pk["Matrix school_dsl"]},
                also_allowed=("school_dsl",),
            ),
            Target(
                "a second coordinator's export waiting for approval",
                {param: pk["Matrix waiting"]},
                also_allowed=APPROVERS if approvers_see_waiting else (),
            ),
            Target("no such export", {param: NO_SUCH_ID}, exists=False),
        ]

    return build


def by_waiting_export(param: str) -> Callable[[World], list[Target]]:
    """Approvers decide other people's exports, never their own."""

    def build(world: World) -> list[Target]:
        made = _matrix_exports(world)
        pk = {purpose: export.pk for purpose, export in made.items()}  # type: ignore[attr-defined]
        return [
            Target(
                "a second coordinator's export waiting for approval",
                {param: pk["Matrix waiting"]},
                also_allowed=APPROVERS,
            ),
            Target(
                "the coordinator's own export waiting for approval",
                {param: pk["Matrix own waiting"]},
                also_allowed=("auditor",),
            ),
            Target("school_dsl's ready export", {param: pk["Matrix school_dsl"]}),
            Target("no such export", {param: NO_SUCH_ID}, exists=False),
        ]

    return build


EXPORT_PURPOSE = {"purpose": "Matrix subject access request"}
DECIDE = {"decision": "approve", "reason": "Matrix"}


def by_programme(param: str) -> Callable[[World], list[Target]]:
    """A national programme (installed after migrate) and a local one; they are not personal
    data, so the routes that read them are open to every persona."""

    def build(world: World) -> list[Target]:
        local, _ = Programme.objects.get_or_create(
            slug="local-matrix-scheme",
            defaults={
                "name": "Matrix scheme",
                "description": "A local scheme for the matrix.",
                "delivered_by": "Matrix charity",
                "kind": "mentoring",
                "factor_ids": ["associates"],
                "evidence_strength": EvidenceStrength.EMERGING,
                "capacity": 5,
            },
        )
        national = Programme.objects.filter(national=True).order_by("slug").first()
        assert national is not None, "the national catalogue is installed after migrate"
        return [
            Target("a national programme", {param: national.pk}),
            Target("a local programme", {param: local.pk}),
            Target("no such programme", {param: NO_SUCH_ID}, exists=False),
        ]

    return build


# Valid for a local programme; a national one reads only its provider and capacity.
PROGRAMME_FORM = {
    "name": "Matrix scheme",
    "description": "A local scheme for the matrix.",
    "delivered_by": "Matrix charity",
    "kind": "mentoring",
    "factor_ids": ["associates"],
    "evidence_strength": "emerging",
    "capacity": "6",
}
RETIRE_PROGRAMME = {"reason": "Matrix"}


# --- networks: analysts and coordinators only; each export is its requester's ---------------------

NETWORK_MANAGERS = ("coordinator", "analyst")


def _matrix_network(world: World) -> dict[str, Any]:
    """A group with a suspect linked to it, tied to the person behind school_dsl's referral, and
    a network export each by the analyst and the coordinator. Made once per test."""
    from django.db.models import Q

    from offramp.exports.models import ExportRecord
    from offramp.exports.registry import ExportInput
    from offramp.exports.services import export_request
    from offramp.networks.models import OrganisedCrimeGroup, Relationship
    from offramp.networks.services import (
        GroupDetails,
        MembershipDetails,
        RelationshipDetails,
        group_create,
        membership_add,
        relationship_add,
    )

    group = OrganisedCrimeGroup.objects.filter(reference="OCG-MATRIX").first()
    if group is not None:
        link = group.memberships.get()
        return {
            "group": group,
            "link": link,
            "tie": Relationship.objects.get(Q(person_a=link.person) | Q(person_b=link.person)),
            "exports": {
                e.requested_by.username: e for e in ExportRecord.objects.filter(kind="network")
            },
        }
    analyst = world.users["analyst"]
    police = analyst.agency_id
    group = group_create(
        actor=analyst,
        details=GroupDetails(
            reference="OCG-MATRIX", name="Matrix group", status="active", source_agency_id=police
        ),
    )
    member = Person.objects.create(
        given_name="Matrix",
        family_name="Member",
        date_of_birth=timezone.localdate().replace(year=1990),
        created_by_agency_id=police,
    )
    link = membership_add(
        group=group,
        person=member,
        actor=analyst,
        details=MembershipDetails(
            category=PersonCategory.SUSPECT_OR_OFFENDER,
            role="core",
            source_agency_id=police,
            confidence="high",
        ),
    )
    tie = relationship_add(
        first=member,
        second=world.person("school_dsl"),
        actor=analyst,
        details=RelationshipDetails(
            tie_type="associate_peer", source_agency_id=police, confidence="medium"
        ),
    )
    exports = {
        owner: export_request(
            user=world.users[owner],
            kind="network",
            purpose=f"Matrix network {owner}",
            request=ExportInput(parameters={"group_id": group.pk}),
        )
        for owner in NETWORK_MANAGERS
    }
    return {"group": group, "link": link, "tie": tie, "exports": exports}


def by_network(param: str, key: str, label: str) -> Callable[[World], list[Target]]:
    """One network record (the group, the link or the tie), for analysts and coordinators."""

    def build(world: World) -> list[Target]:
        found = _matrix_network(world)[key]
        return [
            Target(label, {param: found.pk}),
            Target(f"no such {label}", {param: NO_SUCH_ID}, exists=False),
        ]

    return build


def by_network_person(param: str) -> Callable[[World], list[Target]]:
    """People in the network are named to analysts and coordinators; nobody else is."""

    def build(world: World) -> list[Target]:
        _matrix_network(world)
        return [
            Target(
                "the person behind school_dsl's referral, tied to a group member",
                {param: world.person("school_dsl").pk},
                also_allowed=NETWORK_MANAGERS,
            ),
            Target(
                "the person behind other_dsl's referral, in no network",
                {param: world.person("other_dsl").pk},
            ),
            Target("no such person", {param: NO_SUCH_ID}, exists=False),
        ]

    return build


def by_candidate(param: str) -> Callable[[World], list[Target]]:
    """A person screening found evidence about (police records, shared with the coordinator's
    agency), and the person behind school_dsl's referral, who has none: coordinators only."""

    def build(world: World) -> list[Target]:
        from offramp.intake.models import ImportBatch, Offence, SourceRecord
        from offramp.screening.models import CandidateEvidence
        from offramp.screening.services import run_screening
        from offramp.sharing.models import DataCategory, DataSharingAgreement

        candidate = Person.objects.filter(given_name="Matrix", family_name="Candidate").first()
        if candidate is None:
            analyst, coordinator = world.users["analyst"], world.users["coordinator"]
            police, council = analyst.agency, coordinator.agency
            assert police is not None and council is not None
            candidate = Person.objects.create(
                given_name="Matrix",
                family_name="Candidate",
                date_of_birth=timezone.localdate().replace(year=2000),
                created_by_agency=police,
            )
            agreement = DataSharingAgreement.objects.create(
                reference="HISP-MATRIX",
                title="Matrix protocol",
                data_categories=[DataCategory.IDENTITY],
                lawful_basis="crime_and_disorder_act_s115",
                purpose="Matrix",
                start_date=timezone.localdate().replace(year=2000),
                review_date=timezone.localdate().replace(year=2999),
            )
            agreement.parties.set([police, council])
            batch = ImportBatch.objects.create(
                kind="police_offences",
                agency=police,
                file_name="matrix.csv",
                file_sha256="0" * 64,
                extracted_on=timezone.localdate(),
                uploaded_by=analyst,
            )
            record = SourceRecord.objects.create(
                agency=police, batch=batch, record_key="matrix", person=candidate
            )
            for age in (14, 15, 16):
                Offence.objects.create(
                    batch=batch,
                    agency=police,
                    row=age,
                    fact_key=f"matrix-{age}",
                    record=record,
                    crime_reference="HM/14/0000001",
                    offence_date=timezone.localdate().replace(year=2014 + age - 14),
                    offence_category="theft",
                    outcome="caution",
                    age_at_offence=age,
                )
            run_screening(actor=coordinator)
            assert CandidateEvidence.objects.filter(person=candidate).exists()
        return [
            Target("a candidate screening found", {param: candidate.pk}),
            Target(
                "the person behind school_dsl's referral, with no evidence",
                {param: world.person("school_dsl").pk},
                exists=False,
            ),
            Target("no such person", {param: NO_SUCH_ID}, exists=False),
        ]

    return build


NOT_NOW: dict[str, object] = {"reason": "Matrix: already known to the youth offending service"}


def by_network_export(param: str) -> Callable[[World], list[Target]]:
    def build(world: World) -> list[Target]:
        exports = _matrix_network(world)["exports"]
        return [
            *(
                Target(f"the {owner}'s network export", {param: export.pk}, also_allowed=(owner,))
                for owner, export in sorted(exports.items())
            ),
            Target("no such export", {param: NO_SUCH_ID}, exists=False),
        ]

    return build


def network_group_form(world: World) -> dict[str, object]:
    police = world.users["analyst"].agency_id
    return {
        "reference": "OCG-MATRIX",
        "name": "Matrix",
        "status": "active",
        "source_agency": police,
    }


def network_link_form(world: World) -> dict[str, object]:
    return {
        "person": world.person("other_dsl").pk,
        "category": PersonCategory.VICTIM,
        "source_agency": world.users["analyst"].agency_id,
        "confidence": "low",
    }


def network_tie_form(world: World) -> dict[str, object]:
    return {
        "tie_type": "associate_peer",
        "source_agency": world.users["analyst"].agency_id,
        "confidence": "low",
    }


def dismiss_suggestion_form(world: World) -> dict[str, object]:
    return {"factor_id": "associates", "relationship": _matrix_network(world)["tie"].pk}


# --- the person index: reviewers (the coordinator) decide pairs, merge and un-merge -------------


def by_match_review(param: str) -> Callable[[World], list[Target]]:
    """A pair of the people behind two referrals, waiting for a reviewer."""

    def build(world: World) -> list[Target]:
        from offramp.index.frame import person_uid
        from offramp.index.models import MatchReview

        def pair(first: Person, second: Person) -> MatchReview:
            # Sides are sorted by their uid as text, as the model's constraint asks.
            one, other = sorted((first, second), key=lambda person: person_uid(person.pk))
            review, _ = MatchReview.objects.get_or_create(
                left_uid=person_uid(one.pk),
                right_uid=person_uid(other.pk),
                defaults={"left_person": one, "right_person": other, "match_probability": 0.7},
            )
            return review

        shared = pair(world.person("school_dsl"), world.person("other_dsl"))
        half_hidden = pair(world.person("other_dsl"), world.hidden)
        return [
            Target("a pair of two referrals' people", {param: shared.pk}),
            Target(
                "a pair with the police's unshared record", {param: half_hidden.pk}, hidden=True
            ),
            Target("no such review", {param: NO_SUCH_ID}, exists=False),
        ]

    return build


def by_known_check(param: str) -> Callable[[World], list[Target]]:
    """school_dsl's "is this person known?" check that may match other_dsl's referral's person,
    waiting for a coordinator to follow it up."""

    def build(world: World) -> list[Target]:
        from offramp.index.models import KnownCheck, KnownCheckMatch, KnownOutcome

        asker = world.users["school_dsl"]
        check = KnownCheck.objects.filter(asked_by=asker).first()
        if check is None:
            check = KnownCheck.objects.create(
                asked_by=asker,
                channel="page",
                purpose="referral check",
                outcome=KnownOutcome.REFERRED,
            )
            KnownCheckMatch.objects.create(known_check=check, person=world.person("other_dsl"))
        return [
            Target("a check to follow up", {param: check.pk}),
            Target("no such check", {param: NO_SUCH_ID}, exists=False),
        ]

    return build


def by_person_merge(param: str) -> Callable[[World], list[Target]]:
    """A record merged into the person behind school_dsl's referral."""

    def build(world: World) -> list[Target]:
        from offramp.index.models import PersonMerge

        target = world.person("school_dsl")
        merge = PersonMerge.objects.filter(target=target).first()
        if merge is None:
            source = Person.objects.create(
                given_name="Merged",
                family_name="Record",
                date_of_birth=target.date_of_birth,
                created_by_agency=target.created_by_agency,
                merged_into=target,
            )
            merge = PersonMerge.objects.create(
                target=target, source=source, merged_by=world.users["coordinator"]
            )
        hidden_merge = PersonMerge.objects.filter(target=world.hidden).first()
        if hidden_merge is None:
            hidden_merge = PersonMerge.objects.create(
                target=world.hidden,
                source=Person.objects.create(
                    given_name="Merged",
                    family_name="Elsewhere",
                    date_of_birth=world.hidden.date_of_birth,
                    created_by_agency=world.hidden.created_by_agency,
                    merged_into=world.hidden,
                ),
                merged_by=world.users["coordinator"],
            )
        return [
            Target("a merge into school_dsl's referral's person", {param: merge.pk}),
            Target(
                "a merge into the police's unshared record", {param: hidden_merge.pk}, hidden=True
            ),
            Target("no such merge", {param: NO_SUCH_ID}, exists=False),
        ]

    return build


def merge_form(world: World) -> dict[str, object]:
    return {"other": world.person("other_dsl").pk, "reason": "Matrix"}


# --- partner data imports: only those who may import (the coordinator) see a batch ------------


def by_import_batch(param: str) -> Callable[[World], list[Target]]:
    """A refused police extract whose row errors quote the file's values."""

    def build(world: World) -> list[Target]:
        from offramp.intake.models import BatchStatus, ImportBatch

        batch, _ = ImportBatch.objects.get_or_create(
            file_name="matrix-nominals.csv",
            defaults={
                "kind": "police_nominals",
                "agency": world.users["analyst"].agency,
                "file_sha256": "",
                "extracted_on": timezone.localdate(),
                "uploaded_by": world.users["coordinator"],
                "status": BatchStatus.FAILED,
                "errors": [
                    {
                        "file": "matrix-nominals.csv",
                        "row": 1,
                        "column": "given_name",
                        "value": "Matrix",
                        "reason": "Matrix",
                    }
                ],
            },
        )
        return [
            Target("a refused police extract", {param: batch.pk}),
            Target("no such batch", {param: NO_SUCH_ID}, exists=False),
        ]

    return build


ID_ROUTES: dict[str, RouteSpec] = {
    # pages
    "web:referral-detail": RouteSpec(by_referral("pk"), ("get",), status_only=True),
    "web:referral-screen": RouteSpec(by_referral("pk"), ("post",)),
    "web:referral-close": RouteSpec(
        by_referral("pk"), ("post",), body=lambda w: {"reason": ClosureReason.NO_FURTHER_ACTION}
    ),
    "web:referral-link": RouteSpec(referral_and_person, ("post",)),
    "web:person-detail": RouteSpec(by_person("pk", panel_member_sees=True), ("get",)),
    "web:person-access-log": RouteSpec(
        by_person("pk"), ("get",), allowed=("auditor",), sees_hidden=True
    ),
    "web:assessment-start": RouteSpec(by_person("person_pk"), ("post",)),
    "web:public-interest-create": RouteSpec(
        by_person("pk"), ("get", "post"), body=public_interest_form
    ),
    "web:assessment": RouteSpec(by_assessment("pk"), ("get",)),
    "web:assessment-detail": RouteSpec(by_assessment("pk", panel_member_sees=True), ("get",)),
    "web:assessment-summary": RouteSpec(
        by_assessment("pk"), ("get", "post"), body=lambda w: SUMMARY
    ),
    "web:assessment-complete": RouteSpec(by_assessment("pk"), ("get", "post")),
    "web:assessment-category": RouteSpec(
        by_assessment("pk", category_id=first_category), ("get", "post"), body=category_form
    ),
    # retention: coordinators decide (the auditor sees the queue, not the reviews)
    "retention:review": RouteSpec(by_review("pk"), ("get",)),
    "retention:retain": RouteSpec(by_review("pk"), ("post",), body=lambda w: RETAIN),
    "retention:dispose": RouteSpec(
        by_review("pk"), ("get", "post"), body=lambda w: {"confirm": "yes"}
    ),
    # cases: the coordinator runs them; a panel member sees the cases on their panel's agenda
    "cases:route": RouteSpec(by_referral("pk"), ("get", "post"), body=route_form),
    "cases:case-detail": RouteSpec(by_case("pk", panel_member_sees=True), ("get",)),
    "cases:consent": RouteSpec(
        by_case("pk"), ("get", "post"), body=lambda w: {"giver": "person", "decision": "given"}
    ),
    "cases:placement-add": RouteSpec(by_case("pk"), ("get", "post"), body=placement_form),
    "cases:link-person": RouteSpec(
        by_case("pk"),
        ("get", "post"),
        body=lambda w: {"person": w.person("health_panel_member").pk, "category": "associate"},
    ),
    "cases:exit": RouteSpec(
        by_case("pk"), ("get", "post"), body=lambda w: {"exit_reason": "other", "note": "Matrix"}
    ),
    "cases:reopen": RouteSpec(by_case("pk"), ("get", "post"), body=lambda w: {"reason": "Matrix"}),
    "cases:placement-update": RouteSpec(
        by_casework("pk", "intervention", lambda c: c.placement),
        ("get", "post"),
        body=lambda w: {"status": "started", "note": "Matrix"},
    ),
    "cases:review-hold": RouteSpec(
        by_casework("pk", "case review", lambda c: c.review),
        ("get", "post"),
        body=lambda w: {"progress": "unchanged", "note": "Matrix", **dated("held_on")},
    ),
    "cases:meeting": RouteSpec(
        by_casework("pk", "meeting", lambda c: c.meeting, panel_member_sees=True), ("get",)
    ),
    "cases:attendance": RouteSpec(
        by_casework("pk", "meeting", lambda c: c.meeting),
        ("post",),
        body=lambda w: {"agencies": [w.users["health_panel_member"].agency_id]},
    ),
    "cases:agenda-add": RouteSpec(
        by_casework("pk", "meeting", lambda c: c.meeting),
        ("post",),
        body=lambda w: {"case": w.casework.cases["other_dsl"].pk},
    ),
    "cases:meeting-close": RouteSpec(
        by_casework("pk", "meeting", lambda c: c.meeting), ("post",), body=lambda w: {}
    ),
    "cases:agenda-item": RouteSpec(by_agenda_item("pk", panel_member_sees=True), ("get",)),
    "cases:contribution-add": RouteSpec(
        by_agenda_item("pk", panel_member_sees=True),
        ("post",),
        body=lambda w: {"category": "health", "summary": "Matrix clinic note"},
    ),
    "cases:decision": RouteSpec(
        by_agenda_item("pk"), ("post",), body=lambda w: {"decision": "defer", "note": "Matrix"}
    ),
    "cases:action-set": RouteSpec(by_agenda_item("pk"), ("post",), body=action_form),
    "cases:action-done": RouteSpec(by_action("pk"), ("get", "post"), body=lambda w: {"note": ""}),
    # exports (the requester, and for what waits for a decision, the approvers)
    "exports:detail": RouteSpec(by_export("pk", approvers_see_waiting=True), ("get",), allowed=()),
    "exports:download": RouteSpec(
        by_export("pk", approvers_see_waiting=False), ("get",), allowed=()
    ),
    "exports:decide": RouteSpec(
        by_waiting_export("pk"), ("get", "post"), body=lambda w: DECIDE, allowed=()
    ),
    "exports:subject-access": RouteSpec(
        by_person("person_pk"), ("get", "post"), body=lambda w: EXPORT_PURPOSE
    ),
    # API
    "api:get_person": RouteSpec(by_person("person_id", panel_member_sees=True)),
    "api:get_timeline": RouteSpec(by_person("person_id", panel_member_sees=True)),
    "api:get_access_log": RouteSpec(by_person("person_id"), allowed=("auditor",), sees_hidden=True),
    "api:get_referral": RouteSpec(by_referral("referral_id"), status_only=True),
    "api:start_assessment": RouteSpec(by_person("person_id"), body=lambda w: {}),
    "api:get_assessment": RouteSpec(by_assessment("assessment_id", panel_member_sees=True)),
    "api:record_factor": RouteSpec(
        by_assessment("assessment_id", factor_id=first_factor),
        body=lambda w: {"judgement": "absent"},
    ),
    "api:record_summary": RouteSpec(by_assessment("assessment_id"), body=lambda w: SUMMARY),
    "api:complete": RouteSpec(by_assessment("assessment_id")),
    "api:route_suggestion": RouteSpec(by_referral("referral_id")),
    "api:get_case": RouteSpec(by_case("case_id", panel_member_sees=True)),
    "api:exit_case": RouteSpec(
        by_case("case_id"), body=lambda w: {"reason": "other", "note": "Matrix"}
    ),
    "api:reopen_case": RouteSpec(by_case("case_id"), body=lambda w: {"reason": "Matrix"}),
    "api:complete_action": RouteSpec(by_action("action_id"), body=lambda w: {"note": ""}),
    "api:record_consent": RouteSpec(
        by_case("case_id"), body=lambda w: {"giver": "person", "decision": "given"}
    ),
    "api:add_intervention": RouteSpec(
        by_case("case_id"),
        body=lambda w: {
            "programme_id": w.casework.placement.programme_id,
            "provider": "Matrix",
            "starts_on": timezone.localdate().isoformat(),
            "expected_end_on": timezone.localdate().isoformat(),
        },
    ),
    "api:update_intervention": RouteSpec(
        by_casework("placement_id", "intervention", lambda c: c.placement),
        body=lambda w: {"status": "started", "note": "Matrix"},
    ),
    "api:hold_review": RouteSpec(
        by_casework("review_id", "case review", lambda c: c.review),
        body=lambda w: {
            "progress": "unchanged",
            "note": "Matrix",
            "held_on": timezone.localdate().isoformat(),
        },
    ),
    "api:get_meeting": RouteSpec(
        by_casework("meeting_id", "meeting", lambda c: c.meeting, panel_member_sees=True)
    ),
    "api:record_attendance": RouteSpec(
        by_casework("meeting_id", "meeting", lambda c: c.meeting),
        body=lambda w: {"agency_ids": [w.users["health_panel_member"].agency_id]},
    ),
    "api:add_to_agenda": RouteSpec(
        by_casework("meeting_id", "meeting", lambda c: c.meeting),
        body=lambda w: {"case_id": w.casework.cases["other_dsl"].pk},
    ),
    "api:close_meeting": RouteSpec(by_casework("meeting_id", "meeting", lambda c: c.meeting)),
    "api:bring_information": RouteSpec(
        by_agenda_item("item_id", panel_member_sees=True),
        body=lambda w: {"category": "health", "summary": "Matrix clinic note"},
    ),
    "api:record_decision": RouteSpec(
        by_agenda_item("item_id"), body=lambda w: {"decision": "defer", "note": "Matrix"}
    ),
    "api:set_action": RouteSpec(
        by_agenda_item("item_id"),
        body=lambda w: {
            "description": "Another matrix action",
            "owner_id": w.users["coordinator"].pk,
            "due_on": timezone.localdate().isoformat(),
        },
    ),
    "api:request_subject_access": RouteSpec(by_person("person_id"), body=lambda w: EXPORT_PURPOSE),
    "api:get_export": RouteSpec(by_export("export_id", approvers_see_waiting=True), allowed=()),
    "api:get_export_file": RouteSpec(
        by_export("export_id", approvers_see_waiting=False), allowed=()
    ),
    "api:decide_export": RouteSpec(
        by_waiting_export("export_id"),
        body=lambda w: {"approve": True, "reason": "Matrix"},
        allowed=(),
    ),
    # intervention catalogue: everyone reads it; the coordinator changes and retires
    "interventions:programme": RouteSpec(by_programme("pk"), ("get",), allowed=PERSONAS),
    "interventions:programme-edit": RouteSpec(
        by_programme("pk"), ("get", "post"), body=lambda w: PROGRAMME_FORM
    ),
    "interventions:programme-retire": RouteSpec(
        by_programme("pk"), ("get", "post"), body=lambda w: RETIRE_PROGRAMME
    ),
    "api:get_programme": RouteSpec(by_programme("programme_id"), allowed=PERSONAS),
    "api:retire_programme": RouteSpec(
        by_programme("programme_id"), body=lambda w: RETIRE_PROGRAMME
    ),
    # networks: analysts and coordinators; a person's exposure only for people in a network
    "networks:group-detail": RouteSpec(
        by_network("pk", "group", "group"), ("get",), allowed=NETWORK_MANAGERS
    ),
    "networks:group-edit": RouteSpec(
        by_network("pk", "group", "group"),
        ("get", "post"),
        body=network_group_form,
        allowed=NETWORK_MANAGERS,
    ),
    "networks:membership-add": RouteSpec(
        by_network("pk", "group", "group"),
        ("get", "post"),
        body=network_link_form,
        allowed=NETWORK_MANAGERS,
    ),
    "networks:group-map": RouteSpec(
        by_network("pk", "group", "group"), ("get",), allowed=NETWORK_MANAGERS
    ),
    "networks:group-export": RouteSpec(
        by_network("pk", "group", "group"),
        ("get", "post"),
        body=lambda w: {"purpose": "Matrix network export"},
        allowed=NETWORK_MANAGERS,
    ),
    "networks:membership-edit": RouteSpec(
        by_network("pk", "link", "link to a group"),
        ("get", "post"),
        body=network_link_form,
        allowed=NETWORK_MANAGERS,
    ),
    "networks:relationship-edit": RouteSpec(
        by_network("pk", "tie", "relationship"),
        ("get", "post"),
        body=network_tie_form,
        allowed=NETWORK_MANAGERS,
    ),
    "networks:person-exposure": RouteSpec(by_network_person("pk"), ("get",), allowed=()),
    "networks:suggestion-dismiss": RouteSpec(
        by_assessment("pk"), ("post",), body=dismiss_suggestion_form
    ),
    "networks:export-detail": RouteSpec(by_network_export("pk"), ("get",), allowed=()),
    "networks:export-download": RouteSpec(by_network_export("pk"), ("get",), allowed=()),
    "api:get_group": RouteSpec(by_network("group_id", "group", "group"), allowed=NETWORK_MANAGERS),
    "api:get_membership": RouteSpec(
        by_network("membership_id", "link", "link to a group"), allowed=NETWORK_MANAGERS
    ),
    "api:get_relationship": RouteSpec(
        by_network("relationship_id", "tie", "relationship"), allowed=NETWORK_MANAGERS
    ),
    "api:get_exposure": RouteSpec(by_network_person("person_id"), allowed=()),
    # screening: coordinators see candidates and decide about them
    "screening:candidate": RouteSpec(by_candidate("pk"), ("get",)),
    "screening:candidate-refer": RouteSpec(
        by_candidate("pk"),
        ("get", "post"),
        body=lambda w: {"concern": "Matrix", "factor_ids": ["early_prolific_offending"]},
    ),
    "screening:candidate-not-now": RouteSpec(
        by_candidate("pk"), ("get", "post"), body=lambda w: NOT_NOW
    ),
    "api:get_candidate": RouteSpec(by_candidate("person_id")),
    "api:decide_candidate": RouteSpec(
        by_candidate("person_id"), body=lambda w: {"decision": "not_now", **NOT_NOW}
    ),
    # the person index
    "index:review-detail": RouteSpec(
        by_match_review("pk"), ("get", "post"), body=lambda w: {"decision": "reject"}
    ),
    "index:merge": RouteSpec(by_person("pk"), ("get", "post"), body=merge_form),
    "index:check-follow-up": RouteSpec(
        by_known_check("pk"), ("post",), body=lambda w: {"note": "Matrix"}
    ),
    "index:unmerge": RouteSpec(
        by_person_merge("pk"), ("get", "post"), body=lambda w: {"reason": "Matrix"}
    ),
    "api:accept_review": RouteSpec(by_match_review("review_id"), body=lambda w: {"note": ""}),
    "api:reject_review": RouteSpec(by_match_review("review_id"), body=lambda w: {"note": ""}),
    "api:merge_person": RouteSpec(
        by_person("person_id"),
        body=lambda w: {"other_id": w.person("other_dsl").pk, "reason": "Matrix"},
    ),
    "api:unmerge": RouteSpec(by_person_merge("merge_id"), body=lambda w: {"reason": "Matrix"}),
    # partner data imports
    "intake:batch-detail": RouteSpec(by_import_batch("pk"), ("get",)),
    "api:get_batch": RouteSpec(by_import_batch("batch_id")),
}

# Page routes without a path parameter: the methods they answer (for the anonymous check).
PLAIN_PAGE_METHODS: dict[str, tuple[str, ...]] = {
    "web:dashboard": ("get",),
    "web:sign-in": ("get",),
    "web:sign-out": ("post",),
    "web:two-factor": ("get", "post"),
    "web:two-factor-setup": ("get", "post"),
    "web:referral-list": ("get",),
    "web:referral-create": ("get", "post"),
    "web:person-search": ("get",),
    "retention:queue": ("get",),
    "cases:case-list": ("get",),
    "cases:panel-list": ("get",),
    "cases:meeting-schedule": ("get", "post"),
    "cases:my-actions": ("get",),
    "cases:reviews-due": ("get",),
    "exports:list": ("get",),
    "exports:referrals": ("get", "post"),
    "exports:approvals": ("get",),
    "interventions:catalogue": ("get",),
    "interventions:programme-create": ("get", "post"),
    "networks:group-list": ("get",),
    "networks:group-create": ("get", "post"),
    "networks:relationship-create": ("get", "post"),
    "networks:periphery": ("get",),
    "networks:naming-purpose": ("get", "post"),
    "screening:candidate-list": ("get",),
    "reports:index": ("get",),
    "reports:profile": ("get",),
    "reports:profile-pdf": ("get",),
    "reports:profile-pack": ("get",),
    "reports:profile-xlsx": ("get",),
    "reports:upstream": ("get",),
    "reports:upstream-csv": ("get",),
    "index:known": ("get",),
    "index:review-list": ("get",),
    "index:check-list": ("get",),
    "index:link-run": ("post",),
    "intake:batch-list": ("get",),
    "intake:batch-create": ("get", "post"),
}
# Reachable without signing in, with the status an anonymous caller gets.
PUBLIC: dict[str, int] = {
    "web:sign-in": 200,
    "api:openapi-json": 200,  # the OpenAPI document, for clients and fuzzers
    "api:api-root": 404,  # django-ninja's placeholder for the (disabled) docs page
}


# --- walking the URL configuration -------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or the pattern for an unnamed route
    pattern: str  # "referrals/<int:pk>/"
    namespace: str
    params: tuple[str, ...] = field(default=())

    @property
    def is_api(self) -> bool:
        return self.namespace == "api"


def _walk(
    resolver: URLResolver, prefix: str = "", namespace: str = "", params: tuple[str, ...] = ()
) -> Iterator[Route]:
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        names = params + tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace or "") if part)
            yield from _walk(entry, pattern, inner, names)
        elif isinstance(entry, URLPattern):
            key = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or pattern
            yield Route(key=key, pattern=pattern, namespace=namespace, params=names)


ALL_ROUTES = [route for route in _walk(get_resolver()) if route.namespace != "admin"]
ROUTES_WITH_IDS = [route for route in ALL_ROUTES if route.params]


def openapi_path(route: Route) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route.pattern)


def api_methods(openapi: dict[str, dict[str, dict[str, object]]], route: Route) -> list[str]:
    """The methods the OpenAPI document declares for this route's operation."""
    operations = {
        method: operation
        for method, operation in openapi["paths"].get(openapi_path(route), {}).items()
        if method in HTTP_METHODS
    }
    name = route.key.rsplit(":", 1)[-1]
    named = [
        m for m, op in operations.items() if str(op.get("operationId", "")).endswith(f"_{name}")
    ]
    return named or list(operations)


def fetch_openapi() -> dict[str, dict[str, dict[str, object]]]:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document: dict[str, dict[str, dict[str, object]]] = response.json()
    return document


def methods_for(route: Route, openapi: dict[str, dict[str, dict[str, object]]]) -> list[str]:
    if route.is_api:
        return api_methods(openapi, route)
    spec = ID_ROUTES.get(route.key)
    return list(spec.page_methods if spec else PLAIN_PAGE_METHODS.get(route.key, ()))


# --- making calls --------------------------------------------------------------------------------


def token_client(user: User) -> Client:
    raw, digest = ApiToken.new_raw_token()
    ApiToken.objects.create(
        user=user, name="matrix", digest=digest, expires_at=timezone.now() + timedelta(hours=1)
    )
    return Client(headers={"Authorization": f"Bearer {raw}"})


def call(
    client: Client, route: Route, method: str, url: str, body: dict[str, object] | None
) -> HttpResponse:
    send = getattr(client, method)
    if route.is_api and body is not None and method != "get":
        response: HttpResponse = send(url, data=json.dumps(body), content_type="application/json")
    elif body is not None and method == "post":
        response = send(url, data=body)
    else:
        response = send(url)
    return response


def snapshot() -> tuple[object, ...]:
    """Everything a refused write could have touched."""
    return (
        list(
            Referral.objects.order_by("pk").values_list(
                "pk", "status", "person_id", "closure_reason", "status_changed_at"
            )
        ),
        list(Person.objects.order_by("pk").values_list("pk", flat=True)),
        list(
            Assessment.objects.order_by("pk").values_list(
                "pk", "status", "summary", "overall_concern", "completed_at", "referral_id"
            )
        ),
        list(FactorJudgement.objects.order_by("pk").values_list("pk", "judgement", "recorded_at")),
        list(Event.objects.order_by("pk").values_list("pk", "person_id")),
        list(PublicInterestDecision.objects.order_by("pk").values_list("pk", "person_id")),
        list(Disclosure.objects.order_by("pk").values_list("pk", "person_id")),
        *(
            list(model.objects.order_by("pk").values())  # type: ignore[attr-defined]
            for model in (
                Case,
                CaseLink,
                PanelMeeting,
                AgendaItem,
                Contribution,
                PanelAction,
                ConsentRecord,
                Placement,
                CaseReview,
            )
        ),
    )


# --- what each answer must look like -------------------------------------------------------------


def secrets_of(world: World, *, except_owner: str | None = None) -> list[str]:
    """Text that only someone allowed to see a referral in full may read."""
    found = [world.hidden.family_name]
    for owner, referral in world.referrals.items():
        found.append(referral.concern)
        if owner != except_owner:
            found += [referral.subject_given_name, referral.subject_family_name, referral.reference]
    return found


def expectation(spec: RouteSpec, persona: str, target: Target) -> str:
    if not target.exists or (target.hidden and not spec.sees_hidden):
        return "missing" if persona in spec.allowed else "refused"
    if persona in spec.allowed or persona in target.also_allowed:
        return "full"
    if spec.status_only and target.owner == persona:
        return "status"
    return "refused"


def check_full(
    route: Route, spec: RouteSpec, method: str, response: HttpResponse, world: World, target: Target
) -> str:
    code = response.status_code
    if route.is_api:
        if code not in (200, 201, 409, 422):
            return f"expected {spec.allowed} to be let in, got {code}"
        if spec.status_only and set(response.json()) != set(ReferralOut.model_fields):
            return f"expected the full referral, got keys {sorted(response.json())}"
        return ""
    if code not in ((200,) if method == "get" else (200, 302)):
        return f"expected {spec.allowed + target.also_allowed} to be let in, got {code}"
    concern = world.referrals[target.owner].concern if target.owner else ""
    if spec.status_only and concern not in response.content.decode():
        return "expected the coordinator to see what worries the referrer"
    return ""


def check_status(route: Route, response: HttpResponse, world: World, persona: str) -> str:
    """The referrer's own referral: its status and nothing the partnership holds."""
    if response.status_code != 200:
        return f"expected the referrer to see their referral's status, got {response.status_code}"
    if route.is_api:
        keys = set(response.json())
        if keys != set(ReferralStatusOut.model_fields):
            return f"expected only the status shape, got keys {sorted(keys)}"
        return ""
    templates = {t.name for t in response.templates}
    if (
        "referrals/referral_status.html" not in templates
        or "referrals/referral_detail.html" in templates
    ):
        return f"expected the status page, got templates {sorted(filter(None, templates))}"
    content = response.content.decode()
    leaks = [text for text in secrets_of(world, except_owner=persona) if text in content]
    links = re.findall(r'href="(/(?:people|assessments)/[^"]*)"', content)
    if leaks or links:
        return f"status page shows {leaks + links}"
    return ""


def check_refused(response: HttpResponse, world: World, before: object, after: object) -> str:
    if response.status_code not in REFUSED:
        return f"expected 403 or 404, got {response.status_code}"
    if before != after:
        return "a refused request changed the database"
    content = response.content.decode()
    leaks = [text for text in secrets_of(world) if text in content]
    return f"the refusal shows {leaks}" if leaks else ""


def probe(
    client: Client, route: Route, method: str, url: str, body: dict[str, object] | None
) -> tuple[HttpResponse | None, object, object, str]:
    """Calls the route inside a savepoint that is rolled back, so every call starts alike."""
    with transaction.atomic():
        before = snapshot()
        try:
            response = call(client, route, method, url, body)
        except Exception as error:  # a 500: report it with the case that caused it
            transaction.set_rollback(True)
            return None, before, before, f"raised {error!r}"
        after = snapshot()
        transaction.set_rollback(True)
    client.cookies.pop("messages", None)
    return response, before, after, ""


# --- the tests -----------------------------------------------------------------------------------


def test_the_walk_finds_the_pages_and_the_api() -> None:
    keys = {route.key for route in ALL_ROUTES}
    assert {
        "web:referral-detail",
        "web:person-detail",
        "api:get_person",
        "api:get_referral",
    } <= keys
    assert all(route.params for route in ROUTES_WITH_IDS)


def test_no_mapping_entry_is_stale() -> None:
    keys = {route.key for route in ALL_ROUTES}
    stale = sorted((set(ID_ROUTES) | set(PLAIN_PAGE_METHODS) | set(PUBLIC)) - keys)
    assert not stale, f"mapped routes that no longer exist: {stale}"


@pytest.mark.parametrize("route", ROUTES_WITH_IDS, ids=lambda route: route.key)
def test_object_route_access(route: Route, world: World) -> None:
    spec = ID_ROUTES.get(route.key)
    if spec is None:
        pytest.fail(
            f"route {route.key!r} ({route.pattern}) takes {', '.join(route.params)} but has no "
            "entry in ID_ROUTES: say how to build it with real ids and what each persona may see"
        )
    targets = spec.targets(world)
    for target in targets:
        assert set(target.kwargs) == set(route.params), f"{route.key}: {target.label} kwargs"
    methods = methods_for(route, fetch_openapi())
    assert methods, f"{route.key}: no method declared (OpenAPI for the API, page_methods for pages)"
    body = spec.body(world) if spec.body else None

    failures: list[str] = []
    for persona in PERSONAS:
        user = world.users[persona]
        client = token_client(user) if route.is_api else signed_in(user)
        for method in methods:
            refusals: dict[int, list[str]] = {}
            for target in targets:
                url = reverse(route.key, kwargs=target.kwargs)
                response, before, after, error = probe(client, route, method, url, body)
                expected = expectation(spec, persona, target)
                if response is None:
                    problem = error
                elif expected == "full":
                    problem = check_full(route, spec, method, response, world, target)
                elif expected == "status":
                    problem = check_status(route, response, world, persona)
                elif expected == "missing":
                    code = response.status_code
                    problem = "" if code == 404 else f"expected 404, got {code}"
                else:
                    problem = check_refused(response, world, before, after)
                    if response.status_code in REFUSED:
                        refusals.setdefault(response.status_code, []).append(target.label)
                if problem:
                    failures.append(
                        f"{method.upper()} {url} as {persona} ({target.label}): {problem}"
                    )
            if len(refusals) > 1:
                failures.append(
                    f"{method.upper()} {route.key} as {persona}: refusals differ by object, "
                    f"which tells the caller what exists: {refusals}"
                )
    assert not failures, "\n".join(failures)


def test_an_anonymous_caller_is_sent_to_sign_in_or_refused(world: World) -> None:
    openapi = fetch_openapi()
    sign_in = reverse(settings.LOGIN_URL)
    failures: list[str] = []
    for route in ALL_ROUTES:
        methods = methods_for(route, openapi)
        if not methods and route.key not in PUBLIC:
            failures.append(
                f"route {route.key!r} ({route.pattern}) has no known method: add it to "
                "PLAIN_PAGE_METHODS (pages) or check the OpenAPI document (API)"
            )
            continue
        spec = ID_ROUTES.get(route.key)
        kwargs = spec.targets(world)[0].kwargs if spec else {}
        body = spec.body(world) if spec and spec.body else None
        url = reverse(route.key, kwargs=kwargs)
        for method in methods or ["get"]:
            response, before, after, error = probe(Client(), route, method, url, body)
            if response is None:
                failures.append(f"{method.upper()} {url}: {error}")
                continue
            code = response.status_code
            if route.key in PUBLIC:
                problem = "" if code == PUBLIC[route.key] else f"expected {PUBLIC[route.key]}"
            elif route.is_api:
                problem = "" if code == 401 else "expected 401"
            else:
                location = response.get("Location", "")
                problem = "" if code == 302 and location.startswith(sign_in) else "expected sign-in"
            if before != after:
                problem += "; an anonymous request changed the database"
            if problem:
                failures.append(f"{method.upper()} {url}: got {code}, {problem}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "administrator"])
def test_administration_is_for_staff_only(persona: str, world: World) -> None:
    client = signed_in(world.users[persona])
    login = reverse("admin:login")
    for url in ("/admin/", reverse("admin:accounts_user_change", args=[world.users[persona].pk])):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(login), url


def test_the_administrator_reaches_administration_but_no_personal_records(world: World) -> None:
    assert signed_in(world.users["administrator"]).get("/admin/").status_code == 200
    anonymous = Client().get("/admin/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("admin:login"))
    personal = {"people", "referrals", "assessments", "audit"}
    registered = sorted(
        model._meta.label for model in admin.site._registry if model._meta.app_label in personal
    )
    assert not registered, f"personal records reachable through administration: {registered}"


# --- the lists, and a referral linked to someone the partnership already knows -----------------


def test_a_practitioners_lists_hold_only_their_own_referrals_status(world: World) -> None:
    for persona in ("school_dsl", "other_dsl", "health_panel_member"):
        own = world.referrals[persona]
        page = signed_in(world.users[persona]).get(reverse("web:referral-list"))
        assert page.status_code == 200
        content = page.content.decode()
        assert own.reference in content
        leaks = [text for text in secrets_of(world, except_owner=persona) if text in content]
        assert not leaks, f"{persona}'s referral list shows {leaks}"

        listed = token_client(world.users[persona]).get("/api/v1/referrals")
        assert listed.status_code == 200
        assert [item["id"] for item in listed.json()] == [own.pk]
        assert set(listed.json()[0]) == set(ReferralStatusOut.model_fields)


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "coordinator"])
def test_only_the_coordinator_may_search_for_people(persona: str, world: World) -> None:
    user = world.users[persona]
    page = signed_in(user).get(reverse("web:person-search"), {"family_name": "Walsh"})
    assert page.status_code == 403
    api = token_client(user).get("/api/v1/people/search", {"family_name": "Walsh"})
    assert api.status_code == 403
    assert "Walsh" not in page.content.decode() + api.content.decode()


def test_coordinator_lists_and_searches_everyone(world: World) -> None:
    client = token_client(world.users["coordinator"])
    listed = client.get("/api/v1/referrals")
    assert sorted(item["id"] for item in listed.json()) == sorted(
        r.pk for r in world.referrals.values()
    )
    found = client.get("/api/v1/people/search", {"given_name": "Connor", "family_name": "Walsh"})
    assert found.status_code == 200
    assert world.person("school_dsl").pk in [m["person"]["id"] for m in found.json()]


def test_a_referral_linked_to_a_known_person_shows_the_referrer_only_what_they_gave(
    coordinator: User, school_dsl: User, dsl_referral: Referral, other_referral: Referral
) -> None:
    known = other_referral.person
    referral_link_to_person(referral=dsl_referral, person=known, actor=coordinator)

    page = signed_in(school_dsl).get(reverse("web:referral-detail", args=[dsl_referral.pk]))
    api = token_client(school_dsl).get(f"/api/v1/referrals/{dsl_referral.pk}")

    assert page.status_code == api.status_code == 200
    for content in (page.content.decode(), api.content.decode()):
        assert "Connor" in content
        for secret in (known.given_name, known.family_name, "2008", f"/people/{known.pk}/"):
            assert secret not in content
    assert api.json()["subject_given_name"] == "Connor"
    person_page = signed_in(school_dsl).get(reverse("web:person-detail", args=[known.pk]))
    assert person_page.status_code in REFUSED
