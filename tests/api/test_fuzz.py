"""The API fuzzed from its own OpenAPI document, as each persona and as nobody.

Every operation in /api/v1/openapi.json is called with data Schemathesis generates from the
document (derandomised, a bounded number of examples), with path ids biased towards real
objects. For every response: no server error; it conforms to the documented status codes,
content types and schemas; anonymous and wrongly-authenticated callers always get 401; and
nobody but the coordinator ever receives another agency's referral, or any person,
assessment or full referral object.

Requests go through Django's own WSGI handler in-process (so the middleware runs as in
production) inside the test's transaction; each example runs in a savepoint that is rolled
back, so writes made while fuzzing never leak into the next example.
"""

import datetime
import functools
import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
)

from offramp.accounts.models import ApiToken, User
from offramp.agencies.models import Agency
from offramp.assessments.framework import current_framework
from offramp.assessments.models import Assessment
from offramp.assessments.services import (
    AssessmentSummary,
    FactorEntry,
    assessment_record_factors,
    assessment_record_summary,
    assessment_start,
)
from offramp.referrals.models import ConsentStatus, Referral

pytestmark = pytest.mark.django_db

OPENAPI_PATH = "/api/v1/openapi.json"
PERSONAS = (
    "coordinator",
    "school_dsl",
    "other_dsl",
    "health_panel_member",
    "analyst",
    "auditor",
    "administrator",
)
POSITIVE_EXAMPLES = 10
NEGATIVE_EXAMPLES = 4
ANONYMOUS_EXAMPLES = 2


# --- the application, called in-process inside the test's transaction -----------------------------


