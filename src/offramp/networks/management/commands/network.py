"""`offramp network import`, `offramp network periphery`, `offramp network export`.

- import: an adjacency matrix (`--matrix FILE --tie-type T [--symmetric]`) or an edge list
  (`--edges FILE [--tie-type T]`) from `--source-agency SLUG`, all or nothing and idempotent.
  A bad file changes nothing and lists every problem as file, row, column, value and reason.
- periphery: the people within two ties of a group member, nearest first, as `--user U` sees
  them; record numbers only, never a name, so the output can go to a shared inbox.
- export: a group and its periphery as GraphML, GEXF or i2 CSVs, through the export service
  (the user's daily limit, approval, the marking and the access log).
"""

from argparse import ArgumentParser
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from offramp.access.scoping import groups_visible_to
from offramp.agencies.models import Agency
from offramp.analysis.network import Network, TieType
from offramp.analysis.network_import import (
    NetworkImportError,
    read_adjacency_matrix,
    read_edge_list,
)
from offramp.audit.services import AuditObject, audit_consultation
from offramp.command_line import active_user, refusal
from offramp.exports.cli import download_to, export_requested, waiting_for_approval
from offramp.exports.models import ExportStatus
from offramp.exports.registry import ExportInput
from offramp.networks import exports
from offramp.networks.importer import network_import
from offramp.networks.selectors import periphery_rows
from offramp.networks.services import PURPOSE

ERROR_COLUMNS = ("file", "row", "column", "value", "reason")


class Command(BaseCommand):
    help = "Networks: import a network file, list the periphery, export a group's network."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        load = actions.add_parser("import", help="Import an adjacency matrix or an edge list")
        files = load.add_mutually_exclusive_group(required=True)
        files.add_argument("--matrix", help="A square CSV matrix of tie weights (0: no tie)")
        files.add_argument("--edges", help="A CSV of ties: source, target and optional columns")
        load.add_argument(
            "--tie-type",
            choices=[t.value for t in TieType],
            help="Every tie's type (a matrix); the default for rows without one (edges)",
        )
        load.add_argument(
            "--symmetric", action="store_true", help="The matrix must equal its mirror"
        )
        load.add_argument("--source-agency", required=True, help="Slug of the agency it came from")
        load.add_argument("--dataset", help="Name of the data set; default the file's name")
        load.add_argument("--user", help="Who is importing (an analyst or coordinator)")
        around = actions.add_parser("periphery", help="List the periphery, nearest first")
        around.add_argument("--user", required=True, help="Act as this user (their scope)")
        around.add_argument(
            "--everyone", action="store_true", help="Include people with an open case"
        )
        out = actions.add_parser("export", help="Export a group and its periphery")
        out.add_argument("--group", required=True, help="The group's reference")
        out.add_argument("--format", choices=list(exports.FORMAT_FILES), required=True)
        out.add_argument("--user", required=True, help="Who is exporting (username)")
        out.add_argument("--out", required=True, help="File to write")
        out.add_argument("--purpose", default="Network analysis", help="Why (printed on it)")
        out.add_argument("--ask-approval", action="store_true", help="Over the limit, ask")
        out.add_argument("--justification", default="", help="Why it is needed over the limit")

    def handle(self, *args: object, **options: object) -> None:
        {"import": self._import, "periphery": self._periphery, "export": self._export}[
            str(options["action"])
        ](options)

    def _read(self, options: dict[str, object]) -> tuple[Path, Network]:
        tie_type = TieType(str(options["tie_type"])) if options["tie_type"] else None
        path = Path(str(options["matrix"] or options["edges"]))
        if not path.is_file():
            raise CommandError(f"No file at {path}")
        try:
            if not options["matrix"]:
                return path, read_edge_list(path, default_tie_type=tie_type)
            if tie_type is None:
                raise CommandError("A matrix needs --tie-type: every tie in it is of that type")
            symmetric = bool(options["symmetric"])
            return path, read_adjacency_matrix(path, tie_type=tie_type, symmetric=symmetric)
        except NetworkImportError as error:
            self.stderr.write("\t".join(ERROR_COLUMNS))
            for problem in error.errors:
                row = (
                    problem.file,
                    str(problem.row),
                    problem.column,
                    problem.value,
                    problem.reason,
                )
                self.stderr.write("\t".join(row))
            raise CommandError(
                f"{len(error.errors)} problem(s) in {path}: nothing was imported"
            ) from error

    def _import(self, options: dict[str, object]) -> None:
        source = Agency.objects.filter(slug=str(options["source_agency"])).first()
        if source is None:
            raise CommandError(f"No agency with the slug {options['source_agency']!r}")
        actor = active_user(str(options["user"])) if options["user"] else None
        path, network = self._read(options)
        try:
            result = network_import(
                network=network,
                dataset=str(options["dataset"] or path.stem),
                source_agency=source,
                actor=actor,
            )
        except (ValidationError, PermissionDenied) as error:
            raise refusal(error) from error
        self.stdout.write(
            f"{result.dataset}: {len(network.person_ids)} people ({result.people_matched} "
            f"already held, {result.people_created} labels-only records created), "
            f"{len(network.ties)} ties ({result.ties_added} added, {result.ties_already_held} "
            "already held)"
        )

    def _periphery(self, options: dict[str, object]) -> None:
        user = active_user(str(options["user"]))
        rows, total = periphery_rows(user=user, no_open_case=not options["everyone"])
        ids = [row.explained.person.id for row in rows]
        audit_consultation(
            actor=user,
            subjects=[AuditObject("person", pid, person_id=pid) for pid in ids],
            purpose=PURPOSE,
        )
        for row in rows:
            factors = ",".join(s.factor_id for s in row.explained.suggestions) or "-"
            nearest = ",".join(str(m.person.id) for m in row.explained.nearest)
            open_case = "open case" if row.open_case else "no open case"
            self.stdout.write(
                f"record {row.explained.person.id}\t{row.explained.hops} ties\t"
                f"nearest member {nearest}\t{factors}\t{open_case}"
            )
        more = f" (the nearest {len(rows)} listed)" if len(rows) < total else ""
        self.stdout.write(f"{total} {'person' if total == 1 else 'people'} in the periphery{more}")

    def _export(self, options: dict[str, object]) -> None:
        user = active_user(str(options["user"]))
        group = groups_visible_to(user).filter(reference=str(options["group"])).first()
        if group is None:
            raise CommandError(f"No group {options['group']} that you may export")
        export = export_requested(
            user=user,
            kind=exports.KIND,
            request=ExportInput(parameters={"group_id": group.pk}),
            options=options,
        )
        fmt = str(options["format"])
        if export.status == ExportStatus.AWAITING_APPROVAL:
            self.stdout.write(waiting_for_approval(export, user, unit="rows", fmt=fmt))
            return
        download_to(str(options["out"]), export=export, user=user, fmt=fmt)
        self.stdout.write(
            f"Export {export.reference}: {export.row_count} rows ({options['format']}) written "
            f"to {options['out']}"
        )
