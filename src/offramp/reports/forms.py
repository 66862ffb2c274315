"""The reporting period: chosen with GOV.UK date inputs, carried in links as ?from=&to=."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from offramp.dates import add_years
from offramp.web.forms import DateInputField, GovukForm

# The longest period a profile covers: the survival curves and rates need no more, and a
# bounded period keeps one request's work bounded.
LONGEST_PERIOD_YEARS = 10


def check_period(start: datetime.date, end: datetime.date) -> dict[str, str]:
    """Errors by field ("start"/"end") for a period, empty when it is fine."""
    today = timezone.localdate()
    if start > today:
        return {"start": "The start date must be today or in the past"}
    if end > today:
        return {"end": "The end date must be today or in the past"}
    if end < start:
        return {"end": "The end date must be the same as or after the start date"}
    if end > add_years(start, LONGEST_PERIOD_YEARS):
        return {"end": f"The period must be {LONGEST_PERIOD_YEARS} years or shorter"}
    return {}


def default_period() -> tuple[datetime.date, datetime.date]:
    """The last twelve months, ending today."""
    today = timezone.localdate()
    return add_years(today, -1) + datetime.timedelta(days=1), today


class PeriodForm(GovukForm):
    """On the reports page: day, month and year boxes for each end of the period."""

    start = DateInputField(label="Start date")
    end = DateInputField(label="End date")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, datetime.date) and isinstance(end, datetime.date):
            for field, message in check_period(start, end).items():
                self.add_error(field, message)
        return data


class PeriodQuery(forms.Form):
    """The period in a report's link: ?from=YYYY-MM-DD&to=YYYY-MM-DD."""

    def __init__(self, data: object) -> None:
        super().__init__(data)  # type: ignore[arg-type]
        for name, label in (("from", "start"), ("to", "end")):
            self.fields[name] = forms.DateField(
                input_formats=["%Y-%m-%d"],
                error_messages={
                    "required": f"Give the {label} date as YYYY-MM-DD",
                    "invalid": f"The {label} date must be a real date written as YYYY-MM-DD",
                },
            )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("from"), data.get("to")
        if isinstance(start, datetime.date) and isinstance(end, datetime.date):
            for field, message in check_period(start, end).items():
                self.add_error("from" if field == "start" else "to", message)
        return data

    def period(self) -> tuple[datetime.date, datetime.date]:
        return self.cleaned_data["from"], self.cleaned_data["to"]

    def problems(self) -> list[str]:
        return [str(message) for messages in self.errors.values() for message in messages]


def period_query_string(start: datetime.date, end: datetime.date) -> str:
    return f"from={start.isoformat()}&to={end.isoformat()}"


def raise_for_period(start: datetime.date, end: datetime.date) -> None:
    """For the command line: the same rules as the pages, as one ValidationError."""
    problems = check_period(start, end)
    if problems:
        raise ValidationError(list(problems.values()))
