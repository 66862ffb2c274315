"""The REST API at /api/v1/: its document, authentication, referrals and assessments."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from offramp.accounts.models import ApiToken, User
from offramp.api.schemas import AssessmentOut, ReferralOut, ReferralStatusOut
from offramp.assessments.models import Assessment, AssessmentStatus, FactorJudgement
from offramp.audit.models import Event
from offramp.people.models import Person
from offramp.referrals.models import Referral, ReferralStatus
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

API = "/api/v1"


def issue_token(
    user: User, *, expires_in: timedelta = timedelta(days=30), revoked: bool = False
) -> str:
    raw, digest = ApiToken.new_raw_token()
    ApiToken.objects.create(
        user=user,
        name="script",
        digest=digest,
        expires_at=timezone.now() + expires_in,
        revoked_at=timezone.now() if revoked else None,
    )
    return raw


def bearer(raw: str, **client_options: bool) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"}, **client_options)


def api_client(user: User) -> Client:
    return bearer(issue_token(user))


def send(client: Client, method: str, path: str, body: object = None) -> Any:
    data = json.dumps(body) if body is not None else None
    return getattr(client, method)(f"{API}{path}", data=data, content_type="application/json")


def counts() -> tuple[int, ...]:
    return (
        Referral.objects.count(),
        Person.objects.count(),
        Event.objects.count(),
        Assessment.objects.count(),
        FactorJudgement.objects.count(),
    )


def error_fields(body: dict[str, object]) -> dict[str, str]:
    """Field → message, whether the refusal came from the schema or from a service."""
    if isinstance(body.get("errors"), dict):
        return {field: " ".join(messages) for field, messages in body["errors"].items()}  # type: ignore[union-attr]
    detail = body.get("detail")
    assert isinstance(detail, list), body
    return {str(error["loc"][-1]): str(error["msg"]) for error in detail}


SUMMARY_IN = {"summary": "Nothing of concern found.", "overall_concern": "no_concern"}


def a_referral(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "given_name": "Kyle",
        "family_name": "Dunmore",
        "date_of_birth": "2010-06-15",
        "area": "Eastfield",
        "concern": "Carrying large amounts of cash; missing from home two weekends running.",
        "consent": "given",
        "factor_ids": ["gang_involvement"],
    }
    body.update(overrides)
    return body


# --- the OpenAPI document ------------------------------------------------------------------------


def test_the_openapi_document_describes_every_domain(db: None) -> None:
    response = Client().get(f"{API}/openapi.json")

    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    for path, methods in {
        "/api/v1/people/search": {"get"},
        "/api/v1/people/{person_id}": {"get"},
        "/api/v1/referrals": {"get", "post"},
        "/api/v1/referrals/{referral_id}": {"get"},
        "/api/v1/assessments/for-person/{person_id}": {"post"},
        "/api/v1/assessments/{assessment_id}/factors/{factor_id}": {"put"},
        "/api/v1/assessments/{assessment_id}/complete": {"post"},
        "/api/v1/framework": {"get"},
    }.items():
        assert methods <= set(paths[path]), path
    schemes = document["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    assert set(document["components"]["schemas"]["ReferralStatusOut"]["properties"]) == set(
        ReferralStatusOut.model_fields
    )


# --- authentication ------------------------------------------------------------------------------


def test_a_bearer_token_authenticates_and_records_its_use(coordinator: User) -> None:
    raw = issue_token(coordinator)

    response = bearer(raw).get(f"{API}/framework")

    assert response.status_code == 200
    assert response.json()["factors"]
    token = ApiToken.objects.get(user=coordinator)
    assert token.last_used_at is not None
    assert token.digest != raw and raw not in token.digest


@pytest.mark.parametrize(
    "state", ["expired", "revoked", "unknown", "user deactivated", "no header", "not bearer"]
)
def test_a_token_that_is_not_in_force_gets_401(state: str, school_dsl: User) -> None:
    raw = issue_token(
        school_dsl,
        expires_in=timedelta(seconds=-1) if state == "expired" else timedelta(days=1),
        revoked=state == "revoked",
    )
    if state == "user deactivated":
        school_dsl.is_active = False
        school_dsl.save()
    headers = {
        "unknown": {"Authorization": "Bearer ofr_not-a-token"},
        "no header": {},
        "not bearer": {"Authorization": f"Token {raw}"},
    }.get(state, {"Authorization": f"Bearer {raw}"})
    client = Client(headers=headers)
    before = counts()

    assert client.get(f"{API}/referrals").status_code == 401
    created = client.post(f"{API}/referrals", a_referral(), content_type="application/json")
    assert created.status_code == 401
    assert counts() == before


def test_a_script_posting_with_an_expired_token_gets_401_not_a_csrf_error(school_dsl: User) -> None:
    raw = issue_token(school_dsl, expires_in=timedelta(seconds=-1))
    # A real client: no CSRF exemption, as the test client otherwise grants.
    client = bearer(raw, enforce_csrf_checks=True)

    response = client.post(f"{API}/referrals", a_referral(), content_type="application/json")

    assert response.status_code == 401


def test_a_token_needs_no_csrf_token(school_dsl: User) -> None:
    client = bearer(issue_token(school_dsl), enforce_csrf_checks=True)

    response = client.post(f"{API}/referrals", a_referral(), content_type="application/json")

    assert response.status_code == 201


def test_the_signed_in_session_reads_the_api(coordinator: User, dsl_referral: Referral) -> None:
    response = signed_in(coordinator).get(f"{API}/people/{dsl_referral.person_id}")

    assert response.status_code == 200
    assert response.json()["given_name"] == "Connor"


def test_a_session_write_needs_the_csrf_token(school_dsl: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(school_dsl)
    before = counts()

    refused = client.post(f"{API}/referrals", a_referral(), content_type="application/json")

    assert refused.status_code == 403
    assert counts() == before
    assert client.get("/referrals/new/").status_code == 200  # sets the CSRF cookie
    accepted = client.post(
        f"{API}/referrals",
        a_referral(),
        content_type="application/json",
        headers={"X-CSRFToken": client.cookies["csrftoken"].value},
    )
    assert accepted.status_code == 201


# --- making a referral ---------------------------------------------------------------------------


def test_a_practitioner_makes_a_referral_and_sees_only_its_status(school_dsl: User) -> None:
    client = api_client(school_dsl)

    response = send(client, "post", "/referrals", a_referral())

    assert response.status_code == 201
    body = response.json()
    assert set(body) == set(ReferralStatusOut.model_fields)
    assert body["status"] == ReferralStatus.RECEIVED
    referral = Referral.objects.get(pk=body["id"])
    assert referral.reference == body["reference"]
    assert referral.referrer == school_dsl
    assert referral.referring_agency == school_dsl.agency
    assert referral.person.full_name == "Kyle Dunmore"
    assert [f.factor_id for f in referral.factors.all()] == ["gang_involvement"]

    again = client.get(f"{API}/referrals/{referral.pk}")
    assert again.status_code == 200
    assert again.json() == body


def test_a_coordinator_referring_sees_the_whole_referral(coordinator: User) -> None:
    response = send(api_client(coordinator), "post", "/referrals", a_referral())

    assert response.status_code == 201
    assert set(response.json()) == set(ReferralOut.model_fields)
    assert response.json()["concern"].startswith("Carrying large amounts of cash")


def _tomorrow() -> str:
    return (timezone.localdate() + timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"given_name": None}, "given_name", "required"),
        ({"family_name": "   "}, "family_name", "Enter the person's last name"),
        ({"date_of_birth": "tomorrow"}, "date_of_birth", "must be today or in the past"),
        ({"date_of_birth": "1890-01-01"}, "date_of_birth", "within the last 120 years"),
        ({"agency": "no-such-agency"}, "agency", "Unknown agency 'no-such-agency'"),
        ({"agency": "police"}, "agency", "only refer on behalf of your own agency"),
        ({"concern": "x" * 4001}, "concern", "4000 characters"),
        ({"concern": "   "}, "concern", "Describe what worries you"),
        ({"consent": "maybe"}, "consent", "Select whether the person has consented"),
        ({"factor_ids": ["gang_involvement", "astrology"]}, "factor_ids", "astrology"),
    ],
)
def test_a_bad_referral_is_refused_with_a_reason_and_nothing_saved(
    change: dict[str, object], field: str, message: str, school_dsl: User
) -> None:
    body = a_referral(**change)
    if body["given_name"] is None:
        del body["given_name"]
    if body["date_of_birth"] == "tomorrow":
        body["date_of_birth"] = _tomorrow()
    before = counts()

    response = send(api_client(school_dsl), "post", "/referrals", body)

    assert response.status_code == 422
    fields = error_fields(response.json())
    assert field in fields, fields
    assert message.lower() in fields[field].lower()
    assert counts() == before


def test_every_422_has_the_documented_shape(school_dsl: User) -> None:
    body = a_referral()
    del body["given_name"]

    response = send(api_client(school_dsl), "post", "/referrals", body)

    assert response.status_code == 422
    assert set(response.json()) == {"detail", "errors"}
    assert "given_name" in response.json()["errors"]


# --- an assessment through the API ---------------------------------------------------------------


def test_a_coordinator_walks_an_assessment_through_the_api(
    coordinator: User, school_dsl: User, dsl_referral: Referral
) -> None:
    client = api_client(coordinator)
    framework = client.get(f"{API}/framework").json()
    factor_ids = [factor["id"] for factor in framework["factors"]]
    assert len(factor_ids) == len(set(factor_ids)) > 0

    started = send(
        client,
        "post",
        f"/assessments/for-person/{dsl_referral.person_id}",
        {"referral_id": dsl_referral.pk},
    )
    assert started.status_code == 201, started.content
    assessment = started.json()
    assert set(assessment) == set(AssessmentOut.model_fields)
    assert assessment["status"] == AssessmentStatus.IN_PROGRESS
    assert assessment["framework_version"] == framework["version"]
    path = f"/assessments/{assessment['id']}"
    dsl_referral.refresh_from_db()
    assert dsl_referral.status == ReferralStatus.ASSESSMENT

    second = send(client, "post", f"/assessments/for-person/{dsl_referral.person_id}", {})
    assert second.status_code == 422
    assert "person" in second.json()["errors"]

    early = client.post(f"{API}{path}/complete")
    assert early.status_code == 422
    assert {"factors", "summary"} <= set(early.json()["errors"])

    no_evidence = send(client, "put", f"{path}/factors/{factor_ids[0]}", {"judgement": "present"})
    assert no_evidence.status_code == 422
    assert {f"{factor_ids[0]}-evidence", f"{factor_ids[0]}-source_agency"} <= set(
        no_evidence.json()["errors"]
    )
    unknown = send(client, "put", f"{path}/factors/astrology", {"judgement": "absent"})
    assert unknown.status_code == 422
    assert "astrology" in unknown.json()["errors"]

    present = {
        "judgement": "present",
        "evidence": "Stopped with cash and two phones.",
        "source_agency_id": coordinator.agency_id,
        "evidence_date": timezone.localdate().isoformat(),
    }
    for index, factor_id in enumerate(factor_ids):
        body = present if index == 0 else {"judgement": "absent"}
        recorded = send(client, "put", f"{path}/factors/{factor_id}", body)
        assert recorded.status_code == 200, (factor_id, recorded.content)
    judgements = {j["factor_id"]: j for j in recorded.json()["judgements"]}
    assert set(judgements) == set(factor_ids)
    assert judgements[factor_ids[0]]["evidence"] == present["evidence"]

    summary = {
        "protective_factors": "Close to his grandmother; attends football training.",
        "summary": "Early signs of exploitation; support through the school.",
        "overall_concern": "some_concern",
    }
    summarised = send(client, "put", f"{path}/summary", summary)
    assert summarised.status_code == 200
    assert summarised.json()["overall_concern"] == "some_concern"

    completed = client.post(f"{API}{path}/complete")
    assert completed.status_code == 200, completed.content
    assert completed.json()["status"] == AssessmentStatus.COMPLETED
    assert completed.json()["completed_at"] is not None
    dsl_referral.refresh_from_db()
    assert dsl_referral.status == ReferralStatus.ASSESSED

    before = counts()
    assert client.post(f"{API}{path}/complete").status_code == 409
    assert send(client, "put", f"{path}/factors/{factor_ids[1]}", present).status_code == 409
    assert send(client, "put", f"{path}/summary", summary).status_code == 409
    assert counts() == before
    assert client.get(f"{API}{path}").json() == completed.json()

    # The referrer follows the status, and nothing of the assessment.
    seen = api_client(school_dsl).get(f"{API}/referrals/{dsl_referral.pk}")
    assert seen.status_code == 200
    assert seen.json()["status"] == ReferralStatus.ASSESSED
    assert set(seen.json()) == set(ReferralStatusOut.model_fields)


# --- the API applies the pages' permissions ------------------------------------------------------


def test_a_practitioner_cannot_reach_people_or_assessments(
    coordinator: User, school_dsl: User, dsl_referral: Referral, other_referral: Referral
) -> None:
    assessment = send(
        api_client(coordinator), "post", f"/assessments/for-person/{dsl_referral.person_id}", {}
    ).json()
    client = api_client(school_dsl)
    before = counts()

    for person_id in (dsl_referral.person_id, other_referral.person_id):
        assert client.get(f"{API}/people/{person_id}").status_code in (403, 404)
        assert client.get(f"{API}/people/{person_id}/timeline").status_code in (403, 404)
        started = send(client, "post", f"/assessments/for-person/{person_id}", {})
        assert started.status_code in (403, 404)
    assert client.get(f"{API}/people/search", {"family_name": "Walsh"}).status_code == 403
    assert client.get(f"{API}/assessments/{assessment['id']}").status_code in (403, 404)
    path = f"/assessments/{assessment['id']}"
    judged = send(client, "put", f"{path}/factors/associates", {"judgement": "absent"})
    assert judged.status_code in (403, 404)
    assert client.post(f"{API}{path}/complete").status_code in (403, 404)
    assert client.get(f"{API}/referrals/{other_referral.pk}").status_code == 404
    assert counts() == before


def test_a_referral_list_is_scoped_and_filtered(
    coordinator: User, school_dsl: User, dsl_referral: Referral, other_referral: Referral
) -> None:
    mine = api_client(school_dsl).get(f"{API}/referrals").json()
    assert [r["id"] for r in mine] == [dsl_referral.pk]

    client = api_client(coordinator)
    everyone = client.get(f"{API}/referrals").json()
    assert {r["id"] for r in everyone} == {dsl_referral.pk, other_referral.pk}
    by_agency = client.get(f"{API}/referrals", {"agency_id": other_referral.referring_agency_id})
    assert [r["id"] for r in by_agency.json()] == [other_referral.pk]
    assert len(client.get(f"{API}/referrals", {"limit": 1}).json()) == 1
    today = timezone.localdate().isoformat()
    assert len(client.get(f"{API}/referrals", {"received_to": "2000-01-01"}).json()) == 0
    assert client.get(f"{API}/referrals", {"received_from": today}).status_code == 200


# --- odd input is refused, never a server error --------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        pytest.param(
            {"offset": 2**63},
        ),
        pytest.param(
            {"agency_id": 10**30},
        ),
        {"limit": 10**30},
        {"limit": -5, "offset": -5},
    ],
    ids=lambda query: ",".join(query),
)
def test_out_of_range_list_parameters_are_answered_or_refused(
    query: dict[str, int], coordinator: User, dsl_referral: Referral
) -> None:
    response = api_client(coordinator).get(f"{API}/referrals", query)

    assert response.status_code in (200, 422)


@pytest.mark.parametrize("where", ["referral", "factor note", "summary"])
def test_text_with_a_nul_character_is_refused(
    where: str, coordinator: User, dsl_referral: Referral
) -> None:
    client = api_client(coordinator)
    assessment = send(client, "post", f"/assessments/for-person/{dsl_referral.person_id}", {})
    path = f"/assessments/{assessment.json()['id']}"
    method, url, body, field = {
        "referral": ("post", "/referrals", a_referral(given_name="Ky\x00le"), "given_name"),
        "factor note": (
            "put",
            f"{path}/factors/associates",
            {"judgement": "absent", "note": "a\x00b"},
            "associates-note",
        ),
        "summary": ("put", f"{path}/summary", {**SUMMARY_IN, "summary": "a\x00b"}, "summary"),
    }[where]
    before = counts()

    response = send(client, method, url, body)

    assert response.status_code == 422
    assert field in error_fields(response.json())
    assert counts() == before
