"""The person pages. config/urls.py puts their names in the `web` namespace with the
shell's pages: the names they had before the pages moved into this app."""

from django.urls import path

from . import views

urlpatterns = [
    path("people/search/", views.person_search_view, name="person-search"),
    path("people/<int:pk>/", views.person_detail_view, name="person-detail"),
    path("people/<int:pk>/access-log/", views.person_access_log_view, name="person-access-log"),
]
