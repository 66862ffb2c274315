"""Probabilistic record linkage: which records held by partner agencies are the same person.

A Fellegi-Sunter model (Splink 5 on DuckDB) compares records on names (nicknames, phonetic
keys, typing errors, swapped given and family names), date of birth (day/month swaps,
typing errors, closeness), postcode, area, address and agency identifiers. It is trained on
the area's own records without labels and refined by reviewers' decisions when given; every
scored pair says why. No Django here: frames in, frames out. See docs/linkage.md.

The record frame convention, one row per record an agency holds:

``unique_id``      required, unique in the frame (e.g. ``"police:1234"``)
``given_name``     required column (a value may be missing)
``family_name``    required column (a value may be missing)
``date_of_birth``  required column: ISO ``YYYY-MM-DD``, ``YYYYMMDD``, a ``date`` or missing
``source``         optional: the agency or extract the record came from (kept, not compared)
``postcode``       optional: UK postcodes also compare on their outward code
``area``           optional: town, district or ward
``address``        optional: first line of the address
``id_<scheme>``    optional, any number: an identifier an agency holds (``id_nhs``,
                   ``id_pnc``, ``id_email``), compared only between records that both hold it

Typical use::

    model = train_model(records, labels=decisions)          # LinkageModel(settings)
    pairs = predict_pairs(model, records)                   # p >= NEEDS_REVIEW_PROBABILITY
    people = cluster(pairs, record_ids=records["unique_id"], labels=decisions)
    candidates = find_candidates(model, records, {"given_name": "Bob", ...})
    model.spark_settings()                                  # the same model on Spark

A million records train (on a sample), predict and cluster in minutes on two cores; see
docs/linkage.md for the benchmark and for running the model on Spark.
"""

from .clustering import cluster
from .model import (
    CERTAIN_MATCH_PROBABILITY,
    NEEDS_REVIEW_PROBABILITY,
    LinkageModel,
    MatchBand,
    band_for,
    train_model,
)
from .records import RecordFrameError, prepare_features, validate_records
from .scoring import Candidate, Reason, field_label, find_candidates, predict_pairs

__all__ = [
    "CERTAIN_MATCH_PROBABILITY",
    "NEEDS_REVIEW_PROBABILITY",
    "Candidate",
    "LinkageModel",
    "MatchBand",
    "Reason",
    "RecordFrameError",
    "band_for",
    "cluster",
    "field_label",
    "find_candidates",
    "predict_pairs",
    "prepare_features",
    "train_model",
    "validate_records",
]
