"""Loading the national catalogue: present after `migrate`, idempotent, audited when run by
hand, and never touching what belongs to the area."""

import io
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.audit.models import AuditAction, AuditChannel, AuditEntry
from offramp.interventions.catalogue import CATALOGUE_PATH
from offramp.interventions.models import Programme
from offramp.interventions.services import (
    catalogue_load,
    install_national_catalogue,
    national_catalogue,
    programme_create,
)
from tests.interventions.conftest import local_details, national

pytestmark = pytest.mark.django_db


def test_the_test_database_has_the_national_catalogue_from_migrate() -> None:
    entries = national_catalogue().entries
    held = {p.slug: p for p in Programme.objects.filter(national=True)}
    assert set(held) == {entry.slug for entry in entries}
    course = held["victim-awareness-course"]
    assert course.factor_ids == ["pro_criminal_attitudes"]
    assert course.capacity == 12
    assert course.available


def test_a_fresh_database_gets_it_after_migrate() -> None:
    Programme.objects.all().delete()
    install_national_catalogue(sender=None, apps=apps, using="default")
    assert Programme.objects.filter(national=True).count() == len(national_catalogue().entries)


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_gets_it_back() -> None:
    call_command("flush", interactive=False, verbosity=0)
    assert Programme.objects.filter(national=True).count() == len(national_catalogue().entries)


def test_loading_again_changes_nothing_and_logs_nothing() -> None:
    before = AuditEntry.objects.count()
    _, result = catalogue_load()
    assert (result.created, result.updated) == ([], [])
    assert result.unchanged == len(national_catalogue().entries)
    assert AuditEntry.objects.count() == before


def test_loading_restores_the_guides_part_and_keeps_the_areas(agencies: dict[str, Agency]) -> None:
    programme = national("pathways-out")
    Programme.objects.filter(pk=programme.pk).update(
        name="Renamed by hand",
        factor_ids=["power_and_status"],
        capacity=30,
        provider=agencies["yos"],
        retired_reason="Not run here",
        retired_at="2026-01-01T00:00:00Z",
    )
    _, result = catalogue_load()
    assert [p.slug for p in result.updated] == ["pathways-out"]
    programme.refresh_from_db()
    assert programme.name == "Pathways Out Programme"
    assert programme.factor_ids == ["gang_involvement", "early_prolific_offending"]
    assert (programme.capacity, programme.provider, programme.retired_reason) == (
        30,
        agencies["yos"],
        "Not run here",
    )
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert entry is not None
    assert (entry.action, entry.object_type, entry.object_id) == (
        AuditAction.ALTERATION,
        "programme",
        str(programme.pk),
    )
    assert (entry.actor_id, entry.channel, entry.person_id) == (None, AuditChannel.CLI, None)


def test_loading_recreates_a_missing_national_entry_and_never_touches_local_ones(
    coordinator: User,
) -> None:
    local = programme_create(actor=coordinator, details=local_details())
    national("peer-mentoring").delete()
    _, result = catalogue_load()
    assert [p.slug for p in result.created] == ["peer-mentoring"]
    assert AuditEntry.objects.filter(
        action=AuditAction.COLLECTION, object_id=str(result.created[0].pk)
    ).exists()
    fresh = Programme.objects.get(pk=local.pk)
    assert (fresh.name, fresh.national, fresh.slug) == (local.name, False, local.slug)


# --- the command ----------------------------------------------------------------------------------


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("catalogue", *args, stdout=out)
    return out.getvalue()


def test_the_load_command_reports_what_it_did() -> None:
    assert _run("load").strip() == (
        f"Catalogue 2015.1: {len(national_catalogue().entries)} national programmes, "
        f"0 added, 0 updated, {len(national_catalogue().entries)} unchanged"
    )


def test_the_load_command_names_the_file_and_entry_of_an_error(tmp_path: Path) -> None:
    broken = tmp_path / "catalogue.yaml"
    broken.write_text(CATALOGUE_PATH.read_text().replace("kind: gang_exit", "kind: boxing", 1))
    with pytest.raises(CommandError) as raised:
        _run("load", str(broken))
    assert str(raised.value).startswith(f"{broken}: programmes[3] (slug 'pathways-out'):")
    assert "unknown intervention kind 'boxing'" in str(raised.value)


def test_the_list_command_shows_places_and_hides_retired_unless_asked(
    coordinator: User, school_dsl: User
) -> None:
    listing = _run("list")
    assert (
        "pathways-out\tPathways Out Programme\tgang_exit\tages 10 to 24\t0 in use of 12" in listing
    )
    assert "channel\tChannel" in listing

    with pytest.raises(CommandError, match="Your role does not allow you to add and retire"):
        _run("retire", "channel", "--reason", "Not here", "--by", school_dsl.username)
    assert _run("retire", "channel", "--reason", "Not here", "--by", coordinator.username) == (
        "Channel retired\n"
    )
    assert "channel\tChannel" not in _run("list")
    assert "channel\tChannel" in _run("list", "--all")
    with pytest.raises(CommandError, match="No programme 'nothing'"):
        _run("retire", "nothing", "--reason", "x", "--by", coordinator.username)
