"""The national intervention catalogue as data: read catalogue.yaml and check it strictly.

No Django imports, like the framework and the retention schedule: the file is edited by hand,
so every problem is a CatalogueError naming the file, the entry and what is wrong, and every
id is checked against the risk framework. The schema is in docs/interventions.md.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from offramp.framework import Framework
from offramp.yaml_entries import Entry, EntryError, describe

CATALOGUE_PATH = Path(__file__).with_name("catalogue.yaml")
# Local programmes' slugs start with this, so a national entry can never collide with one.
LOCAL_SLUG_PREFIX = "local-"
SLUG_MAX = 80
NAME_MAX = 200
OLDEST_AGE = 120

_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_REQUIRED = (
    "slug",
    "name",
    "kind",
    "description",
    "delivered_by",
    "guide_paragraphs",
    "min_age",
    "max_age",
    "crime_types",
    "factors",
    "capacity",
    "evidence_strength",
    "evidence_note",
)
_OPTIONAL = ("eligibility",)


class CatalogueError(EntryError):
    """The catalogue file is missing, unreadable or does not follow the schema."""


@dataclass(frozen=True)
class CatalogueEntry:
    """One national programme. `factor_notes` says why it addresses each factor, in order."""

    slug: str
    name: str
    kind: str
    description: str
    delivered_by: str
    guide_paragraphs: tuple[str, ...]
    min_age: int | None
    max_age: int | None
    eligibility: str
    crime_types: tuple[str, ...]
    factor_notes: Mapping[str, str]
    capacity: int | None
    evidence_strength: str
    evidence_note: str

    @property
    def factor_ids(self) -> tuple[str, ...]:
        return tuple(self.factor_notes)


@dataclass(frozen=True)
class Catalogue:
    version: str
    source: str
    entries: tuple[CatalogueEntry, ...]
    path: Path


class _Entry(Entry):
    """One mapping from the catalogue file and where it is, so every error can say so."""

    error = CatalogueError
    list_name = "a list"
    trims_items = False
    paragraph_example = "3.5"

    def whole_number(self, key: str, *, low: int, high: int) -> int | None:
        value = self.data[key]
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(f"field {key!r} must be null or a whole number from {low} to {high}")
        return value

    def choice(self, key: str, known: Collection[str], kind: str) -> str:
        value = self.text(key)
        if value not in known:
            self.fail(f"field {key!r}: unknown {kind} {value!r} (known: {', '.join(known)})")
        return value


def _factor_notes(entry: _Entry, framework: Framework) -> dict[str, str]:
    value = entry.data["factors"]
    if not isinstance(value, dict):
        entry.fail(
            f"field 'factors' must be a mapping of factor id to why the programme addresses it, "
            f"got {describe(value)} (write {{}} for none)"
        )
    known = [factor.id for factor in framework.factors]
    notes: dict[str, str] = {}
    for factor_id, note in value.items():
        if factor_id not in known:
            entry.fail(f"factors: unknown factor {factor_id!r} (known: {', '.join(known)})")
        if not isinstance(note, str) or not note.strip():
            entry.fail(f"factors: {factor_id!r} needs a note saying why the programme addresses it")
        notes[factor_id] = " ".join(note.split())
    return notes


def _slug(entry: _Entry) -> str:
    slug = entry.text("slug", limit=SLUG_MAX)
    if not _SLUG.fullmatch(slug):
        entry.fail(f"field 'slug': {slug!r} must be lower-case letters and digits joined by '-'")
    if slug.startswith(LOCAL_SLUG_PREFIX):
        entry.fail(f"field 'slug': {slug!r} starts with {LOCAL_SLUG_PREFIX!r}, kept for local ones")
    return slug


def _programme(
    entry: _Entry, framework: Framework, evidence_strengths: Collection[str]
) -> CatalogueEntry:
    entry.check_keys(_REQUIRED, _OPTIONAL)
    min_age = entry.whole_number("min_age", low=0, high=OLDEST_AGE)
    max_age = entry.whole_number("max_age", low=0, high=OLDEST_AGE)
    if min_age is not None and max_age is not None and min_age > max_age:
        entry.fail(f"min_age {min_age} is above max_age {max_age}")
    return CatalogueEntry(
        slug=_slug(entry),
        name=entry.text("name", limit=NAME_MAX),
        kind=entry.choice(
            "kind", [kind.id for kind in framework.intervention_kinds], "intervention kind"
        ),
        description=entry.text("description"),
        delivered_by=entry.text("delivered_by", limit=NAME_MAX),
        guide_paragraphs=entry.paragraphs(allow_empty=False),
        min_age=min_age,
        max_age=max_age,
        eligibility=entry.text("eligibility", limit=1000, allow_empty=True),
        crime_types=entry.references(
            "crime_types",
            [crime.id for crime in framework.crime_types],
            "crime type",
            allow_empty=True,
        ),
        factor_notes=_factor_notes(entry, framework),
        capacity=entry.whole_number("capacity", low=1, high=100_000),
        evidence_strength=entry.choice(
            "evidence_strength", evidence_strengths, "evidence strength"
        ),
        evidence_note=entry.text("evidence_note", limit=2000),
    )


def load_catalogue(
    path: Path | str | None = None,
    *,
    framework: Framework,
    evidence_strengths: Collection[str],
) -> Catalogue:
    """Reads and checks a catalogue file (the bundled national one by default).

    Ids are checked against `framework`; `evidence_strengths` are the allowed values (the
    Django choices, passed in by the caller so this module needs no Django).
    """
    path = Path(path) if path is not None else CATALOGUE_PATH
    root = _Entry.top_level(path, ("version", "source", "programmes"))
    data = root.data
    if not isinstance(data["version"], str):
        root.fail("field 'version' must be a string: quote it, as in version: \"2015.1\"")
    version = root.text("version")
    source = root.text("source")
    listed = data["programmes"]
    if not isinstance(listed, list) or not listed:
        root.fail("field 'programmes' must be a non-empty list")
    entries: list[CatalogueEntry] = []
    first_use: dict[tuple[str, str], str] = {}
    for index, item in enumerate(listed):
        where = f"programmes[{index}]"
        if not isinstance(item, dict):
            raise CatalogueError(path, where, f"must be a mapping, got {describe(item)}")
        if isinstance(item.get("slug"), str):
            where += f" (slug {item['slug']!r})"
        entry = _Entry(path, where, item)
        programme = _programme(entry, framework, evidence_strengths)
        for key in (("slug", programme.slug), ("name", programme.name.casefold())):
            if key in first_use:
                entry.fail(f"the {key[0]} is already used by {first_use[key]}")
            first_use[key] = where
        entries.append(programme)
    return Catalogue(version=version, source=source, entries=tuple(entries), path=path)
