"""The export pages: asking for an export, my exports, downloading, and approvals. No JavaScript
needed. Views stay thin: the export service applies the limit, approval, marking and audit."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from offramp.access.permissions import Capability, has_capability
from offramp.access.scoping import people_for_subject_access
from offramp.accounts.models import User
from offramp.audit.services import audit_consultation
from offramp.referrals.forms import ReferralFilterForm
from offramp.referrals.models import ReferralStatus
from offramp.referrals.selectors import ReferralFilters
from offramp.web.forms import apply_service_errors
from offramp.web.views.common import get_visible_or_404, require, signed_in_user

from . import referral_list, subject_access
from .forms import DecisionForm, ExportRequestForm
from .models import ExportRecord, ExportStatus
from .registry import ExportInput, exporter_for
from .selectors import (
    approvals_waiting_for,
    decisions_by,
    exports_requested_by,
    exports_visible_to,
)
from .services import (
    AVAILABLE_FOR,
    OverDailyLimit,
    can_use_exports,
    daily_allowance,
    export_approve,
    export_download,
    export_preview,
    export_refuse,
    export_request,
    exports_expire,
)
from .subject_access import REVIEW_WARNING

LIST_PAGE = 200


def _exports_user(request: HttpRequest) -> User:
    user = signed_in_user(request)
    if not can_use_exports(user):
        raise PermissionDenied("Your role does not allow you to export records.")
    return user


def _describe(export: ExportRecord) -> str:
    try:
        exporter = exporter_for(export.kind)
    except ValueError:
        return export.kind
    return exporter.describe(ExportInput(parameters=export.parameters, person=export.person))


@login_required
def list_view(request: HttpRequest) -> HttpResponse:
    user = _exports_user(request)
    exports_expire()
    mine = list(exports_requested_by(user)[:LIST_PAGE])
    return render(
        request,
        "exports/list.html",
        {
            "rows": [(export, _describe(export)) for export in mine],
            "limit": LIST_PAGE,
            "allowance": daily_allowance(user=user),
            "can_approve": has_capability(user, Capability.APPROVE_EXPORTS),
            "waiting": approvals_waiting_for(user).count(),
            "can_export_referrals": has_capability(user, Capability.EXPORT_RECORDS),
        },
    )


def _made(request: HttpRequest, export: ExportRecord) -> HttpResponse:
    if export.awaits_decision:
        messages.success(request, f"Export {export.reference} sent for approval")
    else:
        messages.success(request, f"Export {export.reference} is ready to download")
    return redirect("exports:detail", pk=export.pk)


def request_page(
    request: HttpRequest,
    *,
    user: User,
    kind: str,
    export_input: ExportInput,
    context: dict[str, object],
    done: Callable[[HttpRequest, ExportRecord], HttpResponse] = _made,
) -> HttpResponse:
    """The form to ask for an export, shared by every kind: what, how many rows, the allowance.
    `done` answers once the export is made or waits for approval."""
    form = ExportRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            export = export_request(
                user=user,
                kind=kind,
                purpose=form.cleaned_data["purpose"],
                request=export_input,
                ask_approval=request.POST.get("ask_approval") == "yes",
                justification=form.cleaned_data["justification"],
            )
        except OverDailyLimit as error:
            form.add_error(None, error.messages[0])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return done(request, export)
    preview = export_preview(user=user, kind=kind, request=export_input)
    exporter = exporter_for(kind)
    return render(
        request,
        "exports/request.html",
        {
            **context,
            "form": form,
            "preview": preview,
            "description": exporter.describe(export_input),
            "exporter": exporter,
            "available_days": AVAILABLE_FOR.days,
        },
    )


def _referral_filters(request: HttpRequest) -> tuple[ReferralFilters, ReferralFilterForm]:
    """The referral list's filters, read from the query string as the list page reads them."""
    form = ReferralFilterForm(request.GET or None)
    form.fields["status"].choices = [("", "Any status"), *ReferralStatus.choices]  # type: ignore[attr-defined]
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return (
            ReferralFilters(
                status=data["status"],
                agency_id=data["agency"].pk if data["agency"] else None,
                received_from=data["received_from"],
                received_to=data["received_to"],
                name=data["name"],
            ),
            form,
        )
    return ReferralFilters(), form


