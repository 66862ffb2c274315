"""Record linkage: features, training, scoring with reasons, clustering and review decisions."""

from __future__ import annotations

import json
import logging
import math
import random
from datetime import date, timedelta

import pandas as pd
import pytest

from offramp.analysis.linkage import (
    CERTAIN_MATCH_PROBABILITY,
    NEEDS_REVIEW_PROBABILITY,
    LinkageModel,
    MatchBand,
    RecordFrameError,
    band_for,
    cluster,
    find_candidates,
    predict_pairs,
    prepare_features,
    train_model,
)

# fmt: off
GIVEN = ["Robert", "William", "Katherine", "Margaret", "James", "Mohammed", "Aisha", "Oliver",
         "Amelia", "Daniel", "Jessica", "Callum", "Fatima", "Lukasz", "Chloe", "Harvey"]
FAMILY = ["Smith", "Jones", "Taylor", "Brown", "Khan", "Ahmed", "Nowak", "Wilson", "Evans",
          "Thomas", "Roberts", "Walker", "Wright", "Hughes", "Green", "Hall", "Clarke", "Patel"]
NICKNAME = {"Robert": "Bob", "William": "Bill", "Katherine": "Kate", "Margaret": "Peggy",
            "James": "Jim", "Mohammed": "Muhammad", "Daniel": "Danny", "Jessica": "Jess"}
AREAS = ["Hartmoor", "Eastfield", "Millbrook", "Northgate", "Riverside"]
NOISE = ["nickname", "given typo", "family typo", "year", "day/month swap", "month",
         "moved", "no postcode", "no given name", "names swapped"]
# fmt: on


def _typo(text: str, rng: random.Random) -> str:
    """Two neighbouring letters exchanged."""
    i = rng.randrange(1, len(text) - 1)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def _recorded_again(person: dict[str, str], born: date, rng: random.Random) -> dict[str, object]:
    """The same person as another agency recorded them: one or two differences."""
    record: dict[str, object] = {**person, "date_of_birth": born}
    for noise in rng.sample(NOISE, rng.randint(1, 2)):
        given, family = person["given_name"], person["family_name"]
        if noise == "nickname" and given in NICKNAME:
            record["given_name"] = NICKNAME[given]
        elif noise == "given typo":
            record["given_name"] = _typo(given, rng)
        elif noise == "family typo":
            record["family_name"] = _typo(family, rng)
        elif noise == "year" and (born.month, born.day) != (2, 29):
            record["date_of_birth"] = born.replace(year=born.year + rng.choice([-1, 1]))
        elif noise == "day/month swap" and born.day <= 12:
            record["date_of_birth"] = born.replace(day=born.month, month=born.day)
        elif noise == "month":
            month = born.month + 1 if born.month < 12 else 11
            record["date_of_birth"] = born.replace(month=month, day=min(born.day, 28))
        elif noise == "moved":
            record["postcode"] = f"{person['postcode'][:4]}{rng.randrange(10)}ZZ"
        elif noise == "no postcode":
            record["postcode"] = None
        elif noise == "no given name":
            record["given_name"] = None
        elif noise == "names swapped":
            record["given_name"], record["family_name"] = family, given
    return record


def _synthetic_area(seed: int = 7) -> tuple[pd.DataFrame, pd.Series]:
    """About 400 records of 200 people, as police, school and health each hold them."""
    rng = random.Random(seed)
    rows, truth = [], {}
    for person_number in range(200):
        born = date(1985, 1, 1) + timedelta(days=rng.randrange(365 * 25))
        person = {
            "given_name": rng.choice(GIVEN),
            "family_name": rng.choice(FAMILY),
            "postcode": f"HM{rng.randrange(1, 9)} {rng.randrange(10)}{rng.choice('ABDEFG')}"
            f"{rng.choice('PQRSTU')}",
            "area": rng.choice(AREAS),
        }
        nhs_number = str(rng.randrange(10**9, 10**10))
        sources = rng.sample(["police", "school", "health"], rng.choice([1, 2, 2, 3]))
        for copy, source in enumerate(sources):
            record = (
                _recorded_again(person, born, rng) if copy else {**person, "date_of_birth": born}
            )
            unique_id = f"{source}:{person_number}"
            rows.append(
                {
                    **record,
                    "unique_id": unique_id,
                    "source": source,
                    "date_of_birth": str(record["date_of_birth"]),  # ISO
                    "id_nhs": nhs_number if source == "health" else None,
                }
            )
            truth[unique_id] = person_number
    return pd.DataFrame(rows), pd.Series(truth)


