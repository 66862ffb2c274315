"""Loading the area's population denominators from a CSV (schema: docs/population.md).

All or nothing: every row is checked first, and any problem refuses the whole file with the
file, row, column and reason, leaving the denominators already held exactly as they were.
"""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction

from offramp.analysis.profile import AGE_BANDS
from offramp.people.models import Ethnicity, Sex

from .models import PopulationEstimate

COLUMNS = ("area", "sex", "age_band", "ethnicity", "population")
AREA_MAX_LENGTH = PopulationEstimate._meta.get_field("area").max_length or 100
# Enough to fix a file by; a file wrong on every row would otherwise drown the reader.
MAX_REPORTED_PROBLEMS = 20
ALLOWED: dict[str, tuple[str, ...]] = {
    "sex": tuple(Sex.values),
    "age_band": tuple(AGE_BANDS),
    "ethnicity": tuple(Ethnicity.values),
}


@dataclass(frozen=True)
class PopulationRow:
    area: str
    sex: str
    age_band: str
    ethnicity: str
    population: int


def _cell_problem(column: str, value: str) -> str | None:
    if column == "area":
        if not value:
            return "is empty: give the ward or neighbourhood"
        if len(value) > AREA_MAX_LENGTH:
            return f"is longer than {AREA_MAX_LENGTH} characters"
        return None
    if column == "population":
        if not value.isdigit():
            return f"'{value}' is not a whole number of people (0 or more)"
        return None
    if value not in ALLOWED[column]:
        return f"'{value}' is not one of: {', '.join(ALLOWED[column])}"
    return None


def parse_population_csv(text: str, *, file_name: str) -> list[PopulationRow]:
    """The rows of a denominators file, or a ValidationError listing what is wrong and where."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = tuple(name.strip() for name in reader.fieldnames or ())
    if header != COLUMNS:
        raise ValidationError(
            f"{file_name}: the header must be exactly {','.join(COLUMNS)} "
            f"(found {','.join(header) or 'nothing'})"
        )
    problems: list[str] = []
    rows: list[PopulationRow] = []
    first_seen: dict[tuple[str, str, str, str], int] = {}
    for number, raw in enumerate(reader, start=2):  # row 1 is the header
        values = {column: (raw.get(column) or "").strip() for column in COLUMNS}
        if None in raw:
            problems.append(f"{file_name} row {number}: more values than the 5 columns")
            continue
        found = [(c, _cell_problem(c, values[c])) for c in COLUMNS]
        bad = [f"{file_name} row {number}, column {c}: {p}" for c, p in found if p]
        if bad:
            problems.extend(bad)
            continue
        key = (values["area"], values["sex"], values["age_band"], values["ethnicity"])
        if key in first_seen:
            problems.append(
                f"{file_name} row {number}: the same area, sex, age band and ethnicity as "
                f"row {first_seen[key]}; give each combination once"
            )
            continue
        first_seen[key] = number
        rows.append(PopulationRow(*key, population=int(values["population"])))
    if problems:
        shown = problems[:MAX_REPORTED_PROBLEMS]
        if len(problems) > len(shown):
            shown.append(f"...and {len(problems) - len(shown)} more problems")
        raise ValidationError(shown)
    if not rows:
        raise ValidationError(f"{file_name}: the file has a header but no rows")
    return rows


def population_replace(*, rows: list[PopulationRow], source: str) -> int:
    """Replaces the denominators with these rows, in one transaction. Returns the row count."""
    with transaction.atomic():
        PopulationEstimate.objects.all().delete()
        PopulationEstimate.objects.bulk_create(
            [
                PopulationEstimate(
                    area=row.area,
                    sex=row.sex,
                    age_band=row.age_band,
                    ethnicity=row.ethnicity,
                    population=row.population,
                    source=source[:255],
                )
                for row in rows
            ],
            batch_size=2000,
        )
    return len(rows)


def population_load_file(path: Path) -> int:
    """Checks and loads a denominators CSV file; see `parse_population_csv` for the errors."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValidationError(f"{path.name}: cannot be read as UTF-8 text ({error})") from error
    return population_replace(
        rows=parse_population_csv(text, file_name=path.name), source=path.name
    )


def population_frame() -> pd.DataFrame:
    """The denominators as the Local Profile reads them (empty, with the columns, if none)."""
    values = PopulationEstimate.objects.values_list(*COLUMNS)
    frame = pd.DataFrame.from_records(list(values), columns=list(COLUMNS))
    return frame.astype({"population": "int64"})
