"""A request body over Django's limit is refused with 413 and a clear JSON error."""

import json

import pytest
from django.conf import settings

from offramp.referrals.models import Referral

from .test_api import API, api_client

pytestmark = pytest.mark.django_db


def test_a_json_body_over_the_limit_is_refused_with_413_and_nothing_is_saved(school_dsl):
    body = json.dumps({"concern": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    response = api_client(school_dsl).post(
        f"{API}/referrals", data=body, content_type="application/json"
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "larger than the 2.5 MB the API accepts" in response.json()["detail"]
    assert not Referral.objects.exists()
