"""Screening runs, the evidence they found and the coordinator's decisions about candidates.

A run evaluates the rules (framework/screening.yaml) over the linked partner records and keeps
what it found; only the latest run's evidence is kept. Evidence is a reason to look: nobody is
referred except by a coordinator's decision, which is kept with its reason.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ScreeningRun(models.Model):
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    screened_on = models.DateField(help_text="The day the rules were evaluated as of")
    rules_version = models.CharField(max_length=20)
    framework_version = models.CharField(max_length=40)
    evidence_count = models.PositiveIntegerField(default=0)
    people_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Screening run {self.pk} on {self.screened_on}"


class CandidateEvidence(models.Model):
    """One rule's finding about one person: a factual sentence naming no one else."""

    run = models.ForeignKey(ScreeningRun, on_delete=models.CASCADE, related_name="evidence")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="screening_evidence"
    )
    factor_id = models.CharField(max_length=60)
    rule_id = models.CharField(max_length=60)
    evidence = models.CharField(max_length=400)
    observed_on = models.DateField()
    source_agencies = models.ManyToManyField(
        "agencies.Agency", related_name="+", help_text="Whose records the evidence rests on"
    )
    # When this finding (person, rule, date) was first found, carried from run to run: a
    # person set aside comes back only for a finding newer than the decision.
    first_found_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["person_id", "factor_id", "rule_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "person", "rule_id"], name="unique_evidence_per_rule"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} for person {self.person_id}"


class DecisionOutcome(models.TextChoices):
    REFERRED = "referred", "Referral opened"
    NOT_NOW = "not_now", "Not now"


class CandidateDecision(models.Model):
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="candidate_decisions"
    )
    outcome = models.CharField(max_length=20, choices=DecisionOutcome.choices)
    reason = models.TextField(max_length=2000, blank=True)
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    factor_ids = models.JSONField(default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} for person {self.person_id}"
