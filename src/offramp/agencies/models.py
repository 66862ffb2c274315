"""The partner agencies of a local SOC Prevent partnership (guide ¶1.15–1.16)."""

from django.db import models


class AgencyKind(models.TextChoices):
    POLICE = "police", "Police"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
    COMMUNITY_SAFETY = "community_safety", "Community safety partnership"
    LICENSING_TRADING_STANDARDS = "licensing_trading_standards", "Licensing and trading standards"
    HEALTH = "health", "Health"
    PROBATION = "probation", "Probation"
    YOUTH_OFFENDING = "youth_offending", "Youth offending service"
    PRISON = "prison", "Prison"
    SCHOOL = "school", "School"
    COLLEGE = "college", "College"
    UNIVERSITY = "university", "University"
    VOLUNTARY = "voluntary", "Voluntary and community group"
    FAMILIES_PROGRAMME = "families_programme", "Families programme"
    HOUSING = "housing", "Housing"
    JOB_CENTRE = "job_centre", "Jobcentre"
    OTHER = "other", "Other"


class Agency(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40, choices=AgencyKind.choices)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name
