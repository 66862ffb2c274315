"""Importing a whole synthetic extract folder (`offramp.demo.synth.write_partner_extracts`),
for the demo and the benchmarks: each file as its kind, from the agency whose system it comes
from, in dependency order, dated the day the area was generated."""

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import timezone

from offramp.accounts.models import User
from offramp.agencies.models import Agency

from .models import BatchStatus, ExtractKind, ImportBatch
from .schemas import IMPORT_ORDER
from .services import import_extract

# The synthetic area's agency (its slug) whose system each extract comes from. Files that mix
# several sources (schools, relationships) come from the agency that compiles them.
SYNTHETIC_SUPPLIERS: dict[ExtractKind, str] = {
    ExtractKind.POLICE_NOMINALS: "hartmoor-police",
    ExtractKind.POLICE_OFFENCES: "hartmoor-police",
    ExtractKind.OCG_GROUPS: "moorland-rocu",
    ExtractKind.OCG_NOMINALS: "moorland-rocu",
    ExtractKind.OCG_MEMBERSHIPS: "moorland-rocu",
    ExtractKind.CHILDRENS_SOCIAL_CARE: "hartmoor-childrens-services",
    ExtractKind.SCHOOL_PUPILS: "hartmoor-childrens-services",
    ExtractKind.SCHOOL_EXCLUSIONS: "hartmoor-childrens-services",
    ExtractKind.YOUTH_OFFENDING: "hartmoor-yjs",
    ExtractKind.PRISON_RELEASES: "hmp-hartmoor",
    ExtractKind.PROBATION_CASELOAD: "hartmoor-probation",
    ExtractKind.HEALTH_CONTACTS: "hartmoor-nhs-trust",
    ExtractKind.RELATIONSHIPS: "hartmoor-community-safety",
}
Progress = Callable[[str, int, int], None]  # (file, done, total)


def _manifest(directory: Path) -> tuple[date, list[tuple[ExtractKind, Path]]]:
    path = directory / "manifest.json"
    if not path.is_file():
        raise ValidationError(f"No manifest.json in {directory}: is it a synthetic extract folder?")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    files: dict[ExtractKind, Path] = {}
    for entry in manifest["files"]:
        name = Path(entry["path"])
        if name.stem not in ExtractKind.values:
            raise ValidationError(f"{name} in the manifest is not a kind of extract Offramp knows")
        files[ExtractKind(name.stem)] = directory / name
    extracted_on = min(date.fromisoformat(manifest["today"]), timezone.localdate())
    return extracted_on, [(kind, files[kind]) for kind in IMPORT_ORDER if kind in files]


def _for_file(progress: Progress | None, name: str) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress(name, done, total)


def import_synthetic_extracts(
    *, actor: User, directory: Path, progress: Progress | None = None
) -> list[ImportBatch]:
    """Imports every extract of the folder; stops at the first refused file (later files may
    depend on it). Returns the batches, the last of them refused if one was."""
    extracted_on, files = _manifest(directory)
    slugs = {kind: SYNTHETIC_SUPPLIERS[kind] for kind, _ in files}
    agencies = {a.slug: a for a in Agency.objects.filter(slug__in=slugs.values())}
    missing = sorted(set(slugs.values()) - set(agencies))
    if missing:
        raise ValidationError(
            f"The synthetic agencies {', '.join(missing)} are not in Offramp: load the demo "
            "area first (offramp demo)"
        )
    batches = []
    for kind, path in files:
        batch = import_extract(
            actor=actor,
            agency=agencies[slugs[kind]],
            kind=kind,
            file=path,
            file_name=path.name,
            extracted_on=extracted_on,
            progress=_for_file(progress, path.name),
        )
        batches.append(batch)
        if batch.status == BatchStatus.FAILED:
            break
    return batches
