"""The record frame convention, its validation, and the features the model compares."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from functools import cache
from typing import Any

import pandas as pd
import pyarrow as pa

from ..names import name_sound, normalise_name
from ..nicknames import NICKNAMES, are_equivalent

REQUIRED_COLUMNS = ("unique_id", "given_name", "family_name", "date_of_birth")
OPTIONAL_FIELDS = ("postcode", "area", "address")
IDENTIFIER_PREFIX = "id_"
LABEL_COLUMNS = ("unique_id_l", "unique_id_r", "is_match")

# Every feature column and its DuckDB-facing type; identifier columns are strings too.
FEATURE_TYPES: dict[str, pa.DataType] = {
    "unique_id": pa.string(),
    "source": pa.string(),
    "given_name": pa.string(),
    "family_name": pa.string(),
    "given_sound": pa.string(),
    "family_sound": pa.string(),
    "given_canonical": pa.string(),
    "given_variants": pa.list_(pa.string()),
    "date_of_birth": pa.string(),
    "dob_swapped": pa.string(),
    "dob_day_number": pa.int64(),
    "postcode": pa.string(),
    "postcode_outward": pa.string(),
    "area": pa.string(),
    "address": pa.string(),
}


class RecordFrameError(ValueError):
    """A record or label frame does not follow the convention."""


def validate_records(records: pd.DataFrame) -> None:
    """Raise RecordFrameError naming the first problem with a record frame."""
    missing = [column for column in REQUIRED_COLUMNS if column not in records.columns]
    if missing:
        raise RecordFrameError(
            f"record frame is missing required column(s): {', '.join(missing)} "
            f"(required: {', '.join(REQUIRED_COLUMNS)})"
        )
    if records["unique_id"].isna().any():
        raise RecordFrameError("record frame has a record without a unique_id")
    ids = records["unique_id"].astype(str)
    if ids.duplicated().any():
        raise RecordFrameError(
            f"unique_id {ids[ids.duplicated()].iloc[0]!r} appears more than once"
        )
    for column in identifier_columns(records):
        if not re.fullmatch(r"id_[a-z0-9_]+", column):
            raise RecordFrameError(
                f"identifier column {column!r} must be id_ followed by lower-case letters, "
                "digits or underscores"
            )


def identifier_columns(frame: pd.DataFrame) -> list[str]:
    return sorted(str(c) for c in frame.columns if str(c).startswith(IDENTIFIER_PREFIX))


def validate_labels(labels: pd.DataFrame) -> pd.DataFrame:
    """Reviewers' decisions as unique_id_l, unique_id_r (strings) and is_match (bool)."""
    missing = [column for column in LABEL_COLUMNS if column not in labels.columns]
    if missing:
        raise RecordFrameError(f"label frame is missing column(s): {', '.join(missing)}")
    return pd.DataFrame(
        {
            "unique_id_l": labels["unique_id_l"].astype(str).to_numpy(),
            "unique_id_r": labels["unique_id_r"].astype(str).to_numpy(),
            "is_match": labels["is_match"].astype(bool).to_numpy(),
        }
    )


def prepare_features(records: pd.DataFrame) -> pd.DataFrame:
    """The columns the model compares, derived from a record frame.

    Names are normalised with ``names.normalise_name`` and keyed with its Metaphone
    (``names.name_sound``); a given name also carries its nickname variants and a canonical
    form from ``nicknames``. A date of birth keeps its ISO string (for typing errors), its
    day/month swap and a day number (for closeness). Postcodes lose spaces and gain the UK
    outward code; addresses keep letters and digits; identifiers are trimmed and lower-cased.
    """
    validate_records(records)
    given = _each_distinct(_clean_name, records["given_name"].tolist())
    family = _each_distinct(_clean_name, records["family_name"].tolist())
    born = _each_distinct(_parse_date, records["date_of_birth"].tolist())
    postcode = _each_distinct(_clean_postcode, _optional(records, "postcode"))
    columns: dict[str, list[Any]] = {
        "unique_id": [str(v) for v in records["unique_id"].tolist()],
        "source": _each_distinct(_clean_text, _optional(records, "source")),
        "given_name": given,
        "family_name": family,
        "given_sound": _each_distinct(_sound, given),
        "family_sound": _each_distinct(_sound, family),
        "given_canonical": _each_distinct(canonical_given_name, given),
        "given_variants": _each_distinct(_given_name_variants, given),
        "date_of_birth": _each_distinct(_iso, born),
        "dob_swapped": _each_distinct(day_month_swapped, born),
        "dob_day_number": _each_distinct(_day_number, born),
        "postcode": postcode,
        "postcode_outward": _each_distinct(uk_outward_code, postcode),
        "area": _each_distinct(_clean_name, _optional(records, "area")),
        "address": _each_distinct(_clean_address, _optional(records, "address")),
    }
    for column in identifier_columns(records):
        columns[column] = [_clean_identifier(v) for v in records[column].tolist()]
    return pd.DataFrame({name: pd.Series(values, dtype=object) for name, values in columns.items()})


