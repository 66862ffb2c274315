"""Typed events: everything that happens to a person, shown on their timeline.

An event's summary never holds the sensitive content itself (no concern text, no evidence):
it says what happened, to which record, by whom and when.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class EventCode(models.TextChoices):
    PERSON_CREATED = "person.created", "Person record created"
    PERSON_UPDATED = "person.updated", "Person's details changed"
    ALIAS_ADDED = "person.alias_added", "Other name recorded"
    IDENTIFIER_ADDED = "person.identifier_added", "Agency identifier recorded"
    REFERRAL_RECEIVED = "referral.received", "Referral received"
    REFERRAL_SCREENING_STARTED = "referral.screening_started", "Screening started"
    REFERRAL_LINKED = "referral.linked", "Referral linked to a person already known"
    REFERRAL_CLOSED = "referral.closed", "Referral closed"
    ASSESSMENT_STARTED = "assessment.started", "Assessment started"
    FACTORS_RECORDED = "assessment.factors_recorded", "Risk factors recorded"
    ASSESSMENT_SUMMARISED = "assessment.summarised", "Protective factors and summary recorded"
    ASSESSMENT_COMPLETED = "assessment.completed", "Assessment completed"


class Event(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="events")
    code = models.CharField(max_length=40, choices=EventCode.choices)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, null=True, related_name="+"
    )
    summary = models.CharField(max_length=300)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.PositiveBigIntegerField(null=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.get_code_display()}"
