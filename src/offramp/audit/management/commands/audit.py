"""`offramp audit verify`: walks the access log's hash chain and reports the first break."""

from argparse import ArgumentParser
from collections.abc import Iterator, Sequence

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from offramp.audit.chain import ROW_FIELDS, verify_chain
from offramp.audit.models import AuditChainHead, AuditEntry

CHUNK = 5000


class Command(BaseCommand):
    help = "Check the access log: `verify` recomputes every hash and follows every link."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        verify = actions.add_parser(
            "verify", help="Detect edited, deleted or reordered entries (exit code 1 if any)"
        )
        verify.add_argument("--no-progress", action="store_true", help="Do not draw a progress bar")

    def handle(self, *args: object, **options: object) -> None:
        total = AuditEntry.objects.count()
        head = AuditChainHead.objects.filter(pk=1).values_list("sequence", "entry_hash").first()
        bar = tqdm(
            total=total,
            desc="Verifying the audit chain",
            unit="entry",
            unit_scale=True,
            file=self.stderr,
            disable=bool(options["no_progress"]) or total < CHUNK,
        )
        with bar:
            report = verify_chain(_rows(bar), head=head)
        if report.broken is not None:
            raise CommandError(
                f"Audit chain broken at {report.broken}. "
                f"{report.entries} entries before it verified.",
                returncode=1,
            )
        self.stdout.write(
            f"Audit chain intact: {report.entries} entries, last hash {report.last_hash}"
        )


def _rows(bar: tqdm) -> Iterator[Sequence[object]]:
    rows = AuditEntry.objects.order_by("sequence").values_list(*ROW_FIELDS)
    for count, row in enumerate(rows.iterator(chunk_size=CHUNK), start=1):
        if count % CHUNK == 0:
            bar.update(CHUNK)
        yield row
    bar.update(bar.total - bar.n)
