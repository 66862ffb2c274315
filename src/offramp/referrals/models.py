"""Referrals from identifying organisations (guide ¶1.15)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from offramp.transitions import StatusMachine


class ReferralStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    SCREENING = "screening", "Being screened"
    ASSESSMENT = "assessment", "Being assessed"
    ASSESSED = "assessed", "Assessed"
    CLOSED = "closed", "Closed"


REFERRAL_MOVES = StatusMachine(
    ReferralStatus,
    {
        ReferralStatus.RECEIVED: frozenset(
            {ReferralStatus.SCREENING, ReferralStatus.ASSESSMENT, ReferralStatus.CLOSED}
        ),
        ReferralStatus.SCREENING: frozenset({ReferralStatus.ASSESSMENT, ReferralStatus.CLOSED}),
        ReferralStatus.ASSESSMENT: frozenset({ReferralStatus.ASSESSED, ReferralStatus.CLOSED}),
        ReferralStatus.ASSESSED: frozenset({ReferralStatus.CLOSED}),
        ReferralStatus.CLOSED: frozenset(),
    },
)


class ConsentStatus(models.TextChoices):
    GIVEN = "given", "Consent given"
    REFUSED = "refused", "Consent refused"
    NOT_YET_ASKED = "not_yet_asked", "Not yet asked"
    NOT_SOUGHT = "not_sought", "Not sought: asking would put someone at risk"


class ClosureReason(models.TextChoices):
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    SIGNPOSTED = "signposted", "Signposted to another service"
    DUPLICATE = "duplicate", "Duplicate of another referral"
    ASSESSMENT_COMPLETED = "assessment_completed", "Assessment completed"
    WITHDRAWN = "withdrawn", "Withdrawn by the referrer"
    ROUTED = "routed", "Route decided: followed up as a case"


class Referral(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="referrals")
    referring_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="referrals_made"
    )
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_made"
    )
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The subject as the referrer described them; the linked Person may be spelt differently.
    subject_given_name = models.CharField(max_length=100)
    subject_family_name = models.CharField(max_length=100)
    subject_date_of_birth = models.DateField()
    subject_area = models.CharField(max_length=100, blank=True)
    concern = models.TextField(max_length=4000)
    consent = models.CharField(max_length=20, choices=ConsentStatus.choices)
    status = models.CharField(
        max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.RECEIVED
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    closure_reason = models.CharField(max_length=30, choices=ClosureReason.choices, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return self.reference

    @property
    def subject_name(self) -> str:
        return f"{self.subject_given_name} {self.subject_family_name}"

    @property
    def is_open(self) -> bool:
        return not REFERRAL_MOVES.is_final(self.status)

    @property
    def may_start_screening(self) -> bool:
        return REFERRAL_MOVES.may_move(self.status, ReferralStatus.SCREENING)

    @property
    def may_start_assessment(self) -> bool:
        return REFERRAL_MOVES.may_move(self.status, ReferralStatus.ASSESSMENT)

    @property
    def awaits_assessment(self) -> bool:
        """An assessment may still be recorded against it: it has not been assessed or closed."""
        return REFERRAL_MOVES.may_reach(self.status, ReferralStatus.ASSESSED)


class ReferralFactor(models.Model):
    """A framework factor the referrer said they had seen: a prompt for the assessor."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="factors")
    factor_id = models.CharField(max_length=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["referral", "factor_id"], name="unique_referral_factor")
        ]

    def __str__(self) -> str:
        return self.factor_id
