"""People held by the partnership, their other names and the identifiers agencies use.

Sex and ethnicity are recorded for equality monitoring only: no rule, score or suggestion
reads them (tests/test_no_protected_inputs.py enforces this).
"""

from django.db import models
from django.utils import timezone

from offramp.analysis.names import name_sound, normalise_name
from offramp.dates import age_on


class PersonCategory(models.TextChoices):
    """DPA 2018 s.38: how a person is linked to a case or group. A victim is never an offender."""

    AT_RISK = "at_risk", "At risk"
    VICTIM = "victim", "Victim"
    SUSPECT_OR_OFFENDER = "suspect_or_offender", "Suspect or offender"
    WITNESS = "witness", "Witness"
    ASSOCIATE = "associate", "Associate"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NOT_KNOWN = "not_known", "Not known"


class Ethnicity(models.TextChoices):
    """England and Wales 2021 census categories, plus not known / not stated."""

    ASIAN_BANGLADESHI = "asian_bangladeshi", "Asian, Asian British or Asian Welsh: Bangladeshi"
    ASIAN_CHINESE = "asian_chinese", "Asian, Asian British or Asian Welsh: Chinese"
    ASIAN_INDIAN = "asian_indian", "Asian, Asian British or Asian Welsh: Indian"
    ASIAN_PAKISTANI = "asian_pakistani", "Asian, Asian British or Asian Welsh: Pakistani"
    ASIAN_OTHER = "asian_other", "Asian, Asian British or Asian Welsh: Other Asian"
    BLACK_AFRICAN = (
        "black_african",
        "Black, Black British, Black Welsh, Caribbean or African: African",
    )
    BLACK_CARIBBEAN = (
        "black_caribbean",
        "Black, Black British, Black Welsh, Caribbean or African: Caribbean",
    )
    BLACK_OTHER = (
        "black_other",
        "Black, Black British, Black Welsh, Caribbean or African: Other Black",
    )
    MIXED_WHITE_ASIAN = "mixed_white_asian", "Mixed or Multiple: White and Asian"
    MIXED_WHITE_BLACK_AFRICAN = (
        "mixed_white_black_african",
        "Mixed or Multiple: White and Black African",
    )
    MIXED_WHITE_BLACK_CARIBBEAN = (
        "mixed_white_black_caribbean",
        "Mixed or Multiple: White and Black Caribbean",
    )
    MIXED_OTHER = "mixed_other", "Mixed or Multiple: Other Mixed or Multiple"
    WHITE_BRITISH = (
        "white_english_welsh_scottish_ni_british",
        "White: English, Welsh, Scottish, Northern Irish or British",
    )
    WHITE_IRISH = "white_irish", "White: Irish"
    WHITE_GYPSY_IRISH_TRAVELLER = "white_gypsy_irish_traveller", "White: Gypsy or Irish Traveller"
    WHITE_ROMA = "white_roma", "White: Roma"
    WHITE_OTHER = "white_other", "White: Other White"
    OTHER_ARAB = "other_arab", "Other ethnic group: Arab"
    OTHER_ANY = "other_any", "Other ethnic group: Any other ethnic group"
    NOT_STATED = "not_stated", "Not stated"
    NOT_KNOWN = "not_known", "Not known"


class IdentifierType(models.TextChoices):
    PNC = "pnc", "Police National Computer ID"
    NHS_NUMBER = "nhs_number", "NHS number"
    UPN = "upn", "Unique pupil number"
    SOCIAL_CARE_ID = "social_care_id", "Social care ID"
    YOS_ID = "yos_id", "Youth offending service ID"
    PRISON_NUMBER = "prison_number", "Prison number"
    PROBATION_CRN = "probation_crn", "Probation case reference"
    OTHER = "other", "Other"


class Person(models.Model):
    given_name = models.CharField(max_length=100)
    middle_names = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=12, choices=Sex.choices, default=Sex.NOT_KNOWN)
    ethnicity = models.CharField(
        max_length=48, choices=Ethnicity.choices, default=Ethnicity.NOT_KNOWN
    )
    nationality = models.CharField(max_length=2, blank=True, help_text="ISO 3166 alpha-2")
    linked_countries = models.JSONField(
        default=list, blank=True, help_text="Other countries the person is linked to (ISO codes)"
    )
    area = models.CharField(max_length=100, blank=True, help_text="Ward or neighbourhood")
    postcode_district = models.CharField(max_length=8, blank=True)
    created_by_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="people_created"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when a reviewer found this record to be the same person as another: everything that
    # referred to it moved there (index.PersonMerge says exactly what), and it leaves search
    # and lists until un-merged.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_people",
        editable=False,
    )

    # Search keys, kept in step with the names by save().
    given_name_key = models.CharField(max_length=100, editable=False, db_index=True)
    family_name_key = models.CharField(max_length=100, editable=False, db_index=True)
    family_name_sound = models.CharField(max_length=12, editable=False, db_index=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [models.Index(fields=["date_of_birth"])]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: object, **kwargs: object) -> None:
        self.set_search_keys()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def set_search_keys(self) -> "Person":
        """Keeps the search keys in step with the names; bulk_create does not call save()."""
        self.given_name_key = normalise_name(self.given_name)
        self.family_name_key = normalise_name(self.family_name)
        self.family_name_sound = name_sound(self.family_name)
        return self

    @property
    def age(self) -> int:
        return age_on(self.date_of_birth, timezone.localdate())

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.middle_names, self.family_name) if p)


class AliasKind(models.TextChoices):
    ALIAS = "alias", "Alias"
    PREVIOUS_NAME = "previous_name", "Previous name"
    NICKNAME = "nickname", "Nickname or street name"
    SPELLING = "spelling", "Other spelling"


class PersonAlias(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=20, choices=AliasKind.choices, default=AliasKind.ALIAS)
    recorded_by_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT)
    family_name_key = models.CharField(max_length=100, editable=False, db_index=True)
    family_name_sound = models.CharField(max_length=12, editable=False, db_index=True)

    class Meta:
        verbose_name_plural = "aliases"

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    def save(self, *args: object, **kwargs: object) -> None:
        self.family_name_key = normalise_name(self.family_name)
        self.family_name_sound = name_sound(self.family_name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class AgencyIdentifier(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT)
    identifier_type = models.CharField(max_length=20, choices=IdentifierType.choices)
    value = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "identifier_type", "value"], name="unique_agency_identifier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_identifier_type_display()} {self.value}"
