"""The linkage model: comparisons, blocking rules, probability bands and training."""

from __future__ import annotations

import copy
import logging
import math
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd
import pyarrow as pa
import sqlglot
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
    validate_records,
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

# Records trained on at most: a seeded random sample of a larger frame (with every labelled
# record). The parameters are rates (how often matches and non-matches agree), which a sample
# this size estimates about as well as the whole (on 100,000 synthetic records, samples of
# 50,000 and 20,000 gave the same F1 to 0.0005); prediction then scores every record.
TRAINING_SAMPLE = 200_000

# A blocking rule that would pair the average record with more than this many others, in a
# frame the size of the one trained on, is replaced by its narrower variants (each held to
# the same bound, and dropped if still broader). Small areas keep the broad rules; at a
# million records, common names and birthdays would otherwise make billions of pairs.
MAX_BLOCKED_PAIRS_PER_RECORD = 10

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

    def spark_settings(self) -> dict[str, Any]:
        """The same model for Splink's SparkAPI, for a data set too big for one machine.

        Every comparison level and blocking rule is DuckDB SQL; sqlglot translates it to
        Spark SQL (quoting, ``list_contains`` -> ``array_contains``), and the one function
        with another name on Spark is Jaro-Winkler (``jaro_winkler``, which Splink's Spark
        jar registers with ``damerau_levenshtein``). The m and u probabilities are
        unchanged. See docs/linkage.md.
        """
        settings = copy.deepcopy(self.settings)
        settings["sql_dialect"] = "spark"
        for comparison in settings["comparisons"]:
            for level in comparison["comparison_levels"]:
                if level["sql_condition"] != "ELSE":
                    level["sql_condition"] = _spark_sql(level["sql_condition"])
        settings["blocking_rules_to_generate_predictions"] = [
            {"blocking_rule": _spark_sql(rule["blocking_rule"]), "sql_dialect": "spark"}
            for rule in settings["blocking_rules_to_generate_predictions"]
        ]
        return settings


# DuckDB functions the comparisons call whose Spark name sqlglot does not know.
_SPARK_FUNCTION_NAMES = {"JAROWINKLER_SIMILARITY(": "jaro_winkler("}


def _spark_sql(duckdb_sql: str) -> str:
    spark_sql = sqlglot.transpile(duckdb_sql, read="duckdb", write="spark")[0]
    for duckdb_name, spark_name in _SPARK_FUNCTION_NAMES.items():
        spark_sql = spark_sql.replace(duckdb_name, spark_name)
    return spark_sql


