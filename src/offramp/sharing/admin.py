"""Administrators manage data sharing agreements. Decisions and disclosures are personal
records and are never reachable through administration."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from offramp.audit.admin import AuditedModelAdmin, admin_actor

from .models import BASIS_FIT, DataCategory, DataSharingAgreement, LawfulBasis
from .services import agreement_approve, agreement_edit_settle, agreement_waiting_record

WAITING_NOTICE = (
    "{agreement} covers nothing until a second administrator approves it: select it in the "
    "list and choose “Approve the selected agreements”."
)


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
    """A new agreement, or an edit that widens one, waits for a second administrator's
    approval (sharing.services); an edit that only narrows takes effect at once."""

    form = DataSharingAgreementForm
    list_display = [
        "reference",
        "title",
        "lawful_basis",
        "review_date",
        "end_date",
        "status",
        "approval",
    ]
    list_filter = ["lawful_basis"]
    search_fields = ["reference", "title"]
    filter_horizontal = ["parties"]
    readonly_fields = ["approved_at", "approved_by", "changed_by"]
    actions = ["approve"]

    @admin.display(description="Status")
    def status(self, agreement: DataSharingAgreement) -> str:
        return str(agreement.status_on(timezone.localdate()).label)

    @admin.display(description="Approval")
    def approval(self, agreement: DataSharingAgreement) -> str:
        if agreement.approved:
            return "Approved"
        return f"Waiting for a second administrator (changed by {agreement.changed_by})"

    def save_model(
        self, request: HttpRequest, obj: DataSharingAgreement, form: Any, change: bool
    ) -> None:
        editor = admin_actor(request)
        waits = agreement_edit_settle(
            agreement=obj, editor=editor, parties=form.cleaned_data["parties"]
        )
        super().save_model(request, obj, form, change)
        if waits:
            agreement_waiting_record(agreement=obj, editor=editor)
            self.message_user(request, WAITING_NOTICE.format(agreement=obj.reference))

    @admin.action(description="Approve the selected agreements")
    def approve(self, request: HttpRequest, queryset: QuerySet[DataSharingAgreement]) -> None:
        actor = admin_actor(request)
        for agreement in queryset:
            try:
                agreement_approve(agreement=agreement, approver=actor)
            except (PermissionDenied, ValidationError) as error:
                reason = " ".join(error.messages) if isinstance(error, ValidationError) else error
                self.message_user(request, f"{agreement.reference}: {reason}", messages.ERROR)
            else:
                self.message_user(request, f"{agreement.reference}: approved")
