"""The form for importing an extract. It parses input; the services check the rules."""

from django import forms

from offramp.agencies.models import Agency
from offramp.web.forms import DateInputField, GovukForm

from .models import ExtractKind


class ImportForm(GovukForm):
    agency = forms.ModelChoiceField(
        label="Which agency's system is the extract from?",
        queryset=Agency.objects.filter(active=True),
        empty_label="Select an agency",
        error_messages={"required": "Select the agency the extract came from"},
    )
    kind = forms.ChoiceField(
        label="What kind of extract is it?",
        choices=[("", "Select a kind of extract"), *ExtractKind.choices],
        help_text="Each kind has its own columns: see the partner data formats in the user guide",
        error_messages={"required": "Select the kind of extract"},
    )
    extracted_on = DateInputField(
        label="Date the extract was taken", help_text="For example, 27 10 2026"
    )
    file = forms.FileField(
        label="Upload the extract",
        help_text="A CSV (UTF-8), Excel workbook (.xlsx) or JSON file with the kind's columns",
        error_messages={
            "required": "Select the extract file",
            "empty": "The selected file is empty",
        },
    )
