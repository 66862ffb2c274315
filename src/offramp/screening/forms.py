"""Forms for the candidates pages. They parse input; the services check the rules."""

from collections.abc import Sequence

from django import forms

from offramp.assessments.framework import current_framework
from offramp.cases.forms import CaseForm
from offramp.referrals.services import CONCERN_MAX_LENGTH
from offramp.web.forms import GovukForm

from .services import REASON_MAX_LENGTH


class CandidateFilterForm(GovukForm):
    factor = forms.ChoiceField(label="Factor", required=False)
    category = forms.ChoiceField(label="Category", required=False)
    area = forms.ChoiceField(label="Area", required=False)

    def __init__(self, *args: object, areas: Sequence[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        framework = current_framework()
        self.fields["factor"].choices = [("", "Any factor")] + [  # type: ignore[attr-defined]
            (factor.id, factor.name) for factor in framework.factors
        ]
        self.fields["category"].choices = [("", "Any category")] + [  # type: ignore[attr-defined]
            (category.id, category.name) for category in framework.categories
        ]
        self.fields["area"].choices = [("", "Any area")] + [  # type: ignore[attr-defined]
            (area, area) for area in areas
        ]


class ReferForm(CaseForm):
    concern = forms.CharField(
        label="What worries the partnership",
        help_text="The evidence screening found. Add what you know; it goes to the referral.",
        max_length=CONCERN_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Describe what worries the partnership about this person"},
    )
    factor_ids = forms.MultipleChoiceField(
        label="Which factors is the evidence for?",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one factor the evidence is for"},
    )

    def __init__(self, *args: object, factors: Sequence[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["factor_ids"].choices = list(factors)  # type: ignore[attr-defined]


class NotNowForm(CaseForm):
    reason = forms.CharField(
        label="Why is this person not being referred now?",
        help_text="Kept with the decision. They return to the list only if new evidence appears.",
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why this person is not being referred now"},
    )
