"""Forms for the network pages. They parse input; the services check the rules."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from offramp.agencies.models import Agency
from offramp.analysis.network import TieType
from offramp.assessments.framework import current_framework
from offramp.cases.forms import CaseForm
from offramp.people.models import PersonCategory
from offramp.web.forms import DateInputField, GovukForm

from .models import CONFIDENCE_CHOICES, ROLE_CHOICES, TIE_TYPE_CHOICES, GroupStatus
from .selectors import NetworkView
from .services import (
    PURPOSE_MAX_DAYS,
    PURPOSE_TEXT_MAX,
    GroupDetails,
    MembershipDetails,
    RelationshipDetails,
)

DATE_HINT = "For example, 27 3 2024. Leave empty if not known."
RECORD_HINT = (
    "The number of the person's record in Offramp, shown on the network pages and on their record."
)


def _agency_field(label: str = "Which agency did the information come from?") -> forms.Field:
    return forms.ModelChoiceField(
        label=label,
        queryset=Agency.objects.filter(active=True),
        empty_label="Select an agency",
        error_messages={"required": "Select the agency the information came from"},
    )


def _confidence_field() -> forms.Field:
    return forms.ChoiceField(
        label="How confident is the source?",
        choices=CONFIDENCE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how confident the source is"},
    )


def _note_field(label: str = "Note (optional)", limit: int = 2000) -> forms.Field:
    return forms.CharField(
        label=label, required=False, max_length=limit, widget=forms.Textarea(attrs={"rows": 3})
    )


class GroupForm(CaseForm):
    reference = forms.CharField(
        label="Reference",
        max_length=40,
        help_text="The reference the partnership uses, for example OCG-HM-012",
        error_messages={"required": "Enter the group's reference"},
    )
    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="A neutral code name, never a person's name",
        error_messages={"required": "Enter the group's name"},
    )
    status = forms.ChoiceField(
        label="Status",
        choices=GroupStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the group is active, dormant or disrupted"},
    )
    crime_types = forms.MultipleChoiceField(
        label="Crime types", required=False, widget=forms.CheckboxSelectMultiple
    )
    countries = forms.CharField(
        label="Countries the group is linked to (optional)",
        required=False,
        max_length=200,
        help_text="Two-letter country codes separated by commas, for example NL, TR",
    )
    source_agency = _agency_field()
    notes = _note_field("Notes (optional)", 4000)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["crime_types"].choices = [  # type: ignore[attr-defined]
            (crime_type.id, crime_type.name) for crime_type in current_framework().crime_types
        ]

    def details(self) -> GroupDetails:
        data = self.cleaned_data
        countries = [code.strip().upper() for code in data["countries"].split(",")]
        return GroupDetails(
            reference=data["reference"],
            name=data["name"],
            status=data["status"],
            source_agency_id=data["source_agency"].pk,
            crime_types=tuple(data["crime_types"]),
            countries=tuple(code for code in countries if code),
            notes=data["notes"],
        )


class PersonNumberField(forms.IntegerField):
    def __init__(self, *, label: str) -> None:
        super().__init__(
            label=label,
            min_value=1,
            max_value=2**63 - 1,
            help_text=RECORD_HINT,
            error_messages={
                "required": f"Enter the {label.lower()}",
                "invalid": f"The {label.lower()} must be a number",
                "min_value": f"The {label.lower()} must be a number",
                "max_value": f"There is no {label.lower()} that large",
            },
        )


class MembershipForm(CaseForm):
    """A person's link to a group. The role shows under "suspect or offender" only."""

    person = PersonNumberField(label="Person's record number")
    category = forms.ChoiceField(
        label="How is the person linked to the group?",
        choices=PersonCategory.choices,
        widget=forms.RadioSelect,
        help_text="A victim exploited by the group is linked as a victim, never as a member.",
        error_messages={"required": "Select how the person is linked to the group"},
    )
    role = forms.ChoiceField(
        label="Their role in the group",
        choices=ROLE_CHOICES,
        required=False,
        widget=forms.RadioSelect,
    )
    started_on = DateInputField(label="Linked since", required=False, help_text=DATE_HINT)
    ended_on = DateInputField(
        label="Link ended on",
        required=False,
        help_text="Only if the link has ended. " + DATE_HINT,
    )
    source_agency = _agency_field()
    confidence = _confidence_field()
    note = _note_field()
    reveals = {"category": {PersonCategory.SUSPECT_OR_OFFENDER: ("role",)}}

    def __init__(self, *args: object, editing: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["person"]

    def details(self) -> MembershipDetails:
        data = self.cleaned_data
        return MembershipDetails(
            category=data["category"],
            role=data["role"] or "",
            started_on=data["started_on"],
            ended_on=data["ended_on"],
            source_agency_id=data["source_agency"].pk,
            confidence=data["confidence"],
            note=data["note"],
        )


class RelationshipForm(CaseForm):
    """A tie between two people, read from the first to the second."""

    first = PersonNumberField(label="First person's record number")
    tie_type = forms.ChoiceField(
        label="How is the first person related to the second?",
        choices=[("", "Select the kind of relationship"), *TIE_TYPE_CHOICES],
        help_text="Read from the first person: 'Family: parent of' means the first person is "
        "the parent.",
        error_messages={"required": "Select the kind of relationship"},
    )
    second = PersonNumberField(label="Second person's record number")
    started_on = DateInputField(label="Since", required=False, help_text=DATE_HINT)
    ended_on = DateInputField(
        label="Ended on", required=False, help_text="Only if it has ended. " + DATE_HINT
    )
    source_agency = _agency_field()
    confidence = _confidence_field()
    note = _note_field()

    def __init__(self, *args: object, editing: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["first"]
            del self.fields["second"]

    def details(self) -> RelationshipDetails:
        data = self.cleaned_data
        return RelationshipDetails(
            tie_type=data["tie_type"],
            started_on=data["started_on"],
            ended_on=data["ended_on"],
            source_agency_id=data["source_agency"].pk,
            confidence=data["confidence"],
            note=data["note"],
        )


class MapFilterForm(GovukForm):
    """Works as a plain GET form: the map and its tables are drawn from the same filters."""

    tie_types = forms.MultipleChoiceField(
        label="Kinds of tie",
        choices=TIE_TYPE_CHOICES,
        initial=[value for value, _ in TIE_TYPE_CHOICES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one kind of tie"},
    )
    as_of = DateInputField(label="As it stood on", required=False, help_text="Empty: today")

    def clean_as_of(self) -> datetime.date | None:
        day: datetime.date | None = self.cleaned_data["as_of"]
        if day is not None and day > timezone.localdate():
            raise ValidationError("As it stood on must be today or in the past")
        return day

    def view(self, today: datetime.date) -> NetworkView:
        """The filters asked for, or everything today when the form is not filled in."""
        if not self.is_bound or not self.is_valid():
            return NetworkView(as_of=today)
        data = self.cleaned_data
        return NetworkView(
            as_of=data["as_of"] or today,
            tie_types=frozenset(TieType(value) for value in data["tie_types"]),
        )


class PeripheryFilterForm(GovukForm):
    show = forms.ChoiceField(
        label="Show",
        choices=[
            ("no_open_case", "Only people with no open case"),
            ("everyone", "Everyone in the periphery"),
        ],
        widget=forms.RadioSelect,
        required=False,
    )


class NamingPurposeForm(CaseForm):
    """An analyst's reason to read names, its time limit, and a separate choice for children."""

    text = forms.CharField(
        label="Why do you need to see people's names?",
        max_length=PURPOSE_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, the problem profile for the tasking meeting on 12 March. "
        "It is kept and shown in the access log.",
        error_messages={"required": "Say why you need to see names"},
    )
    days = forms.IntegerField(
        label="For how many days?",
        min_value=1,
        max_value=PURPOSE_MAX_DAYS,
        help_text=f"From 1 to {PURPOSE_MAX_DAYS}. Names are shown until then; after that, "
        "pseudonyms again.",
        error_messages={
            "required": "Enter for how many days you need names",
            "invalid": "The number of days must be a whole number",
            "min_value": f"The purpose must last from 1 to {PURPOSE_MAX_DAYS} days",
            "max_value": f"The purpose must last from 1 to {PURPOSE_MAX_DAYS} days",
        },
    )
    covers_children = forms.ChoiceField(
        label="Does the purpose need the names of children (under 18)?",
        choices=[
            ("no", "No: children stay pseudonymous"),
            ("yes", "Yes: the purpose covers children too"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the purpose needs children's names"},
    )