@pytest.fixture(scope="module")
def area() -> tuple[pd.DataFrame, pd.Series]:
    return _synthetic_area()


@pytest.fixture(scope="module")
def model(area: tuple[pd.DataFrame, pd.Series]) -> LinkageModel:
    return train_model(area[0], seed=3)


@pytest.fixture(scope="module")
def pairs(model: LinkageModel, area: tuple[pd.DataFrame, pd.Series]) -> pd.DataFrame:
    return predict_pairs(model, area[0], threshold=0.0)


def _record(**values: object) -> dict[str, object]:
    return {
        "unique_id": "x",
        "given_name": None,
        "family_name": None,
        "date_of_birth": None,
    } | values


# Features -------------------------------------------------------------------------------


def test_features_normalise_names_and_know_nicknames() -> None:
    features = prepare_features(
        pd.DataFrame([_record(unique_id="1", given_name=" Bob ", family_name="O’Brien-Smith")])
    ).iloc[0]
    assert features["given_name"] == "bob"
    assert features["family_name"] == "obriensmith"
    assert features["given_canonical"] == "robert"
    assert "robert" in features["given_variants"]
    assert features["given_sound"] and features["family_sound"]


def test_features_keep_the_day_month_swap_of_a_date_of_birth() -> None:
    frame = pd.DataFrame(
        [
            _record(unique_id="a", date_of_birth="2001-03-04"),
            _record(unique_id="b", date_of_birth="20010304"),
            _record(unique_id="c", date_of_birth=date(2001, 3, 24)),
            _record(unique_id="d", date_of_birth="not a date"),
        ]
    )
    features = prepare_features(frame).set_index("unique_id")
    assert features.loc["a", "date_of_birth"] == "2001-03-04"
    assert features.loc["a", "dob_swapped"] == "2001-04-03"
    assert features.loc["b", "date_of_birth"] == "2001-03-04"
    assert features.loc["c", "dob_swapped"] is None  # the 24th cannot be a month
    assert features.loc["d", "date_of_birth"] is None


def test_features_give_uk_postcodes_an_outward_code() -> None:
    frame = pd.DataFrame(
        [_record(unique_id="a", postcode="sw1a 1aa"), _record(unique_id="b", postcode="2119")]
    )
    features = prepare_features(frame).set_index("unique_id")
    assert features.loc["a", "postcode"] == "SW1A1AA"
    assert features.loc["a", "postcode_outward"] == "SW1A"
    assert features.loc["b", "postcode_outward"] is None


def test_a_malformed_frame_is_refused_naming_the_problem() -> None:
    frame = pd.DataFrame([_record(unique_id="a"), _record(unique_id="b")])
    with pytest.raises(RecordFrameError, match="family_name"):
        prepare_features(frame.drop(columns=["family_name"]))
    with pytest.raises(RecordFrameError, match="'a' appears more than once"):
        prepare_features(frame.assign(unique_id="a"))
    with pytest.raises(RecordFrameError, match="id_NHS"):
        prepare_features(frame.assign(id_NHS="1"))
    with pytest.raises(RecordFrameError, match="is_match"):
        train_model(frame, labels=pd.DataFrame({"unique_id_l": ["a"], "unique_id_r": ["b"]}))


