"""`offramp demo`: build the synthetic Hartmoor area in the database and print the logins."""

import time
from argparse import ArgumentParser
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from offramp.agencies.models import Agency
from offramp.command_line import progress_bar
from offramp.demo.load import DEMO_ACCOUNTS, DEMO_PASSWORD, load_area
from offramp.demo.synth import generate_area, write_partner_extracts


class Command(BaseCommand):
    help = "Build the synthetic demo area: database records and the partners' extract files."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--people", type=int, default=5000, help="Population of the area")
        parser.add_argument(
            "--seed", type=int, default=2015, help="Random seed (same seed, same area)"
        )
        parser.add_argument(
            "--extracts",
            type=Path,
            default=None,
            help="Where to write the partner extracts (default: var/demo-extracts)",
        )
        parser.add_argument(
            "--reset", action="store_true", help="Empty the database first (destroys its data)"
        )

    def handle(self, *args: object, **options: object) -> None:
        people, seed = int(options["people"]), int(options["seed"])  # type: ignore[call-overload]
        if not 200 <= people <= 200_000:
            raise CommandError("--people must be between 200 and 200,000 for a database demo")
        if Agency.objects.exists():
            if not options["reset"]:
                self.stdout.write("The demo area is already loaded (use --reset to rebuild it).")
                self._print_logins()
                return
            call_command("flush", interactive=False, verbosity=0)
        extracts = options["extracts"] or Path(settings.VAR_DIR) / "demo-extracts"
        started = time.perf_counter()
        with progress_bar("Generating Hartmoor", self.stderr) as report:
            area = generate_area(people=people, seed=seed, progress=report)
        with progress_bar("Writing partner extracts", self.stderr) as report:
            write_partner_extracts(area, Path(extracts), seed=seed, progress=report)  # type: ignore[arg-type]
        with progress_bar("Loading the database", self.stderr) as report:
            summary = load_area(area, extracts=Path(extracts), progress=report)  # type: ignore[arg-type]
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Hartmoor built in {elapsed:.1f} s: {summary.agencies} agencies, "
            f"{summary.people} people known to agencies, {summary.referrals} referrals, "
            f"{summary.assessments} assessments, {summary.cases} cases, "
            f"{summary.groups} organised crime groups with {summary.ties} ties. "
            f"Partner extracts in {extracts}."
        )
        partner = summary.partner_data
        self.stdout.write(
            f"Partner data: {partner.files} extracts, {partner.records} records imported; "
            f"{partner.linked} linked to people already known, {partner.new_people} new "
            f"people in the index, {partner.to_review} matches to review, "
            f"{partner.candidates} candidates from screening ({partner.seconds:.0f} s)."
        )
        self._print_logins()

    def _print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(
            f"Demo sign-ins at http://127.0.0.1:8000 (password for all: {DEMO_PASSWORD}):"
        )
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.username:<12} {account.role.label}: {account.job_title}")
