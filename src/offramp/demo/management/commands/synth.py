"""`offramp synth --people N --seed S --out DIR`: write a synthetic area's partner extracts."""

import time
from argparse import ArgumentParser
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from offramp.command_line import progress_bar
from offramp.demo.synth import generate_area, write_partner_extracts


class Command(BaseCommand):
    help = "Generate a synthetic area of any size and write its partner extract files."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--people", type=int, required=True)
        parser.add_argument("--seed", type=int, default=2015)
        parser.add_argument("--out", type=Path, required=True, help="Directory for the extracts")

    def handle(self, *args: object, **options: object) -> None:
        people, seed = int(options["people"]), int(options["seed"])  # type: ignore[call-overload]
        if people < 200:
            raise CommandError("--people must be at least 200 (the case studies need room)")
        out: Path = options["out"]  # type: ignore[assignment]
        started = time.perf_counter()
        with progress_bar("Generating", self.stderr) as report:
            area = generate_area(people=people, seed=seed, progress=report)
        with progress_bar("Writing extracts", self.stderr) as report:
            files = write_partner_extracts(area, out, seed=seed, progress=report)
        self.stdout.write(
            f"{people:,} people written to {len(files)} files in {out} "
            f"in {time.perf_counter() - started:.1f} s"
        )
