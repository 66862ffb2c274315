"""The handler for refused requests: a body over Django's limit is 413, not a bare 400."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.defaults import bad_request as django_bad_request


def too_large_megabytes() -> float:
    """The largest form body Django reads (DATA_UPLOAD_MAX_MEMORY_SIZE), in megabytes."""
    return round(settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024, 1)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django answers every SuspiciousOperation with this view; a body too large to read is
    the sender's to shorten, so it gets 413 and a page saying so."""
    if isinstance(exception, RequestDataTooBig):
        return render(request, "413.html", {"limit_megabytes": too_large_megabytes()}, status=413)
    return django_bad_request(request, exception)
