"""`offramp link [--user U]`: link partner records into the person index.

Trains the linkage model on the whole index, links certain matches, creates people for records
that match nobody and queues uncertain pairs for review (docs/person-index.md). Without
--user the run is the system's; with it, the user needs the REVIEW_MATCHES capability.
"""

from argparse import ArgumentParser

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand

from offramp.command_line import active_user, progress_bar, refusal
from offramp.index.services import link_records


class Command(BaseCommand):
    help = "Link partner records into the person index and queue uncertain matches for review."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--user", help="Run as this user (needs REVIEW_MATCHES)")
        parser.add_argument("--seed", type=int, default=1, help="Seed for the model's sampling")

    def handle(self, *args: object, user: str | None, seed: int, **options: object) -> None:
        actor = active_user(user) if user else None
        try:
            with progress_bar("Linking", self.stderr) as report:
                run = link_records(actor=actor, seed=seed, progress=report)
        except (ValidationError, PermissionDenied) as error:
            raise refusal(error) from error
        for name, value in run.counts.items():
            self.stdout.write(f"{name.replace('_', ' ')}: {value}")
        total = sum(run.timings.values())
        self.stdout.write(
            f"took {total:.1f} s ({', '.join(f'{k} {v:.1f} s' for k, v in run.timings.items())})"
        )
