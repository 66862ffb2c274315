"""The subject access export (UK GDPR Art. 15; DPA 2018 s.45): everything held about one person.

**Everything.** The records are found by the same walk of the model graph that retention
disposal uses (`offramp.retention.disposal.plan_disposal`): every row with a foreign key to the
person, every row that cannot exist without one of those, and the retention reviews. A model
added later with a foreign key to a person (cases, interventions, networks) is in the export
without code. Each model is a section, listed even when it holds nothing, so the export shows
where was searched. Disclosures (what, from and to whom, when, on what basis) are a section of
their own, and the access log's entries about the person say which agencies consulted,
changed or received the records, when and why.

**Other people are redacted.** A reference to another person's record appears as
"[third party redacted]", and so does a record about someone else that one of the subject's
records points to (another person's case or referral). The names of everyone the subject's
records link to (their own names and other names) are replaced wherever they appear in free
text. Staff acting in a professional capacity are named; the referrer is not (docs/exports.md).
What cannot be found automatically is listed in docs/exports.md: a person must review the file
before it is released.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.template.loader import render_to_string

from offramp.access.permissions import Capability
from offramp.access.scoping import access_log_for_subject_access, people_for_subject_access
from offramp.accounts.models import Role, User
from offramp.agencies.models import Agency
from offramp.audit.models import AuditAction, AuditChannel
from offramp.audit.services import AuditObject
from offramp.people.models import Person
from offramp.retention.disposal import (
    DisposalPlan,
    models_referring_to_person,
    plan_disposal,
    reverse_relations,
)
from offramp.sharing.models import BasisKind, Disclosure

from .redaction import REFERRER_WITHHELD, THIRD_PARTY, NameRedactor
from .registry import Exporter, ExportFile, ExportInput, Marking, Produced

Model = type[models.Model]

KIND = "subject_access"
# Derived or internal columns left out: search keys computed from names already shown, and an
# earlier export's file and its bookkeeping.
OMIT: dict[str, frozenset[str]] = {
    "people.person": frozenset({"given_name_key", "family_name_key", "family_name_sound"}),
    "people.personalias": frozenset({"family_name_key", "family_name_sound"}),
    "exports.exportrecord": frozenset({"content", "sha256", "summary"}),
}
TITLES: dict[str, str] = {
    "people.person": "Personal details",
    "people.personalias": "Other names",
    "people.agencyidentifier": "Identifiers used by agencies",
    "referrals.referral": "Referrals",
    "referrals.referralfactor": "Risk factors the referrer saw",
    "assessments.assessment": "Assessments",
    "assessments.factorjudgement": "Judgements on each risk factor",
    "audit.event": "Timeline",
    "sharing.disclosure": "Information shared between agencies",
    "sharing.publicinterestdecision": "Decisions to share in the public interest",
    "retention.retentionreview": "Retention reviews",
    "exports.exportrecord": "Exports about this person",
    "intake.sourcerecord": "Records partner agencies supplied",
    "person_index.matchreview": "Checks of whether two records are the same person",
    "person_index.personmerge": "Records merged into one person",
    "person_index.knowncheckmatch": "Checks of whether the partnership knows someone that may "
    "have matched this person",
    "screening.candidateevidence": "Evidence found by screening partner records",
    "screening.candidatedecision": "Decisions on screening candidates",
}
# Known sections in a reader's order; models added later follow, by name.
ORDER = (
    "people.person",
    "people.personalias",
    "people.agencyidentifier",
    "referrals.referral",
    "referrals.referralfactor",
    "assessments.assessment",
    "assessments.factorjudgement",
    "sharing.disclosure",
    "sharing.publicinterestdecision",
    "audit.event",
)
LAST = ("retention.retentionreview", "exports.exportrecord")
ACCESS_LOG = "audit.auditentry"
# Records that very many people's records point to: being attached to the same one does not
# link two people (everyone shared under one agreement, every case before one panel). Any other
# record the subject's records point to links the people attached to it: the other people on a
# case, the other members of a group.
REFERENCE_DATA: frozenset[str] = frozenset(
    {"sharing.datasharingagreement", "cases.panel", "interventions.programme"}
)
# Shown by their description; any other record a subject's record points to is shown by its
# reference alone, since a description may name someone.
DESCRIBED: frozenset[str] = REFERENCE_DATA | {"cases.panelmeeting"}
# Staff whose names are withheld: whoever referred the person (docs/exports.md).
WITHHELD_STAFF: frozenset[tuple[str, str]] = frozenset({("referrals.referral", "referrer")})

NOTICE = (
    "Other people's details are redacted as [third party redacted]. Staff are named with their "
    "organisation when they acted in their professional role; the person who referred you is "
    "shown by their role and organisation only. Times are UTC."
)
REVIEW_WARNING = (
    "Before this export is released, a person must read all of it: names written differently, "
    "nicknames, descriptions that identify someone, and information given in confidence cannot "
    "be found automatically."
)


def _label(model: Model) -> str:
    return model._meta.label_lower


def _title(model: Model) -> str:
    return TITLES.get(_label(model), str(model._meta.verbose_name_plural).capitalize())


def _section_order(model: Model) -> tuple[int, int, str]:
    label = _label(model)
    if label in ORDER:
        return (0, ORDER.index(label), label)
    if label in LAST:
        return (2, LAST.index(label), label)
    return (1, 0, label)


def _field_label(fld: models.Field[Any, Any]) -> str:
    return "Number" if fld.primary_key else str(fld.verbose_name).capitalize()


def _foreign_keys(model: Model) -> list[models.ForeignKey[Any, Any]]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]


def _person_keys(model: Model) -> list[models.ForeignKey[Any, Any]]:
    return [f for f in _foreign_keys(model) if f.related_model is Person]


def _shown_fields(model: Model) -> list[models.Field[Any, Any]]:
    omit = OMIT.get(_label(model), frozenset())
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in omit and not isinstance(f, models.BinaryField)
    ]


def _utc(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Held:
    """The rows held about one person, found by the disposal walk, and what they point to."""

    person: Person
    plan: DisposalPlan
    rows: dict[Model, dict[object, models.Model]] = field(default_factory=dict)
    # Rows outside the walk that the walked rows point to, by model.
    targets: dict[Model, dict[object, models.Model]] = field(default_factory=dict)
    users: dict[object, User] = field(default_factory=dict)
    agencies: dict[object, Agency] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


def _walked(person_id: int) -> tuple[DisposalPlan, dict[Model, set[object]]]:
    plan = plan_disposal(person_id)
    found: dict[Model, set[object]] = defaultdict(set)
    for model, pks in plan.delete.items():
        found[model] |= pks
    for (model, _), pks in plan.kept.items():
        found[model] |= pks
    return plan, {model: pks for model, pks in found.items() if pks}


def count_held(person: Person) -> int:
    _, found = _walked(person.pk)
    return sum(len(pks) for pks in found.values())


def gather(person: Person, *, leave_out_export: str = "") -> Held:
    """Everything held about the person (leaving out the export being made)."""
    plan, found = _walked(person.pk)
    held = Held(person=person, plan=plan)
    for model, pks in found.items():
        rows: dict[Any, models.Model] = model._default_manager.in_bulk(list(pks))
        if _label(model) == "exports.exportrecord" and leave_out_export:
            rows = {
                pk: row
                for pk, row in rows.items()
                if getattr(row, "reference", "") != leave_out_export
            }
        held.rows[model] = {pk: rows[pk] for pk in sorted(rows)}
    wanted: dict[Model, set[object]] = defaultdict(set)
    for model, rows in held.rows.items():
        for fk in _foreign_keys(model):
            target = fk.related_model
            assert isinstance(target, type)
            for row in rows.values():
                pk = getattr(row, fk.attname)
                if pk is not None and pk not in held.rows.get(target, {}):
                    wanted[target].add(pk)
    held.users = User.objects.select_related("agency").in_bulk(list(wanted.pop(User, set())))
    held.agencies = Agency.objects.in_bulk(list(wanted.pop(Agency, set())))
    wanted.pop(Person, None)
    for target, pks in wanted.items():
        held.targets[target] = target._default_manager.in_bulk(list(pks))
    return held


def linked_people(held: Held) -> set[int]:
    """Everyone the subject's records link to: people named in them, the people whose records
    they point to and everyone else attached to those records (the other people on a case, the
    other members of a group; not REFERENCE_DATA), and the people whose records point to the
    subject's."""
    linked: set[Any] = set()
    for model, rows in held.rows.items():
        for fk in _person_keys(model):
            linked |= {getattr(row, fk.attname) for row in rows.values()}
    for target, rows in held.targets.items():
        if not rows or _label(target) in REFERENCE_DATA:
            continue
        for fk in _person_keys(target):
            linked |= {getattr(row, fk.attname) for row in rows.values()}
        for relation in reverse_relations(target):
            child = relation.related_model
            assert isinstance(child, type)
            child_keys = _person_keys(child)
            if child_keys:
                query = child._default_manager.filter(**{f"{relation.field.name}__in": list(rows)})
                for values in query.values_list(*[fk.attname for fk in child_keys]):
                    linked |= set(values)
    for (model, _), pks in held.plan.cut.items():
        keys = _person_keys(model)
        if keys:
            query = model._default_manager.filter(pk__in=list(pks))
            for values in query.values_list(*[fk.attname for fk in keys]):
                linked |= set(values)
    linked.discard(None)
    linked.discard(held.person.pk)
    return {int(pk) for pk in linked}


