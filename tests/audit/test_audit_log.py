"""Acceptance (DPA 2018 s.62): every collection, alteration, consultation, combination and
erasure is logged with who, when, what and why, in the transaction of the operation; editing,
deleting or reordering any entry is detected by `offramp audit verify`; a failed audit write
leaves nothing behind; the log never holds the sensitive content."""

import datetime
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from offramp.accounts.models import User
from offramp.audit.chain import GENESIS_HASH, HASHED_FIELDS, ROW_FIELDS, entry_hash
from offramp.audit.models import AuditAction, AuditChainHead, AuditChannel, AuditEntry, Event
from offramp.audit.services import audit_record
from offramp.people.models import Person
from offramp.referrals.models import Referral, ReferralFactor
from offramp.referrals.services import referral_create
from tests.api.test_api import api_client
from tests.audit.conftest import Busy, verify
from tests.conftest import referral_request, signed_in

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's"
)


def rows() -> list[AuditEntry]:
    return list(AuditEntry.objects.order_by("sequence"))


# --- the chain -----------------------------------------------------------------------------------


def test_a_realistic_stretch_of_work_is_logged_and_the_chain_verifies(busy: Busy) -> None:
    code, message = verify()
    entries = rows()
    assert code == 0, message
    assert f"intact: {len(entries)} entries" in message
    assert [e.sequence for e in entries] == list(range(1, len(entries) + 1))
    assert entries[0].previous_hash == GENESIS_HASH
    for before, after in itertools.pairwise(entries):
        assert after.previous_hash == before.entry_hash
    assert {e.action for e in entries} >= {
        AuditAction.COLLECTION,
        AuditAction.ALTERATION,
        AuditAction.CONSULTATION,
        AuditAction.COMBINATION,
        AuditAction.ERASURE,
    }
    head = AuditChainHead.objects.get()
    assert (head.sequence, head.entry_hash) == (entries[-1].sequence, entries[-1].entry_hash)


def test_every_timeline_event_has_its_audit_entry(busy: Busy) -> None:
    logged: dict[str, int] = {}
    for code in AuditEntry.objects.exclude(event_code="").values_list("event_code", flat=True):
        logged[code] = logged.get(code, 0) + 1
    recorded: dict[str, int] = {}
    for code in Event.objects.values_list("code", flat=True):
        recorded[code] = recorded.get(code, 0) + 1
    # The provisional record folded in by linking lost nothing: its events moved, not vanished.
    assert logged == recorded


def test_each_entry_says_who_when_what_and_why(busy: Busy) -> None:
    link = AuditEntry.objects.get(action=AuditAction.COMBINATION)
    assert link.actor_id == busy.coordinator.pk
    assert link.actor_username == "coordinator"
    assert link.actor_agency == "Hartmoor Council Community Safety"
    assert (link.object_type, link.object_id) == ("referral", str(busy.relinked.pk))
    assert link.person_id == busy.referral.person_id
    assert link.purpose == "screening"
    assert link.occurred_at.utcoffset() == datetime.timedelta(0)
    erased = AuditEntry.objects.get(action=AuditAction.ERASURE)
    assert erased.object_type == "person"
    assert not Person.objects.filter(pk=erased.object_id).exists()


def test_the_log_never_holds_the_sensitive_content(busy: Busy) -> None:
    logged = " ".join(
        str(value) for row in AuditEntry.objects.values_list(*ROW_FIELDS) for value in row
    )
    assert not [secret for secret in busy.secrets if secret in logged]


def test_an_empty_log_verifies() -> None:
    assert verify() == (0, "Audit chain intact: 0 entries, last hash " + GENESIS_HASH + "\n")


# --- tampering -----------------------------------------------------------------------------------

TAMPER: dict[str, Callable[[Any], Any]] = {
    "action": lambda v: "erasure" if v != "erasure" else "collection",
    "event_code": lambda v: "person.updated",
    "occurred_at": lambda v: v + datetime.timedelta(seconds=1),
    "actor_id": lambda v: (v or 0) + 1,
    "actor_username": lambda v: "someone-else",
    "actor_agency_id": lambda v: (v or 0) + 1,
    "actor_agency": lambda v: "Another agency",
    "object_type": lambda v: "assessment" if v != "assessment" else "person",
    "object_id": lambda v: v + "0",
    "person_id": lambda v: (v or 0) + 1,
    "purpose": lambda v: "curiosity",
    "channel": lambda v: "cli" if v != "cli" else "api",
    "previous_hash": lambda v: "f" * 64,
    "entry_hash": lambda v: "e" * 64,
}


