"""`offramp profile --from YYYY-MM-DD --to YYYY-MM-DD --out DIR --user USERNAME`

Writes the Local Profile for the period as profile.html, profile.pdf, profile-pack.zip (one CSV
per table) and profile.xlsx, with a progress bar. The same service as the pages: the user must
be allowed to produce reports, and each file written is in the access log (channel "cli").
"""

from argparse import ArgumentParser
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from offramp.command_line import active_user, date_option, progress_bar
from offramp.reports.forms import raise_for_period
from offramp.reports.rendering import (
    ReportDocument,
    csv_pack,
    pdf_bytes,
    standalone_html,
    xlsx_bytes,
)
from offramp.reports.services import ReportFormat, ReportKind, report_audit, report_produce

FILES: tuple[tuple[str, ReportFormat, Callable[[ReportDocument], bytes]], ...] = (
    ("profile.html", ReportFormat.HTML, lambda document: standalone_html(document).encode()),
    ("profile.pdf", ReportFormat.PDF, pdf_bytes),
    ("profile-pack.zip", ReportFormat.CSV, csv_pack),
    ("profile.xlsx", ReportFormat.XLSX, xlsx_bytes),
)


class Command(BaseCommand):
    help = "Write the Local Profile (HTML, PDF, CSV pack, XLSX) for a period to a directory."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="First day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="Last day, YYYY-MM-DD")
        parser.add_argument("--out", required=True, type=Path, help="Directory to write to")
        parser.add_argument("--user", required=True, help="Who produces it (an analyst's username)")

    def handle(self, *args: object, **options: object) -> None:
        start = date_option(str(options["start"]), "--from")
        end = date_option(str(options["end"]), "--to")
        try:
            raise_for_period(start, end)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        user = active_user(str(options["user"]))
        out = options["out"]
        assert isinstance(out, Path)
        if out.exists() and not out.is_dir():
            raise CommandError(f"{out} exists and is not a directory")
        try:
            with progress_bar("Computing the Local Profile", self.stderr) as report:
                document = report_produce(
                    user=user,
                    kind=ReportKind.PROFILE,
                    period_start=start,
                    period_end=end,
                    progress=report,
                )
        except PermissionDenied as error:
            raise CommandError(str(error)) from error
        out.mkdir(parents=True, exist_ok=True)
        with progress_bar("Writing the files", self.stderr) as report:
            for done, (name, fmt, make) in enumerate(FILES, start=1):
                content = make(document)
                report_audit(
                    user=user, kind=ReportKind.PROFILE, period_start=start, period_end=end, fmt=fmt
                )
                (out / name).write_bytes(content)
                report(name, done, len(FILES))
        self.stdout.write(f"Wrote {', '.join(name for name, _, _ in FILES)} to {out}")
