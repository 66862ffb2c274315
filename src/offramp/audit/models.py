"""Typed events: everything that happens to a person, shown on their timeline.

An event's summary never holds the sensitive content itself (no concern text, no evidence):
it says what happened, to which record, by whom and when.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .chain import GENESIS_HASH


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
    INFORMATION_SHARED = "information.shared", "Information shared between agencies"
    PUBLIC_INTEREST_DECISION = (
        "sharing.public_interest_decision",
        "Public-interest sharing decision recorded",
    )
    CASE_ROUTED = "case.routed", "Route decided"
    CASE_PERSON_LINKED = "case.person_linked", "Person connected to a case"
    CASE_ON_AGENDA = "case.on_agenda", "Case put on a panel agenda"
    PANEL_INFORMATION_ADDED = "case.panel_information", "Information brought to the panel"
    PANEL_DECISION = "case.panel_decision", "Panel decision recorded"
    PANEL_ACTION_SET = "case.action_set", "Panel action set"
    PANEL_ACTION_DONE = "case.action_done", "Panel action completed"
    CONSENT_RECORDED = "case.consent", "Consent to the support plan recorded"
    INTERVENTION_ADDED = "case.intervention_added", "Intervention added to the support plan"
    INTERVENTION_UPDATED = "case.intervention_updated", "Intervention progress recorded"
    REVIEW_HELD = "case.review_held", "Case review held"
    CASE_EXITED = "case.exited", "Case exited"
    CASE_REOPENED = "case.reopened", "Case reopened"
    NETWORK_MEMBERSHIP_RECORDED = (
        "network.membership_recorded",
        "Linked to an organised crime group",
    )
    NETWORK_MEMBERSHIP_CHANGED = (
        "network.membership_changed",
        "Link to an organised crime group changed",
    )
    NETWORK_RELATIONSHIP_RECORDED = "network.relationship_recorded", "Relationship recorded"
    NETWORK_RELATIONSHIP_CHANGED = "network.relationship_changed", "Relationship changed"
    NETWORK_SUGGESTION_DISMISSED = (
        "network.suggestion_dismissed",
        "Network suggestion on an assessment dismissed",
    )
    INDEX_RECORDS_MATCHED = "index.records_matched", "Partner records linked by record linkage"
    INDEX_RECORD_LINKED = "index.record_linked", "Partner record linked by a reviewer"
    INDEX_PERSON_MERGED = "index.person_merged", "Records merged: the same person"
    INDEX_PERSON_UNMERGED = "index.person_unmerged", "Merge undone"


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


class AuditAction(models.TextChoices):
    """The kinds of processing the Data Protection Act 2018 s.62 requires to be logged."""

    COLLECTION = "collection", "Collection"
    ALTERATION = "alteration", "Alteration"
    CONSULTATION = "consultation", "Consultation"
    DISCLOSURE = "disclosure", "Disclosure"
    COMBINATION = "combination", "Combination"
    ERASURE = "erasure", "Erasure"
    # Not a kind of processing: a request refused (403 or 404), so an id sweep leaves a trace.
    REFUSAL = "refusal", "Refused request"


class AuditChannel(models.TextChoices):
    PAGE = "page", "Pages"
    API = "api", "API"
    CLI = "cli", "Command line"


class AuditEntry(models.Model):
    """One hash-chained line of the access log. Append-only.

    Who, when, what and why, as plain values (never foreign keys) so that deleting a user, an
    agency or a person cannot alter or cascade into the chain. Never the sensitive content: no
    names, concern text or evidence; only object types and ids.
    """

    sequence = models.PositiveBigIntegerField(primary_key=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    event_code = models.CharField(max_length=40, blank=True)
    occurred_at = models.DateTimeField(db_index=True)
    actor_id = models.PositiveBigIntegerField(null=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_agency_id = models.PositiveBigIntegerField(null=True)
    actor_agency = models.CharField(max_length=200, blank=True)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64)
    person_id = models.PositiveBigIntegerField(null=True, db_index=True)
    purpose = models.CharField(max_length=60)
    channel = models.CharField(max_length=10, choices=AuditChannel.choices)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["sequence"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise RuntimeError("Audit entries are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Audit entries are append-only")


class AuditChainHead(models.Model):
    """A single row: the last sequence number and hash. Locked to append to the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.PositiveBigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"audit chain head at {self.sequence}"


class SweepAlert(models.Model):
    """One user's burst of refused requests: more than OFFRAMP_SWEEP_REFUSALS within
    OFFRAMP_SWEEP_SECONDS. One alert per burst; it grows while the burst goes on.

    The user as plain values, like the log: deleting the account keeps the alert.
    """

    actor_id = models.PositiveBigIntegerField(db_index=True)
    actor_username = models.CharField(max_length=150)
    actor_agency = models.CharField(max_length=200, blank=True)
    raised_at = models.DateTimeField()
    first_refusal_at = models.DateTimeField()
    last_refusal_at = models.DateTimeField()
    refusals = models.PositiveIntegerField()
    not_found = models.PositiveIntegerField()
    forbidden = models.PositiveIntegerField()

    class Meta:
        ordering = ["-last_refusal_at"]

    def __str__(self) -> str:
        return f"{self.actor_username}: {self.refusals} refusals from {self.first_refusal_at}"
