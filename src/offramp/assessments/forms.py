"""Forms for the assessment pages. They parse input; the services validate rules and write."""

from django import forms

from offramp.agencies.models import Agency
from offramp.framework import Factor
from offramp.web.forms import DateInputField, GovukForm

from .models import Judgement, OverallConcern


def category_form_class(factors: list[Factor]) -> type[GovukForm]:
    """A form with, for each factor of one category, a judgement and its evidence."""
    fields: dict[str, forms.Field] = {}
    agency_queryset = Agency.objects.filter(active=True)
    for factor in factors:
        fields[f"{factor.id}-judgement"] = forms.ChoiceField(
            label=factor.name,
            choices=Judgement.choices,
            widget=forms.RadioSelect,
            error_messages={"required": f"Select a judgement for {factor.name.lower()}"},
        )
        fields[f"{factor.id}-evidence"] = forms.CharField(
            label="Evidence",
            widget=forms.Textarea(attrs={"rows": 3}),
            required=False,
            max_length=2000,
        )
        fields[f"{factor.id}-source_agency"] = forms.ModelChoiceField(
            label="Agency the evidence came from",
            queryset=agency_queryset,
            required=False,
            empty_label="Select an agency",
        )
        fields[f"{factor.id}-evidence_date"] = DateInputField(
            label="Date of the evidence", required=False
        )
        fields[f"{factor.id}-note"] = forms.CharField(
            label="Your note",
            widget=forms.Textarea(attrs={"rows": 2}),
            required=False,
            max_length=2000,
        )
    return type("CategoryForm", (GovukForm,), fields)


class AssessmentSummaryForm(GovukForm):
    protective_factors = forms.CharField(
        label="Protective factors",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=4000,
    )
    overall_concern = forms.ChoiceField(
        label="Overall judgement",
        choices=OverallConcern.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select your overall judgement"},
    )
    summary = forms.CharField(
        label="Summary of your judgement",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=4000,
        error_messages={"required": "Write a summary of your judgement"},
    )
    changes_note = forms.CharField(
        label="What has changed since the previous assessment?",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
    )
