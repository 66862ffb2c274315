"""docs/partner-data.md documents every column of every kind, as the schemas define them."""

import re
from pathlib import Path

from offramp.intake.schemas import IMPORT_ORDER, SCHEMAS

DOC = Path(__file__).resolve().parents[2] / "docs" / "partner-data.md"


def test_every_kind_and_column_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    sections = re.split(r"^### ", text, flags=re.MULTILINE)[1:]
    documented = {}
    for section in sections:
        heading = re.match(r"`(\w+)`", section)
        assert heading is not None
        rows = re.findall(r"^\| `(\w+)` \| ([^|]+) \| (yes|no) \| (\d+) \|", section, re.MULTILINE)
        documented[heading.group(1)] = [
            (name, required == "yes", int(length)) for name, _, required, length in rows
        ]
    assert list(documented) == [kind.value for kind in IMPORT_ORDER]
    for kind, schema in SCHEMAS.items():
        expected = [(c.name, c.required, c.max_length) for c in schema.columns]
        assert documented[kind.value] == expected, kind