# Training, prediction and clustering -----------------------------------------------------


def _pairs_sharing_a_cluster(cluster_of: pd.Series) -> set[frozenset[str]]:
    return {
        frozenset((a, b))
        for members in cluster_of.groupby(cluster_of).groups.values()
        for a in members
        for b in members
        if a < b
    }


def test_known_duplicates_are_found_and_clustered(
    pairs: pd.DataFrame, area: tuple[pd.DataFrame, pd.Series]
) -> None:
    records, truth = area
    people = cluster(pairs, record_ids=records["unique_id"]).set_index("unique_id")
    found = _pairs_sharing_a_cluster(people["cluster_id"])
    true = _pairs_sharing_a_cluster(truth)
    # Synthetic names collide often (16 given and 18 family names), so a few merges are fair.
    assert len(found & true) / len(found) >= 0.95
    assert len(found & true) / len(true) >= 0.95
    assert set(people.index) == set(records["unique_id"])
    linked = people[people["cluster_size"] > 1]
    assert (linked["min_probability"] >= NEEDS_REVIEW_PROBABILITY).all()


def test_a_nickname_with_a_transposed_date_is_matched_and_says_why(
    model: LinkageModel, area: tuple[pd.DataFrame, pd.Series]
) -> None:
    newcomers = pd.DataFrame(
        [
            _record(
                unique_id="yos:1",
                given_name="Robert",
                family_name="Hughes",
                date_of_birth="1999-04-07",
                postcode="HM3 5AQ",
            ),
            _record(
                unique_id="probation:1",
                given_name="Bob",
                family_name="Hughes",
                date_of_birth="1999-07-04",
                postcode="HM3 5AQ",
            ),
        ]
    )
    # Scored among the whole index, as the product does: how common a name is counts.
    pairs = predict_pairs(model, pd.concat([area[0], newcomers]), threshold=0.0)
    pair = pairs[(pairs["unique_id_l"] == "probation:1") & (pairs["unique_id_r"] == "yos:1")]
    assert len(pair) == 1
    assert pair["match_probability"].iloc[0] >= NEEDS_REVIEW_PROBABILITY
    reasons = pair["reasons"].iloc[0]
    levels = {reason.field: reason.level for reason in reasons}
    assert levels["given_name"] == "a known nickname or variant"
    assert levels["date_of_birth"] == "the same with day and month swapped"
    assert levels["family_name"] == levels["postcode"] == "the same"
    weights = {reason.field: reason.weight for reason in reasons}
    assert min(weights[f] for f in ("given_name", "family_name", "date_of_birth", "postcode")) > 0
    assert weights["area"] == 0  # not recorded: no evidence either way
    assert str(reasons[0]).startswith("Date of birth: the same with day and month swapped (+")


def test_find_candidates_ranks_the_person_first_with_reasons(
    model: LinkageModel, area: tuple[pd.DataFrame, pd.Series]
) -> None:
    records, truth = area
    held = records.iloc[10]  # each person's first record is as they were born
    searched = {
        "given_name": held["family_name"],  # entered the wrong way round
        "family_name": held["given_name"],
        "date_of_birth": held["date_of_birth"],
        "postcode": held["postcode"],
    }
    candidates = find_candidates(model, records, searched, top=5)
    assert 1 <= len(candidates) <= 5
    assert truth[candidates[0].unique_id] == truth[held["unique_id"]]
    assert candidates[0].match_probability >= NEEDS_REVIEW_PROBABILITY
    assert candidates[0].band is band_for(candidates[0].match_probability)
    probabilities = [c.match_probability for c in candidates]
    assert probabilities == sorted(probabilities, reverse=True)
    levels = {r.field: r.level for r in candidates[0].reasons}
    assert levels["given_name"] == levels["family_name"] == "swapped with the other name"

    by_name_only = find_candidates(model, records, {"family_name": held["family_name"]})
    assert by_name_only and all(c.band is MatchBand.NON_MATCH for c in by_name_only)