def _names_of(person: Person) -> list[str]:
    names = [person.full_name, f"{person.given_name} {person.family_name}"]
    for alias in person.aliases.all():
        names.append(f"{alias.given_name or person.given_name} {alias.family_name}")
    return names


def _subject_names(held: Held) -> list[str]:
    names = _names_of(held.person)
    for model, rows in held.rows.items():
        if _label(model) == "referrals.referral":
            for row in rows.values():
                names.append(f"{row.subject_given_name} {row.subject_family_name}")  # type: ignore[attr-defined]
    return names


def withheld_staff(held: Held) -> set[int]:
    withheld: set[int] = set()
    for model, rows in held.rows.items():
        for fk in _foreign_keys(model):
            if (_label(model), fk.name) in WITHHELD_STAFF:
                withheld |= {getattr(row, fk.attname) for row in rows.values()} - {None}
    return withheld


class Document:
    """Builds the JSON document of a subject access export from what is held."""

    def __init__(self, held: Held, *, access_log: Iterable[Any]) -> None:
        self.held = held
        self.access_log = list(access_log)
        self.linked = linked_people(held)
        self.withheld = withheld_staff(held)
        subject_names = _subject_names(held)
        third_parties = Person.objects.filter(pk__in=self.linked).prefetch_related("aliases")
        self.third_party = NameRedactor(
            names=[name for p in third_parties for name in _names_of(p)],
            keep=subject_names,
            replacement=THIRD_PARTY,
        )
        referrers = User.objects.filter(pk__in=self.withheld)
        self.referrer = NameRedactor(
            names=[u.get_full_name() for u in referrers if u.get_full_name()],
            keep=subject_names,
            replacement=REFERRER_WITHHELD,
        )
        self.third_party_references = 0

    # --- values ---------------------------------------------------------------------------------

    def text(self, value: str) -> str:
        return self.referrer(self.third_party(value))

    def _json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self._json(item) for item in value]
        if isinstance(value, dict):
            return {str(key): self._json(item) for key, item in value.items()}
        return value

    def staff(self, pk: object) -> str:
        user = self.held.users.get(pk)
        if user is None:
            return "A member of staff"
        agency = user.agency.name if user.agency else "no agency recorded"
        if user.pk in self.withheld:
            return f"{Role(user.role).label} at {agency} (the referrer: name withheld)"
        name = user.get_full_name() or user.get_username()
        title = f"{user.job_title}, " if user.job_title else ""
        return f"{name} ({title}{agency})"

    def _third_party(self) -> str:
        self.third_party_references += 1
        return THIRD_PARTY

    def _reference(self, model: Model, row: models.Model) -> str:
        reference = getattr(row, "reference", None)
        name = str(model._meta.verbose_name).capitalize()
        return f"{name} {reference if isinstance(reference, str) and reference else row.pk}"

    def target(self, model: Model, pk: object) -> str:
        walked = self.held.rows.get(model, {})
        if pk in walked:
            return self._reference(model, walked[pk])
        row = self.held.targets.get(model, {}).get(pk)
        if row is None:
            return f"{str(model._meta.verbose_name).capitalize()} {pk}"
        people = {getattr(row, fk.attname) for fk in _person_keys(model)} - {None}
        if people and self.held.person.pk not in people:
            return self._third_party()  # another person's record
        if _label(model) in DESCRIBED:
            return self.text(str(row))  # an agreement, a programme, a panel and its meetings
        # Anything else by its reference only: a description (__str__) may name someone.
        return self._reference(model, row)

    def value(self, row: models.Model, fld: models.Field[Any, Any]) -> Any:
        if isinstance(fld, models.ForeignKey):
            pk = getattr(row, fld.attname)
            related = fld.related_model
            if pk is None:
                return None
            if related is Person:
                if pk == self.held.person.pk:
                    return f"The subject (record {pk})"
                return self._third_party()
            if related is User:
                return self.staff(pk)
            if related is Agency:
                agency = self.held.agencies.get(pk)
                return agency.name if agency else f"Agency {pk}"
            assert isinstance(related, type)
            return self.target(related, pk)
        raw = getattr(row, fld.attname)
        if raw is None:
            return None
        if fld.choices and raw != "":
            return str(dict(fld.flatchoices).get(raw, raw))
        if isinstance(raw, datetime.datetime):
            return _utc(raw)
        if isinstance(raw, datetime.date):
            return raw.isoformat()
        if isinstance(raw, Decimal):
            return str(raw)
        if isinstance(raw, bool | int | float):
            return raw
        if isinstance(raw, str):
            return self.text(raw)
        return self._json(raw)

    # --- sections -------------------------------------------------------------------------------

    def generic(self, model: Model) -> dict[str, Any]:
        fields = _shown_fields(model)
        rows = self.held.rows.get(model, {}).values()
        return {
            "key": _label(model),
            "title": _title(model),
            "fields": [{"name": f.name, "label": _field_label(f)} for f in fields],
            "rows": [{f.name: self.value(row, f) for f in fields} for row in rows],
        }

    def disclosures(self, model: Model) -> dict[str, Any]:
        """Each share: what, from and to whom, when, and on what basis."""
        rows = self.held.rows.get(model, {})
        shares = Disclosure.objects.filter(pk__in=list(rows)).select_related(
            "agreement", "decision", "from_agency", "to_agency"
        )
        labels = {
            "occurred_at": "When",
            "category": "What kind of information",
            "record": "The record it was added to",
            "from_agency": "From",
            "to_agency": "To",
            "basis": "On what basis",
            "recorded_by": "Recorded by",
        }
        out = []
        for share in shares.order_by("occurred_at", "pk"):
            basis = share.basis_description
            if share.basis_kind == BasisKind.AGREEMENT and share.agreement is not None:
                basis = f"{basis}: {share.agreement.title}"
            out.append(
                {
                    "occurred_at": _utc(share.occurred_at),
                    "category": share.get_category_display(),
                    "record": f"{share.object_type} {share.object_id}",
                    "from_agency": share.from_agency.name,
                    "to_agency": share.to_agency.name,
                    "basis": self.text(basis),
                    "recorded_by": self.staff(share.recorded_by_id),
                }
            )
        return {
            "key": _label(model),
            "title": _title(model),
            "fields": [{"name": name, "label": label} for name, label in labels.items()],
            "rows": out,
        }

    def access(self) -> dict[str, Any]:
        """Who consulted, changed or received the records: by organisation, never by name."""
        labels = {
            "occurred_at": "When",
            "action": "What was done",
            "record": "Record",
            "purpose": "Why",
            "agency": "By (organisation)",
            "channel": "Through",
        }
        actions = dict(AuditAction.choices)
        channels = dict(AuditChannel.choices)
        rows = [
            {
                "occurred_at": _utc(entry.occurred_at),
                "action": str(actions.get(entry.action, entry.action)),
                "record": f"{entry.object_type} {entry.object_id}",
                "purpose": entry.purpose,
                "agency": entry.actor_agency or "Offramp",
                "channel": str(channels.get(entry.channel, entry.channel)),
            }
            for entry in self.access_log
        ]
        return {
            "key": ACCESS_LOG,
            "title": "Who has used these records (the access log)",
            "fields": [{"name": name, "label": label} for name, label in labels.items()],
            "rows": rows,
        }

    def sections(self) -> list[dict[str, Any]]:
        models_ = set(self.held.rows) | {model for model, _ in models_referring_to_person()}
        ordered = sorted(models_, key=_section_order)
        presenters: dict[str, Callable[[Model], dict[str, Any]]] = {
            "sharing.disclosure": self.disclosures
        }
        built = [presenters.get(_label(m), self.generic)(m) for m in ordered]
        return [*built, self.access()]

    def build(self, marking: Marking) -> dict[str, Any]:
        sections = self.sections()
        return {
            "marking": marking.text,
            "export": {
                "reference": marking.reference,
                "kind": KIND,
                "exported_by": marking.exported_by,
                "agency": marking.agency,
                "exported_at": _utc(marking.at),
                "purpose": marking.purpose,
            },
            "subject": {"record_number": self.held.person.pk},
            "notice": NOTICE,
            "review_before_release": REVIEW_WARNING,
            "sections": sections,
        }

    def summary(self) -> dict[str, int]:
        return {
            "records": self.held.count,
            "third_parties_linked": len(self.linked),
            "third_party_references": self.third_party_references,
            "names_replaced_in_text": self.third_party.count,
            "referrer_names_withheld": self.referrer.count,
            "access_log_entries": len(self.access_log),
        }


