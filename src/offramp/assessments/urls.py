"""The assessment pages. config/urls.py puts their names in the `web` namespace with the
shell's pages: the names they had before the pages moved into this app."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "people/<int:person_pk>/assessments/new/",
        views.assessment_start_view,
        name="assessment-start",
    ),
    path("assessments/<int:pk>/", views.assessment_view, name="assessment"),
    path(
        "assessments/<int:pk>/summary/",
        views.assessment_summary_view,
        name="assessment-summary",
    ),
    path(
        "assessments/<int:pk>/complete/",
        views.assessment_complete_view,
        name="assessment-complete",
    ),
    path("assessments/<int:pk>/view/", views.assessment_detail_view, name="assessment-detail"),
    # After every fixed step above: a category's id would match them too.
    path(
        "assessments/<int:pk>/<slug:category_id>/",
        views.assessment_category_view,
        name="assessment-category",
    ),
]
