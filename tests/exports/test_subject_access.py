"""Acceptance (issue 3, part 6): a subject access export holds everything held about a person
and every disclosure of it, with third parties redacted.

Completeness is tested by introspection: a row is put in every model that has a foreign key to
a person (whatever app it is in, built generically), and each must come back as a section with
that row, so a model added later that the export missed would fail here.
"""

from __future__ import annotations

import datetime
import io
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import models
from django.utils import timezone

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.assessments.framework import current_framework
from offramp.assessments.models import Assessment, Judgement
from offramp.assessments.services import (
    AssessmentSummary,
    FactorEntry,
    assessment_record_factors,
    assessment_record_summary,
    assessment_start,
)
from offramp.audit.models import AuditAction, AuditEntry
from offramp.exports import subject_access
from offramp.exports.models import ExportRecord, ExportStatus
from offramp.exports.registry import ExportInput
from offramp.exports.services import export_approve, export_download, export_request
from offramp.people.models import AliasKind, Person, PersonAlias
from offramp.referrals.models import Referral
from offramp.referrals.services import referral_create
from offramp.retention.disposal import models_referring_to_person
from offramp.sharing.models import DataSharingAgreement
from tests.conftest import referral_request

KIND = subject_access.KIND
REDACTED = "[third party redacted]"


def sar(user: User, person: Person, purpose: str = "Subject access request of 2 March") -> Any:
    export = export_request(
        user=user, kind=KIND, purpose=purpose, request=ExportInput(person=person)
    )
    assert export.status == ExportStatus.READY
    return export


def document(export: ExportRecord) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(bytes(export.content or b""))
    return loaded


def sections(export: ExportRecord) -> dict[str, dict[str, Any]]:
    return {section["key"]: section for section in document(export)["sections"]}


def html(export: ExportRecord) -> str:
    return export_download(export=export, user=export.requested_by, fmt="html").body.decode()


# --- one row of any model, pointing at the person ------------------------------------------------


# Values a plain "x" would break a constraint with, from the row's serial number.
CONSTRAINED_VALUES: dict[str, Callable[[int], dict[str, object]]] = {
    # one review per pair, its sides sorted
    "person_index.matchreview": lambda n: {"left_uid": f"p{n}", "right_uid": f"r{n}"},
}


class Builder:
    """Makes one row of any model, its foreign keys to a person pointing at `person`.

    Required fields get plain values; foreign keys to other models get a row of their own
    (made the same way), so a new model needs no code here.
    """

    def __init__(self, person: Person, user: User, agency: Agency) -> None:
        self.person, self.user, self.agency = person, user, agency
        self.made: dict[type[models.Model], models.Model] = {}
        self.counter = itertools.count(1)

    def _value(self, field: models.Field[Any, Any]) -> object:
        if field.choices:
            return field.choices[0][0]
        if isinstance(field, models.DateTimeField):
            return timezone.now()
        if isinstance(field, models.DateField):
            return timezone.localdate()
        if isinstance(field, models.IntegerField | models.DecimalField | models.FloatField):
            return 1
        if isinstance(field, models.BooleanField):
            return False
        if isinstance(field, models.JSONField):
            return []
        return f"x{next(self.counter)}" if field.unique else "x"

    def _target(self, model: type[models.Model], *, only_one: bool) -> models.Model:
        known: dict[type[models.Model], models.Model] = {
            Person: self.person,
            User: self.user,
            Agency: self.agency,
        }
        if model in known:
            return known[model]
        if only_one:  # a one-to-one target cannot be shared
            return self.row(model)
        if model not in self.made:
            self.row(model)
        return self.made[model]

    def counterpart(self) -> Person:
        """Another person, with a higher record number than the subject (a tie is stored with
        the lower number first)."""
        return Person.objects.create(
            given_name="Counter",
            family_name="Part",
            date_of_birth=datetime.date(2000, 1, 1),
            created_by_agency=self.agency,
        )

    def row(self, model: type[models.Model], **given: object) -> models.Model:
        values: dict[str, object] = {}
        people = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.ForeignKey) and f.related_model is Person
        ]
        # A model that ties two people: the subject first, then someone else.
        for field in people[1:]:
            given.setdefault(field.name, self.counterpart())
        constrained = CONSTRAINED_VALUES.get(model._meta.label_lower)
        if constrained is not None:
            for name, value in constrained(next(self.counter)).items():
                given.setdefault(name, value)
        for field in model._meta.concrete_fields:
            if field.primary_key or field.name in given:
                continue
            optional = field.has_default() or field.null or field.blank
            if isinstance(field, models.ForeignKey):
                target = field.related_model
                assert isinstance(target, type)
                # Optional links to people and to records are filled (a disclosure needs its
                # basis); optional staff and agency links are not (a decision needs a time).
                if optional and target in (User, Agency):
                    continue
                one = isinstance(field, models.OneToOneField)
                values[field.name] = self._target(target, only_one=one)
            elif not optional:
                values[field.name] = self._value(field)
        made = model._default_manager.create(**values, **given)
        self.made.setdefault(model, made)
        return made


