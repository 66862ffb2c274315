"""Writes to the intervention catalogue: the national entries from catalogue.yaml, and an area
adding, changing and retiring programmes. Every write is audited in its own transaction.

A national entry belongs to two owners: the catalogue file owns what the guide says about it
(CATALOGUE_FIELDS); the area owns its provider, its number of places and whether it runs it
at all (retirement). Loading the file again never overwrites the area's part, and an area
never edits the file's part. Local programmes belong to the area entirely.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone
from django.utils.text import slugify

from offramp.access.permissions import Capability, require_capability
from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.assessments.framework import current_framework
from offramp.audit.models import AuditAction
from offramp.audit.services import audit_append, audit_line, audit_record
from offramp.text import null_character_errors

from .catalogue import (
    LOCAL_SLUG_PREFIX,
    NAME_MAX,
    OLDEST_AGE,
    SLUG_MAX,
    Catalogue,
    CatalogueEntry,
    load_catalogue,
)
from .models import EvidenceStrength, Programme

PURPOSE = "intervention catalogue"
CATALOGUE_FIELDS = (
    "name",
    "description",
    "delivered_by",
    "kind",
    "min_age",
    "max_age",
    "eligibility",
    "crime_types",
    "factor_ids",
    "factor_notes",
    "evidence_strength",
    "evidence_note",
    "guide_paragraphs",
)
DESCRIPTION_MAX = 4000
EVIDENCE_NOTE_MAX = 2000
ELIGIBILITY_MAX = 1000
REASON_MAX = 500
CAPACITY_MAX = 100_000
# Claims of evaluated evidence must say what the evaluation found.
EVALUATED = frozenset({EvidenceStrength.STRONG, EvidenceStrength.PROMISING})


# --- the national catalogue ----------------------------------------------------------------------


def national_catalogue(path: Path | str | None = None) -> Catalogue:
    """The catalogue file (the bundled one by default), checked against the framework in force."""
    return load_catalogue(
        path, framework=current_framework(), evidence_strengths=EvidenceStrength.values
    )


def _catalogue_values(entry: CatalogueEntry) -> dict[str, Any]:
    return {
        "name": entry.name,
        "description": entry.description,
        "delivered_by": entry.delivered_by,
        "kind": entry.kind,
        "min_age": entry.min_age,
        "max_age": entry.max_age,
        "eligibility": entry.eligibility,
        "crime_types": list(entry.crime_types),
        "factor_ids": list(entry.factor_ids),
        "factor_notes": dict(entry.factor_notes),
        "evidence_strength": entry.evidence_strength,
        "evidence_note": entry.evidence_note,
        "guide_paragraphs": list(entry.guide_paragraphs),
    }


@dataclass
class SyncResult:
    created: list[Programme] = field(default_factory=list)
    updated: list[Programme] = field(default_factory=list)
    unchanged: int = 0


def sync_national_catalogue(
    catalogue: Catalogue, *, model: type[Programme] = Programme, using: str = "default"
) -> SyncResult:
    """Creates or updates national entries by slug; idempotent. Local programmes are never
    touched (their slugs start with 'local-', which the file may not use), nor the area's part
    of a national entry. `model` is the migration state's model when run after `migrate`."""
    manager = model._default_manager.db_manager(using)
    existing = {programme.slug: programme for programme in manager.filter(national=True)}
    result = SyncResult()
    for entry in catalogue.entries:
        values = _catalogue_values(entry)
        programme = existing.get(entry.slug)
        if programme is None:
            result.created.append(
                manager.create(slug=entry.slug, national=True, capacity=entry.capacity, **values)
            )
        elif any(getattr(programme, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(programme, name, value)
            programme.save(update_fields=list(values))
            result.updated.append(programme)
        else:
            result.unchanged += 1
    return result


def catalogue_load(*, path: Path | str | None = None) -> tuple[Catalogue, SyncResult]:
    """`offramp catalogue load`: brings the national entries up to date, audited."""
    catalogue = national_catalogue(path)
    with transaction.atomic():
        result = sync_national_catalogue(catalogue)
        lines = [
            audit_line(action=action, subject=programme, purpose=PURPOSE)
            for action, programmes in (
                (AuditAction.COLLECTION, result.created),
                (AuditAction.ALTERATION, result.updated),
            )
            for programme in programmes
        ]
        audit_append(actor=None, lines=lines)
    return catalogue, result


def install_national_catalogue(
    sender: object, *, using: str = DEFAULT_DB_ALIAS, apps: Apps = global_apps, **kwargs: object
) -> None:
    """After every `migrate` and `flush` (so every test database too): the national catalogue
    is present on a fresh install and kept up to date on upgrade, like Django's own content
    types. Reference data, not a user's action, so not audited; the file is versioned.
    `migrate` passes the migration state's `apps`; `flush` passes none."""
    try:
        model = apps.get_model("interventions", "Programme")
    except LookupError:
        return  # migrated back to before the catalogue existed
    if not set(CATALOGUE_FIELDS) <= {f.name for f in model._meta.get_fields()}:
        return  # migrated back to before one of its fields existed
    sync_national_catalogue(national_catalogue(), model=model, using=using)


# --- an area's own programmes --------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeDetails:
    """Everything an area says about a programme (all of it for a local one)."""

    name: str
    description: str
    delivered_by: str
    kind: str
    factor_ids: tuple[str, ...]
    evidence_strength: str
    provider: Agency | None = None
    min_age: int | None = None
    max_age: int | None = None
    crime_types: tuple[str, ...] = ()
    capacity: int | None = None
    evidence_note: str = ""
    eligibility: str = ""

    @classmethod
    def of(cls, programme: Programme) -> ProgrammeDetails:
        return cls(
            name=programme.name,
            description=programme.description,
            delivered_by=programme.delivered_by,
            kind=programme.kind,
            factor_ids=tuple(programme.factor_ids),
            evidence_strength=programme.evidence_strength,
            provider=programme.provider,
            min_age=programme.min_age,
            max_age=programme.max_age,
            crime_types=tuple(programme.crime_types),
            capacity=programme.capacity,
            evidence_note=programme.evidence_note,
            eligibility=programme.eligibility,
        )

    def model_values(self) -> dict[str, Any]:
        return {
            "name": self.name.strip(),
            "description": self.description.strip(),
            "delivered_by": self.delivered_by.strip(),
            "kind": self.kind,
            "factor_ids": list(self.factor_ids),
            "evidence_strength": self.evidence_strength,
            "provider": self.provider,
            "min_age": self.min_age,
            "max_age": self.max_age,
            "crime_types": list(self.crime_types),
            "capacity": self.capacity,
            "evidence_note": self.evidence_note.strip(),
            "eligibility": self.eligibility.strip(),
        }


# What an area may set on a national entry; the file owns the rest.
AREA_FIELDS = ("provider", "capacity")


def _area_errors(details: ProgrammeDetails) -> dict[str, str]:
    errors: dict[str, str] = {}
    if details.capacity is not None and not 1 <= details.capacity <= CAPACITY_MAX:
        errors["capacity"] = (
            f"The number of places must be from 1 to {CAPACITY_MAX:,}, "
            "or left empty if there is no fixed number"
        )
    if details.provider is not None and not details.provider.active:
        errors["provider"] = f"{details.provider} is no longer an active partner agency"
    return errors


def _text_errors(details: ProgrammeDetails) -> dict[str, str]:
    texts = {
        "name": (details.name, NAME_MAX, "Enter the programme's name"),
        "description": (details.description, DESCRIPTION_MAX, "Describe the programme"),
        "delivered_by": (details.delivered_by, NAME_MAX, "Say who delivers it"),
        "evidence_note": (details.evidence_note, EVIDENCE_NOTE_MAX, ""),
        "eligibility": (details.eligibility, ELIGIBILITY_MAX, ""),
    }
    errors = null_character_errors({name: value for name, (value, _, _) in texts.items()})
    for name, (value, limit, missing) in texts.items():
        if name in errors:
            continue
        if missing and not value.strip():
            errors[name] = missing
        elif len(value.strip()) > limit:
            errors[name] = f"This must be {limit:,} characters or fewer"
    return errors


def _unknown_or_repeated(ids: tuple[str, ...], known: set[str]) -> bool:
    return bool(set(ids) - known) or len(set(ids)) != len(ids)


def _content_errors(details: ProgrammeDetails, *, programme: Programme | None) -> dict[str, str]:
    framework = current_framework()
    errors = _text_errors(details)
    if details.kind not in {kind.id for kind in framework.intervention_kinds}:
        errors["kind"] = "Select the kind of intervention"
    if not details.factor_ids:
        errors["factor_ids"] = "Select the risk factors the programme addresses"
    elif _unknown_or_repeated(details.factor_ids, {factor.id for factor in framework.factors}):
        errors["factor_ids"] = "Select factors from the risk framework, each once"
    if _unknown_or_repeated(details.crime_types, {crime.id for crime in framework.crime_types}):
        errors["crime_types"] = "Select crime types from the risk framework, each once"
    for name, age in (("min_age", details.min_age), ("max_age", details.max_age)):
        if age is not None and not 0 <= age <= OLDEST_AGE:
            errors[name] = f"An age must be from 0 to {OLDEST_AGE}"
    if (
        "min_age" not in errors
        and "max_age" not in errors
        and details.min_age is not None
        and details.max_age is not None
        and details.min_age > details.max_age
    ):
        errors["max_age"] = "The oldest age must be the same as or above the youngest"
    if details.evidence_strength not in EvidenceStrength.values:
        errors["evidence_strength"] = "Select the strength of the evidence for it"
    elif details.evidence_strength in EVALUATED and not details.evidence_note.strip():
        errors["evidence_note"] = "Say which evaluation found this and what it found"
    namesakes = Programme.objects.filter(name__iexact=details.name.strip(), retired_at__isnull=True)
    if programme is not None:
        namesakes = namesakes.exclude(pk=programme.pk)
    if "name" not in errors and namesakes.exists():
        errors["name"] = "There is already a programme with this name in the catalogue"
    return errors


def _local_slug(name: str) -> str:
    base = f"{LOCAL_SLUG_PREFIX}{slugify(name) or 'programme'}"[: SLUG_MAX - 4].rstrip("-")
    slug, number = base, 2
    while Programme.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def programme_create(*, actor: User, details: ProgrammeDetails) -> Programme:
    """Adds one of the area's own programmes to the catalogue."""
    require_capability(actor, Capability.MANAGE_CATALOGUE)
    errors = {**_content_errors(details, programme=None), **_area_errors(details)}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        programme = Programme.objects.create(
            slug=_local_slug(details.name), national=False, **details.model_values()
        )
        audit_record(action=AuditAction.COLLECTION, actor=actor, subject=programme, purpose=PURPOSE)
    return programme


def programme_update(*, programme: Programme, actor: User, details: ProgrammeDetails) -> Programme:
    """Changes a local programme, or the area's part (provider, places) of a national one."""
    require_capability(actor, Capability.MANAGE_CATALOGUE)
    errors = _area_errors(details)
    values = details.model_values()
    if programme.national:
        current = ProgrammeDetails.of(programme).model_values()
        for name in current.keys() - set(AREA_FIELDS):
            if values[name] != current[name]:
                errors[name] = (
                    "This comes from the national catalogue: only the provider and the number "
                    "of places can be changed here"
                )
    else:
        errors |= _content_errors(details, programme=programme)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        if not programme.available:
            raise ValidationError(
                {NON_FIELD_ERRORS: f"{programme} has been retired: it can no longer be changed"}
            )
        changed = [name for name, value in values.items() if getattr(programme, name) != value]
        for name in changed:
            setattr(programme, name, values[name])
        if changed:
            programme.save(update_fields=changed)
            audit_record(
                action=AuditAction.ALTERATION, actor=actor, subject=programme, purpose=PURPOSE
            )
    return programme


def programme_retire(*, programme: Programme, actor: User, reason: str) -> Programme:
    """Takes a programme out of what the area offers. Its history stays: plans that use it
    keep it, and it stays readable; it is no longer suggested nor counted against gaps."""
    require_capability(actor, Capability.MANAGE_CATALOGUE)
    reason = reason.strip()
    errors = null_character_errors({"reason": reason})
    if not reason:
        errors["reason"] = "Enter why the programme is being retired"
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"The reason must be {REASON_MAX} characters or fewer"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        if not programme.available:
            retired_on = f"{programme.retired_at:%-d %B %Y}"
            raise ValidationError(
                {NON_FIELD_ERRORS: f"{programme} was already retired on {retired_on}"}
            )
        programme.retired_at = timezone.now()
        programme.retired_reason = reason
        programme.save(update_fields=["retired_at", "retired_reason"])
        audit_record(action=AuditAction.ALTERATION, actor=actor, subject=programme, purpose=PURPOSE)
    return programme
