"""Retention reviews, the anonymous record of each disposal, and the aggregates that survive it.

After a disposal nothing here names the person: reviews keep the record's number only (like the
access log), and their reasons are cleared because free text may describe the person.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from offramp.transitions import StatusMachine


class ReviewStatus(models.TextChoices):
    DUE = "due", "Due for review"
    RETAINED = "retained", "Retained"
    DISPOSED = "disposed", "Disposed of"


# A retained record gets a new review when its next one falls due; a decided review stays as it is.
RETENTION_MOVES = StatusMachine(
    ReviewStatus,
    {
        ReviewStatus.DUE: frozenset({ReviewStatus.RETAINED, ReviewStatus.DISPOSED}),
        ReviewStatus.RETAINED: frozenset(),
        ReviewStatus.DISPOSED: frozenset(),
    },
)


class RetentionReview(models.Model):
    # SET_NULL: disposal removes the person and keeps the review, anonymous, as history.
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retention_reviews",
    )
    # The record's number as a plain value, which survives disposal (as in the access log).
    subject_id = models.PositiveBigIntegerField(db_index=True)
    due_on = models.DateField(db_index=True)
    rule_id = models.CharField(max_length=60)
    schedule_version = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DUE)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(max_length=2000, blank=True, help_text="Why the records are kept")
    next_review_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_id"],
                condition=Q(status="due"),
                name="one_open_retention_review_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"Retention review of record {self.subject_id} due {self.due_on}"

    @property
    def awaits_decision(self) -> bool:
        return not RETENTION_MOVES.is_final(self.status) and self.person_id is not None


class DisposalRecord(models.Model):
    """That a person's records were disposed of, and how many of each: never who they were."""

    review = models.OneToOneField(
        RetentionReview, on_delete=models.PROTECT, related_name="disposal"
    )
    subject_id = models.PositiveBigIntegerField(db_index=True)
    disposed_at = models.DateTimeField()
    rule_id = models.CharField(max_length=60)
    schedule_version = models.CharField(max_length=40)
    # {"referrals.referral": 2, "audit.event": 9, ...}: rows removed per model.
    removed = models.JSONField(default=dict)
    # A plain value, like the access log's actor: deleting the user must not touch this.
    decided_by_id = models.PositiveBigIntegerField(null=True)

    class Meta:
        ordering = ["-disposed_at", "-id"]

    def __str__(self) -> str:
        return f"Disposal of record {self.subject_id} at {self.disposed_at:%Y-%m-%d}"


class DisposedAggregate(models.Model):
    """Counts of disposed referrals, so the area's statistics survive disposal."""

    year = models.PositiveSmallIntegerField()
    agency_kind = models.CharField(max_length=40)
    final_status = models.CharField(max_length=20)
    closure_reason = models.CharField(max_length=30, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["year", "agency_kind", "final_status", "closure_reason"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "agency_kind", "final_status", "closure_reason"],
                name="unique_disposed_aggregate",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.agency_kind} {self.final_status}: {self.count}"
