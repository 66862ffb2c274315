"""Lawful sharing between partner agencies (DOMAIN.md, "Information sharing").

A data sharing agreement says which agencies may share which categories of information, on
what lawful basis and for what purpose. Where no agreement covers a share, the person's consent
or a recorded public-interest decision may. Every share that happens is a `Disclosure`: what
kind of information (never the information itself), from whom, to whom, when and on what basis.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.conf import settings
from django.db import models
from django.utils import timezone


class DataCategory(models.TextChoices):
    IDENTITY = "identity", "Identity"
    OFFENDING = "offending", "Offending"
    SOCIAL_CARE = "social_care", "Social care"
    EDUCATION = "education", "Education"
    HEALTH = "health", "Health (special category)"
    RISK_ASSESSMENT = "risk_assessment", "Risk assessment"
    INTELLIGENCE = "intelligence", "Intelligence"


def category_phrase(category: str) -> str:
    """'health information', 'social care information': how a message names a category."""
    labels: dict[str, str] = {
        DataCategory.HEALTH: "health",
        DataCategory.RISK_ASSESSMENT: "risk assessment",
        DataCategory.SOCIAL_CARE: "social care",
    }
    return f"{labels.get(category, category)} information"


class LawfulBasis(models.TextChoices):
    CRIME_AND_DISORDER_ACT_S115 = (
        "crime_and_disorder_act_s115",
        "Crime and Disorder Act 1998, section 115",
    )
    DPA_2018_PART_3 = (
        "dpa_2018_part_3_law_enforcement",
        "Data Protection Act 2018, Part 3 (law enforcement processing)",
    )
    UK_GDPR_PUBLIC_TASK = "uk_gdpr_6_1_e_public_task", "UK GDPR Article 6(1)(e): public task"
    CONSENT = "consent", "Consent"
    CHILDREN_ACT_2004 = (
        "children_act_2004_s10_s11",
        "Children Act 2004, sections 10 and 11",
    )
    OTHER_STATUTORY = "other_statutory", "Other statutory basis"


class DataSubject(StrEnum):
    """Whom a share is about: one child, one adult, or anyone (an extract holds many people)."""

    CHILD = "child"
    ADULT = "adult"
    ANYONE = "anyone"


class BasisSubjects(StrEnum):
    """Whom a lawful basis can support sharing about."""

    CHILDREN_ONLY = "children only"
    ADULTS_ONLY = "adults only"
    ANY = "any"

    def supports(self, subject: DataSubject) -> bool:
        if self is BasisSubjects.ANY:
            return True
        wanted = DataSubject.CHILD if self is BasisSubjects.CHILDREN_ONLY else DataSubject.ADULT
        return subject == wanted


@dataclass(frozen=True)
class BasisFit:
    """What a lawful basis can support: which categories of data, about whom, and why."""

    categories: frozenset[str]
    subjects: BasisSubjects
    reason: str  # why the limits are what they are; shown in refusals that they cause

    def category_gap(self, category: str) -> str:
        """Why the basis cannot support this category of data about anyone ("" when it can)."""
        if category not in self.categories:
            return f"cannot support {category_phrase(category)}: {self.reason}"
        return ""

    def gap(self, *, category: str, subject: DataSubject) -> str:
        """Why the basis cannot support this share ("" when it can)."""
        if unsupported := self.category_gap(category):
            return unsupported
        if not self.subjects.supports(subject):
            about = {
                DataSubject.CHILD: "this person is a child",
                DataSubject.ADULT: "this person is an adult",
                DataSubject.ANYONE: "the information may be about anyone",
            }[subject]
            why = f" ({self.reason})" if self.reason else ""
            return f"supports information about {self.subjects.value}{why}, and {about}"
        return ""


_EVERY_CATEGORY = frozenset(DataCategory.values)
_NOT_HEALTH = _EVERY_CATEGORY - {DataCategory.HEALTH}
_NO_ARTICLE_9 = (
    "health information is special category data, which needs a condition under UK GDPR "
    "Article 9 and the Data Protection Act 2018, section 10 and Schedule 1, and this basis "
    "provides none"
)
# Which data, about whom, each basis can support (ADR 0006, "Fit", gives the sources).
BASIS_FIT: dict[str, BasisFit] = {
    LawfulBasis.CRIME_AND_DISORDER_ACT_S115: BasisFit(
        _NOT_HEALTH, BasisSubjects.ANY, _NO_ARTICLE_9
    ),
    LawfulBasis.DPA_2018_PART_3: BasisFit(_EVERY_CATEGORY, BasisSubjects.ANY, ""),
    LawfulBasis.UK_GDPR_PUBLIC_TASK: BasisFit(_NOT_HEALTH, BasisSubjects.ANY, _NO_ARTICLE_9),
    LawfulBasis.CONSENT: BasisFit(_EVERY_CATEGORY, BasisSubjects.ANY, ""),
    LawfulBasis.CHILDREN_ACT_2004: BasisFit(
        _EVERY_CATEGORY,
        BasisSubjects.CHILDREN_ONLY,
        "its duties are to safeguard and promote the welfare of children",
    ),
    LawfulBasis.OTHER_STATUTORY: BasisFit(_EVERY_CATEGORY, BasisSubjects.ANY, ""),
}


class AgreementStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not yet in force"
    ACTIVE = "active", "Active"
    DUE_FOR_REVIEW = "due_for_review", "Due for review"
    EXPIRED = "expired", "Expired"


class DataSharingAgreement(models.Model):
    """An information sharing agreement (or protocol) between partner agencies.

    Not personal data: administrators manage agreements; the sharing rules read them.
    """

    reference = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    parties = models.ManyToManyField("agencies.Agency", related_name="sharing_agreements")
    # A list of DataCategory values. Agreements are few, so categories are checked in Python.
    data_categories = models.JSONField(default=list)
    lawful_basis = models.CharField(max_length=40, choices=LawfulBasis.choices)
    lawful_basis_detail = models.CharField(
        max_length=300,
        blank=True,
        help_text="The statute and section, when the basis is another statutory power",
    )
    purpose = models.TextField(max_length=2000)
    start_date = models.DateField()
    review_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # An agreement widened in administration waits, unapproved, until a second administrator
    # approves it (ADR 0011). Agreements made in code (setup, demo, tests) start approved.
    approved_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The administrator who last added or widened it",
    )

    class Meta:
        ordering = ["reference"]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    @property
    def approved(self) -> bool:
        return self.approved_at is not None

    def in_force(self, on: date) -> bool:
        """Approved, started, and not ended. An agreement waiting for approval covers nothing."""
        return (
            self.approved
            and self.start_date <= on
            and (self.end_date is None or on <= self.end_date)
        )

    def status_on(self, on: date) -> AgreementStatus:
        if on < self.start_date:
            return AgreementStatus.NOT_STARTED
        if self.end_date is not None and on > self.end_date:
            return AgreementStatus.EXPIRED
        if on >= self.review_date:
            return AgreementStatus.DUE_FOR_REVIEW
        return AgreementStatus.ACTIVE

    @property
    def status(self) -> AgreementStatus:
        return self.status_on(timezone.localdate())

    def covers_category(self, category: str) -> bool:
        return category in self.data_categories

    def basis_gap(self, *, category: str, subject: DataSubject) -> str:
        """Why the agreement's lawful basis cannot support this share ("" when it can)."""
        return BASIS_FIT[self.lawful_basis].gap(category=category, subject=subject)

    @property
    def basis_label(self) -> str:
        label = LawfulBasis(self.lawful_basis).label
        if self.lawful_basis == LawfulBasis.OTHER_STATUTORY and self.lawful_basis_detail:
            return f"{label}: {self.lawful_basis_detail}"
        return str(label)


