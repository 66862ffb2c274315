"""The linkage model: comparisons, blocking rules, probability bands and training."""

from __future__ import annotations

import logging
import math
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule

from .records import (
    IDENTIFIER_PREFIX,
    OPTIONAL_FIELDS,
    RecordFrameError,
    features_table,
    identifier_columns,
    prepare_features,
    validate_labels,
)

if TYPE_CHECKING:
    from splink.internals.blocking_rule_creator import BlockingRuleCreator

# Probability bands. At or above CERTAIN_MATCH_PROBABILITY (odds of 99 to 1) two records are
# linked with no review. From NEEDS_REVIEW_PROBABILITY (more likely than not the same person)
# they are linked provisionally and queued for a person to accept or reject. Below it they
# are treated as different people (a search still shows them as weak candidates).
CERTAIN_MATCH_PROBABILITY = 0.99
NEEDS_REVIEW_PROBABILITY = 0.5

# The prior (how likely two random records are the same person) is estimated from
# deterministic rules (same full name and date of birth, or a shared identifier), assuming
# they find this share of all true matches: partner extracts hold enough variant spellings
# and mistyped dates that about a third of true pairs fail both rules. A fixed assumption,
# not fitted to any benchmark.
DETERMINISTIC_RULES_RECALL = 0.65

# Random pairs sampled to estimate how often unrelated records agree by chance (u).
U_SAMPLE_PAIRS = 1_000_000

# DuckDB's working memory per linkage job; beyond it, DuckDB spills to a temporary directory.
DUCKDB_MEMORY_LIMIT = "4GB"

# EM converges within a few iterations on the benchmarks; more only drives levels that no
# match shows towards zero.
EM_MAX_ITERATIONS = 12

# EM drives the m of a level it sees no match reach towards zero; it is floored here, which
# is strong but finite evidence against a match (Splink's own m for an unobserved level).
UNOBSERVED_M = 1e-6


class MatchBand(StrEnum):
    CERTAIN = "certain match"
    REVIEW = "needs review"
    NON_MATCH = "non-match"


def band_for(probability: float) -> MatchBand:
    if probability >= CERTAIN_MATCH_PROBABILITY:
        return MatchBand.CERTAIN
    if probability >= NEEDS_REVIEW_PROBABILITY:
        return MatchBand.REVIEW
    return MatchBand.NON_MATCH


@dataclass(frozen=True)
class LinkageModel:
    """A trained model: a Splink 5 settings dictionary with its m and u probabilities.

    ``settings`` is plain JSON, so the model can be stored and rebuilt with
    ``LinkageModel(settings)``.
    """

    settings: dict[str, Any]

    @property
    def fields(self) -> tuple[str, ...]:
        """The compared fields, in order (names, date of birth, then what was recorded)."""
        return tuple(c["output_column_name"] for c in self.settings["comparisons"])

    def match_weights(self) -> dict[tuple[str, str], float]:
        """(field, level label) -> log2(m / u), the evidence each level carries."""
        return {
            (comparison["output_column_name"], level["label_for_charts"]): math.log2(
                level["m_probability"] / level["u_probability"]
            )
            for comparison in self.settings["comparisons"]
            for level in comparison["comparison_levels"]
            if not level.get("is_null_level")
        }


