"""Forms for the pages. They parse input; the services validate rules and write."""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from offramp.agencies.models import Agency
from offramp.assessments.models import Judgement, OverallConcern
from offramp.framework import Factor
from offramp.referrals.models import ClosureReason, ConsentStatus
from offramp.sharing.models import DataCategory


class DateInputWidget(forms.MultiWidget):
    """The GOV.UK date input: separate day, month and year boxes."""

    def __init__(self) -> None:
        super().__init__([forms.TextInput(), forms.TextInput(), forms.TextInput()])

    def decompress(self, value: datetime.date | None) -> list[object]:
        if value:
            return [value.day, value.month, value.year]
        return [None, None, None]


class DateInputField(forms.MultiValueField):
    widget = DateInputWidget

    def __init__(self, *, label: str, required: bool = True, **kwargs: Any) -> None:
        self.label_name = label
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        super().__init__(
            fields=fields, require_all_fields=False, required=required, label=label, **kwargs
        )

    def compress(self, data_list: list[str]) -> datetime.date | None:
        if not data_list or not any(data_list):
            return None
        day, month, year = (part.strip() if part else "" for part in data_list)
        missing = [
            name for name, part in (("day", day), ("month", month), ("year", year)) if not part
        ]
        if missing:
            raise ValidationError(f"{self.label_name} must include a {' and a '.join(missing)}")
        if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
            raise ValidationError(f"{self.label_name} must be a real date, with a 4-digit year")
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError as error:
            raise ValidationError(f"{self.label_name} must be a real date") from error

    def clean(self, value: list[str]) -> datetime.date | None:
        if self.required and (not value or not any(v and str(v).strip() for v in value)):
            raise ValidationError(f"Enter the {self.label_name.lower()}")
        return super().clean(value)


class GovukForm(forms.Form):
    """A form whose errors read as GOV.UK asks and can feed the error summary."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for field in self.fields.values():
            limit = getattr(field, "max_length", None)
            if limit:
                field.error_messages["max_length"] = (
                    f"{field.label} must be {limit} characters or fewer"
                )

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor id, message) for every error, in field order."""
        items = [("", str(message)) for message in self.non_field_errors()]
        for name, field in self.fields.items():
            multi = isinstance(
                field.widget, (forms.MultiWidget, forms.RadioSelect, forms.CheckboxSelectMultiple)
            )
            anchor = f"id_{name}_0" if multi else f"id_{name}"
            items.extend((anchor, str(message)) for message in self.errors.get(name, []))
        return items


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


class PersonSearchForm(GovukForm):
    given_name = forms.CharField(label="First name", max_length=100, required=False)
    family_name = forms.CharField(
        label="Last name",
        max_length=100,
        error_messages={"required": "Enter a last name to search for"},
    )
    date_of_birth = DateInputField(label="Date of birth", required=False)


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


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Attaches a service's field errors to the form's fields, the rest to the whole form."""
    for field, messages in error.message_dict.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
