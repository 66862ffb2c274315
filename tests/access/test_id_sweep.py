"""Acceptance: an id sweep finds nobody the scoping selector hides.

For each persona, every page and API route that answers GET is called with every object id the
area holds (every route parameter set to the same id, as a sweeping attacker would), and the
search and "is this person known?" routes with each person's name. The people whose name or date
of birth appear anywhere in those answers must be exactly those the persona may see: the people
`people_visible_to` allows, and — for a referrer — the subjects of their own referrals as they
gave them.

The area has people no persona's agency has been given: a police record and a health record,
each of them also in a retention review, a match review and a network, so every side door is
tried against them.
"""

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db.models import Model
from django.http import HttpResponse
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from offramp.access.scoping import people_visible_to, referrals_visible_to
from offramp.accounts.models import Role, User
from offramp.agencies.models import Agency
from offramp.cases.models import Panel
from offramp.cases.models import Route as CaseRoute
from offramp.cases.services import (
    RouteRequest,
    agenda_add,
    case_route,
    meeting_attendance_record,
    panel_meeting_schedule,
)
from offramp.index.frame import person_uid
from offramp.index.models import MatchReview
from offramp.networks.models import GroupMembership, OrganisedCrimeGroup, Relationship
from offramp.people.models import Person, PersonCategory
from offramp.people.services import PersonDetails, person_create
from offramp.referrals.models import Referral
from offramp.referrals.services import referral_create, referral_start_screening
from offramp.retention.models import RetentionReview
from tests.access.test_permission_matrix import ALL_ROUTES, PERSONAS, Route, token_client
from tests.conftest import referral_request, signed_in

# Each person's name and date of birth are distinctive, so finding them in a page is proof.
SHARED_BORN = {"school_dsl": datetime.date(2011, 4, 9), "other_dsl": datetime.date(2008, 1, 3)}
HIDDEN_POLICE_BORN = datetime.date(1996, 7, 23)
HIDDEN_HEALTH_BORN = datetime.date(1989, 11, 2)


@dataclass
class SweepWorld:
    users: dict[str, User]
    people: list[Person]


def _coordinator_at(agency: Agency, username: str) -> User:
    return User.objects.create_user(username=username, agency=agency, role=Role.COORDINATOR)


@pytest.fixture
def sweep_world(
    agencies: dict[str, Agency],
    coordinator: User,
    school_dsl: User,
    other_dsl: User,
    health_panel_member: User,
    analyst: User,
    auditor: User,
    administrator: User,
) -> SweepWorld:
    users = {
        "coordinator": coordinator,
        "school_dsl": school_dsl,
        "other_dsl": other_dsl,
        "health_panel_member": health_panel_member,
        "analyst": analyst,
        "auditor": auditor,
        "administrator": administrator,
    }
    connor = referral_create(
        referrer=school_dsl,
        request=referral_request(
            given_name="Connor", family_name="Quillfeather", date_of_birth=SHARED_BORN["school_dsl"]
        ),
    )
    paige = referral_create(
        referrer=other_dsl,
        request=referral_request(
            given_name="Paige", family_name="Marchbanks", date_of_birth=SHARED_BORN["other_dsl"]
        ),
    )
    # Records two agencies made and have shared with nobody.
    kieran = person_create(
        actor=_coordinator_at(agencies["police"], "police-sweeper"),
        details=PersonDetails(
            given_name="Kieran", family_name="Dunstable", date_of_birth=HIDDEN_POLICE_BORN
        ),
    )
    leah = person_create(
        actor=_coordinator_at(agencies["health"], "health-sweeper"),
        details=PersonDetails(
            given_name="Leah", family_name="Brackenbury", date_of_birth=HIDDEN_HEALTH_BORN
        ),
    )
    _casework(coordinator, health_panel_member, connor)
    _side_doors(analyst, agencies["police"], connor.person, kieran, leah)
    people = [connor.person, paige.person, kieran, leah]
    return SweepWorld(users=users, people=people)


