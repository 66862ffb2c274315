"""Reading a hand-edited YAML file strictly, for the risk framework and the intervention catalogue.

No Django imports, like the loaders that use it. Coordinators edit these files by hand, so every
problem is an error naming the file, the entry and what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, NoReturn, TypeVar

import yaml

_PARAGRAPH = re.compile(r"[1-9][0-9]*\.[1-9][0-9]*")


class EntryError(ValueError):
    """A file is missing, unreadable or does not follow its schema.

    `where` is the entry ("factors[4] (id 'gang_involvement')", "top level"), a YAML position
    ("line 3, column 1"), or empty when the whole file is at fault.
    """

    def __init__(self, path: Path, where: str, problem: str) -> None:
        self.path = path
        self.where = where
        self.problem = problem
        super().__init__(f"{path}: {where}: {problem}" if where else f"{path}: {problem}")


class StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys, which PyYAML would silently overwrite."""


def _construct_mapping(loader: StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Hashable] = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue  # merge keys ('<<') are resolved by construct_mapping
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, Hashable):
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
    return loader.construct_mapping(node, deep=True)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def describe(value: object) -> str:
    """What kind of value was found, in the words of the error messages."""
    kinds: dict[type, str] = {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a mapping",
        type(None): "nothing",
    }
    return kinds.get(type(value), type(value).__name__)


def read_yaml(path: Path, error: type[EntryError]) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(path, "", "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(path, "", f"cannot read file ({exc})") from None
    try:
        return yaml.load(text, Loader=StrictLoader)  # safe: StrictLoader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        at = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        raise error(path, at, f"not valid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise error(path, "", f"not valid YAML: {exc}") from None


_E = TypeVar("_E", bound="Entry")


@dataclass(frozen=True)
class Entry:
    """One mapping from a file and where it is, so every error can say so.

    Each loader subclasses it to raise its own error class and to add the checks only its
    schema has.
    """

    error: ClassVar[type[EntryError]] = EntryError
    # Where the files' checks differ: how errors name a list field and give an example
    # paragraph, and whether list items are trimmed (the catalogue takes them as written).
    list_name: ClassVar[str] = "a list of strings"
    trims_items: ClassVar[bool] = True
    paragraph_example: ClassVar[str] = "2.7"

    path: Path
    where: str
    data: Mapping[Any, Any]

    @classmethod
    def top_level(
        cls: type[_E], path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> _E:
        """The file read, which must be a mapping with these keys."""
        data = read_yaml(path, cls.error)
        if not isinstance(data, dict):
            raise cls.error(path, "top level", f"must be a mapping, got {describe(data)}")
        root = cls(path, "top level", data)
        root.check_keys(required, optional)
        return root

    def fail(self, problem: str) -> NoReturn:
        raise self.error(self.path, self.where, problem)

    def check_keys(self, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> None:
        allowed = required + optional
        for key in self.data:
            if key not in allowed:
                self.fail(f"unknown key {key!r} (allowed: {', '.join(allowed)})")
        for key in required:
            if key not in self.data:
                self.fail(f"missing field {key!r}")

    def string(self, key: str, *, allow_empty: bool = False) -> str:
        """The field as written: it must be a string, and not blank unless `allow_empty`."""
        value = self.data.get(key, "")
        if not isinstance(value, str):
            self.fail(f"field {key!r} must be a string, got {describe(value)}")
        if not value.strip() and not allow_empty:
            self.fail(f"field {key!r} must not be empty")
        return value

    def text(self, key: str, *, limit: int | None = None, allow_empty: bool = False) -> str:
        value = self.string(key, allow_empty=allow_empty).strip()
        if limit is not None and len(value) > limit:
            self.fail(f"field {key!r} must be {limit} characters or fewer")
        return value

    def texts(self, key: str, *, allow_empty: bool = False) -> tuple[str, ...]:
        value = self.data[key]
        if not isinstance(value, list):
            self.fail(f"field {key!r} must be {self.list_name}, got {describe(value)}")
        if not value and not allow_empty:
            self.fail(f"field {key!r} must not be an empty list")
        items: list[str] = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.fail(f"{key}[{index}] must be a non-empty string, got {describe(item)}")
            kept = item.strip() if self.trims_items else item
            if kept in items:
                self.fail(f"{key}[{index}]: {item!r} is listed twice")
            items.append(kept)
        return tuple(items)

    def paragraphs(self, *, allow_empty: bool) -> tuple[str, ...]:
        """The guide paragraphs the entry cites, such as '3.5'."""
        paragraphs = self.texts("guide_paragraphs", allow_empty=allow_empty)
        for index, paragraph in enumerate(paragraphs):
            if not _PARAGRAPH.fullmatch(paragraph):
                self.fail(
                    f"guide_paragraphs[{index}]: {paragraph!r} is not a paragraph like "
                    f"'{self.paragraph_example}'"
                )
        return paragraphs

    def references(
        self, key: str, known: Collection[str], kind: str, *, allow_empty: bool = False
    ) -> tuple[str, ...]:
        values = self.texts(key, allow_empty=allow_empty)
        for index, value in enumerate(values):
            if value not in known:
                self.fail(f"{key}[{index}]: unknown {kind} {value!r} (known: {', '.join(known)})")
        return values
