"""Forms for the case and panel pages. They parse input; the services check the rules."""

from dataclasses import dataclass
from typing import ClassVar

from django import forms
from django.db.models import QuerySet
from django.forms.boundfield import BoundField

from offramp.accounts.models import Role, User
from offramp.agencies.models import Agency
from offramp.interventions.models import Programme
from offramp.people.models import PersonCategory
from offramp.sharing.models import DataCategory
from offramp.web.forms import DateInputField, GovukForm

from .models import (
    Case,
    CaseStatus,
    ConsentDecision,
    ConsentGiver,
    ExitReason,
    Panel,
    PanelDecision,
    PlacementOutcome,
    PlacementStatus,
    ReviewKind,
    ReviewProgress,
    Route,
)

NOTE_LIMIT = 2000
DATE_HINT = "For example, 27 3 2026"
# Roles that see "My actions", so the only ones a panel may give an action to.
ACTION_HOLDER_ROLES = (Role.COORDINATOR, Role.PANEL_MEMBER)


def _text(label: str, *, required_message: str = "", limit: int = NOTE_LIMIT) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=limit,
        required=bool(required_message),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": required_message},
    )


def _radios(label: str, choices: list[tuple[str, str]], required_message: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": required_message},
    )


@dataclass(frozen=True)
class RadioOption:
    """One radio, with the fields that go with it when it is chosen."""

    id: str
    value: str
    label: str
    checked: bool
    revealed: tuple[BoundField, ...]


class CaseForm(GovukForm):
    """A form that lays itself out: each field in order, and radios with the fields each
    option needs shown beneath it (web/includes/radios.html)."""

    reveals: ClassVar[dict[str, dict[str, tuple[str, ...]]]] = {}

    def _options(self, name: str) -> list[RadioOption]:
        field = self[name]
        current = str(field.value() or "")
        return [
            RadioOption(
                id=f"{field.auto_id}_{index}",
                value=str(value),
                label=str(label),
                checked=str(value) == current,
                revealed=tuple(self[sub] for sub in self.reveals[name].get(str(value), ())),
            )
            for index, (value, label) in enumerate(field.field.choices)  # type: ignore[attr-defined]
        ]

    def layout(self) -> list[tuple[BoundField, list[RadioOption]]]:
        hidden = {
            sub for by_value in self.reveals.values() for subs in by_value.values() for sub in subs
        }
        return [
            (self[name], self._options(name) if name in self.reveals else [])
            for name in self.fields
            if name not in hidden
        ]


class RouteForm(CaseForm):
    route = _radios("Route", Route.choices, "Select a route")
    signpost_service = forms.CharField(
        label="Which service are you signposting them to?", max_length=200, required=False
    )
    panel = forms.ModelChoiceField(
        label="Which panel will hear the case?",
        queryset=Panel.objects.filter(active=True),
        required=False,
        empty_label="Select a panel",
    )
    reason = _text("Why this route?", required_message="Say why you chose this route")
    disagreement = _text("Why did you choose a different route from the one Offramp suggested?")
    person_category = _radios(
        "How is the person linked to the case?",
        PersonCategory.choices,
        "Select how the person is linked to the case",
    )
    reveals = {"route": {Route.SIGNPOST: ("signpost_service",), Route.PANEL: ("panel",)}}

    def __init__(self, *args: object, suggested_label: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if suggested_label:
            self.fields[
                "disagreement"
            ].help_text = (
                f"Offramp suggested '{suggested_label}'. Only needed if you chose another route."
            )
        else:  # no completed assessment, so nothing to disagree with
            del self.fields["disagreement"]


class CaseFilterForm(GovukForm):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *CaseStatus.choices]
    )
    route = forms.ChoiceField(
        label="Route", required=False, choices=[("", "Any route"), *Route.choices]
    )


class ConsentForm(CaseForm):
    giver = _radios("Whose consent is this?", ConsentGiver.choices, "Select whose consent this is")
    decision = _radios("Decision", ConsentDecision.choices, "Select the decision")
    note = _text("Note (optional)", limit=500)


class PlacementForm(CaseForm):
    programme = forms.ModelChoiceField(
        label="Programme",
        queryset=Programme.objects.filter(retired_at__isnull=True),
        empty_label="Select a programme",
        error_messages={"required": "Select a programme from the catalogue"},
    )
    provider = forms.CharField(
        label="Provider",
        max_length=200,
        error_messages={"required": "Name who will provide it"},
    )
    starts_on = DateInputField(label="Start date", help_text=DATE_HINT)
    expected_end_on = DateInputField(label="Expected end date", help_text=DATE_HINT)


