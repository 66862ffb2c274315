"""Acceptance (issue 3, part 7): exports are scoped to the requester, marked with who exported
them and when, and capped per user per day unless a second authorised person approves.

The clock moves by patching `timezone.now` (tests/accounts/clock.py), so the daily limit is
tested across midnight without waiting for it.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError

from offramp.access.scoping import referrals_visible_to
from offramp.accounts.models import User
from offramp.audit.models import AuditAction, AuditEntry
from offramp.exports import referral_list
from offramp.exports.models import ExportRecord, ExportStatus
from offramp.exports.registry import ExportInput
from offramp.exports.services import (
    ExportNotAvailable,
    OverDailyLimit,
    daily_allowance,
    export_approve,
    export_download,
    export_preview,
    export_refuse,
    export_request,
    exports_expire,
)
from offramp.referrals.models import Referral
from offramp.referrals.services import referral_create
from tests.accounts.clock import Clock
from tests.audit.conftest import verify
from tests.conftest import referral_request

from .conftest import MakeReferrals, csv_rows

PURPOSE = "Panel meeting on 12 March"
KIND = referral_list.KIND


def export_referrals(user: User, **options: object) -> ExportRecord:
    values: dict[str, object] = {"purpose": PURPOSE}
    values.update(options)
    return export_request(user=user, kind=KIND, **values)  # type: ignore[arg-type]


def references(export: ExportRecord) -> set[str]:
    return {row[0] for row in csv_rows(export)[2:]}


# --- marking -------------------------------------------------------------------------------------


def test_every_file_opens_with_who_exported_it_for_whom_when_and_why(
    coordinator: User, dsl_referral: Referral, other_referral: Referral, clock: Clock
) -> None:
    export = export_referrals(coordinator)

    assert export.status == ExportStatus.READY
    assert export.reference == f"EX26-{export.pk:06d}"
    rows = csv_rows(export)
    assert rows[0] == [
        "OFFICIAL-SENSITIVE — exported by Priya Shah (Hartmoor Council Community Safety) at "
        f"2026-03-02 10:00:00 UTC, reference {export.reference}, purpose {PURPOSE}"
    ]
    assert rows[1][:2] == ["Reference", "First name (as referred)"]
    assert references(export) == {dsl_referral.reference, other_referral.reference}
    assert (export.requested_by, export.agency, export.row_count) == (
        coordinator,
        coordinator.agency,
        2,
    )
    assert export.requested_at == clock.now
    assert export.filename == f"{export.reference}-referrals.csv"


def test_a_formula_in_a_name_cannot_run_in_a_spreadsheet(
    coordinator: User, school_dsl: User
) -> None:
    referral_create(
        referrer=school_dsl, request=referral_request(given_name='=HYPERLINK("http://x")')
    )
    export = export_referrals(coordinator)
    assert csv_rows(export)[2][1] == '\'=HYPERLINK("http://x")'


# --- scope ---------------------------------------------------------------------------------------


def test_a_practitioner_exports_only_the_status_of_their_own_referrals(
    school_dsl: User, dsl_referral: Referral, other_referral: Referral
) -> None:
    export = export_referrals(school_dsl)
    rows = csv_rows(export)
    assert references(export) == {dsl_referral.reference}
    assert "Person record" not in rows[1]
    text = bytes(export.content or b"").decode("utf-8-sig")
    for secret in (other_referral.reference, "Paige", "Morris", dsl_referral.concern):
        assert secret not in text


@pytest.mark.parametrize(
    "persona", ["coordinator", "school_dsl", "other_dsl", "health_panel_member"]
)
def test_an_export_holds_exactly_what_the_user_may_see(
    persona: str,
    request: pytest.FixtureRequest,
    make_referrals: MakeReferrals,
    other_dsl: User,
    health_panel_member: User,
) -> None:
    make_referrals(3)
    make_referrals(2, referrer=other_dsl)
    make_referrals(1, referrer=health_panel_member)
    user: User = request.getfixturevalue(persona)
    export = export_referrals(user)
    visible = set(referrals_visible_to(user).values_list("reference", flat=True))
    assert references(export) == visible
    assert export.row_count == len(visible)


@pytest.mark.parametrize("persona", ["analyst", "auditor", "administrator"])
def test_roles_without_a_referral_list_cannot_export_one(
    persona: str, request: pytest.FixtureRequest, dsl_referral: Referral
) -> None:
    with pytest.raises(PermissionDenied):
        export_referrals(request.getfixturevalue(persona))
    assert not ExportRecord.objects.exists()


def test_the_filters_of_the_list_page_apply(
    coordinator: User, dsl_referral: Referral, other_referral: Referral
) -> None:
    filters = referral_list.parameters_from(
        referral_list.ReferralFilters(agency_id=other_referral.referring_agency_id)
    )
    export = export_referrals(coordinator, request=ExportInput(parameters=filters))
    assert references(export) == {other_referral.reference}
    with pytest.raises(ValidationError):
        export_referrals(coordinator, request=ExportInput(parameters={"status": "nonsense"}))


# --- the daily limit -----------------------------------------------------------------------------


def test_the_daily_limit_counts_rows_and_starts_again_the_next_day(
    school_dsl: User, make_referrals: MakeReferrals, small_limit: int, clock: Clock
) -> None:
    make_referrals(3)
    first = export_referrals(school_dsl)
    assert first.row_count == 3
    assert daily_allowance(user=school_dsl) == daily_allowance(user=school_dsl, now=clock.now)
    assert (daily_allowance(user=school_dsl).used, small_limit) == (3, 5)

    # Three more rows would make six: refused, with the numbers that explain it.
    preview = export_preview(user=school_dsl, kind=KIND, request=ExportInput())
    assert preview.needs_approval
    with pytest.raises(OverDailyLimit) as refused:
        export_referrals(school_dsl)
    message = refused.value.messages[0]
    assert "This export has 3 rows" in message
    assert "You can export 5 rows a day without approval and have used 3 today" in message
    assert "2 are left" in message and "ask for approval" in message
    assert ExportRecord.objects.count() == 1

    clock.advance(hours=13, minutes=59)  # 23:59 the same day
    with pytest.raises(OverDailyLimit):
        export_referrals(school_dsl)
    clock.advance(minutes=1)  # midnight: a new day, a new allowance
    assert daily_allowance(user=school_dsl).used == 0
    second = export_referrals(school_dsl)
    assert second.status == ExportStatus.READY
    assert daily_allowance(user=school_dsl).used == 3


def test_the_day_is_the_partnerships_local_day(
    school_dsl: User,
    make_referrals: MakeReferrals,
    small_limit: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In summer, London midnight is 23:00 UTC: the allowance starts again then."""
    clock = Clock(monkeypatch, datetime.datetime(2026, 7, 1, 22, 30, tzinfo=datetime.UTC))
    make_referrals(3)
    export_referrals(school_dsl)
    with pytest.raises(OverDailyLimit):
        export_referrals(school_dsl)
    clock.advance(minutes=30)  # 00:00 in London
    assert export_referrals(school_dsl).status == ExportStatus.READY


