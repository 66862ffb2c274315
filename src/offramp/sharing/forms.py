"""Forms for the public-interest sharing pages. They parse input; the services validate and
write."""

from django import forms

from offramp.agencies.models import Agency
from offramp.web.forms import GovukForm

from .models import DataCategory


class PublicInterestDecisionForm(GovukForm):
    from_agency = forms.ModelChoiceField(
        label="Whose information is shared?",
        queryset=Agency.objects.filter(active=True),
        empty_label="Select an agency",
        error_messages={"required": "Select the agency whose information is shared"},
    )
    to_agency = forms.ModelChoiceField(
        label="Who receives it?",
        queryset=Agency.objects.filter(active=True),
        required=False,
        empty_label="The partnership (every partner agency)",
    )
    data_categories = forms.MultipleChoiceField(
        label="What kinds of information?",
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the kinds of information shared"},
    )
    description = forms.CharField(
        label="What is shared",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Describe what is shared"},
    )
    reason = forms.CharField(
        label="Why is sharing in the public interest?",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=4000,
        error_messages={"required": "Explain why sharing is in the public interest"},
    )