def test_labels_from_the_review_queue_change_the_model(
    model: LinkageModel, area: tuple[pd.DataFrame, pd.Series]
) -> None:
    records, truth = area
    same_person = truth[truth.duplicated(keep=False)]
    first = same_person.groupby(same_person).head(1)
    second = same_person[~same_person.index.isin(first.index)].groupby(same_person).head(1)
    labels = pd.DataFrame(
        {
            "unique_id_l": first.sort_values().index[: len(second)],
            "unique_id_r": second.sort_values().index,
            "is_match": True,
        }
    )
    labelled = train_model(records, labels, seed=3)
    assert labelled.match_weights() != model.match_weights()
    with pytest.raises(RecordFrameError, match="unknown unique_id"):
        train_model(records, labels.assign(unique_id_r="nobody"), seed=3)


def test_training_and_prediction_are_deterministic_and_quiet(
    model: LinkageModel,
    area: tuple[pd.DataFrame, pd.Series],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    records, _ = area
    with caplog.at_level(logging.INFO):
        again = train_model(records, seed=3)
        first = predict_pairs(model, records)
        second = predict_pairs(again, records)
    assert again.match_weights() == pytest.approx(model.match_weights(), abs=1e-9)
    assert first[["unique_id_l", "unique_id_r"]].equals(second[["unique_id_l", "unique_id_r"]])
    assert first["match_probability"].to_numpy() == pytest.approx(
        second["match_probability"].to_numpy(), abs=1e-9
    )
    assert capsys.readouterr() == ("", "")
    assert not [r for r in caplog.records if r.name.startswith("splink")]


def test_a_stored_model_scores_as_the_trained_one(
    model: LinkageModel, area: tuple[pd.DataFrame, pd.Series], pairs: pd.DataFrame
) -> None:
    stored = LinkageModel(json.loads(json.dumps(model.settings)))
    rescored = predict_pairs(stored, area[0], threshold=0.0)
    assert rescored["match_probability"].to_numpy() == pytest.approx(
        pairs["match_probability"].to_numpy()
    )
    assert stored.fields[:3] == ("given_name", "family_name", "date_of_birth")
    assert {"postcode", "area", "id_nhs"} <= set(stored.fields)


def test_cluster_honours_accepted_and_rejected_pairs() -> None:
    pairs = pd.DataFrame(
        {
            "unique_id_l": ["a", "b", "d"],
            "unique_id_r": ["b", "c", "e"],
            "match_probability": [0.995, 0.7, 0.3],
        }
    )
    plain = cluster(pairs, record_ids=["f"]).set_index("unique_id")
    assert plain.loc["c", "cluster_id"] == "a" and plain.loc["a", "cluster_size"] == 3
    assert plain.loc["a", "min_probability"] == pytest.approx(0.7)
    assert plain.loc["a", "mean_probability"] == pytest.approx((0.995 + 0.7) / 2)
    assert plain.loc["d", "cluster_id"] == "d"  # 0.3 is below the link threshold
    assert math.isnan(plain.loc["f", "min_probability"])

    decisions = pd.DataFrame(
        {"unique_id_l": ["a", "d"], "unique_id_r": ["c", "e"], "is_match": [False, True]}
    )
    reviewed = cluster(pairs, labels=decisions).set_index("unique_id")
    assert reviewed.loc["c", "cluster_id"] == "c"  # rejected with a, even through b
    assert reviewed.loc["b", "cluster_id"] == "a"
    assert reviewed.loc["e", "cluster_id"] == "d"  # accepted though the model doubted it
    assert reviewed.loc["d", "min_probability"] == 1.0


def test_bands() -> None:
    assert band_for(CERTAIN_MATCH_PROBABILITY) is MatchBand.CERTAIN
    assert band_for(0.9) is MatchBand.REVIEW
    assert band_for(NEEDS_REVIEW_PROBABILITY - 0.01) is MatchBand.NON_MATCH


def test_levels_training_could_not_estimate_never_count_as_proof() -> None:
    from offramp.analysis.linkage.model import UNOBSERVED_M, _borrow_unobserved_weights

    settings = {
        "comparisons": [
            {
                "output_column_name": "date_of_birth",
                "comparison_levels": [
                    {"label_for_charts": "not recorded", "is_null_level": True},
                    {"label_for_charts": "the same", "m_probability": 0.6, "u_probability": 0.01},
                    {"label_for_charts": "swapped", "u_probability": 0.001},  # no example
                    {
                        "label_for_charts": "typing error",
                        "m_probability": 0.3,
                        "u_probability": 0.01,
                    },
                    {
                        "label_for_charts": "within a month",
                        "m_probability": 1e-250,
                        "u_probability": 0.02,
                    },
                    {"label_for_charts": "different", "m_probability": 0.1, "u_probability": 0.95},
                ],
            }
        ]
    }
    _borrow_unobserved_weights(settings)
    weights = LinkageModel(settings).match_weights()
    assert weights["date_of_birth", "swapped"] == pytest.approx(
        weights["date_of_birth", "typing error"]
    )
    assert weights["date_of_birth", "within a month"] == pytest.approx(
        math.log2(UNOBSERVED_M / 0.02)
    )
    assert weights["date_of_birth", "the same"] == pytest.approx(math.log2(60))


# Scale ----------------------------------------------------------------------------------


def test_training_on_a_sample_makes_the_same_decisions(
    model: LinkageModel, area: tuple[pd.DataFrame, pd.Series], pairs: pd.DataFrame
) -> None:
    records, _ = area
    sampled = train_model(records, seed=3, sample_size=len(records) * 3 // 4)
    assert sampled.match_weights() != model.match_weights()  # it did train on fewer
    everyone = cluster(pairs, record_ids=records["unique_id"]).set_index("unique_id")
    from_sample = cluster(
        predict_pairs(sampled, records), record_ids=records["unique_id"]
    ).set_index("unique_id")
    together = _pairs_sharing_a_cluster(everyone["cluster_id"])
    assert _pairs_sharing_a_cluster(from_sample["cluster_id"]) == together

    from offramp.analysis.linkage.model import _training_sample

    last, first = records["unique_id"].iloc[-1], records["unique_id"].iloc[0]
    labels = pd.DataFrame({"unique_id_l": [last], "unique_id_r": [first], "is_match": [False]})
    for seed in range(5):  # labelled records are always trained on
        sample = _training_sample(records, labels, 50, seed=seed)
        assert len(sample) == 50
        assert {first, last} <= set(sample["unique_id"])


def test_a_blocking_rule_too_broad_for_the_frame_is_narrowed() -> None:
    from offramp.analysis.linkage.model import (
        MAX_BLOCKED_PAIRS_PER_RECORD,
        blocked_pairs_per_record,
        prediction_blocking_rules,
    )
    from offramp.analysis.linkage.records import features_table

    # 40 people born on one day: the date of birth alone would pair each with 39 others.
    born_together = [
        _record(
            unique_id=f"r{i}",
            given_name=GIVEN[i % len(GIVEN)],
            family_name=FAMILY[i % len(FAMILY)],
            date_of_birth="2001-02-03",
        )
        for i in range(40)
    ]
    assert MAX_BLOCKED_PAIRS_PER_RECORD < 39 / 2
    features = prepare_features(pd.DataFrame(born_together))
    fields = ("given_name", "family_name", "date_of_birth")
    broad = [
        rule.get_blocking_rule("duckdb").blocking_rule_sql
        for rule in prediction_blocking_rules(fields)
    ]
    narrowed = [
        rule.get_blocking_rule("duckdb").blocking_rule_sql
        for rule in prediction_blocking_rules(
            fields, blocked_pairs_per_record(features_table(features), len(features))
        )
    ]
    alone = 'l."date_of_birth" = r."date_of_birth"'
    assert alone in broad
    assert alone not in narrowed
    assert [rule for rule in narrowed if "date_of_birth" in rule and "given_name, 1, 1" in rule]
    assert set(narrowed) - set(broad)  # only narrower variants were added
    assert all("date_of_birth" in rule for rule in set(narrowed) - set(broad))


def test_blocked_pairs_are_estimated_from_a_sample() -> None:
    from offramp.analysis.linkage.model import blocked_pairs_per_record
    from offramp.analysis.linkage.records import features_table

    frame = prepare_features(
        pd.DataFrame([_record(unique_id=str(i), given_name=GIVEN[i % 4]) for i in range(400)])
    )
    everyone = blocked_pairs_per_record(features_table(frame), population=400)
    assert everyone(("given_name",)) == pytest.approx(99 / 2)  # 100 records per name
    assert everyone(("family_name",)) == 0  # never recorded, so never blocks
    half = frame.sample(n=200, random_state=1)
    estimate = blocked_pairs_per_record(features_table(half), population=400)
    assert estimate(("given_name",)) == pytest.approx(99 / 2, rel=0.1)


def test_typing_errors_are_damerau_levenshtein_distances() -> None:
    import duckdb

    from offramp.analysis.linkage.model import _within_edits

    words = ["smith", "smiht", "smyth", "msith", "smithe", "simth", "sith", "jones", "", "s"]
    found = (
        duckdb.connect()
        .execute(
            f"SELECT a, b, {_within_edits('a', 'b', 1)}, {_within_edits('a', 'b', 2)}, "
            "damerau_levenshtein(a, b) FROM unnest($w) AS x(a), unnest($w) AS y(b)",
            {"w": words},
        )
        .fetchall()
    )
    assert len(found) == len(words) ** 2
    for a, b, within_one, within_two, distance in found:
        assert (within_one, within_two) == (distance <= 1, distance <= 2), (a, b)


def test_the_model_translates_to_spark_sql(model: LinkageModel) -> None:
    from splink import SettingsCreator

    spark = model.spark_settings()
    conditions = [
        level["sql_condition"]
        for comparison in spark["comparisons"]
        for level in comparison["comparison_levels"]
    ]
    rules = [rule["blocking_rule"] for rule in spark["blocking_rules_to_generate_predictions"]]
    text = "\n".join(conditions + rules)
    assert "list_contains" not in text and "jaro_winkler_similarity" not in text.lower()
    assert "ARRAY_CONTAINS(`given_variants_l`, `given_name_r`)" in text
    assert "jaro_winkler(`given_name_l`, `given_name_r`) >= 0.88" in text
    assert '"' not in text  # Spark quotes names with backticks
    # Splink builds Spark settings from it, with the trained probabilities unchanged.
    settings = SettingsCreator.from_path_or_dict(spark).get_settings("spark")
    assert [c.output_column_name for c in settings.comparisons] == list(model.fields)
    assert LinkageModel(spark).match_weights() == model.match_weights()


def test_clustering_without_rejections_is_vectorised_with_the_same_result(
    pairs: pd.DataFrame, area: tuple[pd.DataFrame, pd.Series]
) -> None:
    records, _ = area
    fast = cluster(pairs, record_ids=records["unique_id"])
    # A rejection, even of two records nobody links, takes the union-find path.
    rejection = pd.DataFrame({"unique_id_l": ["x1"], "unique_id_r": ["x2"], "is_match": [False]})
    careful = cluster(pairs, record_ids=records["unique_id"], labels=rejection)
    careful = careful[~careful["unique_id"].isin(["x1", "x2"])].reset_index(drop=True)
    assert (fast["cluster_size"] > 1).sum() > 100
    pd.testing.assert_frame_equal(fast, careful, check_dtype=False)