# --- everything held -----------------------------------------------------------------------------


def test_every_model_that_refers_to_a_person_is_in_the_export(
    coordinator: User, dsl_referral: Referral, agencies: dict[str, Agency]
) -> None:
    person = dsl_referral.person
    builder = Builder(person, coordinator, agencies["police"])
    referring = models_referring_to_person()
    for model, field in referring:
        if not model._default_manager.filter(**{field: person}).exists():
            builder.row(model)
    # An earlier export of this person is part of what is held too.
    sar(coordinator, person, purpose="An earlier request")

    export = sar(coordinator, person)

    found = sections(export)
    for model, field in referring:
        label = model._meta.label_lower
        assert label in found, f"{label} (refers to a person by {field}) is missing"
        assert found[label]["rows"], f"{label} holds a row about the person, but none came out"
    # Independently of the walk: every model with a foreign key to Person, in any app.
    for model in apps.get_models(include_auto_created=True):
        if any(
            isinstance(f, models.ForeignKey) and f.related_model is Person
            for f in model._meta.concrete_fields
        ):
            assert model._meta.label_lower in found, model._meta.label
    # Rows that cannot exist without the person's (the referrer's factors) are there too.
    assert found["referrals.referralfactor"]["rows"]
    # The export being made is not part of itself; the earlier one is.
    earlier = [row["reference"] for row in found["exports.exportrecord"]["rows"]]
    assert export.reference not in earlier and len(earlier) >= 1
    assert found["people.person"]["rows"][0]["family_name"] == "Walsh"
    assert export.row_count == sum(
        len(section["rows"]) for key, section in found.items() if key != "audit.auditentry"
    )


def test_each_section_is_listed_even_when_nothing_is_held(
    coordinator: User, dsl_referral: Referral
) -> None:
    found = sections(sar(coordinator, dsl_referral.person))
    assert found["sharing.publicinterestdecision"]["rows"] == []
    text = html(ExportRecord.objects.get(kind=KIND))
    assert "Decisions to share in the public interest" in text
    assert "None held." in text


# --- third parties -------------------------------------------------------------------------------


@pytest.fixture
def kyle(other_dsl: User, agencies: dict[str, Agency]) -> Person:
    """Another young person, with a street name, whose referral Connor's assessment cites."""
    referral = referral_create(
        referrer=other_dsl,
        request=referral_request(
            given_name="Kyle", family_name="Brennan", date_of_birth=datetime.date(2007, 5, 5)
        ),
    )
    PersonAlias.objects.create(
        person=referral.person,
        given_name="Stitch",
        family_name="",
        kind=AliasKind.NICKNAME,
        recorded_by_agency=agencies["police"],
    )
    return referral.person


NAMES_OF_KYLE = ("Kyle", "Brennan", "Stitch")


def test_other_people_and_their_names_in_free_text_are_redacted(
    coordinator: User, dsl_referral: Referral, kyle: Person, other_referral: Referral
) -> None:
    connor = dsl_referral.person
    assessment = assessment_start(person=connor, actor=coordinator, referral=dsl_referral)
    # Connor's assessment was started from Kyle's referral: a link to another person's record.
    Assessment.objects.filter(pk=assessment.pk).update(
        referral=kyle.referrals.get(),
        summary=(
            "Connor is out most nights with Kyle Brennan, known as 'Stitch'. KYLE drives; "
            "Brennan's flat is used to store cash. Connor Walsh says he is scared of Kyle's "
            "older friends."
        ),
    )
    Referral.objects.filter(pk=dsl_referral.pk).update(
        concern="Seen getting into a car with Stitch and an older man after school."
    )

    export = sar(coordinator, connor)

    for text in (bytes(export.content or b"").decode(), html(export)):
        for name in NAMES_OF_KYLE:
            assert name.casefold() not in text.casefold(), f"{name} is in the export"
        # Someone the records do not link to is not in them at all.
        assert "Paige" not in text and other_referral.reference not in text
        assert REDACTED in text
        assert "Connor Walsh" in text
    summary = sections(export)["assessments.assessment"]["rows"][0]["summary"]
    assert summary == (
        f"Connor is out most nights with {REDACTED}, known as '{REDACTED}'. {REDACTED} drives; "
        f"{REDACTED}'s flat is used to store cash. Connor Walsh says he is scared of {REDACTED}'s "
        "older friends."
    )
    row = sections(export)["assessments.assessment"]["rows"][0]
    assert row["referral"] == REDACTED  # Kyle's referral, not Connor's
    assert export.summary["third_parties_linked"] == 1
    assert export.summary["names_replaced_in_text"] == 6


