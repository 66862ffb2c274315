from django.contrib import admin
from django.urls import include, path

from offramp.api.main import api
from offramp.assessments import urls as assessment_urls
from offramp.people import urls as people_urls
from offramp.referrals import urls as referral_urls
from offramp.sharing import urls as sharing_urls
from offramp.web import urls as shell_urls

admin.site.site_header = "Offramp administration"
admin.site.site_title = "Offramp administration"
# Django answers a request body over DATA_UPLOAD_MAX_MEMORY_SIZE with 400; Offramp says 413.
handler400 = "offramp.web.views.errors.bad_request"

# The shell's pages and those of the first apps keep one namespace, `web`, so their names
# (web:person-detail, web:referral-list...) did not change when the pages moved into the apps.
web_pages = [
    *shell_urls.urlpatterns,
    *referral_urls.urlpatterns,
    *people_urls.urlpatterns,
    *sharing_urls.urlpatterns,
    *assessment_urls.urlpatterns,
]

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
    path("", include((web_pages, "web"))),
]