def train_model(
    records: pd.DataFrame, labels: pd.DataFrame | None = None, *, seed: int = 1
) -> LinkageModel:
    """Train on the area's own records; reviewers' decisions, when given, refine it.

    1. The prior from deterministic rules (see DETERMINISTIC_RULES_RECALL).
    2. u probabilities from a random sample of pairs, seeded by ``seed``.
    3. m probabilities by expectation maximisation, in two sessions (pairs sharing a date of
       birth; pairs sharing a full name), so each field is estimated while it varies freely.
    4. ``labels`` (unique_id_l, unique_id_r, is_match): accepted pairs give a supervised m
       estimate; Splink takes each level's median over the sessions, so labels correct EM
       without overriding it. Rejected pairs are not used here, since they are the hardest
       non-matches rather than a random sample and would bias u; ``cluster`` honours them.
    5. A level no training pair reached (no transposed dates in this area, say) borrows the
       weight of the next weaker level instead of counting as proof of a non-match.
    """
    features = prepare_features(records)
    if len(features) < 2:
        raise RecordFrameError("training needs at least two records")
    accepted = _accepted_pairs(labels, set(features["unique_id"]))
    iterations = EM_MAX_ITERATIONS
    while True:
        try:
            settings = _fit(features, accepted, seed=seed, em_iterations=iterations)
        except ValueError as error:
            # A level no match shows (same outward code when postcodes never vary, say) has
            # its m driven towards zero by each EM iteration, and Splink refuses one that
            # underflows. Fewer iterations stop it while still representable; step 5 then
            # floors it.
            if "minimum allowed value" not in str(error) or iterations == 1:
                raise
            iterations //= 2
        else:
            _borrow_unobserved_weights(settings)
            return LinkageModel(settings)


def _fit(
    features: pd.DataFrame, accepted: pd.DataFrame, *, seed: int, em_iterations: int
) -> dict[str, Any]:
    fields = compared_fields(features)
    with quiet_splink():
        database = splink_database()
        settings = build_settings(fields)
        settings.max_iterations = em_iterations
        linker = Linker(database.register(features_table(features)), settings, log_level=None)
        linker.training.estimate_probability_two_random_records_match(
            [*_deterministic_rules(fields)], recall=DETERMINISTIC_RULES_RECALL
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=seed)
        for blocking_rule in (block_on("date_of_birth"), block_on("given_name", "family_name")):
            linker.training.estimate_parameters_using_expectation_maximisation(
                blocking_rule, estimate_without_term_frequencies=True
            )
        if len(accepted):
            linker.training.estimate_m_from_pairwise_labels(database.register(accepted))
        return linker.misc.save_model_to_json()


def compared_fields(features: pd.DataFrame) -> tuple[str, ...]:
    """Names and date of birth always; other fields when at least two records hold them."""
    candidates = [*OPTIONAL_FIELDS, *identifier_columns(features)]
    recorded = [column for column in candidates if features[column].notna().sum() >= 2]
    return ("given_name", "family_name", "date_of_birth", *recorded)


def build_settings(fields: Sequence[str]) -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[_comparison(f) for f in fields],
        blocking_rules_to_generate_predictions=[*prediction_blocking_rules(fields)],
        # Both are needed to explain a pair: the level reached and its match weight.
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=["source"],
    )


def prediction_blocking_rules(fields: Sequence[str]) -> list[BlockingRuleCreator]:
    """Which pairs are scored at all: broad, so that a pair agreeing on little is still seen.

    Each rule pairs records agreeing on two things (a name or its sound, the date or year of
    birth, a place, an identifier or its first characters), except the date of birth on its
    own, so that records with missing or garbled names are still compared.
    """
    rules: list[BlockingRuleCreator] = [
        block_on("given_name", "family_name"),
        block_on("family_name", "date_of_birth"),
        block_on("given_name", "date_of_birth"),
        block_on("given_canonical", "family_sound"),
        CustomRule("l.given_sound = r.family_sound AND l.family_sound = r.given_sound"),
        block_on("date_of_birth"),
        block_on("given_sound", "substr(date_of_birth, 1, 4)"),
        block_on("family_sound", "substr(date_of_birth, 1, 4)"),
    ]
    for place in ("postcode", "area"):
        if place in fields:
            rules += [block_on(place, "given_sound"), block_on(place, "family_sound")]
    for identifier in (f for f in fields if f.startswith(IDENTIFIER_PREFIX)):
        rules += [block_on(identifier), block_on(f"substr({identifier}, 1, 5)")]
    return rules


