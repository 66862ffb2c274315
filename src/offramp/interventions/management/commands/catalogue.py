"""`offramp catalogue list [--all]`, `offramp catalogue load [FILE]`,
`offramp catalogue retire SLUG --reason TEXT --by USERNAME`.

`load` brings the national entries up to date from catalogue.yaml (it also runs after every
`migrate`); it never touches the area's own programmes, nor an area's provider, places or
retirement of a national entry. Areas add and change their own programmes on the pages or the API.
"""

from argparse import ArgumentParser

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from offramp.accounts.models import User
from offramp.interventions.catalogue import CatalogueError
from offramp.interventions.models import Programme
from offramp.interventions.selectors import CatalogueFilters, catalogue, summarise
from offramp.interventions.services import catalogue_load, programme_retire


class Command(BaseCommand):
    help = "The intervention catalogue: `list` it, `load` the national entries, `retire` one."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        listing = actions.add_parser("list", help="List the programmes on offer")
        listing.add_argument("--all", action="store_true", help="Include retired programmes")
        load = actions.add_parser("load", help="Create or update the national programmes")
        load.add_argument("file", nargs="?", help="Catalogue file (default: the bundled one)")
        retire = actions.add_parser("retire", help="Retire a programme by its slug")
        retire.add_argument("slug")
        retire.add_argument("--reason", required=True, help="Why it is being retired")
        retire.add_argument("--by", required=True, help="Username of the coordinator deciding it")

    def handle(self, *args: object, **options: object) -> None:
        action = options["action"]
        if action == "list":
            self._list(include_retired=bool(options["all"]))
        elif action == "load":
            self._load(options.get("file"))
        else:
            self._retire(str(options["slug"]), str(options["reason"]), str(options["by"]))

    def _list(self, *, include_retired: bool) -> None:
        summaries = summarise(catalogue(CatalogueFilters(include_retired=include_retired)))
        for summary in summaries:
            programme = summary.programme
            status = "" if programme.available else f"\tretired {programme.retired_at:%Y-%m-%d}"
            self.stdout.write(
                f"{programme.slug}\t{programme.name}\t{programme.kind}\t{summary.ages}\t"
                f"{summary.in_use} in use of {programme.capacity or 'no fixed number'}{status}"
            )
        count = len(summaries)
        self.stdout.write(f"{count} programme{'s' if count != 1 else ''}")

    def _load(self, path: object) -> None:
        try:
            loaded, result = catalogue_load(path=str(path) if path else None)
        except CatalogueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Catalogue {loaded.version}: {len(loaded.entries)} national programmes, "
            f"{len(result.created)} added, {len(result.updated)} updated, "
            f"{result.unchanged} unchanged"
        )

    def _retire(self, slug: str, reason: str, username: str) -> None:
        try:
            actor = User.objects.get(username=username, is_active=True)
            programme = Programme.objects.get(slug=slug)
        except User.DoesNotExist as error:
            raise CommandError(f"No active user '{username}'") from error
        except Programme.DoesNotExist as error:
            raise CommandError(f"No programme '{slug}' (see `offramp catalogue list`)") from error
        try:
            programme_retire(programme=programme, actor=actor, reason=reason)
        except PermissionDenied as error:
            raise CommandError(str(error)) from error
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"{programme.name} retired")