def test_tampering_covers_every_field() -> None:
    assert set(TAMPER) == set(ROW_FIELDS) - {"sequence"}


@pytest.mark.parametrize("field", sorted(TAMPER))
def test_editing_any_field_of_any_entry_is_detected(
    field: str, busy: Busy, tamperable: None
) -> None:
    for entry in rows():
        with transaction.atomic():
            changed = TAMPER[field](getattr(entry, field))
            AuditEntry.objects.filter(sequence=entry.sequence).update(**{field: changed})
            code, message = verify()
            transaction.set_rollback(True)
        kind = "reordered" if field == "previous_hash" else "edited"
        assert code == 1, f"editing {field} of {entry.sequence} went unnoticed"
        assert f"broken at sequence {entry.sequence} ({kind})" in message
    assert verify()[0] == 0


def test_rewriting_an_entry_and_its_hash_is_still_detected_by_the_next(
    busy: Busy, tamperable: None
) -> None:
    entry = rows()[5]
    entry.purpose = "curiosity"
    forged = entry_hash([getattr(entry, name) for name in HASHED_FIELDS])
    AuditEntry.objects.filter(sequence=6).update(purpose="curiosity", entry_hash=forged)
    code, message = verify()
    assert code == 1
    assert "broken at sequence 7 (reordered)" in message


def test_deleting_any_entry_is_detected(busy: Busy, tamperable: None) -> None:
    entries = rows()
    for entry in entries:
        with transaction.atomic():
            AuditEntry.objects.filter(sequence=entry.sequence).delete()
            code, message = verify()
            transaction.set_rollback(True)
        assert code == 1, f"deleting {entry.sequence} went unnoticed"
        assert f"broken at sequence {entry.sequence} (deleted)" in message
    with transaction.atomic():
        AuditEntry.objects.filter(sequence__gte=len(entries) - 2).delete()
        code, message = verify()
        transaction.set_rollback(True)
    assert code == 1
    assert "the chain head records" in message


def _swap_contents(first: int, second: int) -> None:
    fields = [name for name in ROW_FIELDS if name != "sequence"]
    a = AuditEntry.objects.filter(sequence=first).values(*fields).get()
    b = AuditEntry.objects.filter(sequence=second).values(*fields).get()
    AuditEntry.objects.filter(sequence=first).update(**b)
    AuditEntry.objects.filter(sequence=second).update(**a)


@pytest.mark.parametrize("distance", [1, 7])
def test_swapping_two_entries_is_detected(distance: int, busy: Busy, tamperable: None) -> None:
    last = len(rows())
    for first in range(1, last - distance + 1):
        with transaction.atomic():
            _swap_contents(first, first + distance)
            code, message = verify()
            transaction.set_rollback(True)
        assert code == 1, f"swapping {first} and {first + distance} went unnoticed"
        assert f"broken at sequence {first} (reordered)" in message


def test_renumbering_entries_is_detected(busy: Busy, tamperable: None) -> None:
    spare = len(rows()) + 100
    AuditEntry.objects.filter(sequence=3).update(sequence=spare)
    AuditEntry.objects.filter(sequence=4).update(sequence=3)
    AuditEntry.objects.filter(sequence=spare).update(sequence=4)
    code, message = verify()
    assert code == 1
    assert "broken at sequence 3 (reordered)" in message


def test_the_models_refuse_to_change_or_delete_an_entry(busy: Busy) -> None:
    entry = rows()[0]
    entry.purpose = "curiosity"
    with pytest.raises(RuntimeError, match="append-only"):
        entry.save()
    with pytest.raises(RuntimeError, match="append-only"):
        entry.delete()


# --- the database refuses, on PostgreSQL ---------------------------------------------------------


