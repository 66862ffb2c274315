from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("", views.list_view, name="list"),
    path("referrals/", views.referrals_view, name="referrals"),
    path("subject-access/<int:person_pk>/", views.subject_access_view, name="subject-access"),
    path("approvals/", views.approvals_view, name="approvals"),
    path("approvals/<int:pk>/", views.decide_view, name="decide"),
    path("<int:pk>/", views.detail_view, name="detail"),
    path("<int:pk>/download/", views.download_view, name="download"),
]
