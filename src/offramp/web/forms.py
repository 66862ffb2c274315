"""What every page's forms share: GOV.UK date inputs, GOV.UK error messages and summaries,
and a service's refusal shown on the form. Each app's forms are in its own forms.py."""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError


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


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Attaches a service's field errors to the form's fields, the rest to the whole form."""
    for field, messages in error.message_dict.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