@on_postgresql
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditentry SET purpose = 'curiosity'",
        "DELETE FROM audit_auditentry",
        "UPDATE audit_auditentry SET sequence = sequence + 1000",
    ],
)
def test_postgresql_refuses_update_and_delete_even_to_the_owner(statement: str, busy: Busy) -> None:
    before = list(AuditEntry.objects.values_list(*ROW_FIELDS))
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert list(AuditEntry.objects.values_list(*ROW_FIELDS)) == before


@on_postgresql
def test_postgresql_refuses_truncate_to_the_application_role(busy: Busy) -> None:
    """A role granted every privilege on the table is still refused by the trigger."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE offramp_app_probe NOLOGIN")
        cursor.execute("GRANT ALL ON audit_auditentry TO offramp_app_probe")
        cursor.execute("SET ROLE offramp_app_probe")
        try:
            for statement in (
                "TRUNCATE audit_auditentry",
                "DELETE FROM audit_auditentry",
                "UPDATE audit_auditentry SET purpose = 'curiosity'",
            ):
                with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                    cursor.execute(statement)
        finally:
            cursor.execute("RESET ROLE")
    assert verify()[0] == 0


# --- all or nothing ------------------------------------------------------------------------------


def _refuse(*args: object, **kwargs: object) -> None:
    raise DatabaseError("the audit log is unavailable")


def test_a_failed_audit_write_leaves_no_referral_person_or_event(
    school_dsl: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(AuditEntry.objects, "bulk_create", _refuse)
    monkeypatch.setattr(AuditEntry, "save", _refuse)
    with pytest.raises(DatabaseError, match="audit log is unavailable"):
        referral_create(referrer=school_dsl, request=referral_request())
    for model in (Referral, ReferralFactor, Person, Event, AuditEntry):
        assert not model.objects.exists(), model.__name__
    assert verify()[0] == 0


def test_a_failed_audit_write_refuses_the_page_and_the_api(
    dsl_referral: Referral, coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = AuditEntry.objects.count()
    monkeypatch.setattr(AuditEntry.objects, "bulk_create", _refuse)
    page = signed_in(coordinator)
    page.raise_request_exception = False
    response = page.get(reverse("web:person-detail", args=[dsl_referral.person_id]))
    assert response.status_code == 500
    assert dsl_referral.subject_family_name not in response.content.decode()
    api = api_client(coordinator)
    api.raise_request_exception = False
    response = api.get(f"/api/v1/referrals/{dsl_referral.pk}")
    assert response.status_code == 500
    assert dsl_referral.concern not in response.content.decode()
    monkeypatch.undo()
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_the_log_is_written_only_inside_a_transaction(dsl_referral: Referral) -> None:
    with pytest.raises(RuntimeError, match="transaction of the operation"):
        audit_record(
            action=AuditAction.CONSULTATION,
            actor=None,
            subject=dsl_referral,
            purpose="screening",
        )


# --- consultation --------------------------------------------------------------------------------


def consultations(**filters: object) -> list[tuple[str, str, str, int | None, str, str]]:
    return list(
        AuditEntry.objects.filter(action=AuditAction.CONSULTATION, **filters)
        .order_by("sequence")
        .values_list(
            "actor_username", "object_type", "object_id", "person_id", "purpose", "channel"
        )
    )


def test_viewing_pages_is_logged_as_consultation(
    dsl_referral: Referral, other_referral: Referral, coordinator: User, school_dsl: User
) -> None:
    person = dsl_referral.person_id
    client = signed_in(coordinator)
    client.get(reverse("web:person-detail", args=[person]))
    client.get(reverse("web:referral-detail", args=[dsl_referral.pk]))
    signed_in(school_dsl).get(reverse("web:referral-detail", args=[dsl_referral.pk]))
    assert consultations(person_id=person) == [
        ("coordinator", "person", str(person), person, "case management", "page"),
        ("coordinator", "referral", str(dsl_referral.pk), person, "screening", "page"),
        ("dsl", "referral", str(dsl_referral.pk), person, "referral status", "page"),
    ]


def test_each_person_in_search_results_is_logged(
    dsl_referral: Referral, coordinator: User, school_dsl: User
) -> None:
    twin = referral_create(referrer=school_dsl, request=referral_request(given_name="Conor"))
    page = signed_in(coordinator).get(
        reverse("web:person-search"), {"given_name": "Connor", "family_name": "Walsh"}
    )
    assert page.status_code == 200
    shown = {dsl_referral.person_id, twin.person_id}
    logged = consultations(purpose="search")
    assert {entry[3] for entry in logged} == shown
    assert len(logged) == len(shown)
    found = api_client(coordinator).get("/api/v1/people/search", {"family_name": "Walsh"})
    assert found.status_code == 200
    assert {e[3] for e in consultations(purpose="search", channel="api")} == {
        match["person"]["id"] for match in found.json()
    }
    assert verify()[0] == 0


def test_api_reads_are_logged_as_consultation(busy: Busy) -> None:
    person = busy.referral.person_id
    api = {e[1:] for e in consultations(channel=AuditChannel.API, person_id=person)}
    assert {
        ("person", str(person), person, "case management"),
        ("timeline", str(person), person, "case management"),
        ("referral", str(busy.referral.pk), person, "screening"),
        ("assessment", str(busy.assessment.pk), person, "assessment"),
        ("person", str(person), person, "search"),
    } <= {e[:4] for e in api}


def test_writes_carry_the_channel_they_came_through(coordinator: User, school_dsl: User) -> None:
    referral_create(referrer=school_dsl, request=referral_request())
    response = signed_in(school_dsl).post(
        reverse("web:referral-create"),
        {
            "given_name": "Paige",
            "family_name": "Morris",
            "date_of_birth_0": "3",
            "date_of_birth_1": "1",
            "date_of_birth_2": "2008",
            "area": "Northgate",
            "concern": "Seen with older boys.",
            "consent": "given",
        },
    )
    assert response.status_code == 200
    channels = AuditEntry.objects.filter(event_code="referral.received").values_list(
        "channel", flat=True
    )
    assert list(channels) == ["cli", "page"]


# --- the auditor's view --------------------------------------------------------------------------


def test_the_auditor_reads_a_records_access_log_without_its_content(busy: Busy) -> None:
    person = busy.referral.person_id
    page = signed_in(busy.auditor).get(reverse("web:person-access-log", args=[person]))
    api = api_client(busy.auditor).get(f"/api/v1/people/{person}/access-log")
    assert page.status_code == api.status_code == 200
    content = page.content.decode() + api.content.decode()
    assert not [secret for secret in busy.secrets if secret in content]
    assert "coordinator" in page.content.decode()
    actions = {entry["action"] for entry in api.json()}
    assert {"collection", "alteration", "consultation", "combination"} <= actions
    assert all(entry["person_id"] == person for entry in api.json())
    viewed = consultations(purpose="audit", person_id=person)
    assert [(e[0], e[1], e[5]) for e in viewed] == [
        ("auditor", "access_log", "page"),  # the fixture's own look
        ("auditor", "access_log", "page"),
        ("auditor", "access_log", "api"),
    ]


def test_an_erased_records_log_stays_readable(busy: Busy) -> None:
    erased = AuditEntry.objects.get(action=AuditAction.ERASURE)
    response = api_client(busy.auditor).get(f"/api/v1/people/{erased.object_id}/access-log")
    assert response.status_code == 200
    assert "erasure" in {entry["action"] for entry in response.json()}


@pytest.mark.parametrize("role", ["coordinator", "school_dsl"])
def test_no_one_else_reads_the_access_log(role: str, busy: Busy) -> None:
    user = getattr(busy, role)
    person = busy.referral.person_id
    page = signed_in(user).get(reverse("web:person-access-log", args=[person]))
    api = api_client(user).get(f"/api/v1/people/{person}/access-log")
    assert page.status_code == api.status_code == 403
    assert not consultations(purpose="audit", actor_username=user.username)


def test_the_auditor_still_cannot_see_a_person(busy: Busy) -> None:
    person = busy.referral.person_id
    assert signed_in(busy.auditor).get(reverse("web:person-detail", args=[person])).status_code in (
        403,
        404,
    )
    assert api_client(busy.auditor).get(f"/api/v1/people/{person}").status_code in (403, 404)