class PublicInterestDecision(models.Model):
    """A recorded decision that sharing one person's information is in the public interest.

    Covers only its person, its categories, and the agencies it names (no recipient agency
    means the partnership as a whole).
    """

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="public_interest_decisions"
    )
    from_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: shared with the partnership",
    )
    data_categories = models.JSONField(default=list)
    description = models.TextField(max_length=2000, help_text="What is shared")
    reason = models.TextField(max_length=4000, help_text="Why sharing is in the public interest")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"Public-interest decision {self.pk} about person {self.person_id}"

    @property
    def recipient(self) -> str:
        return str(self.to_agency) if self.to_agency is not None else "The partnership"

    def category_labels(self) -> list[str]:
        return [str(DataCategory(c).label) for c in self.data_categories if c in DataCategory]


class BasisKind(models.TextChoices):
    AGREEMENT = "agreement", "Data sharing agreement"
    CONSENT = "consent", "Consent"
    PUBLIC_INTEREST = "public_interest", "Public-interest decision"


class Disclosure(models.Model):
    """One share of a person's information between agencies. Never holds the content."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="disclosures"
    )
    category = models.CharField(max_length=20, choices=DataCategory.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField()
    from_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    basis_kind = models.CharField(max_length=20, choices=BasisKind.choices)
    agreement = models.ForeignKey(
        DataSharingAgreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disclosures",
    )
    decision = models.ForeignKey(
        PublicInterestDecision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disclosures",
    )
    consent_reference = models.CharField(
        max_length=40, blank=True, help_text="The referral that recorded the person's consent"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="disclosure_basis_is_recorded",
                condition=(
                    models.Q(basis_kind="agreement", agreement__isnull=False)
                    | models.Q(basis_kind="public_interest", decision__isnull=False)
                    | (models.Q(basis_kind="consent") & ~models.Q(consent_reference=""))
                ),
            )
        ]

    def __str__(self) -> str:
        return f"Disclosure {self.pk}: {self.category} {self.from_agency_id}→{self.to_agency_id}"

    @property
    def basis_description(self) -> str:
        if self.basis_kind == BasisKind.AGREEMENT and self.agreement is not None:
            return f"Agreement {self.agreement.reference} ({self.agreement.basis_label})"
        if self.basis_kind == BasisKind.PUBLIC_INTEREST and self.decision is not None:
            decided = self.decision.decided_at
            return f"Public-interest decision of {decided.day} {decided:%B %Y}"
        return f"Consent (referral {self.consent_reference})"