def _each_distinct(derive: Callable[[Any], Any], values: list[Any]) -> list[Any]:
    """``derive`` of each value, computed once per distinct value: names, dates and places
    repeat so much that a million records' features take seconds rather than minutes."""
    derived: dict[tuple[type, Any], Any] = {}
    result = []
    for value in values:
        try:
            key = (type(value), value)
            result.append(
                derived[key] if key in derived else derived.setdefault(key, derive(value))
            )
        except TypeError:  # unhashable
            result.append(derive(value))
    return result


def features_table(features: pd.DataFrame) -> pa.Table:
    """Features with explicit types, so that an all-empty column still compares as text."""
    schema = pa.schema([(c, FEATURE_TYPES.get(c, pa.string())) for c in features.columns])
    return pa.Table.from_pandas(features, schema=schema, preserve_index=False)


def _iso(born: date | None) -> str | None:
    return born.isoformat() if born else None


def _day_number(born: date | None) -> int | None:
    return born.toordinal() if born else None


def day_month_swapped(born: date | None) -> str | None:
    """The ISO date with day and month exchanged, where that is another valid date."""
    if born is None or born.day > 12 or born.day == born.month:
        return None
    return born.replace(month=born.day, day=born.month).isoformat()


_UK_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)[0-9][A-Z]{2}")


def uk_outward_code(postcode: str | None) -> str | None:
    """'SW1A1AA' -> 'SW1A'; None for anything that is not a UK postcode."""
    match = _UK_POSTCODE.fullmatch(postcode) if postcode else None
    return match.group(1) if match else None


def canonical_given_name(name: str | None) -> str | None:
    """A blocking key most nickname variants share: the first formal name they may stand for.

    'bob' and 'robbie' -> 'robert'. Equivalence is not transitive (Alex may be Alexander or
    Alexandra), so this only groups candidates; the comparison itself uses the variants.
    """
    if not name:
        return None
    formal = _formal_names().get(name)
    return min(formal) if formal else name


def _optional(records: pd.DataFrame, column: str) -> list[object]:
    return records[column].tolist() if column in records.columns else [None] * len(records)


def _clean_text(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value).strip() or None


def _clean_name(value: object) -> str | None:
    text = _clean_text(value)
    return (normalise_name(text) or None) if text else None


def _clean_address(value: object) -> str | None:
    text = _clean_text(value)
    if text is None:
        return None
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split()) or None


def _clean_postcode(value: object) -> str | None:
    text = _clean_text(value)
    return (re.sub(r"[^A-Z0-9]", "", text.upper()) or None) if text else None


def _clean_identifier(value: object) -> str | None:
    text = _clean_text(value)
    return ("".join(text.lower().split()) or None) if text else None


def _sound(name: str | None) -> str | None:
    return (name_sound(name) or None) if name else None


def _parse_date(value: object) -> date | None:
    """ISO dates, dates and YYYYMMDD; anything unreadable counts as not recorded."""
    if isinstance(value, date):
        return value
    text = _clean_text(value)
    if text is None:
        return None
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


@cache
def _nickname_classes() -> dict[str, frozenset[str]]:
    """Normalised name -> the normalised names ``nicknames.are_equivalent`` pairs it with."""
    vocabulary = {name.lower() for name in NICKNAMES} | {
        variant.lower() for variants in NICKNAMES.values() for variant in variants
    }
    classes: dict[str, set[str]] = {}
    for name in vocabulary:
        classes.setdefault(normalise_name(name), set()).update(
            normalise_name(other) for other in vocabulary if are_equivalent(name, other)
        )
    return {name: frozenset(group) for name, group in classes.items()}


@cache
def _formal_names() -> dict[str, frozenset[str]]:
    formal = {normalise_name(name) for name in NICKNAMES}
    return {name: group & formal for name, group in _nickname_classes().items()}


def _given_name_variants(name: str | None) -> list[str] | None:
    group = _nickname_classes().get(name) if name else None
    return sorted(group - {name}) if group and name else None
