"""Benchmark the synthetic area generator: generate N people and write every partner extract.

    python benchmarks/synth.py --people 1000000

Prints each stage's time, the total against the two-minute target, peak memory, and the speed-up
over a naive row-by-row pure-Python generator of the same people columns (timed on a sample in
this run and scaled linearly). Exits 1 if the target is missed.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from offramp.demo.names import FAMILY_NAMES, GIVEN_NAMES
from offramp.demo.synth import (
    ETHNICITIES,
    INVOLVEMENTS,
    WARDS,
    generate_area,
    write_partner_extracts,
)

TARGET_SECONDS = 120.0


def naive_people(n: int, seed: int, today: date) -> list[dict[str, object]]:
    """The baseline: one Python dict per person, one random call per field."""
    rng = random.Random(seed)
    rows = []
    for person_id in range(1, n + 1):
        male = rng.random() < 0.5
        pool = rng.choice(list(GIVEN_NAMES))
        given = GIVEN_NAMES[pool]["male" if male else "female"]
        names = [name for name, _ in given]
        weights = [weight for _, weight in given]
        family = FAMILY_NAMES.get(pool, FAMILY_NAMES["british"])
        ward = rng.randrange(len(WARDS))
        rows.append(
            {
                "person_id": person_id,
                "given_name": rng.choices(names, weights)[0],
                "middle_name": rng.choices(names, weights)[0] if rng.random() < 0.6 else "",
                "family_name": rng.choices([f for f, _ in family], [w for _, w in family])[0],
                "date_of_birth": today - timedelta(days=rng.randrange(0, 90 * 365)),
                "sex": "male" if male else "female",
                "ethnicity": rng.choice(ETHNICITIES),
                "nationality": "GB"
                if rng.random() < 0.85
                else rng.choice(["PL", "RO", "PK", "NG"]),
                "linked_countries": "" if rng.random() < 0.85 else rng.choice(["PK", "NL", "TR"]),
                "ward": WARDS[ward],
                "postcode": f"HM{ward + 1} {rng.randrange(10)}{rng.choice('ABDEFGHJLN')}"
                f"{rng.choice('PQRSTUWXYZ')}",
                "involvement": rng.choices(INVOLVEMENTS, [0.963, 0.03, 0.007])[0],
            }
        )
    return rows


class StageClock:
    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.stages: list[tuple[str, float]] = []

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        self.stages.append((stage, now - self.last))
        self.last = now

    def restart(self) -> None:
        self.last = time.perf_counter()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--baseline-sample", type=int, default=20_000)
    parser.add_argument("--out", type=Path, help="where to write the extracts (default: temp)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        clock = StageClock()
        started = time.perf_counter()
        area = generate_area(people=args.people, seed=args.seed, progress=clock)
        generated = time.perf_counter() - started
        clock.restart()
        write_partner_extracts(area, out, seed=args.seed, progress=clock)
        total = time.perf_counter() - started
        written = total - generated

    baseline_started = time.perf_counter()
    naive_people(args.baseline_sample, args.seed, area.today)
    baseline_sample = time.perf_counter() - baseline_started
    baseline = baseline_sample * args.people / args.baseline_sample
    people_stage = dict(clock.stages)["people"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"synthetic area: {args.people:,} people, seed {args.seed}")
    for stage, seconds in clock.stages:
        print(f"  {stage:<24} {seconds:8.2f} s")
    print(f"generate       {generated:8.2f} s")
    print(f"write extracts {written:8.2f} s")
    print(
        f"total          {total:8.2f} s  = {total / TARGET_SECONDS:.2f} x the "
        f"{TARGET_SECONDS:.0f} s target"
    )
    print(f"peak memory    {peak_mb:8.0f} MB (max RSS)")
    print(
        f"baseline: naive row-by-row people columns, {args.baseline_sample:,} people in "
        f"{baseline_sample:.2f} s, scaled linearly to {args.people:,}: {baseline:.1f} s"
    )
    print(
        f"people stage   {people_stage:8.2f} s  = {baseline / people_stage:.1f} x faster than "
        f"the scaled baseline"
    )
    print(
        f"whole run      {total:8.2f} s  = {total / baseline:.2f} x the scaled baseline "
        f"(which makes only the people columns; the run makes every frame and file)"
    )
    if total > TARGET_SECONDS:
        print(f"FAILED: {total:.1f} s is over the {TARGET_SECONDS:.0f} s target", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