def search_blocking_rules(fields: Sequence[str]) -> list[BlockingRuleCreator]:
    """Broader rules for one searched record ("is this person known?"), where cost is small."""
    rules: list[BlockingRuleCreator] = [
        block_on("given_canonical"),
        block_on("family_sound"),
        block_on("date_of_birth"),
        CustomRule("l.given_sound = r.family_sound OR l.family_sound = r.given_sound"),
        CustomRule("l.date_of_birth = r.dob_swapped"),
    ]
    rules += [block_on(f) for f in ("postcode", "address") if f in fields]
    for identifier in (f for f in fields if f.startswith(IDENTIFIER_PREFIX)):
        rules += [block_on(identifier), block_on(f"substr({identifier}, 1, 5)")]
    return rules


def term_frequency_columns(model: LinkageModel) -> list[str]:
    return sorted(
        {
            level["tf_adjustment_column"]
            for comparison in model.settings["comparisons"]
            for level in comparison["comparison_levels"]
            if level.get("tf_adjustment_column")
        }
    )


@contextmanager
def quiet_splink() -> Iterator[None]:
    """Keep Splink's progress messages and training advice out of the product's logs."""
    splink_logger = logging.getLogger("splink")
    previous = splink_logger.level
    splink_logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        splink_logger.setLevel(previous)


def splink_database() -> DuckDBAPI:
    """In-memory DuckDB with bounded memory, spilling to the system temporary directory.

    DuckDB would otherwise take 80% of the machine's memory and spill into the cwd.
    """
    spill = os.path.join(tempfile.gettempdir(), "offramp-linkage-duckdb")
    return DuckDBAPI(
        duckdb.connect(
            ":memory:", config={"temp_directory": spill, "memory_limit": DUCKDB_MEMORY_LIMIT}
        )
    )


def _deterministic_rules(fields: Sequence[str]) -> list[BlockingRuleCreator]:
    rules: list[BlockingRuleCreator] = [block_on("given_name", "family_name", "date_of_birth")]
    rules += [block_on(f) for f in fields if f.startswith(IDENTIFIER_PREFIX)]
    return rules


def _accepted_pairs(labels: pd.DataFrame | None, known_ids: set[str]) -> pd.DataFrame:
    if labels is None or labels.empty:
        return pd.DataFrame()
    decisions = validate_labels(labels)
    unknown = sorted((set(decisions["unique_id_l"]) | set(decisions["unique_id_r"])) - known_ids)
    if unknown:
        raise RecordFrameError(f"labels name unknown unique_id(s): {', '.join(unknown[:5])}")
    accepted = decisions[decisions["is_match"]]
    return accepted[["unique_id_l", "unique_id_r"]].reset_index(drop=True)


def _borrow_unobserved_weights(settings: dict[str, Any]) -> None:
    """Fill in levels that training could not estimate, so none is scored as proof.

    A level no training pair reached at all (no transposed dates in this area, say) has no
    m: Splink would score it m = 1e-6, near-proof of a non-match, though it only means the
    area has no example yet. It borrows the m/u ratio of the nearest weaker level instead
    (the weakest, with nothing to borrow from, counts for nothing: m = u). A level that
    pairs reached but EM judged no match reaches keeps that strong evidence, floored at
    UNOBSERVED_M so that it stays finite.
    """
    for comparison in settings["comparisons"]:
        ratio = 1.0
        for level in reversed(comparison["comparison_levels"]):
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            if not _is_probability(u):
                u = 1 / U_SAMPLE_PAIRS  # never seen in the random sample either
            if _is_probability(m) or m == 0:
                m = max(m, UNOBSERVED_M)
                ratio = m / u
            else:
                m = min(1.0, u * ratio)
            level["m_probability"], level["u_probability"] = m, u


def _is_probability(value: object) -> bool:
    return isinstance(value, float | int) and 0 < value <= 1


# ---------------------------------------------------------------------------------------
# Comparisons: each a list of levels, most specific first, written as DuckDB SQL over the
# prepared features (``_l`` and ``_r`` are the two records of a pair).