def test_a_shared_family_name_alone_is_left_for_the_reviewer(
    coordinator: User, dsl_referral: Referral, other_dsl: User
) -> None:
    brother = referral_create(
        referrer=other_dsl, request=referral_request(given_name="Liam", family_name="Walsh")
    ).person
    assessment = assessment_start(person=dsl_referral.person, actor=coordinator)
    Assessment.objects.filter(pk=assessment.pk).update(
        referral=brother.referrals.get(),
        summary="Liam Walsh collects him; Liam is 19. The Walsh family moved here in 2020.",
    )
    summary = sections(sar(coordinator, dsl_referral.person))["assessments.assessment"]["rows"][0][
        "summary"
    ]
    assert summary == (
        f"{REDACTED} collects him; {REDACTED} is 19. The Walsh family moved here in 2020."
    )


def test_other_people_on_the_same_case_are_redacted(
    coordinator: User,
    dsl_referral: Referral,
    other_referral: Referral,
    other_dsl: User,
    agencies: dict[str, Agency],
) -> None:
    """Connor's case links another person; Connor is linked to Paige's case, which links a
    third. None of them may appear, by record or by name."""
    case_model = apps.get_model("cases", "Case")
    link_model = apps.get_model("cases", "CaseLink")
    connor, paige = dsl_referral.person, other_referral.person
    builder = Builder(connor, coordinator, agencies["police"])
    mia = referral_create(
        referrer=other_dsl, request=referral_request(given_name="Mia", family_name="Quigley")
    ).person
    quinn = referral_create(
        referrer=other_dsl, request=referral_request(given_name="Quinn", family_name="Doyle")
    ).person
    connors_case = builder.row(case_model, person=connor, referral=dsl_referral)
    builder.row(link_model, case=connors_case, person=mia, note="Mia Quigley drives him")
    paiges_case = builder.row(case_model, person=paige, referral=other_referral)
    builder.row(link_model, case=paiges_case, person=connor, note="Paige's boyfriend")
    builder.row(link_model, case=paiges_case, person=quinn)
    Referral.objects.filter(pk=dsl_referral.pk).update(
        concern="Paige Morris and Quinn say Connor owes money. Mia was there."
    )

    export = sar(coordinator, connor)

    text = bytes(export.content or b"").decode()
    for name in ("Mia", "Quigley", "Paige", "Morris", "Quinn", "Doyle", other_referral.reference):
        assert name not in text, f"{name} is in the export"
    links = sections(export)["cases.caselink"]["rows"]
    assert {(row["case"], row["person"]) for row in links} == {
        (f"Case {connors_case.reference}", REDACTED),  # type: ignore[attr-defined]
        (REDACTED, f"The subject (record {connor.pk})"),  # Paige's case
    }
    assert export.summary["third_parties_linked"] == 3


def _model(label: str) -> type[models.Model]:
    try:
        return apps.get_model(label)
    except LookupError:
        pytest.skip(f"{label} is not installed")


def test_relationship_counterparts_and_fellow_group_members_are_redacted(
    coordinator: User, dsl_referral: Referral, other_dsl: User, agencies: dict[str, Agency]
) -> None:
    relationship = _model("networks.Relationship")
    group = _model("networks.OrganisedCrimeGroup")
    membership = _model("networks.GroupMembership")
    connor = dsl_referral.person
    builder = Builder(connor, coordinator, agencies["police"])

    def person(given: str, family: str) -> Person:
        return referral_create(
            referrer=other_dsl, request=referral_request(given_name=given, family_name=family)
        ).person

    cousin, member = person("Tyrone", "Ashdown"), person("Bex", "Calloway")
    builder.row(relationship, person_a=connor, person_b=cousin, note="Tyrone Ashdown's car")
    eastside = builder.row(group, reference="OCG-7", name="Eastside")
    builder.row(membership, group=eastside, person=connor, note="Runs parcels for Bex")
    builder.row(membership, group=eastside, person=member)

    export = sar(coordinator, connor)

    text = bytes(export.content or b"").decode()
    for name in ("Tyrone", "Ashdown", "Bex", "Calloway"):
        assert name not in text, f"{name} is in the export"
    (tie,) = sections(export)["networks.relationship"]["rows"]
    assert (tie["person_a"], tie["person_b"], tie["note"]) == (
        f"The subject (record {connor.pk})",
        REDACTED,
        f"{REDACTED}'s car",
    )
    (own,) = sections(export)["networks.groupmembership"]["rows"]
    assert own["note"] == f"Runs parcels for {REDACTED}"
    assert export.summary["third_parties_linked"] == 2