def test_each_user_has_their_own_allowance(
    school_dsl: User, coordinator: User, make_referrals: MakeReferrals, small_limit: int
) -> None:
    make_referrals(4)
    export_referrals(school_dsl)
    assert daily_allowance(user=coordinator).used == 0
    assert export_referrals(coordinator).row_count == 4


# --- approval by a second person -----------------------------------------------------------------


def over_the_limit(user: User, make_referrals: MakeReferrals) -> ExportRecord:
    make_referrals(6)
    with pytest.raises(ValidationError, match="Explain why you need"):
        export_referrals(user, ask_approval=True)
    return export_referrals(
        user, ask_approval=True, justification="Every open referral for the annual review"
    )


def test_over_the_limit_a_second_person_approves_and_the_file_is_made_for_the_requester(
    school_dsl: User,
    coordinator: User,
    auditor: User,
    make_referrals: MakeReferrals,
    small_limit: int,
    clock: Clock,
) -> None:
    waiting = over_the_limit(school_dsl, make_referrals)
    assert (waiting.status, waiting.row_count, waiting.content) == (
        ExportStatus.AWAITING_APPROVAL,
        6,
        None,
    )
    with pytest.raises(ExportNotAvailable, match="waiting for approval"):
        export_download(export=waiting, user=school_dsl)

    clock.advance(minutes=20)
    approved = export_approve(export=waiting, approver=auditor, reason="Annual review is due")
    assert (approved.status, approved.decided_by, approved.decision_reason) == (
        ExportStatus.APPROVED,
        auditor,
        "Annual review is due",
    )
    assert approved.decided_at == clock.now

    clock.advance(minutes=5)
    file = export_download(export=approved, user=school_dsl)
    approved.refresh_from_db()
    assert approved.status == ExportStatus.READY
    text = file.body.decode("utf-8-sig")
    # One cell, quoted, so that a spreadsheet keeps the marking whole in A1.
    assert text.startswith(
        '"OFFICIAL-SENSITIVE — exported by Tom Baker (Hartmoor Academy) at 2026-03-02 10:25:00 UTC'
    )
    assert len(csv_rows(approved)) == 2 + 6
    # An approved export does not use up the requester's own allowance.
    assert daily_allowance(user=school_dsl).used == 0
    # Only the requester downloads it, not the approver nor anyone else.
    with pytest.raises(PermissionDenied):
        export_download(export=approved, user=coordinator)


