"""Load the SOC Prevent risk framework: the national YAML file plus an optional local extension.

The schema is documented in docs/framework.md. Every problem is reported as a FrameworkError
naming the file and the entry, because these files are edited by hand by coordinators.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, TypeVar

from offramp.yaml_entries import Entry, EntryError, describe

NATIONAL_PATH = Path(__file__).with_name("national.yaml")

Origin = Literal["national", "local"]

_ID = re.compile(r"[a-z][a-z0-9_]*")
# Dot-separated alphanumeric parts, so "2015.1+local.3" stays unambiguous.
_VERSION = re.compile(r"[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*")


class FrameworkError(EntryError):
    """A framework file is missing, unreadable or does not follow the schema."""


@dataclass(frozen=True)
class CrimeType:
    id: str
    name: str
    origin: Origin


@dataclass(frozen=True)
class InterventionKind:
    id: str
    name: str
    origin: Origin


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    description: str
    guide_paragraphs: tuple[str, ...]
    origin: Origin
    local_rationale: str | None


@dataclass(frozen=True)
class Factor:
    id: str
    category: str
    name: str
    description: str
    guide_paragraphs: tuple[str, ...]
    indicators: tuple[str, ...]
    crime_types: tuple[str, ...]
    intervention_kinds: tuple[str, ...]
    safeguarding_first: bool
    origin: Origin
    local_rationale: str | None


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


_T = TypeVar("_T", bound=_HasId)


def _lookup(items: tuple[_T, ...], item_id: str, kind: str, version: str) -> _T:
    for item in items:
        if item.id == item_id:
            return item
    known = ", ".join(item.id for item in items)
    raise KeyError(f"no {kind} {item_id!r} in risk framework {version} (known: {known})")


@dataclass(frozen=True)
class Framework:
    version: str
    source: str
    categories: tuple[Category, ...]
    factors: tuple[Factor, ...]
    crime_types: tuple[CrimeType, ...]
    intervention_kinds: tuple[InterventionKind, ...]
    extension_name: str | None

    def factor(self, factor_id: str) -> Factor:
        return _lookup(self.factors, factor_id, "factor", self.version)

    def category(self, category_id: str) -> Category:
        return _lookup(self.categories, category_id, "category", self.version)

    def crime_type(self, crime_type_id: str) -> CrimeType:
        return _lookup(self.crime_types, crime_type_id, "crime type", self.version)

    def intervention_kind(self, kind_id: str) -> InterventionKind:
        return _lookup(self.intervention_kinds, kind_id, "intervention kind", self.version)

    def factors_in(self, category_id: str) -> tuple[Factor, ...]:
        self.category(category_id)  # an unknown category is a typo, not an empty category
        return tuple(factor for factor in self.factors if factor.category == category_id)


# --- validating entries ----------------------------------------------------------------------


class _Node(Entry):
    """One mapping from a framework file and where it is, so every error can say so."""

    error = FrameworkError

    def ident(self, key: str) -> str:
        value = self.string(key)
        if not _ID.fullmatch(value):
            self.fail(f"field {key!r}: {value!r} is not a valid id (lower case, digits, '_')")
        return value

    def version(self) -> str:
        value = self.data["version"]
        if isinstance(value, int | float) and not isinstance(value, bool):
            self.fail(f"field 'version' must be a string: quote it, as in version: \"{value}\"")
        version = self.string("version")
        if not _VERSION.fullmatch(version):
            self.fail(f"field 'version': {version!r} must be dot-separated letters and digits")
        return version

    def flag(self, key: str) -> bool:
        value = self.data[key]
        if not isinstance(value, bool):
            self.fail(f"field {key!r} must be true or false, got {describe(value)}")
        return value

    def reference(self, key: str, known: Collection[str], kind: str) -> str:
        value = self.ident(key)
        if value not in known:
            self.fail(f"field {key!r}: unknown {kind} {value!r} (known: {', '.join(known)})")
        return value


def _entries(root: _Node, key: str) -> Iterator[_Node]:
    value = root.data[key]
    if not isinstance(value, list):
        root.fail(f"field {key!r} must be a list, got {describe(value)}")
    if not value:
        root.fail(f"field {key!r} must not be an empty list")
    for index, item in enumerate(value):
        where = f"{key}[{index}]"
        if not isinstance(item, dict):
            raise FrameworkError(root.path, where, f"must be a mapping, got {describe(item)}")
        if isinstance(item.get("id"), str):
            where += f" (id {item['id']!r})"
        yield _Node(root.path, where, item)


def _section(
    root: _Node, key: str, parse: Callable[[_Node], _T], national: Collection[str] = ()
) -> tuple[_T, ...]:
    """Parse a list of entries, refusing duplicate ids and ids the national file defines."""
    if key not in root.data:
        return ()
    first_use: dict[str, str] = {}
    parsed: list[_T] = []
    for node in _entries(root, key):
        # Checked before parsing: a copied-and-edited national entry should say so, not
        # complain about the fields only local entries need.
        raw_id = node.data.get("id")
        if isinstance(raw_id, str) and raw_id in national:
            node.fail(f"redefines national id {raw_id!r}; an extension may only add new ids")
        item = parse(node)
        if item.id in first_use:
            node.fail(f"duplicate id {item.id!r} (first used at {first_use[item.id]})")
        first_use[item.id] = node.where
        parsed.append(item)
    return tuple(parsed)


def _ids(items: tuple[_HasId, ...]) -> tuple[str, ...]:
    return tuple(item.id for item in items)


# --- the four kinds of entry -----------------------------------------------------------------


def _crime_type(node: _Node, origin: Origin) -> CrimeType:
    node.check_keys(("id", "name"))
    return CrimeType(id=node.ident("id"), name=node.text("name"), origin=origin)


def _intervention_kind(node: _Node, origin: Origin) -> InterventionKind:
    node.check_keys(("id", "name"))
    return InterventionKind(id=node.ident("id"), name=node.text("name"), origin=origin)


def _local_fields(origin: Origin) -> tuple[str, ...]:
    return ("local_rationale",) if origin == "local" else ()


def _category(node: _Node, origin: Origin) -> Category:
    node.check_keys(("id", "name", "description", "guide_paragraphs", *_local_fields(origin)))
    return Category(
        id=node.ident("id"),
        name=node.text("name"),
        description=node.text("description"),
        guide_paragraphs=node.paragraphs(allow_empty=origin == "local"),
        origin=origin,
        local_rationale=node.text("local_rationale") if origin == "local" else None,
    )


_FACTOR_FIELDS = (
    "id",
    "category",
    "name",
    "description",
    "guide_paragraphs",
    "indicators",
    "crime_types",
    "intervention_kinds",
    "safeguarding_first",
)


@dataclass(frozen=True)
class _Vocabulary:
    """The ids a factor may refer to."""

    categories: tuple[str, ...]
    crime_types: tuple[str, ...]
    intervention_kinds: tuple[str, ...]


def _factor(node: _Node, origin: Origin, vocabulary: _Vocabulary) -> Factor:
    node.check_keys((*_FACTOR_FIELDS, *_local_fields(origin)))
    return Factor(
        id=node.ident("id"),
        category=node.reference("category", vocabulary.categories, "category"),
        name=node.text("name"),
        description=node.text("description"),
        guide_paragraphs=node.paragraphs(allow_empty=origin == "local"),
        indicators=node.texts("indicators"),
        crime_types=node.references("crime_types", vocabulary.crime_types, "crime type"),
        intervention_kinds=node.references(
            "intervention_kinds", vocabulary.intervention_kinds, "intervention kind"
        ),
        safeguarding_first=node.flag("safeguarding_first"),
        origin=origin,
        local_rationale=node.text("local_rationale") if origin == "local" else None,
    )


# --- the two files ---------------------------------------------------------------------------


def _load_national(path: Path) -> Framework:
    root = _Node.top_level(
        path, ("version", "source", "crime_types", "intervention_kinds", "categories", "factors")
    )
    version = root.version()
    source = root.text("source")
    crime_types = _section(root, "crime_types", lambda node: _crime_type(node, "national"))
    kinds = _section(root, "intervention_kinds", lambda node: _intervention_kind(node, "national"))
    categories = _section(root, "categories", lambda node: _category(node, "national"))
    vocabulary = _Vocabulary(_ids(categories), _ids(crime_types), _ids(kinds))
    factors = _section(root, "factors", lambda node: _factor(node, "national", vocabulary))
    return Framework(
        version=version,
        source=source,
        categories=categories,
        factors=factors,
        crime_types=crime_types,
        intervention_kinds=kinds,
        extension_name=None,
    )


def _apply_extension(national: Framework, path: Path) -> Framework:
    root = _Node.top_level(
        path, ("version", "name", "factors"), ("categories", "crime_types", "intervention_kinds")
    )
    version = root.version()
    name = root.text("name")
    crime_types = national.crime_types + _section(
        root, "crime_types", lambda node: _crime_type(node, "local"), _ids(national.crime_types)
    )
    kinds = national.intervention_kinds + _section(
        root,
        "intervention_kinds",
        lambda node: _intervention_kind(node, "local"),
        _ids(national.intervention_kinds),
    )
    categories = national.categories + _section(
        root, "categories", lambda node: _category(node, "local"), _ids(national.categories)
    )
    vocabulary = _Vocabulary(_ids(categories), _ids(crime_types), _ids(kinds))
    factors = national.factors + _section(
        root, "factors", lambda node: _factor(node, "local", vocabulary), _ids(national.factors)
    )
    return Framework(
        version=f"{national.version}+local.{version}",
        source=national.source,
        categories=categories,
        factors=factors,
        crime_types=crime_types,
        intervention_kinds=kinds,
        extension_name=name,
    )


def load_framework(
    national_path: Path | None = None, extension_path: Path | None = None
) -> Framework:
    """Load and validate the national framework, then apply the local extension, if any."""
    national = _load_national(national_path or NATIONAL_PATH)
    if extension_path is None:
        return national
    return _apply_extension(national, extension_path)


@functools.lru_cache(maxsize=8)
def get_framework(extension_path: str | None = None) -> Framework:
    """The packaged national framework (plus an extension), loaded once per process."""
    return load_framework(extension_path=Path(extension_path) if extension_path else None)
