"""Forms for the people pages. They parse input; the services validate rules and write."""

from django import forms

from offramp.web.forms import DateInputField, GovukForm


class PersonSearchForm(GovukForm):
    given_name = forms.CharField(label="First name", max_length=100, required=False)
    family_name = forms.CharField(
        label="Last name",
        max_length=100,
        error_messages={"required": "Enter a last name to search for"},
    )
    date_of_birth = DateInputField(label="Date of birth", required=False)