def _cell(value: Any) -> str:
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | dict):
        if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
            return ", ".join(str(v) for v in value)
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class SubjectAccessExporter(Exporter):
    kind = KIND
    title = "Subject access export"
    audit_name = "subject access"
    capability = Capability.SUBJECT_ACCESS
    formats = ("json", "html")
    about_one_person = True

    def _person(self, user: User, request: ExportInput) -> Person:
        person = request.person
        if person is None or not people_for_subject_access(user).filter(pk=person.pk).exists():
            raise PermissionDenied("You cannot export this person's records.")
        return person

    def validate(self, *, user: User, request: ExportInput) -> None:
        self._person(user, request)
        if request.parameters:
            raise ValidationError("A subject access export takes no options")

    def count(self, *, user: User, request: ExportInput) -> int:
        return count_held(self._person(user, request))

    def produce(self, *, user: User, request: ExportInput, marking: Marking) -> Produced:
        person = self._person(user, request)
        held = gather(person, leave_out_export=marking.reference)
        log = access_log_for_subject_access(user).filter(person_id=person.pk).order_by("sequence")
        document = Document(held, access_log=log)
        body = json.dumps(document.build(marking), ensure_ascii=False, indent=2).encode()
        return Produced(
            body=body,
            filename=f"{marking.reference}-subject-access.json",
            content_type="application/json",
            rows=held.count,
            consulted=[person, AuditObject("access_log", person.pk, person_id=person.pk)],
            summary=document.summary(),
        )

    def render(self, *, stored: bytes, filename: str, fmt: str) -> ExportFile:
        if fmt != "html":
            return super().render(stored=stored, filename=filename, fmt=fmt)
        document = json.loads(stored)
        sections = [
            {
                "title": section["title"],
                "records": [
                    [(f["label"], _cell(row.get(f["name"]))) for f in section["fields"]]
                    for row in section["rows"]
                ],
            }
            for section in document["sections"]
        ]
        html = render_to_string(
            "exports/subject_access_document.html", {"doc": document, "sections": sections}
        )
        return ExportFile(
            body=html.encode(),
            filename=filename.removesuffix(".json") + ".html",
            content_type="text/html; charset=utf-8",
        )

    def describe(self, request: ExportInput) -> str:
        person = request.person
        return f"Everything held about record {person.pk}" if person else self.title
