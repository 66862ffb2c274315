"""Forms for the catalogue pages. They parse input; the services check the rules."""

from dataclasses import replace
from typing import Any

from django import forms

from offramp.agencies.models import Agency
from offramp.framework import Framework
from offramp.web.forms import GovukForm

from .catalogue import OLDEST_AGE
from .models import EvidenceStrength
from .services import ProgrammeDetails

INCLUDE_RETIRED = "yes"


def _age_field(label: str, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=OLDEST_AGE,
        error_messages={
            "invalid": f"{label} must be a whole number, like 16",
            "min_value": f"{label} must be 0 or more",
            "max_value": f"{label} must be {OLDEST_AGE} or less",
        },
        **kwargs,
    )


class CatalogueFilterForm(GovukForm):
    kind = forms.ChoiceField(label="Kind", required=False)
    crime_type = forms.ChoiceField(label="Crime type", required=False)
    factor_id = forms.ChoiceField(label="Risk factor it addresses", required=False)
    age = _age_field("Open to someone aged")
    include_retired = forms.MultipleChoiceField(
        label="Retired programmes",
        required=False,
        choices=[(INCLUDE_RETIRED, "Include retired programmes")],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, framework: Framework, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = {
            "kind": ("Any kind", framework.intervention_kinds),
            "crime_type": ("Any crime type", framework.crime_types),
            "factor_id": ("Any factor", framework.factors),
        }
        for name, (anything, items) in choices.items():
            self.fields[name].choices = [("", anything), *((i.id, i.name) for i in items)]  # type: ignore[attr-defined]


class ProgrammeForm(GovukForm):
    """A local programme: everything the catalogue holds about it."""

    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the programme's name"}
    )
    description = forms.CharField(
        label="What it does",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Describe the programme"},
    )
    delivered_by = forms.CharField(
        label="Who delivers it",
        max_length=200,
        help_text="For example, Hartmoor Youth Offending Service with the Eastfield Boxing Club",
        error_messages={"required": "Say who delivers it"},
    )
    provider = forms.ModelChoiceField(
        label="Partner agency that provides it",
        queryset=Agency.objects.filter(active=True),
        required=False,
        empty_label="Not one of the partner agencies",
    )
    kind = forms.ChoiceField(
        label="Kind of intervention", error_messages={"required": "Select the kind of intervention"}
    )
    factor_ids = forms.MultipleChoiceField(
        label="Risk factors it addresses",
        widget=forms.CheckboxSelectMultiple,
        help_text="Only the factors it is designed to work on: suggestions rank by them.",
        error_messages={"required": "Select the risk factors the programme addresses"},
    )
    crime_types = forms.MultipleChoiceField(
        label="Crime types it works with",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Leave all unticked if it works with any crime type.",
    )
    min_age = _age_field("Youngest age", help_text="Leave empty if there is no lower limit.")
    max_age = _age_field("Oldest age", help_text="Leave empty if there is no upper limit.")
    eligibility = forms.CharField(
        label="Other conditions to check (optional)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, only for people on a court order. Never sex or ethnicity.",
    )
    capacity = forms.IntegerField(
        label="Number of places",
        required=False,
        min_value=1,
        help_text="Leave empty if there is no fixed number of places.",
        error_messages={
            "invalid": "The number of places must be a whole number, like 12",
            "min_value": "The number of places must be 1 or more",
        },
    )
    evidence_strength = forms.ChoiceField(
        label="Strength of the evidence for it",
        choices=EvidenceStrength.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the strength of the evidence for it"},
    )
    evidence_note = forms.CharField(
        label="What the evidence is",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Name the evaluation and what it found, or say there is none yet.",
    )

    def __init__(self, *args: Any, framework: Framework, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [  # type: ignore[attr-defined]
            ("", "Select a kind"),
            *((kind.id, kind.name) for kind in framework.intervention_kinds),
        ]
        self.fields["factor_ids"].choices = [(f.id, f.name) for f in framework.factors]  # type: ignore[attr-defined]
        self.fields["crime_types"].choices = [(c.id, c.name) for c in framework.crime_types]  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(details: ProgrammeDetails) -> dict[str, object]:
        values = details.model_values()
        values["provider"] = details.provider.pk if details.provider else None
        return values

    def details(self) -> ProgrammeDetails:
        data = self.cleaned_data
        return ProgrammeDetails(
            name=data["name"],
            description=data["description"],
            delivered_by=data["delivered_by"],
            kind=data["kind"],
            factor_ids=tuple(data["factor_ids"]),
            evidence_strength=data["evidence_strength"],
            provider=data["provider"],
            min_age=data["min_age"],
            max_age=data["max_age"],
            crime_types=tuple(data["crime_types"]),
            capacity=data["capacity"],
            evidence_note=data["evidence_note"],
            eligibility=data["eligibility"],
        )


class LocalArrangementsForm(GovukForm):
    """A national programme: the area sets only who provides it here and its places."""

    provider = ProgrammeForm.base_fields["provider"]
    capacity = ProgrammeForm.base_fields["capacity"]

    def details(self, current: ProgrammeDetails) -> ProgrammeDetails:
        return replace(
            current, provider=self.cleaned_data["provider"], capacity=self.cleaned_data["capacity"]
        )


class RetireForm(GovukForm):
    reason = forms.CharField(
        label="Why is the programme being retired?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, funding ended in March 2026. This stays on the programme's page.",
        error_messages={"required": "Enter why the programme is being retired"},
    )
