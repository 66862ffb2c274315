"""`offramp population load FILE`: the area's population denominators (docs/population.md).

The file replaces the denominators held, all or nothing; a bad file changes nothing and every
problem is printed with its row and column.
"""

from argparse import ArgumentParser
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from offramp.reports.population import population_load_file


class Command(BaseCommand):
    help = "Load the area's population denominators for the Local Profile's rates."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        load = actions.add_parser("load", help="Replace the denominators with a CSV file")
        load.add_argument("file", type=Path, help="CSV: area,sex,age_band,ethnicity,population")

    def handle(self, *args: object, **options: object) -> None:
        path = options["file"]
        assert isinstance(path, Path)
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            count = population_load_file(path)
        except ValidationError as error:
            raise CommandError("\n".join(["The file was not loaded:", *error.messages])) from error
        self.stdout.write(f"Loaded {count} population rows from {path.name}")