class InTransactionWSGI:
    """Django's WSGI handler, without closing the test's database connection after a request.

    The handler's request_started/request_finished signals close "old" connections, which
    would end the transaction pytest-django wraps each test in (Django's test Client disconnects
    them the same way). Exceptions that become a 500 are kept so a failure can show them.
    """

    def __init__(self) -> None:
        self.handler = WSGIHandler()
        self.exceptions: list[BaseException] = []

    def _record(self, sender: object, request: object = None, **kwargs: object) -> None:
        import sys

        error = sys.exc_info()[1]
        if error is not None:
            self.exceptions.append(error)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        got_request_exception.connect(self._record)
        try:
            response = self.handler(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                response.close()
        finally:
            got_request_exception.disconnect(self._record)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


APP = InTransactionWSGI()


def _load_document() -> dict[str, Any]:
    response = Client().get(OPENAPI_PATH)
    assert response.status_code == 200, response.content
    document: dict[str, Any] = json.loads(response.content)
    return document


SCHEMA = schemathesis.openapi.from_dict(_load_document())
SCHEMA.app = APP
OPERATIONS = {op.label: op for op in (r.ok() for r in SCHEMA.get_all_operations())}  # type: ignore[union-attr]

CONFORMANCE = [
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# --- the world being fuzzed -----------------------------------------------------------------------


def issue_token(user: User, *, days: int = 1, revoked: bool = False) -> str:
    raw, digest = ApiToken.new_raw_token()
    ApiToken.objects.create(
        user=user,
        name="fuzz",
        digest=digest,
        expires_at=timezone.now() + timedelta(days=days),
        revoked_at=timezone.now() if revoked else None,
    )
    return raw


class World:
    """The real objects fuzzed requests are steered towards."""

    def __init__(self, coordinator: User, dsl_referral: Referral, other_referral: Referral) -> None:
        self.referrals = [dsl_referral, other_referral]
        self.assessment = assessment_start(
            person=other_referral.person, actor=coordinator, referral=other_referral
        )
        factor_ids = [f.id for f in current_framework().factors]
        self.factor_ids = factor_ids
        # Every factor judged and a summary recorded: fuzzed writes can reach completion.
        entries = [FactorEntry(factor_id=f, judgement="not_known") for f in factor_ids]
        entries[0] = FactorEntry(
            factor_id=factor_ids[0],
            judgement="present",
            evidence="Seen carrying a package for an older cousin.",
            source_agency_id=other_referral.referring_agency_id,
            evidence_date=timezone.localdate() - timedelta(days=30),
        )
        assessment_record_factors(assessment=self.assessment, actor=coordinator, entries=entries)
        assessment_record_summary(
            assessment=self.assessment,
            actor=coordinator,
            summary=AssessmentSummary(
                protective_factors="Close to his grandmother.",
                summary="Early signs of exploitation.",
                overall_concern="some_concern",
                changes_note="",
            ),
        )
        self.agencies = list(Agency.objects.all())
        people = {r.person_id for r in self.referrals}
        self.ids = {
            "person_id": sorted(people),
            "referral_id": sorted(r.pk for r in self.referrals),
            "assessment_id": sorted(Assessment.objects.values_list("pk", flat=True)),
        }
        self.all_ids = sorted({i for ids in self.ids.values() for i in ids})

    def foreign_markers(self, user: User) -> set[str]:
        """Text that identifies a referral made by another agency than the user's."""
        markers = set()
        for referral in self.referrals:
            markers.add(referral.concern)
            if referral.referring_agency_id != user.agency_id:
                markers |= {
                    referral.reference,
                    referral.subject_given_name,
                    referral.subject_family_name,
                }
        return markers


@pytest.fixture
def world(coordinator: User, dsl_referral: Referral, other_referral: Referral) -> World:
    return World(coordinator, dsl_referral, other_referral)


# --- steering generated cases towards meaningful data ---------------------------------------------


def _draw_path_parameters(data: st.DataObject, operation: Any, world: World) -> dict[str, Any]:
    fixed: dict[str, Any] = {}
    for parameter in operation.path_parameters:
        name = parameter.name
        choice: int | str | None
        if name in world.ids:
            choice = data.draw(
                st.one_of(
                    st.sampled_from(world.ids[name]),
                    st.sampled_from(world.all_ids),
                    st.none(),
                ),
                label=name,
            )
        elif name == "factor_id":
            choice = data.draw(st.one_of(st.sampled_from(world.factor_ids), st.none()), label=name)
        else:
            choice = None
        if choice is not None:
            fixed[name] = choice
    return fixed


PAST_DATES = st.dates(datetime.date(2001, 1, 1), datetime.date(2015, 12, 31)).map(str)


def _steer_body(data: st.DataObject, body: Any, world: World) -> Any:
    """In half the examples, make the body valid, so that writes get past validation."""
    # sampled_from, not booleans: Hypothesis starts from the first choice, and valid bodies are
    # the ones that reach the writes.
    steer = data.draw(st.sampled_from([True, False]), label="steer body")
    if not isinstance(body, dict) or not steer:
        return body
    text = st.sampled_from(["Seen near the station late at night.", "Missing from school."])
    valid: dict[str, st.SearchStrategy[Any]] = {
        # Never the names of the fixtures' subjects: those mark a leak.
        "given_name": st.sampled_from(["Jordan", "Riley", "Casey"]),
        "family_name": st.sampled_from(["Hughes", "Patel", "Byrne"]),
        "date_of_birth": PAST_DATES,
        "area": st.sampled_from(["", "Eastfield"]),
        "concern": text,
        "consent": st.sampled_from(ConsentStatus.values),
        "factor_ids": st.lists(st.sampled_from(world.factor_ids), max_size=3, unique=True),
        "agency": st.one_of(st.none(), st.sampled_from([a.slug for a in world.agencies])),
        "referral_id": st.one_of(st.none(), st.sampled_from(world.ids["referral_id"])),
        "judgement": st.sampled_from(["present", "possible", "absent", "not_known"]),
        "evidence": text,
        "source_agency_id": st.sampled_from([a.pk for a in world.agencies]),
        "evidence_date": PAST_DATES,
        "note": st.just(""),
        "summary": text,
        "protective_factors": st.just(""),
        "changes_note": st.just(""),
        "overall_concern": st.sampled_from(
            ["no_concern", "some_concern", "significant_concern", "safeguarding_first"]
        ),
    }
    return {
        name: data.draw(valid[name], label=name) if name in valid else value
        for name, value in body.items()
    }


@functools.cache
def _strategy(
    operation: Any, mode: GenerationMode, fixed: tuple[tuple[str, Any], ...]
) -> st.SearchStrategy[Any]:
    return operation.as_strategy(generation_mode=mode, path_parameters=dict(fixed))


def _draw_case(data: st.DataObject, operation: Any, world: World, mode: GenerationMode) -> Any:
    fixed = _draw_path_parameters(data, operation, world) if mode is GenerationMode.POSITIVE else {}
    case = data.draw(_strategy(operation, mode, tuple(sorted(fixed.items()))))
    # Schemathesis generates values for the documented security schemes (a bearer token, a
    # session cookie); the credentials sent are the test's own, or none at all.
    if case.headers and "authorization" in {name.lower() for name in case.headers}:
        case.headers = {k: v for k, v in case.headers.items() if k.lower() != "authorization"}
    if case.cookies:
        case.cookies = {}
    if mode is GenerationMode.POSITIVE:
        steered = _steer_body(data, case.body, world)
        if steered is not case.body:
            case.body = steered
    return case


# --- what every response must satisfy -------------------------------------------------------------

PERSON_KEYS = {"given_name", "family_name", "date_of_birth"}
ASSESSMENT_KEYS = {"judgements", "framework_version"}
REFERRAL_DETAIL_KEYS = {"concern", "subject_date_of_birth", "subject_area", "referring_agency"}


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in a response, except a refusal's field -> messages map."""
    if isinstance(value, dict):
        yield value
        for key, item in value.items():
            if key == "errors" and "detail" in value:
                continue
            yield from _objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from _objects(item)


def _server_error_detail() -> str:
    if not APP.exceptions:
        return ""
    error = APP.exceptions[-1]
    return f"\nServer exception: {type(error).__name__}: {error}"


def _send(case: Any, headers: dict[str, str]) -> Any:
    APP.exceptions.clear()
    return case.call(headers=headers)


def _assert_no_foreign_data(user: User, world: World, case: Any, response: Any) -> None:
    text = response.content.decode("utf-8", errors="replace")
    for marker in world.foreign_markers(user):
        assert marker not in text, (
            f"{user.username} received another agency's referral data ({marker!r}) "
            f"from {case.operation.label}: {text[:500]}"
        )
    if "json" not in (response.headers.get("content-type") or [""])[0]:
        return
    for obj in _objects(json.loads(text)):
        keys = set(obj)
        assert not keys >= PERSON_KEYS, f"{user.username} received a person: {obj}"
        assert not keys >= ASSESSMENT_KEYS, f"{user.username} received an assessment: {obj}"
        assert not keys & REFERRAL_DETAIL_KEYS, f"{user.username} received a full referral: {obj}"


def _check(
    case: Any,
    user: User | None,
    world: World,
    headers: dict[str, str],
    mode: GenerationMode,
    auth_confirmed: set[str],
) -> None:
    response = _send(case, headers)
    who = user.username if user else f"an unauthenticated caller ({headers or 'no credentials'})"
    assert response.status_code < 500, (
        f"{response.status_code} from {case.operation.label} as {who}: "
        f"{case!r}{_server_error_detail()}"
    )
    if user is None:
        assert response.status_code == 401, (
            f"{case.operation.label} answered {response.status_code} to {who}: "
            f"{response.content[:300]!r}"
        )
        return
    if mode is GenerationMode.POSITIVE:
        checks = list(CONFORMANCE)
        if case.operation.label not in auth_confirmed:
            # A success must become a refusal when the token is dropped or forged. Sending those
            # probes once per operation and persona is enough.
            checks.append(ignored_auth)
        case.validate_response(
            response, checks=checks, headers=headers, transport_kwargs={"headers": headers}
        )
        if 200 <= response.status_code < 300:
            auth_confirmed.add(case.operation.label)
    if user.role != "coordinator":
        _assert_no_foreign_data(user, world, case, response)


def _fuzz(
    *,
    operation: Any,
    user: User | None,
    headers: dict[str, str],
    world: World,
    mode: GenerationMode,
    examples: int,
) -> None:
    auth_confirmed: set[str] = set()

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        # Shrinking a failure through the whole stack can take minutes; the first failing
        # example, with its request, is report enough.
        phases=[Phase.explicit, Phase.generate],
        report_multiple_bugs=False,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ],
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        case = _draw_case(data, operation, world, mode)
        # Each example in a savepoint that is rolled back: writes never reach the next one.
        with transaction.atomic():
            try:
                _check(case, user, world, headers, mode, auth_confirmed)
            finally:
                transaction.set_rollback(True)

    # Refusals (4xx) are logged as warnings by django.request; keep only errors.
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    try:
        run()
    finally:
        request_log.setLevel(level)


# --- the tests ------------------------------------------------------------------------------------


def _fuzz_every_operation(**fuzz: Any) -> None:
    """Each operation in turn on the one world (every example is rolled back); a failure is
    reported with its operation and the rest are still fuzzed."""
    failures = []
    for label, operation in sorted(OPERATIONS.items()):
        try:
            _fuzz(operation=operation, **fuzz)
        except (Exception, pytest.fail.Exception) as failure:
            failures.append(f"{label}: {failure}")
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("persona", PERSONAS)
def test_fuzzing_as_a_persona(request: pytest.FixtureRequest, persona: str, world: World) -> None:
    """The world is built once per persona, not once per operation."""
    user = request.getfixturevalue(persona)
    headers = {"Authorization": f"Bearer {issue_token(user)}"}
    for mode, examples in (
        (GenerationMode.POSITIVE, POSITIVE_EXAMPLES),
        (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES),
    ):
        _fuzz_every_operation(user=user, headers=headers, world=world, mode=mode, examples=examples)


def test_fuzzing_without_valid_authentication(world: World, coordinator: User) -> None:
    """Nobody without a live credential gets past 401, even with the coordinator's old tokens."""
    for credentials in (
        {},
        {"Authorization": "Bearer " + "x" * 43},
        {"Authorization": f"Bearer {issue_token(coordinator, days=-1)}"},
        {"Authorization": f"Bearer {issue_token(coordinator, revoked=True)}"},
        # A cookie that names no session is no session.
        {"Cookie": "sessionid=" + "0" * 32},
    ):
        _fuzz_every_operation(
            user=None,
            headers=credentials,
            world=world,
            mode=GenerationMode.POSITIVE,
            examples=ANONYMOUS_EXAMPLES,
        )


def test_the_document_itself_needs_no_authentication(db: None) -> None:
    response = Client().get(OPENAPI_PATH)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
