"""`offramp profile` writes the four files; `offramp population load` checks a denominators file
and loads all of it or none of it."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from offramp.accounts.models import User
from offramp.audit.models import AuditChannel, AuditEntry
from offramp.reports.models import PopulationEstimate
from offramp.reports.population import PopulationRow, population_replace

from .conftest import PERIOD_START, ReportWorld

HEADER = "area,sex,age_band,ethnicity,population\n"


def test_the_profile_command_writes_the_four_files(
    report_world: ReportWorld, analyst: User, tmp_path: Path
) -> None:
    out = tmp_path / "profile"
    stderr = io.StringIO()
    call_command(
        "profile",
        "--from",
        PERIOD_START.isoformat(),
        "--to",
        timezone.localdate().isoformat(),
        "--out",
        str(out),
        "--user",
        "analyst",
        stdout=io.StringIO(),
        stderr=stderr,
    )
    files = {path.name: path for path in out.iterdir()}
    assert sorted(files) == ["profile-pack.zip", "profile.html", "profile.pdf", "profile.xlsx"]
    assert files["profile.pdf"].read_bytes().startswith(b"%PDF-")
    assert "SOC Local Profile" in files["profile.html"].read_text()
    assert zipfile.ZipFile(files["profile-pack.zip"]).namelist()
    assert files["profile.xlsx"].read_bytes().startswith(b"PK")
    assert "Computing the Local Profile" in stderr.getvalue()  # the progress bar
    entries = AuditEntry.objects.filter(object_type="report.profile")
    assert {e.object_id.rsplit(" ", 1)[-1] for e in entries} == {"html", "pdf", "csv", "xlsx"}
    assert {e.channel for e in entries} == {AuditChannel.CLI}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--from", "2025-02-30", "--to", "2025-03-01"], "--from must be a date as YYYY"),
        (["--from", "2025-03-01", "--to", "2025-02-01"], "The end date must be the same as"),
        (["--from", "2025-01-01", "--to", "2025-02-01", "--user", "nobody"], "No active user"),
        (["--from", "2025-01-01", "--to", "2025-02-01", "--user", "dsl"], "Your role does not"),
    ],
)
def test_the_profile_command_refuses_clearly(
    school_dsl: User, tmp_path: Path, arguments: list[str], message: str
) -> None:
    if "--user" not in arguments:
        arguments = [*arguments, "--user", "dsl"]
    with pytest.raises(CommandError, match=message):
        call_command("profile", *arguments, "--out", str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_population_load_replaces_the_denominators(db: None, tmp_path: Path) -> None:
    population_replace(rows=[PopulationRow("Old", "male", "50+", "not_known", 9)], source="old")
    path = tmp_path / "hartmoor.csv"
    path.write_text(
        HEADER + "Northgate,female,10-13,white_irish,120\nNorthgate,male,10-13,white_irish,0\n"
    )
    stdout = io.StringIO()
    call_command("population", "load", str(path), stdout=stdout)
    assert "Loaded 2 population rows from hartmoor.csv" in stdout.getvalue()
    assert list(PopulationEstimate.objects.values_list("area", "population", "source")) == [
        ("Northgate", 120, "hartmoor.csv"),
        ("Northgate", 0, "hartmoor.csv"),
    ]


@pytest.mark.parametrize(
    ("content", "problems"),
    [
        ("area,sex,population\n", ["bad.csv: the header must be exactly"]),
        (HEADER, ["bad.csv: the file has a header but no rows"]),
        (
            HEADER + "Northgate,M,10-13,white_irish,12\n,female,11-15,white_irish,-3\n",
            [
                "bad.csv row 2, column sex: 'M' is not one of: female, male, not_known",
                "bad.csv row 3, column area: is empty",
                "bad.csv row 3, column age_band: '11-15' is not one of: 0-9, 10-13",
                "bad.csv row 3, column population: '-3' is not a whole number",
            ],
        ),
        (
            HEADER + "Northgate,male,50+,not_known,4\nNorthgate,male,50+,not_known,5\n",
            ["bad.csv row 3: the same area, sex, age band and ethnicity as row 2"],
        ),
        (HEADER + "Northgate,male,50+,not_known,4,7\n", ["bad.csv row 2: more values"]),
    ],
)
def test_a_bad_population_file_changes_nothing_and_says_where(
    db: None, tmp_path: Path, content: str, problems: list[str]
) -> None:
    population_replace(rows=[PopulationRow("Old", "male", "50+", "not_known", 9)], source="old")
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(CommandError) as refused:
        call_command("population", "load", str(path))
    for problem in problems:
        assert problem in str(refused.value)
    assert list(PopulationEstimate.objects.values_list("area", "population")) == [("Old", 9)]


def test_the_demo_population_file_loads(db: None) -> None:
    from offramp.demo.load import DEMO_POPULATION

    call_command("population", "load", str(DEMO_POPULATION), stdout=io.StringIO())
    assert PopulationEstimate.objects.count() > 500
    total = sum(PopulationEstimate.objects.values_list("population", flat=True))
    assert total == 5000  # every resident of the demo area, once
