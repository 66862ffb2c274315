"""Error pages are Offramp's own GOV.UK-styled pages, never Django's debug pages."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

OFFRAMP_LAYOUT = 'class="govuk-template govuk-template--rebranded"'

# A request for a missing page made by the demo's own settings, in a fresh process as
# `make demo` would serve it (no database is touched: the visitor is not signed in).
LOCAL_NOT_FOUND = """
import json
import django

django.setup()
from django.conf import settings
from django.test import Client

client = Client(HTTP_HOST="127.0.0.1")
response = client.get("/no-such-page/")
static = client.get("/static/offramp/logo.svg")
print(json.dumps({"debug": settings.DEBUG, "status": response.status_code,
                  "page": response.content.decode(), "static": static.status_code}))
"""


def _local_not_found(**environment: str) -> dict[str, object]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.pop("DATABASE_URL", None)
    env |= {"DJANGO_SETTINGS_MODULE": "offramp.config.settings.local", **environment}
    result = subprocess.run(
        [sys.executable, "-c", LOCAL_NOT_FOUND],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answer: dict[str, object] = json.loads(result.stdout)
    return answer


def test_the_demo_settings_answer_a_missing_page_with_offramps_page_and_no_url_list():
    answer = _local_not_found()
    assert answer["debug"] is False
    assert answer["status"] == 404
    page = str(answer["page"])
    assert OFFRAMP_LAYOUT in page
    assert "Page not found" in page
    assert "URLconf" not in page
    assert "admin/" not in page
    assert answer["static"] == 200, "the demo serves its static files with DEBUG off"


def test_a_developer_turns_debug_on_with_django_debug():
    assert _local_not_found(DJANGO_DEBUG="1")["debug"] is True


def test_a_missing_page_is_offramps_not_found_page(coordinator):
    response = signed_in(coordinator).get("/no-such-page/")
    assert response.status_code == 404
    assert OFFRAMP_LAYOUT in response.content.decode()
    assert "Page not found" in response.content.decode()


def test_an_unknown_host_is_a_bad_request_not_a_server_error():
    """Django refuses the Host before anyone is signed in; the page must not need a user."""
    response = Client(raise_request_exception=False).get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert OFFRAMP_LAYOUT in response.content.decode()


def test_a_page_the_role_may_not_use_is_offramps_permission_page(analyst):
    response = signed_in(analyst).get("/referrals/new/")
    assert response.status_code == 403
    page = response.content.decode()
    assert OFFRAMP_LAYOUT in page
    assert "You do not have permission to do this" in page


def test_a_form_sent_without_its_csrf_token_is_refused_with_offramps_page(coordinator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    response = client.post("/referrals/new/", {"given_name": "Connor"})
    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()


def test_the_server_error_page_needs_no_database(django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    page = response.content.decode()
    assert OFFRAMP_LAYOUT in page
    assert "Sorry, there is a problem with the service" in page


def test_a_form_larger_than_the_upload_limit_gets_offramps_too_large_page(school_dsl):
    too_long = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = signed_in(school_dsl).post("/referrals/new/", {"concern": too_long})
    assert response.status_code == 413
    page = response.content.decode()
    assert OFFRAMP_LAYOUT in page
    assert "What you sent is too large" in page
