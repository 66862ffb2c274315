"""Exports: every file of personal data that leaves Offramp's pages, and the approval of big ones.

An `ExportRecord` is made for every export, whatever its kind (a referral list, a subject access
export, later network and Local Profile packs): who asked, for which agency, when (UTC), what
kind, why, how many rows, and whether a second person had to approve it. The file itself is
kept only for a short while (`available_until`) so that its requester can download it again;
after that only the record and its hash remain.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from offramp.transitions import StatusMachine


class ExportStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", "Waiting for approval"
    APPROVED = "approved", "Approved"
    READY = "ready", "Ready to download"
    REFUSED = "refused", "Refused"
    EXPIRED = "expired", "No longer available"


# An approved export's file is made on its first download (ready); both run out (expired).
EXPORT_MOVES = StatusMachine(
    ExportStatus,
    {
        ExportStatus.AWAITING_APPROVAL: frozenset({ExportStatus.APPROVED, ExportStatus.REFUSED}),
        ExportStatus.APPROVED: frozenset({ExportStatus.READY, ExportStatus.EXPIRED}),
        ExportStatus.READY: frozenset({ExportStatus.EXPIRED}),
        ExportStatus.REFUSED: frozenset(),
        ExportStatus.EXPIRED: frozenset(),
    },
)


class ExportRecord(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    # The exporter's kind (see offramp.exports.registry); not a choice, so that other apps add
    # kinds without a migration here.
    kind = models.CharField(max_length=40, db_index=True)
    purpose = models.CharField(max_length=300, help_text="Why the export is needed")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exports"
    )
    # The agency the requester acted for when they asked (users can move between agencies).
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now, db_index=True)
    # What to export: filters and options, never the content.
    parameters = models.JSONField(default=dict, blank=True)
    # The person an export is about, for kinds about one person (subject access). A foreign key,
    # so retention disposal finds and removes it with the rest of the person's records.
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="exports",
    )
    row_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=20, choices=ExportStatus.choices)
    # Over the daily limit: why the requester needs it, and the second person's decision.
    justification = models.TextField(max_length=2000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(max_length=2000, blank=True)
    # The file, kept until `available_until` and then cleared.
    produced_at = models.DateTimeField(null=True, blank=True, db_index=True)
    available_until = models.DateTimeField(null=True, blank=True)
    filename = models.CharField(max_length=120, blank=True)
    content_type = models.CharField(max_length=80, blank=True)
    content = models.BinaryField(null=True, blank=True, editable=False)
    sha256 = models.CharField(max_length=64, blank=True)
    # Counts for the person reviewing the file before release (never names).
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="export_decision_is_complete",
                condition=(
                    models.Q(decided_by__isnull=True, decided_at__isnull=True)
                    | (
                        models.Q(decided_by__isnull=False, decided_at__isnull=False)
                        & ~models.Q(decision_reason="")
                    )
                ),
            ),
            models.CheckConstraint(
                name="export_never_approved_by_its_requester",
                condition=~models.Q(decided_by=models.F("requested_by")),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def approved(self) -> bool:
        """Whether a second person let this export past the daily limit."""
        return self.decided_by_id is not None and self.status != ExportStatus.REFUSED

    @property
    def awaits_decision(self) -> bool:
        return EXPORT_MOVES.may_move(self.status, ExportStatus.APPROVED)

    @property
    def is_available(self) -> bool:
        """Its file can be downloaded (made first, if approved) until it expires."""
        return EXPORT_MOVES.may_move(self.status, ExportStatus.EXPIRED)
