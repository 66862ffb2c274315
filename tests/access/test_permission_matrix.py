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

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from offramp.accounts.models import ApiToken, User
from offramp.api.schemas import ReferralOut, ReferralStatusOut
from offramp.assessments.framework import current_framework
from offramp.assessments.models import Assessment, FactorJudgement
from offramp.assessments.services import assessment_start
from offramp.audit.models import Event
from offramp.people.models import Person
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
class World:
    users: dict[str, User]
    referrals: dict[str, Referral]  # keyed by the persona who made it
    assessments: dict[str, Assessment]  # keyed by the persona whose referral it follows

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
    return World(users=users, referrals=referrals, assessments=assessments)


# --- how to build each route with real ids ---------------------------------------------------


@dataclass(frozen=True)
class Target:
    label: str
    kwargs: dict[str, object]
    exists: bool = True
    owner: str | None = None  # who made the referral: they may see its status


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


def by_person(param: str) -> Callable[[World], list[Target]]:
    def build(world: World) -> list[Target]:
        return [
            *(
                Target(f"the person behind {owner}'s referral", {param: world.person(owner).pk})
                for owner in world.referrals
            ),
            Target("no such person", {param: NO_SUCH_ID}, exists=False),
        ]

    return build


def by_assessment(param: str, **extra: Callable[[], object]) -> Callable[[World], list[Target]]:
    def build(world: World) -> list[Target]:
        fixed = {name: make() for name, make in extra.items()}
        return [
            *(
                Target(f"the assessment after {owner}'s referral", {param: a.pk, **fixed})
                for owner, a in world.assessments.items()
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

        targets = []
        for owner in ("school_dsl", "other_dsl"):
            person = world.person(owner)
            review = RetentionReview.objects.filter(subject_id=person.pk).first()
            if review is None:
                review = RetentionReview.objects.create(
                    person=person,
                    subject_id=person.pk,
                    due_on=timezone.localdate(),
                    rule_id="any_record",
                    schedule_version="test",
                )
            targets.append(
                Target(f"the review of the person behind {owner}'s referral", {param: review.pk})
            )
        return [*targets, Target("no such review", {param: NO_SUCH_ID}, exists=False)]

    return build


RETAIN = {"reason": "Still needed", "until_0": "1", "until_1": "1", "until_2": "2030"}


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


ID_ROUTES: dict[str, RouteSpec] = {
    # pages
    "web:referral-detail": RouteSpec(by_referral("pk"), ("get",), status_only=True),
    "web:referral-screen": RouteSpec(by_referral("pk"), ("post",)),
    "web:referral-close": RouteSpec(
        by_referral("pk"), ("post",), body=lambda w: {"reason": ClosureReason.NO_FURTHER_ACTION}
    ),
    "web:referral-link": RouteSpec(referral_and_person, ("post",)),
    "web:person-detail": RouteSpec(by_person("pk"), ("get",)),
    "web:person-access-log": RouteSpec(by_person("pk"), ("get",), allowed=("auditor",)),
    "web:assessment-start": RouteSpec(by_person("person_pk"), ("post",)),
    "web:public-interest-create": RouteSpec(
        by_person("pk"), ("get", "post"), body=public_interest_form
    ),
    "web:assessment": RouteSpec(by_assessment("pk"), ("get",)),
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
    # API
    "api:get_person": RouteSpec(by_person("person_id")),
    "api:get_timeline": RouteSpec(by_person("person_id")),
    "api:get_access_log": RouteSpec(by_person("person_id"), allowed=("auditor",)),
    "api:get_referral": RouteSpec(by_referral("referral_id"), status_only=True),
    "api:start_assessment": RouteSpec(by_person("person_id"), body=lambda w: {}),
    "api:get_assessment": RouteSpec(by_assessment("assessment_id")),
    "api:record_factor": RouteSpec(
        by_assessment("assessment_id", factor_id=first_factor),
        body=lambda w: {"judgement": "absent"},
    ),
    "api:record_summary": RouteSpec(by_assessment("assessment_id"), body=lambda w: SUMMARY),
    "api:complete": RouteSpec(by_assessment("assessment_id")),
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
    )


# --- what each answer must look like -------------------------------------------------------------


def secrets_of(world: World, *, except_owner: str | None = None) -> list[str]:
    """Text that only someone allowed to see a referral in full may read."""
    found = []
    for owner, referral in world.referrals.items():
        found.append(referral.concern)
        if owner != except_owner:
            found += [referral.subject_given_name, referral.subject_family_name, referral.reference]
    return found


def expectation(spec: RouteSpec, persona: str, target: Target) -> str:
    if not target.exists:
        return "missing" if persona in spec.allowed else "refused"
    if persona in spec.allowed:
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
        return f"expected {spec.allowed} to be let in, got {code}"
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
    if "web/referral_status.html" not in templates or "web/referral_detail.html" in templates:
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
