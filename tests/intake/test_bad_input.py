"""Acceptance (issue 5): every kind of bad input is refused with a clear error naming the file,
row, column, value and reason, and leaves the database exactly as it was."""

import json
import os
from pathlib import Path
from typing import Any

import pytest

from offramp.intake.models import BatchStatus, ExtractKind, ImportBatch
from offramp.intake.readers import MAX_ERRORS

from .conftest import ROWS, Importer, extract_rows, intake_and_people_counts, write_extract

NOMINALS = ExtractKind.POLICE_NOMINALS


@pytest.fixture
def refused(import_file: Importer, import_rows: Importer) -> "Refusal":
    return Refusal(import_file, import_rows)


class Refusal:
    """Imports a bad file and checks that only its refused batch was recorded."""

    def __init__(self, import_file: Importer, import_rows: Importer) -> None:
        self.import_file = import_file
        self.import_rows = import_rows

    def _check(self, run: object) -> list[dict[str, object]]:
        before = intake_and_people_counts()
        batch = run()  # type: ignore[operator]
        after = intake_and_people_counts()
        assert batch.status == BatchStatus.FAILED
        assert after.pop("intake.ImportBatch") == before.pop("intake.ImportBatch") + 1
        assert after == before, "a refused file changed the database"
        stored = ImportBatch.objects.get(pk=batch.pk)
        assert stored.errors == batch.errors and stored.errors
        for error in stored.errors:
            assert set(error) == {"file", "row", "column", "value", "reason"}
        return list(stored.errors)

    def file(self, kind: ExtractKind, path: Path) -> list[dict[str, object]]:
        return self._check(lambda: self.import_file(kind, path))

    def rows(
        self, kind: ExtractKind, rows: list[dict[str, str]], **options: object
    ) -> list[dict[str, object]]:
        return self._check(lambda: self.import_rows(kind, rows, **options))


