"""Forms of the person index pages."""

from django import forms

from offramp.people.forms import PersonSearchForm
from offramp.web.forms import GovukForm


class KnownSearchForm(PersonSearchForm):
    """Find a person: the model also compares the postcode when one is given."""

    postcode = forms.CharField(label="Postcode", max_length=10, required=False)


class ReviewDecisionForm(GovukForm):
    decision = forms.ChoiceField(
        label="Are these the same person?",
        choices=[
            ("accept", "Yes, the same person: link them"),
            ("reject", "No, different people: never link them"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether these are the same person"},
    )
    note = forms.CharField(
        label="Note (optional)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you checked, for whoever reads this decision later",
    )


class MergeForm(GovukForm):
    other = forms.IntegerField(
        label="Record number of the other person",
        min_value=1,
        max_value=2**31 - 1,
        error_messages={"required": "Enter the record number of the other person"},
        help_text="Everything held about that person moves to this one. It can be undone.",
    )
    reason = forms.CharField(
        label="Why are they the same person?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why they are the same person"},
    )


class UnmergeForm(GovukForm):
    reason = forms.CharField(
        label="Why are they different people?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why they are different people"},
    )


class FollowUpForm(GovukForm):
    note = forms.CharField(
        label="What you did (optional)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example, asked them to make a referral",
    )
