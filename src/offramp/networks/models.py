"""Organised crime groups, the people linked to them, and typed, dated ties between people.

Every link between a person and a group says how they are linked (DPA 2018 s.38: at risk,
victim, suspect or offender, witness, associate). Only a suspect or offender holds a role in a
group, so a victim exploited by a group is never recorded, shown or exported as one of its
members (the database refuses it). Tie types and roles are the network engine's own
(`offramp.analysis.network`), so what is recorded is exactly what is analysed.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from offramp.analysis.network import CONFIDENCE_LEVELS, MembershipRole, TieType
from offramp.people.models import PersonCategory


class GroupStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    DORMANT = "dormant", "Dormant"
    DISRUPTED = "disrupted", "Disrupted"


ROLE_LABELS: dict[str, str] = {
    MembershipRole.PRINCIPAL: "Principal",
    MembershipRole.CORE: "Core member",
    MembershipRole.PERIPHERAL: "Peripheral member",
    MembershipRole.ENABLER: "Enabler",
}
# Read from the first person to the second: "Family: parent of" means the first person is the
# parent.
TIE_TYPE_LABELS: dict[str, str] = {
    TieType.FAMILY_PARENT: "Family: parent of",
    TieType.FAMILY_CHILD: "Family: child of",
    TieType.FAMILY_SIBLING: "Family: sibling",
    TieType.FAMILY_OTHER: "Family: other relative",
    TieType.INTIMATE_PARTNER: "Intimate partner",
    TieType.ASSOCIATE_PEER: "Associate: friend or peer",
    TieType.ASSOCIATE_COLLEAGUE: "Associate: colleague",
    TieType.ASSOCIATE_CLIENT: "Associate: client",
    TieType.ASSOCIATE_NEIGHBOUR: "Associate: neighbour",
    TieType.CO_OFFENDER: "Co-offender",
    TieType.PRISON: "Prison: same establishment at the same time",
    TieType.ONLINE_COMMUNITY: "Online: same community",
    TieType.ONLINE_PLATFORM: "Online: in contact through a platform",
    TieType.BUSINESS: "Business",
}
CONFIDENCE_LABELS: dict[str, str] = {"high": "High", "medium": "Medium", "low": "Low"}
ROLE_CHOICES = [(role.value, ROLE_LABELS[role]) for role in MembershipRole]
TIE_TYPE_CHOICES = [(tie.value, TIE_TYPE_LABELS[tie]) for tie in TieType]
CONFIDENCE_CHOICES = [(level, CONFIDENCE_LABELS[level]) for level in CONFIDENCE_LEVELS]


class OrganisedCrimeGroup(models.Model):
    reference = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    crime_types = models.JSONField(default=list, blank=True, help_text="Framework crime types")
    countries = models.JSONField(
        default=list, blank=True, help_text="Countries the group is linked to (ISO codes)"
    )
    status = models.CharField(max_length=20, choices=GroupStatus.choices)
    source_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(max_length=4000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["reference"]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"


class GroupMembership(models.Model):
    """A person's link to a group: how they are linked, and a role only for suspects."""

    group = models.ForeignKey(
        OrganisedCrimeGroup, on_delete=models.PROTECT, related_name="memberships"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="group_memberships"
    )
    category = models.CharField(max_length=30, choices=PersonCategory.choices)
    role = models.CharField(max_length=20, choices=ROLE_CHOICES, blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    source_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    confidence = models.CharField(max_length=10, choices=CONFIDENCE_CHOICES)
    note = models.TextField(max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "person"],
                condition=Q(ended_on__isnull=True),
                name="one_open_link_per_person_and_group",
            ),
            models.CheckConstraint(
                name="group_role_only_for_suspects_or_offenders",
                condition=(Q(category=PersonCategory.SUSPECT_OR_OFFENDER) & ~Q(role=""))
                | (~Q(category=PersonCategory.SUSPECT_OR_OFFENDER) & Q(role="")),
            ),
            models.CheckConstraint(
                name="membership_ends_after_it_starts",
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=F("started_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.group_id} ({self.category})"

    @property
    def link_label(self) -> str:
        """How the person is linked, for pages and exports: a role only for suspects."""
        if self.role:
            return ROLE_LABELS[self.role]
        return PersonCategory(self.category).label


class Relationship(models.Model):
    """A tie between two people, read from `person_a` to `person_b`."""

    person_a = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="relationships_as_first"
    )
    person_b = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="relationships_as_second"
    )
    tie_type = models.CharField(max_length=30, choices=TIE_TYPE_CHOICES)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    source_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    confidence = models.CharField(max_length=10, choices=CONFIDENCE_CHOICES)
    # Recorded strength (calls between them, say); only community detection reads it.
    weight = models.FloatField(default=1.0)
    note = models.TextField(max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                name="relationship_between_two_people", condition=~Q(person_a=F("person_b"))
            ),
            models.CheckConstraint(
                name="relationship_ends_after_it_starts",
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=F("started_on")),
            ),
            models.CheckConstraint(name="relationship_weight_positive", condition=Q(weight__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.person_a_id} {self.tie_type} {self.person_b_id}"


class DismissedSuggestion(models.Model):
    """A coordinator's rejection of a network suggestion for one factor of an assessment."""

    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="+"
    )
    factor_id = models.CharField(max_length=60)
    # The person's own tie, the first on the suggestion's path: it identifies the suggestion.
    relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE, related_name="+")
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    dismissed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "factor_id", "relationship"],
                name="one_dismissal_per_suggestion",
            )
        ]

    def __str__(self) -> str:
        return f"{self.factor_id} on assessment {self.assessment_id}"


class NamingPurpose(models.Model):
    """An analyst's stated reason to read names on the network pages, for a limited time.

    Analysts see pseudonyms unless one of their purposes is in force (offramp.access.naming);
    children stay pseudonymous unless the purpose says, as a separate choice, that it covers
    them. Stating one is logged in the access log.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="naming_purposes"
    )
    text = models.TextField(max_length=1000)
    covers_children = models.BooleanField(default=False)
    stated_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-stated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="naming_purpose_expires_after_it_is_stated",
                condition=Q(expires_at__gt=F("stated_at")),
            )
        ]

    def __str__(self) -> str:
        return f"Naming purpose {self.pk} of user {self.user_id}"
