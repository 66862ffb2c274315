from django.urls import path

from . import views

app_name = "interventions"

urlpatterns = [
    path("", views.catalogue_view, name="catalogue"),
    path("new/", views.programme_create_view, name="programme-create"),
    path("<int:pk>/", views.programme_view, name="programme"),
    path("<int:pk>/edit/", views.programme_edit_view, name="programme-edit"),
    path("<int:pk>/retire/", views.programme_retire_view, name="programme-retire"),
]
