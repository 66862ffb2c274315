"""Record-linkage speed on synthetic partner extracts: train, predict and cluster N records.

    .venv/bin/python benchmarks/linkage_speed.py --records 100000     # target 60 s
    .venv/bin/python benchmarks/linkage_speed.py --records 1000000    # target 10 min

Generates a synthetic area big enough (``offramp.demo.synth``), in a child process so that
its memory is not counted as the linkage's, and writes its partner extracts to a temporary
directory (or ``--extracts DIR``, reused when it already holds them). The record frame is
built from the extracts that describe people, as a person index would: one record per row,
with repeated rows (the same description of the same person in one file, as a health system
holds one per contact) kept once; names, date of birth, postcode and each agency identifier
as ``id_<type>``; relationships, offences and memberships excluded. Exactly N records are
taken at random (seeded). Generation and reading are timed but not counted.

Timed: ``train_model`` (training on at most TRAINING_SAMPLE records), ``predict_pairs`` and
``cluster`` at the needs-review threshold. Printed: each stage, the total against the target,
peak memory (max RSS of this process, which includes DuckDB, running in-process), pairwise
precision, recall and F1 against ``truth/`` (so speed never silently costs accuracy), and the
ratio to a baseline measured in the same run.

The baseline is naive linkage without blocking: the same trained model and comparison
functions score every one of the N(N-1)/2 pairs. It is timed by ``predict_pairs`` on
``--baseline-sample`` records with every pair blocked in, and scaled quadratically to N.
Training and clustering are not in the baseline, so the ratio flatters it.

Exits 1 if the total is over the target.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from offramp.analysis.linkage import (
    NEEDS_REVIEW_PROBABILITY,
    LinkageModel,
    cluster,
    predict_pairs,
    train_model,
)
from offramp.analysis.linkage.model import TRAINING_SAMPLE

# Seconds allowed, by the largest number of records they apply to.
TARGETS = {100_000: 60.0, 1_000_000: 600.0}
SEED = 2015

# Extracts that describe people, and how their columns map to the record frame convention.
# Every other column (events, dates of events, sex, school) is not a person's description.
PERSON_EXTRACTS: dict[str, dict[str, str]] = {
    "police_nominals": {"pnc": "id_pnc"},
    "ocg_nominals": {"pnc": "id_pnc"},
    "childrens_social_care": {"social_care_id": "id_social_care_id"},
    "school_pupils": {"upn": "id_upn"},
    "school_exclusions": {"upn": "id_upn"},
    "youth_offending": {"yos_id": "id_yos_id", "pnc": "id_pnc"},
    "prison_releases": {"prison_number": "id_prison_number", "pnc": "id_pnc"},
    "probation_caseload": {"crn": "id_probation_crn", "pnc": "id_pnc"},
    "health_contacts": {"nhs_number": "id_nhs_number"},
}
PERSON_COLUMNS = {
    "given_name": "given_name",
    "family_name": "family_name",
    "date_of_birth": "date_of_birth",
    "postcode": "postcode",
    "release_postcode": "postcode",
}
# Distinct records per synthetic person, measured on the generator (about 0.55); the area is
# sized with a margin and regenerated larger if it still falls short.
RECORDS_PER_PERSON = 0.5


def write_extracts(people: int, out: Path) -> None:
    """Generate an area and write its extracts (run in a child process)."""
    from offramp.demo.synth import generate_area, write_partner_extracts

    write_partner_extracts(generate_area(people=people, seed=SEED), out, seed=SEED)


def read_records(extracts: Path) -> tuple[pd.DataFrame, pd.Series]:
    """(record frame, true person_id per unique_id) from the extracts describing people."""
    frames = []
    for name, identifiers in PERSON_EXTRACTS.items():
        raw = pd.read_csv(extracts / f"{name}.csv", dtype=str, keep_default_na=False)
        truth = pd.read_csv(extracts / "truth" / f"{name}.csv", dtype={"person_id": "int64"})
        mapping = {c: t for c, t in {**PERSON_COLUMNS, **identifiers}.items() if c in raw}
        records = raw[list(mapping)].rename(columns=mapping).replace("", None)
        records.insert(0, "unique_id", name + ":" + truth["row"].astype(str).to_numpy())
        records["source"] = name
        records["person_id"] = truth["person_id"].to_numpy()
        described = [c for c in records.columns if c not in ("unique_id", "person_id")]
        frames.append(records.drop_duplicates(subset=described))
    records = pd.concat(frames, ignore_index=True)
    truth = records.pop("person_id")
    truth.index = records["unique_id"]
    return records, truth


def pairwise_accuracy(predicted: pd.Series, truth: pd.Series) -> tuple[float, float, float]:
    """Precision, recall and F1 over all pairs of records sharing a cluster, counted by
    cluster sizes rather than listed (a million records make too many pairs to list)."""
    both = pd.DataFrame({"predicted": predicted, "truth": truth.reindex(predicted.index)})

    def pairs(sizes: pd.Series) -> int:
        return int((sizes * (sizes - 1) // 2).sum())

    correct = pairs(both.groupby(["predicted", "truth"]).size())
    found, true = pairs(both.groupby("predicted").size()), pairs(both.groupby("truth").size())
    precision = correct / found if found else 1.0
    recall = correct / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def naive_seconds(model: LinkageModel, records: pd.DataFrame, sample: int) -> float:
    """Seconds predict_pairs takes to score every pair of ``sample`` records."""
    every_pair = {
        **model.settings,
        "blocking_rules_to_generate_predictions": [{"blocking_rule": "1=1"}],
    }
    sampled = records.sample(n=min(sample, len(records)), random_state=SEED)
    started = time.perf_counter()
    predict_pairs(LinkageModel(every_pair), sampled, threshold=NEEDS_REVIEW_PROBABILITY)
    return time.perf_counter() - started


def target_for(records: int) -> float:
    fitting = [limit for limit in TARGETS if records <= limit]
    return TARGETS[min(fitting)] if fitting else TARGETS[max(TARGETS)] * records / max(TARGETS)


def cpu_seconds() -> float:
    """User and system CPU time of this process (all DuckDB threads included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--extracts", type=Path, help="extracts directory to write or reuse")
    parser.add_argument("--baseline-sample", type=int, default=2_000)
    args = parser.parse_args()
    target = target_for(args.records)

    with tempfile.TemporaryDirectory(prefix="offramp-linkage-speed-") as temporary:
        extracts = args.extracts or Path(temporary)
        people = math.ceil(args.records / RECORDS_PER_PERSON)
        started = time.perf_counter()
        while True:
            if not (extracts / "manifest.json").exists():
                child = multiprocessing.get_context("spawn").Process(
                    target=write_extracts, args=(people, extracts)
                )
                child.start()
                child.join()
                if child.exitcode:
                    return child.exitcode
            generated = time.perf_counter() - started
            records, truth = read_records(extracts)
            if len(records) >= args.records:
                break
            (extracts / "manifest.json").unlink()
            people = math.ceil(people * 1.5 * args.records / len(records))
        read = time.perf_counter() - started - generated
    available = len(records)
    chosen = np.random.default_rng(SEED).choice(available, size=args.records, replace=False)
    records = records.iloc[np.sort(chosen)].reset_index(drop=True)
    truth = truth.loc[records["unique_id"]]
    generation_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    print(
        f"records: {len(records):,} of {available:,} distinct person records in the extracts "
        f"of a synthetic area of {people:,} people (seed {SEED}); "
        f"{truth.nunique():,} true people among them"
    )
    print(
        f"  generate + write extracts {generated:8.1f} s  "
        f"(not timed; peak {generation_peak:,.0f} MB)"
    )
    print(f"  read record frame         {read:8.1f} s  (not timed)")

    stages: list[tuple[str, float, float]] = []
    clock, cpu = time.perf_counter(), cpu_seconds()

    def stage(name: str) -> None:
        nonlocal clock, cpu
        now, cpu_now = time.perf_counter(), cpu_seconds()
        stages.append((name, now - clock, cpu_now - cpu))
        print(
            f"  {name:<25} {now - clock:8.1f} s  (CPU {cpu_now - cpu:6.1f} s; "
            f"peak so far {peak_mb():,.0f} MB)",
            flush=True,
        )
        clock, cpu = now, cpu_now

    model = train_model(records, seed=SEED)
    stage(f"train_model (<= {TRAINING_SAMPLE:,})")
    pairs = predict_pairs(model, records, threshold=NEEDS_REVIEW_PROBABILITY)
    stage(f"predict_pairs ({len(pairs):,})")
    people_found = cluster(pairs, NEEDS_REVIEW_PROBABILITY, record_ids=records["unique_id"])
    stage("cluster")
    total = sum(seconds for _, seconds, _ in stages)
    total_cpu = sum(cpu for _, _, cpu in stages)

    precision, recall, f1 = pairwise_accuracy(
        people_found.set_index("unique_id")["cluster_id"], truth
    )
    sample_seconds = naive_seconds(model, records, args.baseline_sample)
    baseline = sample_seconds * (args.records / min(args.baseline_sample, args.records)) ** 2
    verdict = "PASS" if total <= target else "FAIL"
    print(
        f"total (timed)               {total:8.1f} s  (CPU {total_cpu:6.1f} s, both cores; "
        f"load average {os.getloadavg()[0]:.1f})  target {target:.0f} s: {verdict}"
    )
    print(f"peak memory                 {peak_mb():8,.0f} MB (max RSS, DuckDB included)")
    print(
        f"accuracy: pairwise precision {precision:.4f}, recall {recall:.4f}, F1 {f1:.4f} "
        f"({people_found['cluster_id'].nunique():,} people found)"
    )
    print(
        f"baseline: naive linkage, every pair scored by the same model (no blocking), "
        f"{args.baseline_sample:,} records in {sample_seconds:.1f} s, scaled quadratically to "
        f"{args.records:,}: {baseline:,.0f} s = {baseline / 3600:,.1f} h; "
        f"this run is {baseline / total:,.0f} x faster"
    )
    if total > target:
        print(f"FAILED: {total:.1f} s is over the {target:.0f} s target", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