# --- staff, referrers, disclosures and the access log --------------------------------------------


def test_staff_are_named_but_the_referrer_is_not(
    coordinator: User, school_dsl: User, dsl_referral: Referral
) -> None:
    Referral.objects.filter(pk=dsl_referral.pk).update(
        concern="Tom Baker, his form tutor, saw him with older boys. Mr Baker called home."
    )
    assessment_start(person=dsl_referral.person, actor=coordinator, referral=dsl_referral)
    export = sar(coordinator, dsl_referral.person)
    text = bytes(export.content or b"").decode()
    assert "Baker" not in text
    referral = sections(export)["referrals.referral"]["rows"][0]
    assert referral["referrer"] == (
        "Practitioner at Hartmoor Academy (the referrer: name withheld)"
    )
    assert referral["concern"] == (
        "[referrer's name withheld], his form tutor, saw him with older boys. "
        "Mr [referrer's name withheld] called home."
    )
    assert referral["referring_agency"] == "Hartmoor Academy"
    assessment = sections(export)["assessments.assessment"]["rows"][0]
    assert assessment["assessor"] == "Priya Shah (Hartmoor Council Community Safety)"


def test_every_disclosure_and_every_organisation_that_used_the_records_is_listed(
    coordinator: User,
    dsl_referral: Referral,
    agencies: dict[str, Agency],
    partnership_agreement: DataSharingAgreement,
) -> None:
    person = dsl_referral.person
    assessment = assessment_start(person=person, actor=coordinator, referral=dsl_referral)
    entries = [
        FactorEntry(
            factor_id=factor.id,
            judgement=Judgement.PRESENT,
            evidence="Stopped twice in a car registered to a known dealer.",
            source_agency_id=agencies["police"].pk,
            evidence_date=datetime.date(2026, 1, 5),
        )
        if factor.id == "gang_involvement"
        else FactorEntry(factor_id=factor.id, judgement=Judgement.NOT_KNOWN)
        for factor in current_framework().factors
    ]
    assessment_record_factors(assessment=assessment, actor=coordinator, entries=entries)
    assessment_record_summary(
        assessment=assessment,
        actor=coordinator,
        summary=AssessmentSummary(
            protective_factors="", summary="Support likely to help.", overall_concern="some_concern"
        ),
    )

    export = sar(coordinator, person)

    shared = sections(export)["sharing.disclosure"]
    assert [field["label"] for field in shared["fields"]] == [
        "When",
        "What kind of information",
        "The record it was added to",
        "From",
        "To",
        "On what basis",
        "Recorded by",
    ]
    (share,) = shared["rows"]
    assert (share["category"], share["from_agency"], share["to_agency"]) == (
        "Offending",
        "Hartmoor Police",
        "Hartmoor Council Community Safety",
    )
    assert share["basis"].startswith(
        "Agreement HISP-TEST (Other statutory basis: Crime and Disorder Act 1998"
    )
    assert share["recorded_by"] == "Priya Shah (Hartmoor Council Community Safety)"

    log = sections(export)["audit.auditentry"]
    assert {f["name"] for f in log["fields"]} == {
        "occurred_at",
        "action",
        "record",
        "purpose",
        "agency",
        "channel",
    }
    agencies_seen = {row["agency"] for row in log["rows"]}
    assert agencies_seen == {"Hartmoor Academy", "Hartmoor Council Community Safety"}
    assert "Disclosure" in {row["action"] for row in log["rows"]}
    logged = AuditEntry.objects.filter(person_id=person.pk).count()
    assert len(log["rows"]) == logged - 2  # all but this export's own two consultations
    assert "coordinator" not in json.dumps(log)  # organisations, never staff usernames


# --- marking, format, scope and audit ------------------------------------------------------------


