"""Area population denominators for the Local Profile's rates and disproportionality.

One row per (area, sex, age band, ethnicity) with the number of residents, loaded from a CSV
(docs/population.md). A load replaces the whole table, so the rates never mix two sources.
"""

from django.db import models
from django.utils import timezone


class PopulationEstimate(models.Model):
    area = models.CharField(max_length=100, help_text="Ward or neighbourhood, as people record it")
    sex = models.CharField(max_length=12)  # people.Sex
    age_band = models.CharField(max_length=8)  # analysis.profile.AGE_BANDS
    ethnicity = models.CharField(max_length=48)  # people.Ethnicity
    population = models.PositiveIntegerField()
    source = models.CharField(max_length=255, help_text="The file it was loaded from")
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["area", "sex", "age_band", "ethnicity"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "sex", "age_band", "ethnicity"], name="unique_population_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.sex} {self.age_band} {self.ethnicity}: {self.population}"
