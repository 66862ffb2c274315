"""Forms for the export pages. They parse input; the export service checks the rules."""

from django import forms

from offramp.web.forms import GovukForm

from .services import JUSTIFICATION_MAX, PURPOSE_MAX, REASON_MAX


class ExportRequestForm(GovukForm):
    purpose = forms.CharField(
        label="What is the export for?",
        max_length=PURPOSE_MAX,
        help_text=(
            "For example, 'Panel meeting on 12 March' or 'Subject access request received on "
            "3 March'. It is printed on the file and kept with the record of the export. Do not "
            "include anyone's name."
        ),
        error_messages={"required": "Enter what the export is for"},
    )
    justification = forms.CharField(
        label="Why do you need it today?",
        required=False,
        max_length=JUSTIFICATION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The person who approves the export reads this.",
    )


class DecisionForm(GovukForm):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("approve", "Approve the export"), ("refuse", "Refuse the export")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you approve or refuse the export"},
    )
    reason = forms.CharField(
        label="Reason for your decision",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The person who asked sees this.",
        error_messages={"required": "Enter the reason for your decision"},
    )