def test_nobody_approves_their_own_export_and_only_approvers_approve(
    coordinator: User,
    police_coordinator: User,
    school_dsl: User,
    make_referrals: MakeReferrals,
    small_limit: int,
) -> None:
    waiting = over_the_limit(coordinator, make_referrals)
    with pytest.raises(PermissionDenied, match="your own export"):
        export_approve(export=waiting, approver=coordinator, reason="Mine")
    with pytest.raises(PermissionDenied):
        export_approve(export=waiting, approver=school_dsl, reason="Looks fine")
    with pytest.raises(ValidationError, match="reason"):
        export_approve(export=waiting, approver=police_coordinator, reason="  ")
    waiting.refresh_from_db()
    assert (waiting.status, waiting.decided_by) == (ExportStatus.AWAITING_APPROVAL, None)
    export_approve(export=waiting, approver=police_coordinator, reason="Needed for the panel")
    with pytest.raises(ValidationError, match="already been decided"):
        export_refuse(export=waiting, approver=police_coordinator, reason="Changed my mind")


def test_a_refused_export_leaves_nothing_behind_but_its_record(
    school_dsl: User, auditor: User, make_referrals: MakeReferrals, small_limit: int
) -> None:
    waiting = over_the_limit(school_dsl, make_referrals)
    before = AuditEntry.objects.filter(action=AuditAction.CONSULTATION).count()

    refused = export_refuse(export=waiting, approver=auditor, reason="Not needed in full")

    assert (refused.status, refused.content, refused.produced_at, refused.filename) == (
        ExportStatus.REFUSED,
        None,
        None,
        "",
    )
    with pytest.raises(ExportNotAvailable, match="refused"):
        export_download(export=refused, user=school_dsl)
    assert AuditEntry.objects.filter(action=AuditAction.CONSULTATION).count() == before
    assert daily_allowance(user=school_dsl).used == 0
    with pytest.raises(ValidationError, match="already been decided"):
        export_approve(export=refused, approver=auditor, reason="On reflection")


# --- the access log ------------------------------------------------------------------------------


def test_every_record_in_a_file_is_logged_as_consulted_by_the_requester(
    coordinator: User, dsl_referral: Referral, other_referral: Referral
) -> None:
    export = export_referrals(coordinator)
    purpose = f"referral list export {export.reference}"
    logged = set(
        AuditEntry.objects.filter(
            action=AuditAction.CONSULTATION, purpose=purpose, actor_id=coordinator.pk
        ).values_list("object_type", "object_id", "person_id", "channel")
    )
    assert logged == {
        ("referral", str(r.pk), r.person_id, "cli") for r in (dsl_referral, other_referral)
    }

    export_download(export=export, user=coordinator)
    download = AuditEntry.objects.filter(object_type="exportrecord").get()
    assert (download.action, download.object_id, download.purpose, download.actor_id) == (
        AuditAction.CONSULTATION,
        str(export.pk),
        purpose,
        coordinator.pk,
    )
    assert verify()[0] == 0


def _refuse(*args: object, **kwargs: object) -> None:
    raise DatabaseError("the audit log is unavailable")


def test_a_failed_audit_write_leaves_no_export(
    coordinator: User, dsl_referral: Referral, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = AuditEntry.objects.count()
    monkeypatch.setattr(AuditEntry.objects, "bulk_create", _refuse)
    with pytest.raises(DatabaseError, match="audit log is unavailable"):
        export_referrals(coordinator)
    monkeypatch.undo()
    assert not ExportRecord.objects.exists()
    assert AuditEntry.objects.count() == before
    assert verify()[0] == 0


def test_a_failed_audit_write_refuses_the_download_of_an_approved_export(
    school_dsl: User,
    auditor: User,
    make_referrals: MakeReferrals,
    small_limit: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    approved = export_approve(
        export=over_the_limit(school_dsl, make_referrals), approver=auditor, reason="Yes"
    )
    monkeypatch.setattr(AuditEntry.objects, "bulk_create", _refuse)
    with pytest.raises(DatabaseError):
        export_download(export=approved, user=school_dsl)
    monkeypatch.undo()
    approved.refresh_from_db()
    assert (approved.status, approved.content) == (ExportStatus.APPROVED, None)


def test_files_are_removed_after_a_week_and_the_removal_is_logged(
    coordinator: User, dsl_referral: Referral, clock: Clock
) -> None:
    export = export_referrals(coordinator)
    clock.advance(days=6, hours=23)
    assert exports_expire() == 0
    clock.advance(hours=1)
    assert exports_expire() == 1
    export.refresh_from_db()
    assert (export.status, export.content) == (ExportStatus.EXPIRED, None)
    assert export.sha256  # what was released can still be matched to a copy
    with pytest.raises(ExportNotAvailable, match="7 days"):
        export_download(export=export, user=coordinator)
    erased = AuditEntry.objects.get(action=AuditAction.ERASURE, object_type="exportrecord")
    assert (erased.object_id, erased.purpose) == (str(export.pk), "export expiry")
