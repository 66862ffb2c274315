"""`offramp cases due` lists reviews and follow-ups due; `offramp cases alerts` the dashboard's
alerts. Both act as a named user, through the same scoping as the pages, and print case
references only — never a name — so their output can go to a shared inbox or a cron log."""

from argparse import ArgumentParser

from django.core.management.base import BaseCommand
from django.utils import timezone

from offramp.audit.services import audit_consultation
from offramp.cases.selectors import alerts_for, reviews_due
from offramp.command_line import active_user, date_option


class Command(BaseCommand):
    help = "Cases: `due` lists reviews and follow-ups due, `alerts` what needs attention."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("due", "List reviews and follow-up reviews due"),
            ("alerts", "List cumulative concern, plan drift, overdue reviews and actions"),
        ):
            sub = actions.add_parser(name, help=text)
            sub.add_argument("--user", required=True, help="Act as this user (their scope)")
            sub.add_argument("--by", help="Due on or before this date (YYYY-MM-DD); default today")

    def handle(self, *args: object, **options: object) -> None:
        user = active_user(str(options["user"]))
        raw = options.get("by")
        by = date_option(str(raw), "--by") if raw else timezone.localdate()
        if options["action"] == "due":
            reviews = list(reviews_due(user, by=by))
            audit_consultation(
                actor=user, subjects=[r.case for r in reviews], purpose="reviews due"
            )
            for review in reviews:
                self.stdout.write(
                    f"{review.case.reference}\t{review.due_on:%Y-%m-%d}\t{review.get_kind_display()}"
                )
            self.stdout.write(f"{len(reviews)} review{'s' if len(reviews) != 1 else ''} due")
            return
        alerts = alerts_for(user, by)
        for alert in alerts:
            self.stdout.write(f"{alert.reference}\t{alert.kind}")
        self.stdout.write(f"{len(alerts)} alert{'s' if len(alerts) != 1 else ''}")
