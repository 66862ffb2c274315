"""The person index's own records: linkage runs, the review queue and merges.

A `LinkageRun` keeps the trained model (Splink settings JSON, with every m and u) that linked
the index, so "is this person known?" scores searches with the same model. A `MatchReview` is
a pair the model was unsure of (or a cluster that touched two people): a reviewer accepts or
rejects it, and the decision is a label for every later run. A `PersonMerge` records exactly
which rows moved from one person to another, so that un-merging moves exactly those back.
A `KnownCheck` is one "is this person known?" check (the class of its answer, never what was
typed), with the people it may match whom the asker may not see, for coordinators to follow up.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from offramp.transitions import StatusMachine


class LinkageRun(models.Model):
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    model_settings = models.JSONField(help_text="The trained Splink model (LinkageModel.settings)")
    # records, people, labels, pairs, linked_certain, linked_provisional, new_people,
    # reviews_added, not_linkable
    counts = models.JSONField(default=dict)
    # seconds per stage: frame, train, predict, cluster, write
    timings = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at", "-id"]
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return f"Linkage run {self.pk} at {self.started_at:%Y-%m-%d %H:%M}"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    ACCEPTED = "accepted", "Accepted: the same person"
    REJECTED = "rejected", "Rejected: different people"


# A decision is a label for every later run; undoing a merge keeps the pair as a rejection.
MATCH_REVIEW_MOVES = StatusMachine(
    ReviewStatus,
    {
        ReviewStatus.PENDING: frozenset({ReviewStatus.ACCEPTED, ReviewStatus.REJECTED}),
        ReviewStatus.ACCEPTED: frozenset({ReviewStatus.REJECTED}),
        ReviewStatus.REJECTED: frozenset(),
    },
)


class MatchReview(models.Model):
    """Two sides the model could not decide on. Each side is a source record or a person.

    ``left_uid``/``right_uid`` are the linkage frame's ids (``r<pk>`` for a source record,
    ``p<pk>`` for a person), sorted, so one pair has one review however often it is found.
    """

    # None for a pair a person decided without the model (a merge from a person's page)
    run = models.ForeignKey(
        LinkageRun, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews"
    )
    left_uid = models.CharField(max_length=24)
    right_uid = models.CharField(max_length=24)
    left_record = models.ForeignKey(
        "intake.SourceRecord", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    left_person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    right_record = models.ForeignKey(
        "intake.SourceRecord", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    right_person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    match_probability = models.FloatField(null=True, blank=True)
    # [{"field", "level", "weight"}...], strongest evidence first: levels, never values
    reasons = models.JSONField(default=list)
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-match_probability", "id"]
        constraints = [
            models.UniqueConstraint(fields=["left_uid", "right_uid"], name="one_review_per_pair"),
            models.CheckConstraint(
                name="review_sides_are_sorted",
                condition=models.Q(left_uid__lt=models.F("right_uid")),
            ),
        ]

    def __str__(self) -> str:
        return f"Review {self.pk}: {self.left_uid} / {self.right_uid}"

    @property
    def is_merge(self) -> bool:
        """Both sides are people: accepting merges them."""
        return self.left_person_id is not None and self.right_person_id is not None

    @property
    def awaits_decision(self) -> bool:
        return MATCH_REVIEW_MOVES.may_move(self.status, ReviewStatus.ACCEPTED)


class PersonMerge(models.Model):
    """``source`` was found to be ``target``; ``moved`` lists every row that moved."""

    target = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    # {"app.model": {"field": [pk, ...]}}: the rows whose field pointed at source
    moved = models.JSONField(default=dict)
    review = models.ForeignKey(
        MatchReview, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField(default=timezone.now)
    unmerged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unmerged_at = models.DateTimeField(null=True, blank=True)
    unmerge_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]

    def __str__(self) -> str:
        return f"Person {self.source_id} merged into {self.target_id}"

    @property
    def moved_count(self) -> int:
        return sum(len(pks) for fields in self.moved.values() for pks in fields.values())


class KnownOutcome(models.TextChoices):
    """What an "is this person known?" check answered: the class, never the candidates."""

    NOT_LINKED = "not_linked", "Index not linked yet: name matching over people the asker sees"
    NONE = "none", "No possible match"
    SHOWN = "shown", "Possible matches, all people the asker may see"
    REFERRED = "referred", "A possible match the asker may not see: coordinators asked"


class KnownCheck(models.Model):
    """One "is this person known?" check: who asked, when, how, and the class of answer.

    The details typed are not kept: they may be personal data of someone the asker may not
    see, and the coordinators act on the people matched (``matches``), not on the typing.
    Rows also count each user's checks for the hourly limit, in the database so every server
    process counts the same.
    """

    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(max_length=8)  # offramp.audit.models.AuditChannel
    purpose = models.CharField(max_length=60)
    outcome = models.CharField(max_length=12, choices=KnownOutcome.choices)
    # For a REFERRED check: when a coordinator followed it up, and what they did.
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    followed_up_at = models.DateTimeField(null=True, blank=True)
    follow_up_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-asked_at", "-id"]
        indexes = [models.Index(fields=["asked_by", "asked_at"])]

    def __str__(self) -> str:
        return f"Check {self.pk} by user {self.asked_by_id}: {self.outcome}"


class KnownCheckMatch(models.Model):
    """A person a check found who the asker may not see: what the coordinators follow up."""

    known_check = models.ForeignKey(KnownCheck, on_delete=models.CASCADE, related_name="matches")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["known_check", "person"], name="one_match_per_check")
        ]

    def __str__(self) -> str:
        return f"Check {self.known_check_id} may match person {self.person_id}"
