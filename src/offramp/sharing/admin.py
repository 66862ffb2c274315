"""Administrators manage data sharing agreements. Decisions and disclosures are personal
records and are never reachable through administration."""

from typing import Any

from django import forms
from django.contrib import admin
from django.utils import timezone

from offramp.audit.admin import AuditedModelAdmin

from .models import BASIS_FIT, DataCategory, DataSharingAgreement, LawfulBasis


class DataSharingAgreementForm(forms.ModelForm):
    data_categories = forms.MultipleChoiceField(
        label="Categories of information",
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = DataSharingAgreement
        fields = [
            "reference",
            "title",
            "parties",
            "data_categories",
            "lawful_basis",
            "lawful_basis_detail",
            "purpose",
            "start_date",
            "review_date",
            "end_date",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        basis, detail = data.get("lawful_basis"), (data.get("lawful_basis_detail") or "").strip()
        if basis == LawfulBasis.OTHER_STATUTORY and not detail:
            self.add_error("lawful_basis_detail", "Name the statute and section")
        if basis in BASIS_FIT:
            gaps = [BASIS_FIT[basis].category_gap(c) for c in data.get("data_categories") or []]
            unfit = [gap for gap in gaps if gap]
            if unfit:
                label = LawfulBasis(basis).label
                self.add_error("data_categories", f"{label} {unfit[0]}. Choose another basis")
        start, review, end = data.get("start_date"), data.get("review_date"), data.get("end_date")
        if start and review and review <= start:
            self.add_error("review_date", "The review date must be after the start date")
        if start and end and end < start:
            self.add_error("end_date", "The end date must be on or after the start date")
        parties = data.get("parties")
        if parties is not None and len(parties) < 2:
            self.add_error("parties", "An agreement needs at least two parties")
        return data


@admin.register(DataSharingAgreement)
class DataSharingAgreementAdmin(AuditedModelAdmin):
    form = DataSharingAgreementForm
    list_display = ["reference", "title", "lawful_basis", "review_date", "end_date", "status"]
    list_filter = ["lawful_basis"]
    search_fields = ["reference", "title"]
    filter_horizontal = ["parties"]

    @admin.display(description="Status")
    def status(self, agreement: DataSharingAgreement) -> str:
        return str(agreement.status_on(timezone.localdate()).label)
