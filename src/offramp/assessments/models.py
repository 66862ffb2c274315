"""Assessments against the risk framework (guide ¶2.1–2.32).

Offramp records evidence for factors and leaves judgement to people: there is no score.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from offramp.transitions import IllegalTransition, StatusMachine


class Judgement(models.TextChoices):
    PRESENT = "present", "Present"
    POSSIBLE = "possible", "Possible"
    ABSENT = "absent", "Absent"
    NOT_KNOWN = "not_known", "Not known"


JUDGEMENTS_NEEDING_EVIDENCE = frozenset({Judgement.PRESENT, Judgement.POSSIBLE})


class AssessmentStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


ASSESSMENT_MOVES = StatusMachine(
    AssessmentStatus,
    {
        AssessmentStatus.IN_PROGRESS: frozenset({AssessmentStatus.COMPLETED}),
        AssessmentStatus.COMPLETED: frozenset(),
    },
)


class OverallConcern(models.TextChoices):
    NO_CONCERN = "no_concern", "No SOC Prevent concern"
    SOME_CONCERN = "some_concern", "Some concern: support may help"
    SIGNIFICANT_CONCERN = "significant_concern", "Significant concern: multi-agency response"
    SAFEGUARDING_FIRST = "safeguarding_first", "Safeguarding first: possible victim"


class Assessment(models.Model):
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="assessments"
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
    )
    framework_version = models.CharField(max_length=40)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments"
    )
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.IN_PROGRESS
    )
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    protective_factors = models.TextField(max_length=4000, blank=True)
    summary = models.TextField(max_length=4000, blank=True)
    overall_concern = models.CharField(max_length=30, choices=OverallConcern.choices, blank=True)
    # Framework crime types the concern is about (national.yaml `crime_types`), if known.
    crime_types = models.JSONField(default=list, blank=True)
    changes_note = models.TextField(
        max_length=4000, blank=True, help_text="The assessor's account of what has changed"
    )

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Assessment {self.pk} of {self.person}"

    @property
    def is_editable(self) -> bool:
        # A completed assessment is a record of a judgement made: a new one records a change.
        return not ASSESSMENT_MOVES.is_final(self.status)

    def require_editable(self) -> None:
        """Raises IllegalTransition for a completed assessment: the one place this rule lives."""
        if not self.is_editable:
            raise IllegalTransition("A completed assessment cannot be changed; start a new one")


class FactorJudgement(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="judgements")
    factor_id = models.CharField(max_length=60)
    judgement = models.CharField(max_length=12, choices=Judgement.choices)
    evidence = models.TextField(max_length=2000, blank=True)
    source_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    evidence_date = models.DateField(null=True, blank=True)
    note = models.TextField(max_length=2000, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "factor_id"], name="unique_factor_per_assessment"
            )
        ]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.factor_id}: {self.judgement}"
