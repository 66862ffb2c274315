"""The shell's pages: the dashboard and signing in and out."""

from django.urls import path

from .views import home

urlpatterns = [
    path("", home.dashboard, name="dashboard"),
    path("sign-in/", home.SignInView.as_view(), name="sign-in"),
    path("sign-out/", home.SignOutView.as_view(), name="sign-out"),
    path("sign-in/code/", home.two_factor_view, name="two-factor"),
    path("sign-in/authenticator/", home.two_factor_setup_view, name="two-factor-setup"),
]
