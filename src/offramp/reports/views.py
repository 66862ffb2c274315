"""The reports pages and downloads. Thin: the report service extracts through the scoping
selector, computes and logs; these choose the period and the format. No JavaScript needed."""

from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from offramp.access.permissions import Capability
from offramp.web.views.common import require

from .forms import PeriodForm, PeriodQuery, default_period, period_query_string
from .models import PopulationEstimate
from .rendering import ReportDocument, csv_pack, long_csv, pdf_bytes, xlsx_bytes
from .services import ReportFormat, ReportKind, report_audit, report_produce

CONTENT_TYPES = {
    ReportFormat.PDF: "application/pdf",
    ReportFormat.CSV: "application/zip",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _index(
    request: HttpRequest,
    *,
    form: PeriodForm,
    period: tuple[date, date] | None,
    query_problems: Sequence[str] = (),
    status: int = 200,
) -> HttpResponse:
    context: dict[str, object] = {
        "form": form,
        "query_problems": query_problems,
        "area_name": settings.OFFRAMP_AREA_NAME,
        "population_rows": PopulationEstimate.objects.count(),
        "population_source": PopulationEstimate.objects.values_list("source", flat=True).first(),
    }
    if period is not None:
        start, end = period
        context |= {
            "links": True,
            "period_start": start,
            "period_end": end,
            "query": period_query_string(start, end),
        }
    return render(request, "reports/index.html", context, status=status)


@require_GET
@login_required
def index_view(request: HttpRequest) -> HttpResponse:
    require(request, Capability.VIEW_REPORTS)
    if "start_0" not in request.GET:
        start, end = default_period()
        form = PeriodForm(initial={"start": start, "end": end})
        return _index(request, form=form, period=None)
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return _index(request, form=form, period=None)
    return _index(request, form=form, period=(form.cleaned_data["start"], form.cleaned_data["end"]))


def _report(
    request: HttpRequest, kind: ReportKind, fmt: ReportFormat
) -> ReportDocument | HttpResponse:
    """The report the link asks for, logged; or the reports page with the link's problems."""
    user = require(request, Capability.VIEW_REPORTS)
    query = PeriodQuery(request.GET)
    if not query.is_valid():
        start, end = default_period()
        form = PeriodForm(initial={"start": start, "end": end})
        return _index(request, form=form, period=None, query_problems=query.problems(), status=400)
    start, end = query.period()
    document = report_produce(user=user, kind=kind, period_start=start, period_end=end)
    report_audit(user=user, kind=kind, period_start=start, period_end=end, fmt=fmt)
    return document


def _download(document: ReportDocument, fmt: ReportFormat, content: bytes) -> HttpResponse:
    extension = {ReportFormat.PDF: "pdf", ReportFormat.CSV: "zip", ReportFormat.XLSX: "xlsx"}
    suffix = "-pack" if fmt == ReportFormat.CSV else ""
    name = (
        f"{document.kind}{suffix}-{document.period_start.isoformat()}-to-"
        f"{document.period_end.isoformat()}.{extension[fmt]}"
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _page(request: HttpRequest, kind: ReportKind) -> HttpResponse:
    document = _report(request, kind, ReportFormat.PAGE)
    if isinstance(document, HttpResponse):
        return document
    query = period_query_string(document.period_start, document.period_end)
    if kind == ReportKind.UPSTREAM:
        downloads = [("The upstream view as CSV", f"{reverse('reports:upstream-csv')}?{query}")]
    else:
        downloads = [
            ("PDF", f"{reverse('reports:profile-pdf')}?{query}"),
            ("CSV pack (a zip, one CSV per table)", f"{reverse('reports:profile-pack')}?{query}"),
            ("Spreadsheet (XLSX, a sheet per table)", f"{reverse('reports:profile-xlsx')}?{query}"),
        ]
    return render(
        request,
        "reports/report.html",
        {"document": document, "downloads": downloads, "query": _index_query(document)},
    )


def _index_query(document: ReportDocument) -> str:
    """The reports page's query for the same period, to go back to it."""
    start, end = document.period_start, document.period_end
    return (
        f"start_0={start.day}&start_1={start.month}&start_2={start.year}"
        f"&end_0={end.day}&end_1={end.month}&end_2={end.year}"
    )


@require_GET
@login_required
def profile_view(request: HttpRequest) -> HttpResponse:
    return _page(request, ReportKind.PROFILE)


@require_GET
@login_required
def upstream_view(request: HttpRequest) -> HttpResponse:
    return _page(request, ReportKind.UPSTREAM)


def _file(request: HttpRequest, fmt: ReportFormat) -> HttpResponse:
    document = _report(request, ReportKind.PROFILE, fmt)
    if isinstance(document, HttpResponse):
        return document
    make = {ReportFormat.PDF: pdf_bytes, ReportFormat.CSV: csv_pack, ReportFormat.XLSX: xlsx_bytes}
    return _download(document, fmt, make[fmt](document))


@require_GET
@login_required
def profile_pdf_view(request: HttpRequest) -> HttpResponse:
    return _file(request, ReportFormat.PDF)


@require_GET
@login_required
def profile_pack_view(request: HttpRequest) -> HttpResponse:
    return _file(request, ReportFormat.CSV)


@require_GET
@login_required
def profile_xlsx_view(request: HttpRequest) -> HttpResponse:
    return _file(request, ReportFormat.XLSX)


@require_GET
@login_required
def upstream_csv_view(request: HttpRequest) -> HttpResponse:
    document = _report(request, ReportKind.UPSTREAM, ReportFormat.CSV)
    if isinstance(document, HttpResponse):
        return document
    name = f"upstream-{document.period_start.isoformat()}-to-{document.period_end.isoformat()}.csv"
    response = HttpResponse(long_csv(document), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
