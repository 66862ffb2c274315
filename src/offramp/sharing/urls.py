"""The information-sharing pages. config/urls.py puts their names in the `web` namespace with the
shell's pages: the names they had before the pages moved into this app."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "people/<int:pk>/public-interest/new/",
        views.public_interest_create_view,
        name="public-interest-create",
    ),
]