def test_the_export_is_marked_and_readable(coordinator: User, dsl_referral: Referral) -> None:
    export = sar(coordinator, dsl_referral.person)
    doc = document(export)
    marking = "OFFICIAL-SENSITIVE — exported by Priya Shah (Hartmoor Council Community Safety) at "
    assert doc["marking"].startswith(marking)
    assert doc["marking"].endswith(
        f"reference {export.reference}, purpose Subject access request of 2 March"
    )
    assert doc["subject"] == {"record_number": dsl_referral.person_id}
    page = html(export)
    assert page.count(doc["marking"]) >= 2  # at the top and the foot of every printout
    assert "<h2>Personal details</h2>" in page
    assert "Connor" in page and dsl_referral.reference in page
    assert subject_access.REVIEW_WARNING in page


def test_only_a_role_that_answers_requests_may_export_a_person(
    school_dsl: User, auditor: User, analyst: User, dsl_referral: Referral
) -> None:
    for user in (school_dsl, auditor, analyst):
        with pytest.raises(PermissionDenied):
            export_request(
                user=user,
                kind=KIND,
                purpose="Curiosity",
                request=ExportInput(person=dsl_referral.person),
            )
    assert not ExportRecord.objects.exists()


def test_producing_it_is_logged_as_a_consultation_of_the_person_and_their_log(
    coordinator: User, dsl_referral: Referral
) -> None:
    export = sar(coordinator, dsl_referral.person)
    purpose = f"subject access export {export.reference}"
    logged = set(
        AuditEntry.objects.filter(purpose=purpose).values_list(
            "action", "object_type", "object_id", "person_id", "actor_id"
        )
    )
    pid = dsl_referral.person_id
    assert logged == {
        (AuditAction.CONSULTATION, "person", str(pid), pid, coordinator.pk),
        (AuditAction.CONSULTATION, "access_log", str(pid), pid, coordinator.pk),
    }


def test_the_command_line_goes_through_the_same_service(
    coordinator: User, dsl_referral: Referral, tmp_path: Path, settings: Any
) -> None:
    out = tmp_path / "sar.html"
    stdout = io.StringIO()
    call_command(
        "export",
        "subject-access",
        "--person",
        str(dsl_referral.person_id),
        "--user",
        "coordinator",
        "--out",
        str(out),
        "--format",
        "html",
        stdout=stdout,
    )
    export = ExportRecord.objects.get()
    assert f"Export {export.reference}" in stdout.getvalue()
    assert "OFFICIAL-SENSITIVE — exported by Priya Shah" in out.read_text()
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert AuditEntry.objects.filter(
        purpose=f"subject access export {export.reference}", channel="cli"
    ).exists()

    settings.OFFRAMP_EXPORT_DAILY_ROW_LIMIT = export.row_count
    with pytest.raises(CommandError, match="ask for approval"):
        call_command(
            "export",
            "subject-access",
            "--person",
            str(dsl_referral.person_id),
            "--user",
            "coordinator",
            "--out",
            str(out),
        )
    with pytest.raises(CommandError, match="No person record 987654"):
        call_command(
            "export", "subject-access", "--person", "987654", "--user", "coordinator", "--out", "x"
        )
    with pytest.raises(CommandError, match="No person record"):
        call_command(
            "export",
            "subject-access",
            "--person",
            str(dsl_referral.person_id),
            "--user",
            "dsl",
            "--out",
            str(out),
        )


def test_over_the_limit_the_command_line_asks_for_approval_then_downloads(
    coordinator: User, auditor: User, dsl_referral: Referral, tmp_path: Path, settings: Any
) -> None:
    settings.OFFRAMP_EXPORT_DAILY_ROW_LIMIT = 1
    out = tmp_path / "sar.json"
    stdout = io.StringIO()
    arguments = ["--person", str(dsl_referral.person_id), "--user", "coordinator"]
    call_command(
        "export",
        "subject-access",
        *arguments,
        "--out",
        str(out),
        "--ask-approval",
        "--justification",
        "The request came in by post",
        stdout=stdout,
    )
    export = ExportRecord.objects.get()
    assert "waiting for approval" in stdout.getvalue()
    assert not out.exists()
    export_approve(export=export, approver=auditor, reason="Statutory request")
    call_command("export", "download", export.reference, "--user", "coordinator", "--out", str(out))
    assert json.loads(out.read_text())["marking"].startswith("OFFICIAL-SENSITIVE — exported by")
    with pytest.raises(CommandError, match="You have no export"):
        call_command("export", "download", export.reference, "--user", "auditor", "--out", str(out))