def test_an_empty_file(refused: Refusal, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    [error] = refused.file(NOMINALS, path)
    assert error["file"] == "empty.csv"
    assert error["reason"] == "The file is empty: there is nothing to import"


def test_a_header_without_rows(refused: Refusal, tmp_path: Path) -> None:
    path = write_extract(tmp_path / "header.csv", [], columns=list(ROWS[NOMINALS][0]))
    [error] = refused.file(NOMINALS, path)
    assert "no rows" in str(error["reason"])


def test_a_file_that_is_not_utf8_names_the_line_and_byte(refused: Refusal, tmp_path: Path) -> None:
    path = write_extract(tmp_path / "latin1.csv", extract_rows(NOMINALS))
    text = path.read_text(encoding="utf-8").replace("Paige", "Zoë")
    path.write_bytes(text.encode("latin-1"))
    [error] = refused.file(NOMINALS, path)
    assert error["row"] == 2
    assert error["value"] == "line 3"
    reason = str(error["reason"])
    assert "not UTF-8" in reason and "0xEB" in reason and "(line 3)" in reason
    assert "byte " in reason


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_missing_and_extra_columns_are_named(refused: Refusal, fmt: str) -> None:
    rows = [
        {**{k: v for k, v in row.items() if k != "postcode"}, "ethnicity": "x"}
        for row in ROWS[NOMINALS]
    ]
    errors = refused.rows(NOMINALS, rows, fmt=fmt)
    assert [(e["row"], e["column"]) for e in errors] == [(None, "postcode"), (None, "ethnicity")]
    assert "The column postcode is missing" in str(errors[0]["reason"])
    assert "ethnicity is not a column of a police nominals extract" in str(errors[1]["reason"])


def test_duplicate_ids_name_both_rows(refused: Refusal) -> None:
    rows = extract_rows(NOMINALS)
    rows.append(dict(rows[0], given_name="Amitabh"))
    [error] = refused.rows(NOMINALS, rows)
    assert error == {
        "file": "police_nominals.csv",
        "row": 3,
        "column": "pnc",
        "value": "16/476263G",
        "reason": "rows 1 and 3 have the same pnc: each row must be unique",
    }


def test_a_compound_unique_key(refused: Refusal, agencies: dict) -> None:
    rows = extract_rows(ExtractKind.CHILDRENS_SOCIAL_CARE)
    rows.append(dict(rows[0], end_date="2011-01-01"))
    [error] = refused.rows(ExtractKind.CHILDRENS_SOCIAL_CARE, rows, agency=agencies["council"])
    assert error["row"] == 3
    assert error["column"] == "social_care_id+episode_type+start_date"
    assert error["value"] == "CS4731400, looked_after, 2007-10-03"


def test_impossible_dates(refused: Refusal) -> None:
    rows = extract_rows(NOMINALS)
    rows[0]["date_of_birth"] = "2026-02-30"
    rows[1]["date_of_birth"] = "22/05/2003"
    errors = refused.rows(NOMINALS, rows)
    assert errors == [
        {
            "file": "police_nominals.csv",
            "row": 1,
            "column": "date_of_birth",
            "value": "2026-02-30",
            "reason": "2026-02-30 is not a date",
        },
        {
            "file": "police_nominals.csv",
            "row": 2,
            "column": "date_of_birth",
            "value": "22/05/2003",
            "reason": "must be a date written YYYY-MM-DD, for example 2024-03-27",
        },
    ]


def test_values_not_allowed_and_required_values(refused: Refusal) -> None:
    rows = extract_rows(NOMINALS)
    rows[0]["sex"] = "Male"
    rows[1]["family_name"] = ""
    errors = refused.rows(NOMINALS, rows)
    assert [(e["row"], e["column"], e["value"]) for e in errors] == [
        (1, "sex", "Male"),
        (2, "family_name", ""),
    ]
    assert str(errors[0]["reason"]).startswith("is not allowed: use one of male, female")
    assert errors[1]["reason"] == "is required: it must not be empty"


def test_an_end_date_before_the_start(refused: Refusal, agencies: dict) -> None:
    rows = extract_rows(ExtractKind.CHILDRENS_SOCIAL_CARE)
    rows[0]["end_date"] = "2007-10-02"
    [error] = refused.rows(ExtractKind.CHILDRENS_SOCIAL_CARE, rows, agency=agencies["council"])
    assert (error["row"], error["column"], error["value"]) == (1, "end_date", "2007-10-02")
    assert error["reason"] == "is before the start_date (2007-10-03)"


def test_a_date_of_birth_after_the_offence_date(refused: Refusal, import_rows: Importer) -> None:
    import_rows(NOMINALS)
    rows = extract_rows(ExtractKind.POLICE_OFFENCES)
    rows[1]["offence_date"] = "2003-05-21"  # the day before 24/250937Y was born
    [error] = refused.rows(ExtractKind.POLICE_OFFENCES, rows)
    assert (error["row"], error["column"], error["value"]) == (2, "offence_date", "2003-05-21")
    assert "before the date of birth held for PNC 24/250937Y (2003-05-22)" in str(error["reason"])


def test_offences_before_their_nominals_are_imported(refused: Refusal) -> None:
    errors = refused.rows(ExtractKind.POLICE_OFFENCES, extract_rows(ExtractKind.POLICE_OFFENCES))
    assert [(e["row"], e["column"], e["value"]) for e in errors] == [
        (1, "pnc", "16/476263G"),
        (2, "pnc", "24/250937Y"),
    ]
    assert "import its police_nominals extract first" in str(errors[0]["reason"])


def test_memberships_need_the_groups(refused: Refusal, import_rows: Importer) -> None:
    import_rows(ExtractKind.OCG_NOMINALS)
    errors = refused.rows(ExtractKind.OCG_MEMBERSHIPS, extract_rows(ExtractKind.OCG_MEMBERSHIPS))
    assert {e["column"] for e in errors} == {"group_reference"}
    assert "import its ocg_groups extract first" in str(errors[0]["reason"])


def test_a_row_with_the_wrong_number_of_values(refused: Refusal, tmp_path: Path) -> None:
    path = write_extract(tmp_path / "short.csv", extract_rows(NOMINALS))
    path.write_text(path.read_text() + '"only","three","values"\n')
    [error] = refused.file(NOMINALS, path)
    assert (error["row"], error["value"]) == (3, "3 values")
    assert error["reason"] == "The row has 3 values but the header has 7 columns"


def test_a_file_of_another_format(refused: Refusal, tmp_path: Path) -> None:
    path = tmp_path / "extract.txt"
    path.write_text("pnc\n1\n")
    [error] = refused.file(NOMINALS, path)
    assert "CSV (.csv), Excel (.xlsx) or JSON (.json)" in str(error["reason"])


def test_a_broken_workbook_and_broken_json(refused: Refusal, tmp_path: Path) -> None:
    workbook = tmp_path / "broken.xlsx"
    workbook.write_bytes(b"PK\x03\x04 not really a workbook")
    [error] = refused.file(NOMINALS, workbook)
    assert "not an Excel workbook" in str(error["reason"])
    data = tmp_path / "broken.json"
    data.write_text('[{"pnc": "1"},')
    [error] = refused.file(NOMINALS, data)
    assert "not valid JSON" in str(error["reason"])


def test_errors_past_the_cap_are_counted(refused: Refusal) -> None:
    rows = [dict(ROWS[NOMINALS][0], pnc=f"P{n}", sex="x") for n in range(MAX_ERRORS + 50)]
    errors = refused.rows(NOMINALS, rows)
    assert len(errors) == MAX_ERRORS + 1
    assert str(errors[-1]["reason"]).startswith("… and 50 more problems not listed")


def test_the_size_limit_is_a_setting_and_its_boundary_holds(
    refused: Refusal, import_file: Importer, tmp_path: Path, settings: Any
) -> None:
    path = write_extract(tmp_path / "nominals.csv", extract_rows(NOMINALS))
    settings.OFFRAMP_IMPORT_MAX_BYTES = path.stat().st_size
    assert import_file(NOMINALS, path).status == BatchStatus.COMPLETED
    settings.OFFRAMP_IMPORT_MAX_BYTES = path.stat().st_size - 1
    [error] = refused.file(NOMINALS, path)
    assert "over the limit" in str(error["reason"])


def test_a_100_mb_file_is_refused_quickly(refused: Refusal, tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.write(b'"pnc","family_name"\n')
        handle.truncate(100 * 1024 * 1024)  # sparse: no 100 MB is written
    assert os.path.getsize(path) == 100 * 1024 * 1024
    [error] = refused.file(NOMINALS, path)
    assert error["file"] == "huge.csv"
    assert error["value"] == "104,857,600 bytes"
    assert error["reason"] == (
        "The file is 100.0 MB, over the limit of 50.0 MB (52,428,800 bytes). Split the extract "
        "into 2 or more files of fewer rows, each with the header row, and import them one "
        "after another"
    )


DEEP = 100_000  # far past Python's recursion limit


@pytest.mark.parametrize(
    "text",
    [
        "[" * DEEP + "]" * DEEP,
        '[{"pnc": ' + "[" * DEEP + "]" * DEEP + "}]",
        '[{"pnc": ' + '{"a": ' * DEEP + "1" + "}" * DEEP + "}]",
    ],
    ids=["the whole file", "a value (lists)", "a value (objects)"],
)
def test_deeply_nested_json_is_refused_as_the_file(
    refused: Refusal, tmp_path: Path, text: str
) -> None:
    path = tmp_path / "nested.json"
    path.write_text(text)
    [error] = refused.file(NOMINALS, path)
    assert (error["file"], error["row"]) == ("nested.json", None)
    assert "nested too deeply" in str(error["reason"])


def test_a_nested_value_the_parser_reads_is_a_row_error_naming_it(
    refused: Refusal, tmp_path: Path
) -> None:
    # Named, not printed: printing it would recurse as deep as it nests.
    depth = 400
    row = {**ROWS[NOMINALS][0], "pnc": "PLACEHOLDER"}
    path = tmp_path / "nested.json"
    path.write_text(json.dumps([row]).replace('"PLACEHOLDER"', "[" * depth + "]" * depth))
    errors = refused.file(NOMINALS, path)
    assert {(error["row"], error["column"]) for error in errors} == {(1, "pnc")}
    assert errors[0]["value"] == "a JSON list"
    assert errors[0]["reason"] == "must be text, a number or null"
