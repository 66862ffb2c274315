"""The import pages: the batches imported, importing an extract, and one batch (its progress
while it runs; its counts, or every row error when refused). For those who may import partner
data (coordinators). No JavaScript: a running batch's page refreshes itself."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from offramp.access.permissions import Capability
from offramp.web.views.common import attempt, form_page, get_visible_or_404, require

from .forms import ImportForm
from .models import BatchStatus
from .runner import import_upload, imports_settle
from .schemas import IMPORT_ORDER, SCHEMAS
from .selectors import batches_visible_to
from .services import batch_added_and_held, import_start


@login_required
def batch_list_view(request: HttpRequest) -> HttpResponse:
    user = require(request, Capability.IMPORT_PARTNER_DATA)
    imports_settle()
    batches = list(batches_visible_to(user)[:200])
    rows = [(batch, *batch_added_and_held(batch)) for batch in batches]
    return render(request, "intake/batch_list.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@login_required
def batch_create_view(request: HttpRequest) -> HttpResponse:
    user = require(request, Capability.IMPORT_PARTNER_DATA)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        batch = attempt(
            form,
            lambda: import_start(
                actor=user,
                agency=data["agency"],
                kind=data["kind"],
                file_name=data["file"].name,
                extracted_on=data["extracted_on"],
            ),
        )
        if batch is not None:
            import_upload(batch, data["file"])
            return redirect("intake:batch-detail", pk=batch.pk)
    order = [SCHEMAS[kind] for kind in IMPORT_ORDER]
    return form_page(
        request,
        form,
        heading="Import an extract",
        caption="Partner data",
        button="Import the extract",
        back_url=reverse("intake:batch-list"),
        template="intake/import_form.html",
        order=order,
    )


@login_required
def batch_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = require(request, Capability.IMPORT_PARTNER_DATA)
    imports_settle()
    batch = get_visible_or_404(batches_visible_to(user), pk)
    running = batch.status in (BatchStatus.QUEUED, BatchStatus.RUNNING)
    percent = 100 * batch.rows_done // batch.rows_total if batch.rows_total else 0
    added, held = batch_added_and_held(batch)
    return render(
        request,
        "intake/batch_detail.html",
        {
            "batch": batch,
            "running": running,
            "percent": percent,
            "added": added,
            "held": held,
        },
    )