def train_model(
    records: pd.DataFrame,
    labels: pd.DataFrame | None = None,
    *,
    seed: int = 1,
    sample_size: int | None = TRAINING_SAMPLE,
    population: int | None = None,
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

    A frame larger than ``sample_size`` records is trained on a random sample of that size
    (seeded by ``seed``, always including the labelled records); ``None`` trains on all.
    The blocking rules are chosen for linking ``population`` records (by default, all of
    ``records``): pass the full count when ``records`` is already a sample of them.
    """
    population = max(population or 0, len(records))
    records = _training_sample(records, labels, sample_size, seed=seed)
    features = prepare_features(records)
    if len(features) < 2:
        raise RecordFrameError("training needs at least two records")
    accepted = _accepted_pairs(labels, set(features["unique_id"]))
    iterations = EM_MAX_ITERATIONS
    while True:
        try:
            settings = _fit(
                features, accepted, seed=seed, em_iterations=iterations, population=population
            )
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


def _training_sample(
    records: pd.DataFrame, labels: pd.DataFrame | None, size: int | None, *, seed: int
) -> pd.DataFrame:
    """At most ``size`` records, drawn at random but keeping every labelled one."""
    if size is None or len(records) <= size:
        return records
    validate_records(records)
    decisions = (
        validate_labels(labels)
        if labels is not None
        else pd.DataFrame(columns=["unique_id_l", "unique_id_r"])
    )
    labelled = (
        records["unique_id"]
        .astype(str)
        .isin(set(decisions["unique_id_l"]) | set(decisions["unique_id_r"]))
        .to_numpy()
    )
    drawn = records[~labelled].sample(n=max(size - int(labelled.sum()), 0), random_state=seed)
    return pd.concat([records[labelled], drawn]).sort_index()


def _fit(
    features: pd.DataFrame,
    accepted: pd.DataFrame,
    *,
    seed: int,
    em_iterations: int,
    population: int,
) -> dict[str, Any]:
    fields = compared_fields(features)
    table = features_table(features)
    with quiet_splink():
        database = splink_database()
        settings = build_settings(fields, blocked_pairs_per_record(table, population))
        settings.max_iterations = em_iterations
        linker = Linker(database.register(table), settings, log_level=None)
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


def build_settings(
    fields: Sequence[str], pairs_per_record: PairsPerRecord | None = None
) -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[_comparison(f) for f in fields],
        blocking_rules_to_generate_predictions=[
            *prediction_blocking_rules(fields, pairs_per_record)
        ],
        # Both are needed to explain a pair: the level reached and its match weight.
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=["source"],
    )


# Blocking keys: SQL expressions over one record's features, equal on both sides of a pair.
BlockingKeys = tuple[str, ...]
PairsPerRecord = Callable[[BlockingKeys], float]

_YEAR_OF_BIRTH = "substr(date_of_birth, 1, 4)"
_MONTH_OF_BIRTH = "substr(date_of_birth, 1, 7)"
_BIRTHDAY = "substr(date_of_birth, 6, 5)"


def prediction_blocking_rules(
    fields: Sequence[str], pairs_per_record: PairsPerRecord | None = None
) -> list[BlockingRuleCreator]:
    """Which pairs are scored at all: broad, so that a pair agreeing on little is still seen.

    Each rule pairs records agreeing on two things (a name or its sound, the date or year of
    birth, a place, an identifier or one end of it), except the date of birth on its
    own, so that records with missing or garbled names are still compared.

    ``pairs_per_record`` (see ``blocked_pairs_per_record``), when given, keeps a rule only
    if it pairs the average record with at most MAX_BLOCKED_PAIRS_PER_RECORD others, and
    otherwise tries its narrower variants: the full name with the year of birth or with the
    birthday; the date of birth with a place or either name's initial; a name's sound with
    the month rather than the year of birth. It also chooses which end of an identifier to
    block on (without it, the first five characters).
    """
    given_initial, family_initial = "substr(given_name, 1, 1)", "substr(family_name, 1, 1)"
    places = [p for p in ("postcode", "area") if p in fields]
    place_keys = ["postcode_outward" if p == "postcode" else p for p in places]
    candidates: list[tuple[BlockingKeys, list[BlockingKeys]]] = [
        (
            ("given_name", "family_name"),
            [
                ("given_name", "family_name", _YEAR_OF_BIRTH),
                ("given_name", "family_name", _BIRTHDAY),
            ],
        ),
        (("family_name", "date_of_birth"), []),
        (("given_name", "date_of_birth"), []),
        (
            ("given_canonical", "family_sound"),
            [("given_canonical", "family_sound", _YEAR_OF_BIRTH)],
        ),
        (
            ("date_of_birth",),
            [
                *(("date_of_birth", key) for key in place_keys),
                ("date_of_birth", family_initial),
                ("date_of_birth", given_initial),
            ],
        ),
        (("given_sound", _YEAR_OF_BIRTH), [("given_sound", _MONTH_OF_BIRTH)]),
        (("family_sound", _YEAR_OF_BIRTH), [("family_sound", _MONTH_OF_BIRTH)]),
    ]
    for place in places:
        candidates += [((place, "given_sound"), []), ((place, "family_sound"), [])]
    for identifier in (f for f in fields if f.startswith(IDENTIFIER_PREFIX)):
        # A typing error leaves one end of an identifier intact: block on the end that
        # pairs fewer records (an email's start; a structured number's serial at its end).
        ends = [(f"substr({identifier}, 1, 5)",), (f"right({identifier}, 5)",)]
        if pairs_per_record is not None:
            ends.sort(key=pairs_per_record)
        candidates += [((identifier,), []), (ends[0], [])]

    def affordable(keys: BlockingKeys) -> bool:
        return pairs_per_record is None or pairs_per_record(keys) <= MAX_BLOCKED_PAIRS_PER_RECORD

    chosen: list[BlockingKeys] = []
    for keys, narrower in candidates:
        chosen += [keys] if affordable(keys) else [k for k in narrower if affordable(k)]
    # Swapped names pair few records at any size, so that rule is never narrowed.
    swapped = CustomRule("l.given_sound = r.family_sound AND l.family_sound = r.given_sound")
    return [*(block_on(*keys) for keys in chosen), swapped]


def blocked_pairs_per_record(table: pa.Table, population: int) -> PairsPerRecord:
    """How many others a blocking key pairs the average record with, in a frame of
    ``population`` records of which ``table`` is a uniform random sample.

    Pairs within blocks grow with the square of the sample's share, so a sample's count of
    pairs over (share x sample size) estimates the whole frame's pairs per record.
    """
    connection = duckdb.connect(":memory:")
    connection.register("records", table)
    sampled: int = table.num_rows
    share = sampled / population

    def pairs_per_record(keys: BlockingKeys) -> float:
        recorded = " AND ".join(f"({key}) IS NOT NULL" for key in keys)
        counted = connection.execute(
            f"SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM (SELECT count(*) AS n "
            f"FROM records WHERE {recorded} GROUP BY {', '.join(keys)})"
        ).fetchone()
        return float(counted[0] if counted else 0) / (share * sampled)

    return pairs_per_record


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
    return _within_edits(f'"{column}_l"', f'"{column}_r"', edits)


def _within_edits(left: str, right: str, edits: int) -> str:
    """Damerau-Levenshtein distance at most ``edits``, computed cheaply.

    DuckDB's damerau_levenshtein is about eight times slower than levenshtein, and a
    transposition costs 1 in the first and 2 in the second, so DL <= k exactly when
    Levenshtein <= k, or Levenshtein <= 2k and DL <= k. Most pairs are settled by the
    Levenshtein tests alone (a CASE tests the rest only where they hold).
    """
    levenshtein = f"levenshtein({left}, {right})"
    return (
        f"({levenshtein} <= {edits} OR ({levenshtein} <= {2 * edits} "
        f"AND damerau_levenshtein({left}, {right}) <= {edits}))"
    )


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
    left, right = f'"{column}_l"', f'"{column}_r"'
    other_left, other_right = f'"{other}_l"', f'"{other}_r"'
    swapped = f"{_within_edits(left, other_right, 1)} OR {_within_edits(right, other_left, 1)}"
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
