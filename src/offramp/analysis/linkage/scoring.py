"""Scoring with a trained model: all pairs in a record frame, or candidates for one record.

Every scored pair explains itself: for each compared field, the level of agreement reached
and how far it moved the match weight. Reasons name levels, never values, so that showing
why two records matched reveals nothing about what either agency holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
from splink import Linker

from .model import (
    NEEDS_REVIEW_PROBABILITY,
    LinkageModel,
    MatchBand,
    band_for,
    quiet_splink,
    search_blocking_rules,
    splink_database,
    term_frequency_columns,
)
from .records import IDENTIFIER_PREFIX, REQUIRED_COLUMNS, features_table, prepare_features

if TYPE_CHECKING:
    from splink.internals.splink_dataframe import SplinkDataFrame

SEARCHED_ID = "__searched__"

FIELD_LABELS = {
    "given_name": "Given name",
    "family_name": "Family name",
    "date_of_birth": "Date of birth",
    "postcode": "Postcode",
    "area": "Area",
    "address": "Address",
}


def field_label(field: str) -> str:
    """'id_nhs' -> 'Identifier (nhs)'; known fields by their label."""
    if field in FIELD_LABELS:
        return FIELD_LABELS[field]
    return f"Identifier ({field.removeprefix(IDENTIFIER_PREFIX).replace('_', ' ')})"


@dataclass(frozen=True)
class Reason:
    """How one field compared in a pair, and the evidence that carried.

    ``weight`` is the match weight (log2 Bayes factor, with any adjustment for how common
    the value is): +3 makes a match 8 times likelier, -3 8 times less likely, 0 says nothing.
    """

    field: str
    level: str
    weight: float

    def __str__(self) -> str:
        return f"{field_label(self.field)}: {self.level} ({self.weight:+.1f})"


@dataclass(frozen=True)
class Candidate:
    """A held record that may be the same person as a searched-for record."""

    unique_id: str
    match_probability: float
    band: MatchBand
    reasons: tuple[Reason, ...]


PAIR_COLUMNS = [
    "unique_id_l",
    "unique_id_r",
    "match_probability",
    "match_weight",
    "band",
    "reasons",
]


def predict_pairs(
    model: LinkageModel, records: pd.DataFrame, threshold: float = NEEDS_REVIEW_PROBABILITY
) -> pd.DataFrame:
    """Pairs of records scoring at least ``threshold``, likeliest first.

    Columns: unique_id_l, unique_id_r, match_probability, match_weight, band (MatchBand) and
    reasons (a tuple of Reason, strongest evidence first). How common each name or place is
    is counted in ``records``, so pass the whole index rather than a few records.
    """
    features = _features_for(model, records)
    with quiet_splink():
        database = splink_database()
        linker = Linker(database.register(features_table(features)), model.settings, log_level=None)
        predictions = linker.inference.predict(
            threshold_match_probability=threshold, warning_mode="never"
        )
        return _explained_pairs(model, _explanation_columns(model, predictions))


def find_candidates(
    model: LinkageModel,
    records: pd.DataFrame,
    new_record: Mapping[str, object],
    top: int = 10,
) -> list[Candidate]:
    """The held ``records`` most likely to be the person in ``new_record``, likeliest first.

    ``new_record`` follows the record convention; any field may be left out (unique_id is not
    needed). The model is the one
    predict_pairs uses, with broader blocking (any one of nickname-canonical given name,
    family-name sound, date of birth or its day/month swap, swapped names, postcode, address
    or an identifier), so a searcher sees weak candidates too, each with its band.
    """
    held = _features_for(model, records)
    searched_record = {**dict.fromkeys(REQUIRED_COLUMNS), **new_record, "unique_id": SEARCHED_ID}
    searched = prepare_features(pd.DataFrame([searched_record])).reindex(columns=held.columns)
    with quiet_splink():
        database = splink_database()
        held_table = database.register(features_table(held))
        linker = Linker(held_table, model.settings, log_level=None)
        for column in term_frequency_columns(model):
            linker.table_management.compute_tf_table(column)
        predictions = linker.inference.predict_between(
            database.register(features_table(searched)),
            held_table,
            blocking_rules_to_generate_predictions=[*search_blocking_rules(model.fields)],
            warning_mode="never",
        )
        pairs = _explained_pairs(model, _explanation_columns(model, predictions)).head(top)
    return [
        Candidate(
            unique_id=row.unique_id_r if row.unique_id_l == SEARCHED_ID else row.unique_id_l,
            match_probability=row.match_probability,
            band=row.band,
            reasons=row.reasons,
        )
        for row in pairs.itertuples()
    ]


def _features_for(model: LinkageModel, records: pd.DataFrame) -> pd.DataFrame:
    """Features with exactly the identifier columns the model compares (absent ones empty)."""
    features = prepare_features(records)
    for field in model.fields:
        if field.startswith(IDENTIFIER_PREFIX) and field not in features.columns:
            features[field] = None
    unused = [
        column
        for column in features.columns
        if column.startswith(IDENTIFIER_PREFIX) and column not in model.fields
    ]
    return features.drop(columns=unused)


def _explanation_columns(model: LinkageModel, predictions: SplinkDataFrame) -> pd.DataFrame:
    """Only the columns that explain a pair, leaving the compared values in DuckDB."""
    adjusted = {
        comparison["output_column_name"]
        for comparison in model.settings["comparisons"]
        if any(level.get("tf_adjustment_column") for level in comparison["comparison_levels"])
    }
    columns = ["unique_id_l", "unique_id_r", "match_probability", "match_weight"]
    for field in model.fields:
        columns += [f"gamma_{field}", f"mw_{field}"]
        columns += [f"mw_tf_adj_{field}"] if field in adjusted else []
    quoted = ", ".join(f'"{column}"' for column in columns)
    return predictions.query_sql(f"SELECT {quoted} FROM {{this}}").as_pandas_dataframe()


def _explained_pairs(model: LinkageModel, predictions: pd.DataFrame) -> pd.DataFrame:
    if predictions.empty:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    pairs = pd.DataFrame(
        {
            "unique_id_l": predictions["unique_id_l"].astype(str).to_numpy(),
            "unique_id_r": predictions["unique_id_r"].astype(str).to_numpy(),
            "match_probability": predictions["match_probability"].astype(float).to_numpy(),
            "match_weight": predictions["match_weight"].astype(float).to_numpy(),
        }
    )
    # object dtype keeps MatchBand members (pandas would store a StrEnum as plain text)
    pairs["band"] = pd.Series([band_for(p) for p in pairs["match_probability"]], dtype=object)
    pairs["reasons"] = _reasons(predictions, _level_labels(model))
    return pairs.sort_values(
        ["match_probability", "unique_id_l", "unique_id_r"],
        ascending=[False, True, True],
        ignore_index=True,
    )


def _level_labels(model: LinkageModel) -> dict[str, dict[int, str]]:
    """field -> comparison vector value -> level label, numbered as Splink numbers them:
    the null level -1, then the others counting down to 0 for the last (ELSE)."""
    labels: dict[str, dict[int, str]] = {}
    for comparison in model.settings["comparisons"]:
        by_value: dict[int, str] = {}
        levels = comparison["comparison_levels"]
        others = [level for level in levels if not level.get("is_null_level")]
        for position, level in enumerate(others):
            by_value[len(others) - 1 - position] = level["label_for_charts"]
        for level in levels:
            if level.get("is_null_level"):
                by_value[-1] = level["label_for_charts"]
        labels[comparison["output_column_name"]] = by_value
    return labels


def _reasons(
    predictions: pd.DataFrame, level_labels: Mapping[str, Mapping[int, str]]
) -> list[tuple[Reason, ...]]:
    """Each pair's reasons, strongest evidence first.

    Pairs share a few hundred combinations of levels and weights, so each combination's
    reasons are built once (a million pairs take seconds).
    """
    fields = list(level_labels)
    per_field = []
    for field in fields:
        weight = predictions[f"mw_{field}"].astype(float)
        if f"mw_tf_adj_{field}" in predictions:
            weight = weight + predictions[f"mw_tf_adj_{field}"].astype(float).fillna(0)
        levels = predictions[f"gamma_{field}"].astype(int)
        per_field.append(zip(levels.tolist(), weight.round(2).tolist(), strict=True))
    built: dict[tuple[tuple[int, float], ...], tuple[Reason, ...]] = {}
    reasons = []
    for combination in zip(*per_field, strict=True):
        explained = built.get(combination)
        if explained is None:
            explained = built[combination] = tuple(
                sorted(
                    (
                        Reason(field=field, level=level_labels[field][level], weight=weight)
                        for field, (level, weight) in zip(fields, combination, strict=True)
                    ),
                    key=lambda reason: -abs(reason.weight),
                )
            )
        reasons.append(explained)
    return reasons
