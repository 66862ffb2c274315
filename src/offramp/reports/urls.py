from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index_view, name="index"),
    path("profile/", views.profile_view, name="profile"),
    path("profile.pdf", views.profile_pdf_view, name="profile-pdf"),
    path("profile-pack.zip", views.profile_pack_view, name="profile-pack"),
    path("profile.xlsx", views.profile_xlsx_view, name="profile-xlsx"),
    path("upstream/", views.upstream_view, name="upstream"),
    path("upstream.csv", views.upstream_csv_view, name="upstream-csv"),
]
