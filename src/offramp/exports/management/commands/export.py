"""`offramp export subject-access --person ID --user USERNAME --out FILE`, `offramp export
download REFERENCE --user USERNAME --out FILE`, `offramp export expire`.

Through the same service as the pages: the user's scope, their daily limit, approval, the
marking and the access log (channel "cli"). Nothing is printed but references and counts.
"""

from argparse import ArgumentParser

from django.core.management.base import BaseCommand, CommandError

from offramp.access.scoping import people_for_subject_access
from offramp.accounts.models import User
from offramp.command_line import active_user
from offramp.exports import subject_access
from offramp.exports.cli import download_to, export_requested, waiting_for_approval
from offramp.exports.models import ExportRecord, ExportStatus
from offramp.exports.registry import ExportInput
from offramp.exports.services import exports_expire


class Command(BaseCommand):
    help = "Exports through the export service: subject access, downloads, expiring old files."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        sar = actions.add_parser(
            "subject-access", help="Everything held about one person, third parties redacted"
        )
        sar.add_argument("--person", type=int, required=True, help="The person's record number")
        sar.add_argument("--user", required=True, help="Who is exporting (username)")
        sar.add_argument("--out", required=True, help="File to write")
        sar.add_argument("--format", choices=["json", "html"], default="json")
        sar.add_argument("--purpose", default="Subject access request", help="Why (printed on it)")
        sar.add_argument(
            "--ask-approval",
            action="store_true",
            help="Over the daily limit, ask a second person to approve it",
        )
        sar.add_argument("--justification", default="", help="Why it is needed over the limit")
        download = actions.add_parser("download", help="Download your export, e.g. once approved")
        download.add_argument("reference", help="The export's reference, e.g. EX26-000012")
        download.add_argument("--user", required=True, help="Who asked for it (username)")
        download.add_argument("--out", required=True, help="File to write")
        download.add_argument("--format", default=None, help="csv, json or html")
        actions.add_parser("expire", help="Remove files past their download period (daily)")

    def handle(self, *args: object, **options: object) -> None:
        action = options["action"]
        if action == "expire":
            self.stdout.write(f"{exports_expire()} export file(s) removed")
        elif action == "subject-access":
            self._subject_access(options)
        else:
            self._download(options)

    def _subject_access(self, options: dict[str, object]) -> None:
        user = active_user(str(options["user"]))
        person = people_for_subject_access(user).filter(pk=int(str(options["person"]))).first()
        if person is None:
            raise CommandError(f"No person record {options['person']} that you may export")
        export = export_requested(
            user=user, kind=subject_access.KIND, request=ExportInput(person=person), options=options
        )
        if export.status == ExportStatus.AWAITING_APPROVAL:
            self.stdout.write(waiting_for_approval(export, user, unit="records"))
            return
        self._save(export, user, options)
        self.stdout.write(subject_access.REVIEW_WARNING)

    def _download(self, options: dict[str, object]) -> None:
        user = active_user(str(options["user"]))
        export = ExportRecord.objects.filter(
            reference=str(options["reference"]), requested_by=user
        ).first()
        if export is None:
            raise CommandError(f"You have no export {options['reference']}")
        self._save(export, user, options)

    def _save(self, export: ExportRecord, user: User, options: dict[str, object]) -> None:
        fmt = options.get("format")
        download_to(str(options["out"]), export=export, user=user, fmt=str(fmt) if fmt else None)
        export.refresh_from_db()
        self.stdout.write(
            f"Export {export.reference}: {export.row_count} rows written to {options['out']}"
        )