class PlacementUpdateForm(CaseForm):
    status = _radios("Status", PlacementStatus.choices, "Select the intervention's status")
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=PlacementOutcome.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="Needed when the intervention is completed or ended early.",
    )
    note = _text("Progress", limit=1000)


class ReviewForm(CaseForm):
    held_on = DateInputField(label="Date of the review", help_text=DATE_HINT)
    progress = _radios(
        "How has the concern changed?", ReviewProgress.choices, "Select how the concern has changed"
    )
    note = _text("What did the review find?", required_message="Record what the review found")


class ExitForm(CaseForm):
    exit_reason = _radios(
        "Why is the case exiting?", ExitReason.choices, "Select why the case is exiting"
    )
    note = _text("Reasons", required_message="Say why the case is exiting")


class ReopenForm(CaseForm):
    reason = _text("Why is the case reopening?", required_message="Say why the case is reopening")
    panel = forms.ModelChoiceField(
        label="Panel",
        queryset=Panel.objects.filter(active=True),
        required=False,
        empty_label="The panel that heard it before",
    )


class LinkPersonForm(CaseForm):
    person = _radios("Person", [], "Select the person to connect")
    category = _radios(
        "How are they linked to the case?",
        PersonCategory.choices,
        "Select how this person is linked to the case",
    )
    note = _text("Note (optional)", limit=300)

    def __init__(self, *args: object, people: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = people  # type: ignore[attr-defined]


class MeetingForm(CaseForm):
    panel = forms.ModelChoiceField(
        label="Panel",
        queryset=Panel.objects.filter(active=True),
        empty_label="Select a panel",
        error_messages={"required": "Select the panel that is meeting"},
    )
    meets_on = DateInputField(label="Date of the meeting", help_text=DATE_HINT)


class AttendanceForm(GovukForm):
    agencies = forms.ModelMultipleChoiceField(
        label="Agencies attending",
        queryset=Agency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: object, panel: Panel, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = panel.member_agencies.all()  # type: ignore[attr-defined]


class AgendaForm(GovukForm):
    case = forms.ModelChoiceField(
        label="Case",
        queryset=Case.objects.none(),
        empty_label="Select a case",
        error_messages={"required": "Select a case to put on the agenda"},
    )

    def __init__(self, *args: object, cases: QuerySet[Case], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["case"]
        field.queryset = cases  # type: ignore[attr-defined]
        field.label_from_instance = lambda case: f"{case.reference}: {case.person}"  # type: ignore[attr-defined]


class ContributionForm(GovukForm):
    category = forms.ChoiceField(
        label="Kind of information",
        choices=[("", "Select the kind of information"), *DataCategory.choices],
        error_messages={"required": "Select the kind of information"},
    )
    summary = _text(
        "What does your agency know?",
        required_message="Say what your agency knows",
        limit=4000,
    )


class DecisionForm(CaseForm):
    decision = _radios(
        "What did the panel decide?", PanelDecision.choices, "Select the panel's decision"
    )
    exit_reason = forms.ChoiceField(
        label="Why is the case exiting?",
        choices=ExitReason.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    note = _text("Reasons for the decision", required_message="Record the reasons for the decision")
    reveals = {"decision": {PanelDecision.EXIT: ("exit_reason",)}}


class ActionForm(GovukForm):
    description = forms.CharField(
        label="Action", max_length=500, error_messages={"required": "Describe the action"}
    )
    owner = forms.ModelChoiceField(
        label="Owner",
        queryset=User.objects.none(),
        empty_label="Select who owns it",
        error_messages={"required": "Select who owns the action"},
    )
    due_on = DateInputField(label="Due date", help_text=DATE_HINT)

    def __init__(self, *args: object, panel: Panel, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        field.queryset = (  # type: ignore[attr-defined]
            User.objects.filter(
                is_active=True,
                role__in=ACTION_HOLDER_ROLES,
                agency__in=panel.member_agencies.all(),
            )
            .select_related("agency")
            .order_by("first_name", "last_name")
        )
        field.label_from_instance = lambda user: f"{user}, {user.agency}"  # type: ignore[attr-defined]


class ReviewDueFilterForm(GovukForm):
    # What each choice of "kind" lists; nothing chosen lists every review not yet held.
    KINDS: ClassVar[dict[str, tuple[str, ...]]] = {
        "": (),
        "scheduled": (ReviewKind.SCHEDULED,),
        "follow_ups": (ReviewKind.FOLLOW_UP_6_MONTHS, ReviewKind.FOLLOW_UP_12_MONTHS),
    }
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[
            ("", "Any review"),
            ("scheduled", "Scheduled reviews"),
            ("follow_ups", "Follow-ups after exit"),
        ],
    )
    due_by = DateInputField(label="Due on or before", required=False)


class ActionDoneForm(CaseForm):
    note = _text("What was done? (optional)", limit=500)
