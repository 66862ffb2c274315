"""`offramp retention scan` finds the reviews that are due; `offramp retention due` lists them.

Neither prints a name: the command line shows record numbers and due dates only (like the
auditor's view of the queue: a rule would grade the record).
Decisions (keep or dispose) are made by a coordinator on the retention pages.
"""

from argparse import ArgumentParser

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from offramp.command_line import date_option
from offramp.people.models import Person
from offramp.retention.models import RetentionReview, ReviewStatus
from offramp.retention.schedule import ScheduleError
from offramp.retention.selectors import current_schedule
from offramp.retention.services import retention_scan


class Command(BaseCommand):
    help = "Retention reviews: `scan` finds records due for review, `due` lists them."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        scan = actions.add_parser("scan", help="Create or update the reviews that are due")
        scan.add_argument("--today", help="Scan as of this date (YYYY-MM-DD); default today")
        scan.add_argument("--no-progress", action="store_true", help="Do not draw a progress bar")
        actions.add_parser("due", help="List the reviews waiting for a decision")

    def handle(self, *args: object, **options: object) -> None:
        try:
            schedule = current_schedule()
        except ScheduleError as error:
            raise CommandError(str(error)) from error
        if options["action"] == "scan":
            raw = options.get("today")
            today = date_option(str(raw), "--today") if raw else timezone.localdate()
            bar = tqdm(
                total=Person.objects.count(),
                desc="Checking records against the retention schedule",
                unit="person",
                file=self.stderr,
                disable=bool(options["no_progress"]),
            )
            with bar:
                result = retention_scan(today=today, progress=bar.update)
            self.stdout.write(
                f"Retention schedule {schedule.version}, as of {today:%Y-%m-%d}: "
                f"{result.people} people checked, {result.due} due for review "
                f"({result.created} new, {result.updated} updated, "
                f"{result.withdrawn} no longer due)"
            )
            return
        # Whoever runs the command signs in as nobody, so it shows what the auditor sees: the
        # record numbers and dates, never the rule (which grades the record: a child, a victim).
        due = RetentionReview.objects.filter(status=ReviewStatus.DUE).order_by("due_on", "pk")
        count = 0
        for subject_id, due_on in due.values_list("subject_id", "due_on").iterator(chunk_size=2000):
            count += 1
            self.stdout.write(f"record {subject_id}\tdue {due_on:%Y-%m-%d}")
        self.stdout.write(f"{count} review{'s' if count != 1 else ''} waiting for a decision")