def _casework(coordinator: User, health_panel_member: User, referral: Referral) -> None:
    """Connor's case is on the agenda of a panel the health agency sits on."""
    panel = Panel.objects.create(name="Sweep panel")
    panel.member_agencies.set([coordinator.agency, health_panel_member.agency])
    meeting = panel_meeting_schedule(panel=panel, meets_on=timezone.localdate(), actor=coordinator)
    meeting_attendance_record(
        meeting=meeting,
        agencies=[coordinator.agency, health_panel_member.agency],
        actor=coordinator,
    )
    case = case_route(
        referral=referral_start_screening(referral=referral, actor=coordinator),
        request=RouteRequest(
            route=CaseRoute.PANEL,
            reason="Sweep",
            person_category=PersonCategory.AT_RISK,
            panel=panel,
        ),
        actor=coordinator,
    )
    agenda_add(meeting=meeting, case=case, actor=coordinator)


def _side_doors(
    analyst: User, police: Agency, connor: Person, kieran: Person, leah: Person
) -> None:
    """The hidden people in every queue and map the trial found leaking: a retention review,
    a pair waiting for a reviewer, and a network (as an extract import would record them)."""
    for person in (kieran, leah):
        RetentionReview.objects.create(
            person=person,
            subject_id=person.pk,
            due_on=timezone.localdate(),
            rule_id="any_record",
            schedule_version="sweep",
        )
    for one, other in ((kieran, connor), (leah, connor)):
        # Sides are sorted by their uid as text, as the model's constraint asks ("p10" < "p9").
        left, right = sorted((one, other), key=lambda person: person_uid(person.pk))
        MatchReview.objects.create(
            left_uid=person_uid(left.pk),
            right_uid=person_uid(right.pk),
            left_person=left,
            right_person=right,
            match_probability=0.7,
        )
    group = OrganisedCrimeGroup.objects.create(
        reference="OCG-SWEEP", name="Sweep group", status="active", source_agency=police
    )
    GroupMembership.objects.create(
        group=group,
        person=kieran,
        category=PersonCategory.SUSPECT_OR_OFFENDER,
        role="core",
        source_agency=police,
        confidence="high",
    )
    Relationship.objects.create(
        person_a=kieran,
        person_b=leah,
        tie_type="associate_peer",
        source_agency=police,
        confidence="medium",
    )


# --- what a sweep asks -------------------------------------------------------------------------


def _id_pool() -> list[int]:
    """Every primary key the area holds, of every model: a sweep does not know which is which."""
    from django.apps import apps

    pool: set[int] = set()
    for model in apps.get_models():
        if model.__module__.startswith("offramp."):
            pool.update(_int_pks(model))
    return sorted(pool)


def _int_pks(model: type[Model]) -> list[int]:
    if model._meta.pk is None or model._meta.pk.get_internal_type() not in (
        "AutoField",
        "BigAutoField",
    ):
        return []
    return list(model._default_manager.values_list("pk", flat=True)[:200])


def _urls(route: Route, pool: list[int]) -> Iterator[str]:
    if not route.params:
        yield _reverse(route, {}) or ""
        return
    for pk in pool:
        url = _reverse(route, dict.fromkeys(route.params, pk))
        if url:
            yield url


def _reverse(route: Route, kwargs: dict[str, int]) -> str | None:
    try:
        return reverse(route.key, kwargs=kwargs)
    except NoReverseMatch:  # a slug or text parameter: not an id to sweep
        return None


def _searches(world: SweepWorld) -> Iterator[tuple[str, dict[str, str]]]:
    """Search and "is this person known?" for each person by name, as a referrer would type it."""
    for person in world.people:
        name = {"given_name": person.given_name, "family_name": person.family_name}
        for url in ("/api/v1/people/known", "/api/v1/people/search"):
            yield url, name
        for key in ("web:person-search", "index:known"):
            try:
                yield reverse(key), name
            except NoReverseMatch:
                continue


# --- what an answer reveals ----------------------------------------------------------------------


def _markers(person: Person) -> list[str]:
    born = person.date_of_birth
    return [
        person.family_name.lower(),
        f"{born.day} {born:%B %Y}".lower(),
        f"{born.day} {born:%b %Y}".lower(),
        born.isoformat(),
        f"{born:%d/%m/%Y}",
    ]


