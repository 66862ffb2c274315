"""Kinds of export. Each kind is an `Exporter`; the export service does the rest.

A feature that wants to export (network exports, Local Profile packs, case lists) subclasses
`Exporter`, reads its content only through `offramp.access.scoping`, and registers itself in its
app's `ready()` with `register(MyExporter())`. The service then applies the daily limit, asks
for approval, marks the file, keeps the `ExportRecord` and writes the access log, the same way
for every kind.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from offramp.access.permissions import Capability
from offramp.accounts.models import User
from offramp.people.models import Person

MARKING_CLASSIFICATION = "OFFICIAL-SENSITIVE"


@dataclass(frozen=True)
class Marking:
    """Who exported a file, for which agency, when (UTC), under which reference and why."""

    exported_by: str
    agency: str
    at: datetime.datetime
    reference: str
    purpose: str

    @property
    def utc_time(self) -> str:
        return f"{self.at.astimezone(datetime.UTC):%Y-%m-%d %H:%M:%S} UTC"

    @property
    def text(self) -> str:
        return (
            f"{MARKING_CLASSIFICATION} — exported by {self.exported_by} ({self.agency}) at "
            f"{self.utc_time}, reference {self.reference}, purpose {self.purpose}"
        )


@dataclass(frozen=True)
class ExportInput:
    """What the requester asked for: the kind's parameters, and the person for per-person kinds.

    Parameters are stored on the ExportRecord as JSON, so they hold plain values only.
    """

    parameters: Mapping[str, Any] = field(default_factory=dict)
    person: Person | None = None


@dataclass(frozen=True)
class Produced:
    """A produced file: its bytes (marked), how many rows it holds, and what it shows.

    `consulted` lists every record the file shows (model instances, or AuditObjects), each
    logged as a consultation by the requester when the file is produced.
    """

    body: bytes
    filename: str
    content_type: str
    rows: int
    consulted: list[Any]
    summary: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ExportFile:
    """One download: the bytes to send, under what name and type."""

    body: bytes
    filename: str
    content_type: str


class Exporter:
    """One kind of export. Subclasses set the class attributes and implement `count`/`produce`."""

    kind: ClassVar[str]
    title: ClassVar[str]  # "Referral list"
    # What the access log's purpose says, with the reference: "referral list export EX26-000012".
    audit_name: ClassVar[str]
    capability: ClassVar[Capability]
    # Download formats, the first being the stored file; others are rendered from it.
    formats: ClassVar[tuple[str, ...]]
    about_one_person: ClassVar[bool] = False

    def validate(self, *, user: User, request: ExportInput) -> None:
        """Refuses parameters this kind does not understand (a ValidationError), or a person the
        user may not export (PermissionDenied). Called before anything is counted."""

    def count(self, *, user: User, request: ExportInput) -> int:
        """The rows the file would hold for this user, counted against the daily limit."""
        raise NotImplementedError

    def produce(self, *, user: User, request: ExportInput, marking: Marking) -> Produced:
        """The marked file, read through the scoping selectors as `user`."""
        raise NotImplementedError

    def render(self, *, stored: bytes, filename: str, fmt: str) -> ExportFile:
        """Another format of the stored file (the first format is the stored file itself)."""
        raise ValueError(f"{self.title} exports have no {fmt} format")

    def describe(self, request: ExportInput) -> str:
        """A short account of what is exported, for the pages (no names)."""
        return self.title


_EXPORTERS: dict[str, Exporter] = {}


def register(exporter: Exporter) -> None:
    existing = _EXPORTERS.get(exporter.kind)
    if existing is not None and type(existing) is not type(exporter):
        raise ValueError(f"Export kind {exporter.kind!r} is already registered")
    _EXPORTERS[exporter.kind] = exporter


def exporter_for(kind: str) -> Exporter:
    try:
        return _EXPORTERS[kind]
    except KeyError as error:
        raise ValueError(f"Unknown export kind {kind!r}") from error


def registered() -> Iterable[Exporter]:
    return list(_EXPORTERS.values())
