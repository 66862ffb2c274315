"""`offramp import KIND FILE --agency SLUG --extracted-on YYYY-MM-DD --user USERNAME` imports one
partner extract, all or nothing, with a progress bar; a refused file prints every row error
(file, row, column, value, reason) and exits 1. `offramp import --directory DIR --user USERNAME`
imports a whole synthetic extract folder (the demo and the benchmarks)."""

from argparse import ArgumentParser
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.command_line import active_user, date_option, progress_bar, refusal
from offramp.intake.models import BatchStatus, ExtractKind, ImportBatch
from offramp.intake.runner import imports_settle
from offramp.intake.services import batch_added_and_held, import_extract
from offramp.intake.synthetic import import_synthetic_extracts

ERROR_COLUMNS = ("file", "row", "column", "value", "reason")


class Command(BaseCommand):
    help = "Import a partner agency's extract (or a synthetic extract folder), all or nothing."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("kind", nargs="?", choices=ExtractKind.values, help="Kind of extract")
        parser.add_argument("file", nargs="?", help="The extract: .csv, .xlsx or .json")
        parser.add_argument("--agency", help="Slug of the agency whose system it came from")
        parser.add_argument("--extracted-on", help="The date the partner took it, YYYY-MM-DD")
        parser.add_argument("--directory", help="A synthetic extract folder (with manifest.json)")
        parser.add_argument("--user", required=True, help="Who is importing (a coordinator)")

    def handle(self, *args: object, **options: object) -> None:
        user = active_user(str(options["user"]))
        imports_settle()  # an earlier import that was killed is failed, so it can be rerun
        try:
            if options["directory"]:
                if options["kind"] or options["file"]:
                    raise CommandError("Give either --directory or KIND and FILE, not both")
                batches = self._directory(user, Path(str(options["directory"])))
            else:
                batches = [self._one(user, options)]
        except (ValidationError, PermissionDenied) as error:
            raise refusal(error) from error
        for batch in batches:
            self._report(batch)
        if batches and batches[-1].status == BatchStatus.FAILED:
            raise CommandError(
                f"{batches[-1].file_name} was refused: nothing from it was imported", returncode=1
            )

    def _one(self, user: User, options: dict[str, object]) -> ImportBatch:
        missing = [
            name
            for name, key in (
                ("KIND", "kind"),
                ("FILE", "file"),
                ("--agency", "agency"),
                ("--extracted-on", "extracted_on"),
            )
            if not options[key]
        ]
        if missing:
            raise CommandError(f"Give {', '.join(missing)} (or --directory for a whole folder)")
        path = Path(str(options["file"]))
        if not path.is_file():
            raise CommandError(f"No file at {path}")
        agency = Agency.objects.filter(slug=str(options["agency"])).first()
        if agency is None:
            raise CommandError(f"No agency with the slug {options['agency']!r}")
        extracted_on = date_option(str(options["extracted_on"]), "--extracted-on")
        with progress_bar(f"Importing {path.name}", self.stderr) as bar:
            return import_extract(
                actor=user,
                agency=agency,
                kind=str(options["kind"]),
                file=path,
                file_name=path.name,
                extracted_on=extracted_on,
                progress=lambda done, total: bar(
                    "checking" if done * 2 <= total else "writing", done, total
                ),
            )

    def _directory(self, user: User, directory: Path) -> list[ImportBatch]:
        if not directory.is_dir():
            raise CommandError(f"No folder at {directory}")
        with progress_bar(f"Importing {directory}", self.stderr) as bar:
            return import_synthetic_extracts(actor=user, directory=directory, progress=bar)

    def _report(self, batch: ImportBatch) -> None:
        if batch.status == BatchStatus.FAILED:
            self.stderr.write("\t".join(ERROR_COLUMNS))
            for error in batch.errors:
                row = "" if error["row"] is None else str(error["row"])
                values = (error["file"], row, error["column"], error["value"], error["reason"])
                self.stderr.write("\t".join(str(value) for value in values))
            return
        added, held = batch_added_and_held(batch)
        counts = batch.counts
        self.stdout.write(
            f"{batch.file_name} ({batch.kind} from {batch.agency.slug}): {added:,} added, "
            f"{held:,} already held; {counts['records_added']:,} people's records added, "
            f"{counts['records_already_held']:,} already held"
        )
