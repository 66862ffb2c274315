"""The intervention catalogue: programmes and approaches a panel can put in a support plan."""

from django.db import models
from django.utils import timezone


class EvidenceStrength(models.TextChoices):
    STRONG = "strong", "Strong: evaluated against a comparison group"
    PROMISING = "promising", "Promising: evaluated, with positive early results"
    EMERGING = "emerging", "Emerging: a pilot or new approach, not yet evaluated"
    PRACTICE = "practice", "Established practice, not formally evaluated"


class Programme(models.Model):
    """One programme or approach. National entries come from the guide; areas add their own."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField()
    delivered_by = models.CharField(max_length=200, help_text="Who delivers it, in words")
    provider = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programmes",
    )
    # Framework intervention kind (framework/national.yaml `intervention_kinds`).
    kind = models.CharField(max_length=60)
    min_age = models.PositiveSmallIntegerField(null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    crime_types = models.JSONField(default=list, blank=True)
    factor_ids = models.JSONField(default=list, help_text="Framework factors it addresses")
    # Why it addresses each factor, by factor id: national entries cite the guide's paragraphs.
    factor_notes = models.JSONField(default=dict, blank=True)
    # Conditions beyond age that the panel must check, e.g. Channel needs a terrorism risk.
    eligibility = models.TextField(max_length=1000, blank=True)
    # None: no fixed number of places (e.g. a statutory service or an order).
    capacity = models.PositiveIntegerField(null=True, blank=True)
    evidence_strength = models.CharField(max_length=20, choices=EvidenceStrength.choices)
    evidence_note = models.TextField(blank=True)
    guide_paragraphs = models.JSONField(default=list, blank=True)
    national = models.BooleanField(default=False, help_text="Named in the Home Office guide")
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_age__isnull=True)
                | models.Q(max_age__isnull=True)
                | models.Q(min_age__lte=models.F("max_age")),
                name="programme_ages_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def available(self) -> bool:
        return self.retired_at is None
