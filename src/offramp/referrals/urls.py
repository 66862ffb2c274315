"""The referral pages. config/urls.py puts their names in the `web` namespace with the
shell's pages: the names they had before the pages moved into this app."""

from django.urls import path

from . import views

urlpatterns = [
    path("referrals/", views.referral_list_view, name="referral-list"),
    path("referrals/new/", views.referral_create_view, name="referral-create"),
    path("referrals/<int:pk>/", views.referral_detail_view, name="referral-detail"),
    path("referrals/<int:pk>/screen/", views.referral_screen_view, name="referral-screen"),
    path("referrals/<int:pk>/close/", views.referral_close_view, name="referral-close"),
    path(
        "referrals/<int:pk>/link/<int:person_pk>/",
        views.referral_link_view,
        name="referral-link",
    ),
]