def _revealed(content: str, people: list[Person]) -> set[int]:
    text = content.lower()
    return {person.pk for person in people if any(m in text for m in _markers(person))}


def _allowed(user: User) -> set[int]:
    seen = set(people_visible_to(user).values_list("pk", flat=True))
    own_referrals = referrals_visible_to(user).filter(referrer=user)
    return seen | set(own_referrals.values_list("person_id", flat=True))


def _get(client: Client, url: str, query: dict[str, str] | None = None) -> HttpResponse:
    response: HttpResponse = client.get(url, query or {})
    return response


def _body(response: HttpResponse) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")  # type: ignore[attr-defined]
    return response.content.decode(errors="replace")


# --- the test ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_sweep_of_every_route_and_id_finds_only_the_people_the_selector_allows(
    persona: str, sweep_world: SweepWorld
) -> None:
    user = sweep_world.users[persona]
    pool = _id_pool()
    page, api = signed_in(user), token_client(user)
    revealed: dict[int, str] = {}
    for route in ALL_ROUTES:
        if route.key.endswith(("logout", "openapi-json", "openapi-view")) or "static" in route.key:
            continue
        client = api if route.is_api else page
        for url in _urls(route, pool):
            response = _get(client, url)
            if response.status_code != 200:
                continue
            for pk in _revealed(_body(response), sweep_world.people):
                revealed.setdefault(pk, url)
    for url, query in _searches(sweep_world):
        client = api if url.startswith("/api/") else page
        response = _get(client, url, query)
        if response.status_code != 200:
            continue
        asked = next(p for p in sweep_world.people if p.family_name == query["family_name"])
        # The typed name comes back to whoever typed it; anything more about them must not.
        others = [p for p in sweep_world.people if p.pk != asked.pk]
        body = _body(response)
        for pk in _revealed(body, others):
            revealed.setdefault(pk, f"{url}?{query}")
        if any(m in body.lower() for m in _markers(asked)[1:]):
            revealed.setdefault(asked.pk, f"{url}?{query} (date of birth)")

    allowed = _allowed(user)
    leaks = {pk: url for pk, url in revealed.items() if pk not in allowed}
    names = {p.pk: p.full_name for p in sweep_world.people}
    assert not leaks, f"{persona} found hidden people: " + "; ".join(
        f"{names[pk]} at {url}" for pk, url in sorted(leaks.items())
    )
    # The sweep is a real search: whoever may see someone finds them somewhere.
    unseen = allowed & set(names) - set(revealed)
    assert not unseen, f"{persona} may see {[names[pk] for pk in unseen]} but no route showed them"


def test_the_sweep_would_find_a_hidden_person_on_an_unscoped_page(
    sweep_world: SweepWorld,
) -> None:
    """The detector itself: the hidden police record's family name and date of birth are found
    in a page that shows them, and nobody else is found there."""
    kieran = sweep_world.people[2]
    content = f"<p>{kieran.full_name}, born {kieran.date_of_birth:%d/%m/%Y}</p>"
    assert _revealed(content, sweep_world.people) == {kieran.pk}
    assert not re.search("quillfeather", content, re.IGNORECASE)


def test_no_administration_page_shows_a_person(sweep_world: SweepWorld) -> None:
    """Every model the administrator manages: its list, and each object's change, history and
    delete confirmation pages (deleting an agency must not list its people)."""
    from django.contrib import admin

    client = signed_in(sweep_world.users["administrator"])
    found: dict[int, str] = {}
    for model in admin.site._registry:
        meta = model._meta
        urls = [reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")]
        for pk in model._default_manager.values_list("pk", flat=True)[:50]:
            for view in ("change", "delete", "history"):
                urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=[pk]))
        for url in urls:
            response = client.get(url)
            for person in _revealed(_body(response), sweep_world.people):
                found.setdefault(person, url)
    names = {p.pk: p.full_name for p in sweep_world.people}
    assert not found, "administration shows " + "; ".join(
        f"{names[pk]} at {url}" for pk, url in found.items()
    )
