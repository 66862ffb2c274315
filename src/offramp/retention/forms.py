"""Forms for the retention pages. They parse input; the services check the rules."""

from django import forms

from offramp.web.forms import DateInputField, GovukForm

from .models import ReviewStatus


class QueueFilterForm(GovukForm):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *ReviewStatus.choices],
    )
    rule_id = forms.ChoiceField(label="Rule", required=False)
    due_by = DateInputField(label="Due on or before", required=False)

    def __init__(
        self, *args: object, rules: list[tuple[str, str]] | None, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        if rules is None:
            # Choosing a rule would grade the records listed (a child, a possible victim).
            del self.fields["rule_id"]
        else:
            self.fields["rule_id"].choices = [("", "Any rule"), *rules]  # type: ignore[attr-defined]


class RetainForm(GovukForm):
    reason = forms.CharField(
        label="Why are these records still needed?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Say what the records are needed for. Do not repeat the concern itself.",
        error_messages={"required": "Enter why the records are still needed"},
    )
    until = DateInputField(label="Review again on")


class DisposeForm(GovukForm):
    confirm = forms.MultipleChoiceField(
        label="Confirm disposal",
        choices=[("yes", "I have checked this record and it is no longer needed")],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Confirm that the record is no longer needed"},
    )