@require_http_methods(["GET", "POST"])
@login_required
def referrals_view(request: HttpRequest) -> HttpResponse:
    user = require(request, Capability.EXPORT_RECORDS)
    filters, filter_form = _referral_filters(request)
    if filter_form.is_bound and not filter_form.is_valid():
        messages.error(request, "Correct the filters on the referral list, then export again")
        return redirect("web:referral-list")
    export_input = ExportInput(parameters=referral_list.parameters_from(filters))
    query = request.GET.urlencode()
    return request_page(
        request,
        user=user,
        kind=referral_list.KIND,
        export_input=export_input,
        context={
            "heading": "Export the referral list",
            "action": f"{reverse('exports:referrals')}{'?' + query if query else ''}",
            "back": f"{reverse('web:referral-list')}{'?' + query if query else ''}",
            "format_label": "a CSV file (opens in a spreadsheet)",
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def subject_access_view(request: HttpRequest, person_pk: int) -> HttpResponse:
    user = require(request, Capability.SUBJECT_ACCESS)
    person = get_visible_or_404(people_for_subject_access(user), person_pk)
    audit_consultation(actor=user, subjects=[person], purpose="subject access request")
    return request_page(
        request,
        user=user,
        kind=subject_access.KIND,
        export_input=ExportInput(person=person),
        context={
            "heading": f"Subject access request: {person.full_name}",
            "person": person,
            "action": reverse("exports:subject-access", args=[person.pk]),
            "back": reverse("web:person-detail", args=[person.pk]),
            "format_label": "a readable page to print, and the same data as JSON",
            "review_warning": REVIEW_WARNING,
        },
    )


FORMAT_LABELS = {
    "csv": "Download the CSV file",
    "json": "Download the data (JSON)",
    "html": "Download the readable version (HTML, to print)",
}


@login_required
def detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _exports_user(request)
    exports_expire()
    export = get_visible_or_404(exports_visible_to(user), pk)
    exporter = exporter_for(export.kind)
    mine = export.requested_by_id == user.pk
    downloadable = mine and export.is_available
    download = reverse("exports:download", args=[export.pk])
    return render(
        request,
        "exports/detail.html",
        {
            "export": export,
            "description": _describe(export),
            "exporter": exporter,
            "mine": mine,
            "downloads": [
                (FORMAT_LABELS.get(fmt, fmt), f"{download}?format={fmt}")
                for fmt in exporter.formats
            ]
            if downloadable
            else [],
            "review_warning": REVIEW_WARNING if export.kind == subject_access.KIND else "",
            "available_days": AVAILABLE_FOR.days,
        },
    )


def download_response(
    request: HttpRequest, *, export: ExportRecord, user: User, back: str
) -> HttpResponse:
    """The file in the `?format=` asked for, as an attachment; a refusal is shown on `back`."""
    try:
        file = export_download(export=export, user=user, fmt=request.GET.get("format") or None)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(back)
    response = HttpResponse(file.body, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response


@login_required
def download_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _exports_user(request)
    export = get_visible_or_404(exports_requested_by(user), pk)
    return download_response(
        request, export=export, user=user, back=reverse("exports:detail", args=[export.pk])
    )


@login_required
def approvals_view(request: HttpRequest) -> HttpResponse:
    user = require(request, Capability.APPROVE_EXPORTS)
    waiting = list(approvals_waiting_for(user))
    return render(
        request,
        "exports/approvals.html",
        {
            "waiting": [(export, _describe(export)) for export in waiting],
            "decided": [(export, _describe(export)) for export in decisions_by(user)[:50]],
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = require(request, Capability.APPROVE_EXPORTS)
    export = get_visible_or_404(exports_visible_to(user).exclude(requested_by=user), pk)
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        decide = export_approve if form.cleaned_data["decision"] == "approve" else export_refuse
        try:
            export = decide(export=export, approver=user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            verb = "approved" if export.status == ExportStatus.APPROVED else "refused"
            messages.success(request, f"Export {export.reference} {verb}")
            return redirect("exports:approvals")
    return render(
        request,
        "exports/decide.html",
        {
            "export": export,
            "description": _describe(export),
            "form": form,
            "allowance": daily_allowance(user=export.requested_by),
        },
    )
