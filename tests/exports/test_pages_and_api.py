"""The export pages (no JavaScript needed) and /api/v1/exports: the same service, limit,
approval, marking and audit as the rest."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from offramp.accounts.models import User
from offramp.audit.models import AuditAction, AuditEntry
from offramp.exports.models import ExportRecord, ExportStatus
from offramp.referrals.models import Referral
from tests.api.test_api import api_client
from tests.conftest import signed_in

from .conftest import MakeReferrals

MARKING = "OFFICIAL-SENSITIVE — exported by"


def error_summary(html: str) -> str:
    match = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S)
    assert match, "no GOV.UK error summary on the page"
    return re.sub(r"\s+", " ", match.group(0))


# --- links in from other pages -------------------------------------------------------------------


def test_the_referral_list_offers_its_rows_as_csv_with_the_same_filters(
    coordinator: User, school_dsl: User, dsl_referral: Referral, analyst: User
) -> None:
    page = signed_in(coordinator).get(reverse("web:referral-list"), {"status": "received"})
    assert f'href="{reverse("exports:referrals")}?status=received"' in page.content.decode()
    own = signed_in(school_dsl).get(reverse("web:referral-list")).content.decode()
    assert "Download as CSV" in own
    assert signed_in(analyst).get(reverse("exports:list")).status_code == 403


def test_the_person_page_links_to_a_subject_access_request(
    coordinator: User, dsl_referral: Referral
) -> None:
    url = reverse("exports:subject-access", args=[dsl_referral.person_id])
    page = signed_in(coordinator).get(reverse("web:person-detail", args=[dsl_referral.person_id]))
    assert f'href="{url}"' in page.content.decode()


def test_the_menu_offers_exports_to_those_who_use_them(
    coordinator: User, school_dsl: User, auditor: User, analyst: User
) -> None:
    for user in (coordinator, school_dsl, auditor):
        page = signed_in(user).get(reverse("web:dashboard")).content.decode()
        assert f'href="{reverse("exports:list")}"' in page, user.username
    page = signed_in(analyst).get(reverse("web:dashboard")).content.decode()
    assert reverse("exports:list") not in page


@pytest.mark.parametrize("name", ["exports:list", "exports:referrals", "exports:approvals"])
def test_signed_out_people_are_sent_to_sign_in(name: str, db: None) -> None:
    response = Client().get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:sign-in"))


# --- asking, downloading -------------------------------------------------------------------------


def test_a_coordinator_exports_the_referral_list_and_downloads_it(
    coordinator: User, dsl_referral: Referral, other_referral: Referral
) -> None:
    client = signed_in(coordinator)
    url = reverse("exports:referrals")
    form = client.get(url)
    content = form.content.decode()
    assert form.status_code == 200
    assert "Export the referral list" in content
    assert "0 of 1000 rows used today" in content
    assert "Create the export" in content

    empty = client.post(url, {"purpose": ""})
    assert empty.status_code == 200
    assert "Enter what the export is for" in error_summary(empty.content.decode())
    assert not ExportRecord.objects.exists()

    made = client.post(url, {"purpose": "Panel on 12 March"})
    export = ExportRecord.objects.get()
    assert made["Location"] == reverse("exports:detail", args=[export.pk])
    detail = client.get(made["Location"]).content.decode()
    assert "Download the CSV file" in detail and export.reference in detail

    file = client.get(reverse("exports:download", args=[export.pk]), {"format": "csv"})
    assert file.status_code == 200
    assert file["Content-Type"] == "text/csv; charset=utf-8"
    assert file["Content-Disposition"] == f'attachment; filename="{export.reference}-referrals.csv"'
    assert file["Cache-Control"] == "no-store"
    text = file.content.decode("utf-8-sig")
    assert MARKING in text.splitlines()[0]
    assert dsl_referral.reference in text and other_referral.reference in text
    assert AuditEntry.objects.filter(
        action=AuditAction.CONSULTATION, object_type="exportrecord", channel="page"
    ).exists()

    listed = client.get(reverse("exports:list")).content.decode()
    assert export.reference in listed and "Ready to download" in listed


def test_over_the_limit_the_page_says_why_and_asks_for_approval(
    school_dsl: User,
    auditor: User,
    make_referrals: MakeReferrals,
    small_limit: int,
) -> None:
    make_referrals(small_limit + 1)
    client = signed_in(school_dsl)
    url = reverse("exports:referrals")
    page = client.get(url).content.decode()
    assert "This export needs approval" in page
    assert "This export has 6 rows" in page
    assert "You can export 5 rows a day without approval and have used 0 today" in page
    assert "Ask for approval" in page

    missing = client.post(url, {"purpose": "Termly review", "ask_approval": "yes"})
    assert "Explain why you need this export" in error_summary(missing.content.decode())

    client.post(
        url,
        {"purpose": "Termly review", "ask_approval": "yes", "justification": "Governors' report"},
    )
    export = ExportRecord.objects.get()
    assert export.status == ExportStatus.AWAITING_APPROVAL
    detail = client.get(reverse("exports:detail", args=[export.pk])).content.decode()
    assert "Waiting for approval" in detail and "Download" not in detail
    assert client.get(reverse("exports:download", args=[export.pk])).status_code == 302

    # The auditor approves from the queue, with a reason.
    approver = signed_in(auditor)
    queue = approver.get(reverse("exports:approvals")).content.decode()
    assert export.reference in queue and "Tom Baker (Hartmoor Academy)" in queue
    decide = reverse("exports:decide", args=[export.pk])
    decision_page = approver.get(decide).content.decode()
    assert "Governors&#x27; report" in decision_page
    assert "0 of 5 rows used today" in decision_page
    blank = approver.post(decide, {"decision": "approve", "reason": ""})
    assert "Enter the reason for your decision" in error_summary(blank.content.decode())
    done = approver.post(decide, {"decision": "approve", "reason": "For the governors"})
    assert done["Location"] == reverse("exports:approvals")
    # The approver never gets the file.
    assert approver.get(reverse("exports:download", args=[export.pk])).status_code == 404

    detail = client.get(reverse("exports:detail", args=[export.pk])).content.decode()
    assert "For the governors" in detail and "Download the CSV file" in detail
    file = client.get(reverse("exports:download", args=[export.pk]))
    assert file.status_code == 200 and MARKING in file.content.decode("utf-8-sig")


def test_nobody_sees_their_own_export_in_the_approvals_queue(
    coordinator: User, make_referrals: MakeReferrals, small_limit: int
) -> None:
    make_referrals(small_limit + 1)
    signed_in(coordinator).post(
        reverse("exports:referrals"),
        {"purpose": "Everything", "ask_approval": "yes", "justification": "Audit"},
    )
    export = ExportRecord.objects.get()
    client = signed_in(coordinator)
    assert export.reference not in client.get(reverse("exports:approvals")).content.decode()
    response = client.post(
        reverse("exports:decide", args=[export.pk]), {"decision": "approve", "reason": "Mine"}
    )
    assert response.status_code == 404
    export.refresh_from_db()
    assert export.status == ExportStatus.AWAITING_APPROVAL


def test_a_subject_access_request_from_the_person_page(
    coordinator: User, dsl_referral: Referral
) -> None:
    client = signed_in(coordinator)
    url = reverse("exports:subject-access", args=[dsl_referral.person_id])
    page = client.get(url).content.decode()
    assert "Subject access request: Connor Walsh" in page
    assert "a person must read all of it" in page
    client.post(url, {"purpose": "Request received 2 March"})
    export = ExportRecord.objects.get()
    detail = client.get(reverse("exports:detail", args=[export.pk])).content.decode()
    assert "Do not send this to the person yet" in detail
    assert "Download the readable version (HTML, to print)" in detail
    assert "Download the data (JSON)" in detail
    readable = client.get(reverse("exports:download", args=[export.pk]), {"format": "html"})
    assert readable["Content-Type"] == "text/html; charset=utf-8"
    assert MARKING in readable.content.decode()
    data = client.get(reverse("exports:download", args=[export.pk]), {"format": "json"})
    assert json.loads(data.content)["subject"] == {"record_number": dsl_referral.person_id}
    wrong = client.get(reverse("exports:download", args=[export.pk]), {"format": "xlsx"})
    assert wrong.status_code == 302


# --- the API -------------------------------------------------------------------------------------


def test_the_api_exports_approves_and_downloads_like_the_pages(
    school_dsl: User,
    police_coordinator: User,
    make_referrals: MakeReferrals,
    small_limit: int,
) -> None:
    make_referrals(small_limit + 1)
    requester = api_client(school_dsl)
    over = requester.post(
        "/api/v1/exports/referrals",
        data=json.dumps({"purpose": "Termly review"}),
        content_type="application/json",
    )
    assert over.status_code == 422
    assert "You can export 5 rows a day" in json.dumps(over.json())

    asked = requester.post(
        "/api/v1/exports/referrals",
        data=json.dumps(
            {"purpose": "Termly review", "ask_approval": True, "justification": "Governors"}
        ),
        content_type="application/json",
    )
    assert asked.status_code == 201
    body = asked.json()
    assert (body["status"], body["row_count"], body["decision"]) == ("awaiting_approval", 6, None)
    export_id = body["id"]
    assert requester.get(f"/api/v1/exports/{export_id}/file").status_code == 422

    approver = api_client(police_coordinator)
    waiting = approver.get("/api/v1/exports/approvals").json()
    assert [item["id"] for item in waiting] == [export_id]
    decided = approver.post(
        f"/api/v1/exports/{export_id}/decision",
        data=json.dumps({"approve": True, "reason": "Fine"}),
        content_type="application/json",
    )
    assert decided.status_code == 200
    assert decided.json()["decision"]["decided_by"] == "Dev Patel"

    file = requester.get(f"/api/v1/exports/{export_id}/file").json()
    assert file["content"].startswith('"' + MARKING + " Tom Baker (Hartmoor Academy)")
    assert file["filename"].endswith("-referrals.csv")
    mine = requester.get("/api/v1/exports").json()
    assert [(item["id"], item["status"]) for item in mine] == [(export_id, "ready")]
