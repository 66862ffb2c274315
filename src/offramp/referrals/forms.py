"""Forms for the referral pages. They parse input; the services validate rules and write."""

from django import forms

from offramp.agencies.models import Agency
from offramp.framework import Factor
from offramp.web.forms import DateInputField, GovukForm

from .models import ClosureReason, ConsentStatus


def factor_choices(factors: list[Factor]) -> list[tuple[str, str]]:
    return [(factor.id, factor.name) for factor in factors]


class ReferralForm(GovukForm):
    given_name = forms.CharField(
        label="First name",
        max_length=100,
        error_messages={"required": "Enter the person's first name"},
    )
    family_name = forms.CharField(
        label="Last name",
        max_length=100,
        error_messages={"required": "Enter the person's last name"},
    )
    date_of_birth = DateInputField(label="Date of birth")
    area = forms.CharField(label="Where they live (area or ward)", max_length=100, required=False)
    concern = forms.CharField(
        label="What worries you about this person?",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=4000,
        error_messages={"required": "Describe what worries you about this person"},
    )
    factor_ids = forms.MultipleChoiceField(
        label="Which of these have you seen?", required=False, widget=forms.CheckboxSelectMultiple
    )
    consent = forms.ChoiceField(
        label="Has the person (or, for a child, a parent or carer) agreed to this referral?",
        choices=ConsentStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the person has consented to this referral"},
    )

    def __init__(self, *args: object, factors: list[Factor], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["factor_ids"].choices = factor_choices(factors)  # type: ignore[attr-defined]


class CloseReferralForm(GovukForm):
    reason = forms.ChoiceField(
        label="Why is the referral being closed?",
        choices=ClosureReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why the referral is being closed"},
    )


class ReferralFilterForm(GovukForm):
    name = forms.CharField(label="Name", required=False, max_length=100)
    status = forms.ChoiceField(label="Status", required=False)
    agency = forms.ModelChoiceField(
        label="Referring agency",
        queryset=Agency.objects.all(),
        required=False,
        empty_label="Any agency",
    )
    received_from = DateInputField(label="Received from", required=False)
    received_to = DateInputField(label="Received to", required=False)
