from django.contrib import admin
from django.urls import include, path

from offramp.api.main import api

admin.site.site_header = "Offramp administration"
admin.site.site_title = "Offramp administration"
# Django answers a request body over DATA_UPLOAD_MAX_MEMORY_SIZE with 400; Offramp says 413.
handler400 = "offramp.web.views.errors.bad_request"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("retention/", include("offramp.retention.urls")),
    path("interventions/", include("offramp.interventions.urls")),
    path("exports/", include("offramp.exports.urls")),
    path("networks/", include("offramp.networks.urls")),
    path("intake/", include("offramp.intake.urls")),
    path("index/", include("offramp.index.urls")),
    path("screening/", include("offramp.screening.urls")),
    path("reports/", include("offramp.reports.urls")),
    path("", include("offramp.cases.urls")),
    path("", include("offramp.web.urls")),
]
