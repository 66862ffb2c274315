"""`offramp network import | periphery | export`: the Morselli CAVIAR network read in place,
imports that are all or nothing and idempotent, and the CLI's other two actions."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.audit.models import AuditEntry, Event, EventCode
from offramp.exports.models import ExportRecord
from offramp.networks.importer import PLACEHOLDER_BIRTH, import_identifier
from offramp.networks.models import Relationship
from offramp.people.models import AgencyIdentifier, IdentifierType, Person

from .conftest import NetworkWorld

MORSELLI_CAVIAR = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "networks" / "morselli_caviar.csv"
)


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("network", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def counts() -> tuple[int, int, int, int]:
    return (
        Person.objects.count(),
        Relationship.objects.count(),
        Event.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def caviar() -> Path:
    if not MORSELLI_CAVIAR.exists():
        pytest.skip(f"the CAVIAR network is not at {MORSELLI_CAVIAR}")
    return MORSELLI_CAVIAR


def test_the_caviar_network_loads_as_labels_only_records_and_again_adds_nothing(
    caviar: Path, agencies: dict[str, Agency], analyst: User
) -> None:
    matrix = ["import", "--matrix", str(caviar), "--tie-type", "co_offender"]
    out, _ = run(*matrix, "--source-agency", "police", "--user", "analyst")
    assert out.strip() == (
        "morselli_caviar: 110 people (0 already held, 110 labels-only records created), "
        "205 ties (205 added, 0 already held)"
    )
    imported = Person.objects.filter(family_name="[imported from morselli_caviar]")
    assert imported.count() == 110
    assert set(imported.values_list("date_of_birth", flat=True)) == {PLACEHOLDER_BIRTH}
    first = imported.get(given_name="1")
    identifier = AgencyIdentifier.objects.get(person=first)
    assert (identifier.identifier_type, identifier.value) == (
        IdentifierType.OTHER,
        "morselli_caviar:1",
    )
    assert Relationship.objects.filter(tie_type="co_offender", confidence="high").count() == 205
    events = Event.objects.filter(code=EventCode.NETWORK_RELATIONSHIP_RECORDED)
    assert events.count() == 2 * 205
    assert AuditEntry.objects.filter(purpose="network import", actor_id=analyst.pk).count() == (
        110 + 2 * 205
    )

    before = counts()
    out, _ = run(*matrix, "--source-agency", "police")
    assert "(110 already held, 0 labels-only records created)" in out
    assert "(0 added, 205 already held)" in out
    assert counts() == before


def test_an_edge_list_matches_people_the_agency_already_identifies(
    tmp_path: Path, network: NetworkWorld
) -> None:
    AgencyIdentifier.objects.create(
        person=network.people["sam"],
        agency=network.police,
        identifier_type=IdentifierType.PNC,
        value="26/123456A",
    )
    edges = tmp_path / "ops.csv"
    edges.write_text(
        "source,target,tie_type,started,confidence\n"
        "26/123456A,Courier 7,associate_client,2025-02-01,0.9\n"
        "Courier 7,26/123456A,associate_client,2025-02-01,0.9\n"
    )
    out, _ = run("import", "--edges", str(edges), "--source-agency", "police")
    assert "2 people (1 already held, 1 labels-only records created)" in out
    assert "2 ties (1 added, 1 already held)" in out  # the second row repeats the first
    tie = Relationship.objects.get(tie_type="associate_client")
    assert network.people["sam"].pk in (tie.person_a_id, tie.person_b_id)
    assert tie.confidence == "medium"  # 0.9 is stored as no stronger than the file said
    assert str(tie.started_on) == "2025-02-01"
    courier = Person.objects.get(given_name="Courier 7")
    assert AgencyIdentifier.objects.get(person=courier).value == import_identifier(
        "ops", "Courier 7"
    )


def test_a_bad_file_lists_every_problem_and_changes_nothing(
    tmp_path: Path, agencies: dict[str, Agency]
) -> None:
    edges = tmp_path / "bad.csv"
    edges.write_text(
        "source,target,tie_type,started,ended\n"
        "A,B,cousin,2025-01-01,\n"
        "C,C,associate_peer,,\n"
        "D,E,associate_peer,2025-05-01,2024-01-01\n"
    )
    before = counts()
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"3 problem\(s\) in .*bad.csv: nothing was imported"):
        call_command(
            "network",
            *("import", "--edges", str(edges), "--source-agency", "police"),
            stdout=io.StringIO(),
            stderr=err,
        )
    lines = err.getvalue().splitlines()
    assert lines[0] == "file\trow\tcolumn\tvalue\treason"
    assert lines[1].startswith(f"{edges}\t2\ttie_type\tcousin\tunknown tie type")
    assert lines[2] == f"{edges}\t3\ttarget\tC\ta person cannot be tied to themselves"
    assert lines[3].startswith(f"{edges}\t4\tended\t2024-01-01\tthe tie ended before it started")
    assert counts() == before


def test_an_import_needs_a_known_agency_a_tie_type_for_a_matrix_and_a_network_user(
    tmp_path: Path, agencies: dict[str, Agency], school_dsl: User
) -> None:
    matrix = tmp_path / "m.csv"
    matrix.write_text(",a,b\na,0,1\nb,1,0\n")
    with pytest.raises(CommandError, match="No agency with the slug 'nope'"):
        run("import", "--matrix", str(matrix), "--tie-type", "prison", "--source-agency", "nope")
    with pytest.raises(CommandError, match="A matrix needs --tie-type"):
        run("import", "--matrix", str(matrix), "--source-agency", "police")
    with pytest.raises(CommandError, match="does not allow"):
        run(
            "import",
            "--matrix",
            str(matrix),
            "--tie-type",
            "prison",
            "--source-agency",
            "police",
            "--user",
            "dsl",
        )
    assert not Relationship.objects.exists()


def test_the_periphery_command_prints_record_numbers_never_names(
    network: NetworkWorld, analyst: User
) -> None:
    out, _ = run("periphery", "--user", "analyst")
    people = network.people
    lines = out.splitlines()
    assert lines[0].startswith(f"record {people['connor'].pk}\t1 ties\tnearest member ")
    assert lines[0].endswith("\tfamily_network\tno open case")
    assert lines[-1] == "3 people in the periphery"
    for person in people.values():
        assert person.family_name not in out
    consulted = AuditEntry.objects.filter(channel="cli", action="consultation")
    assert consulted.count() == 3


def test_the_periphery_command_refuses_nobody_but_shows_them_nothing(
    network: NetworkWorld, school_dsl: User
) -> None:
    out, _ = run("periphery", "--user", "dsl")
    assert out.strip() == "0 people in the periphery"


def test_the_export_command_goes_through_the_export_service(
    tmp_path: Path, network: NetworkWorld, analyst: User
) -> None:
    target = tmp_path / "granite.graphml"
    out, _ = run(
        "export",
        "--group",
        "OCG-HM-001",
        "--format",
        "graphml",
        "--user",
        "analyst",
        "--out",
        str(target),
    )
    export = ExportRecord.objects.get(kind="network")
    assert out.strip() == f"Export {export.reference}: 9 rows (graphml) written to {target}"
    assert (export.requested_by, export.row_count) == (analyst, 5 + 4)
    text = target.read_text()
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<!-- OFFICIAL-SENSITIVE')
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(CommandError, match="No group OCG-NONE"):
        run("export", "--group", "OCG-NONE", "--format", "gexf", "--user", "analyst", "--out", "x")
