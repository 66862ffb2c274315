"""Security trial (issue 12): an extract cell holding a control or bidirectional-override
character is refused, row and column named, by the same check as the pages and the API."""

from offramp.intake.models import BatchStatus, ExtractKind

from .conftest import Importer, extract_rows, intake_and_people_counts


def test_a_name_with_a_right_to_left_override_refuses_the_file(import_rows: Importer) -> None:
    rows = extract_rows(ExtractKind.POLICE_NOMINALS)
    rows[1]["family_name"] = "TURNER\u202eKCAB"
    before = intake_and_people_counts()

    batch = import_rows(ExtractKind.POLICE_NOMINALS, rows)

    assert batch.status == BatchStatus.FAILED
    [error] = batch.errors
    assert error["row"] == 2 and error["column"] == "family_name"
    assert error["reason"] == "contains an invisible control character (U+202E); retype it"
    after = intake_and_people_counts()
    assert after.pop("intake.ImportBatch") == before.pop("intake.ImportBatch") + 1
    assert after == before
