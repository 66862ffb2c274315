"""`offramp screen --user U`: screen the linked partner records for candidates.

Evaluates the screening rules (framework/screening.yaml) and keeps the evidence; nobody is
referred. Prints counts per factor only, never a name: the list is on the candidates page.
"""

from argparse import ArgumentParser
from collections import Counter

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from offramp.analysis.screening import ScreeningRulesError
from offramp.command_line import active_user, date_option, progress_bar
from offramp.screening.models import CandidateEvidence
from offramp.screening.services import run_screening


class Command(BaseCommand):
    help = "Screen the linked partner records for candidates (evidence only; nobody is referred)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--user", required=True, help="The coordinator running it (username)")
        parser.add_argument("--today", help="Screen as of this date (YYYY-MM-DD); default today")

    def handle(self, *args: object, **options: object) -> None:
        user = active_user(str(options["user"]))
        raw = options.get("today")
        today = date_option(str(raw), "--today") if raw else None
        try:
            with progress_bar("Screening partner records", self.stderr) as report:
                run = run_screening(actor=user, today=today, progress=report)
        except PermissionDenied as error:
            raise CommandError(str(error)) from error
        except ScreeningRulesError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Screened as of {run.screened_on:%Y-%m-%d} with rules version {run.rules_version}: "
            f"{run.evidence_count} findings about {run.people_count} people"
        )
        by_factor = Counter(
            CandidateEvidence.objects.filter(run=run).values_list("factor_id", flat=True)
        )
        for factor_id, count in sorted(by_factor.items()):
            self.stdout.write(f"{factor_id}\t{count}")