def _comparison(field: str) -> dict[str, Any]:
    if field == "given_name":
        levels = _name_levels("given_name", "family_name", "given_sound")
    elif field == "family_name":
        levels = _name_levels("family_name", "given_name", "family_sound")
    elif field == "date_of_birth":
        levels = _date_of_birth_levels()
    elif field == "postcode":
        levels = _postcode_levels()
    elif field in ("area", "address"):
        levels = _place_levels(field)
    else:
        levels = _identifier_levels(field)
    return {"output_column_name": field, "comparison_levels": levels}


def _level(sql: str, label: str, *, frequency_of: str | None = None) -> dict[str, Any]:
    """A level; ``frequency_of`` weighs exact agreement by how rare the value is."""
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if frequency_of:
        level |= {"tf_adjustment_column": frequency_of, "tf_adjustment_weight": 1.0}
    return level


def _not_recorded(column: str, label: str = "not recorded") -> dict[str, Any]:
    sql = f'"{column}_l" IS NULL OR "{column}_r" IS NULL'
    return {"sql_condition": sql, "label_for_charts": label, "is_null_level": True}


def _typing_errors(column: str, edits: int) -> str:
    return f'damerau_levenshtein("{column}_l", "{column}_r") <= {edits}'


def _similar(column: str, at_least: float = 0.88) -> str:
    return f'jaro_winkler_similarity("{column}_l", "{column}_r") >= {at_least}'


def _different() -> dict[str, Any]:
    return {"sql_condition": "ELSE", "label_for_charts": "different"}


def _name_levels(column: str, other: str, sound: str) -> list[dict[str, Any]]:
    """A given or family name; ``other`` is the other name column, for swapped names."""
    levels = [
        _not_recorded(column),
        _level(f'"{column}_l" = "{column}_r"', "the same", frequency_of=column),
    ]
    if column == "given_name":
        variants = 'list_contains("given_variants_l", "given_name_r")'
        levels.append(_level(variants, "a known nickname or variant"))
    swapped = (
        f'damerau_levenshtein("{column}_l", "{other}_r") <= 1 '
        f'OR damerau_levenshtein("{column}_r", "{other}_l") <= 1'
    )
    return [
        *levels,
        _level(_typing_errors(column, 1), "differs by one typing error"),
        _level(swapped, "swapped with the other name"),
        _level(f'"{sound}_l" = "{sound}_r"', "sounds the same"),
        _level(_similar(column), "spelt similarly"),
        _different(),
    ]


def _date_of_birth_levels() -> list[dict[str, Any]]:
    days_apart = 'abs("dob_day_number_l" - "dob_day_number_r")'
    return [
        _not_recorded("date_of_birth"),
        _level('"date_of_birth_l" = "date_of_birth_r"', "the same"),
        _level('"dob_swapped_l" = "date_of_birth_r"', "the same with day and month swapped"),
        _level(_typing_errors("date_of_birth", 1), "differs by one typing error"),
        _level(f"{days_apart} <= 31", "within a month"),
        _level(f"{days_apart} <= 366", "within a year"),
        _level(f"{days_apart} <= 3653", "within ten years"),
        _different(),
    ]


def _postcode_levels() -> list[dict[str, Any]]:
    return [
        _not_recorded("postcode"),
        _level('"postcode_l" = "postcode_r"', "the same", frequency_of="postcode"),
        _level(_typing_errors("postcode", 1), "differs by one typing error"),
        _level('"postcode_outward_l" = "postcode_outward_r"', "the same outward code"),
        _different(),
    ]


def _place_levels(column: str) -> list[dict[str, Any]]:
    """Area or address line."""
    return [
        _not_recorded(column),
        _level(f'"{column}_l" = "{column}_r"', "the same", frequency_of=column),
        _level(_typing_errors(column, 2), "differs by a typing error or two"),
        _level(_similar(column), "spelt similarly"),
        _different(),
    ]


def _identifier_levels(column: str) -> list[dict[str, Any]]:
    return [
        _not_recorded(column, "not held for both"),
        _level(f'"{column}_l" = "{column}_r"', "the same"),
        _level(_typing_errors(column, 1), "differs by one typing error"),
        _level(_similar(column), "similar"),
        _different(),
    ]
