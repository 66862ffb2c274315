from django.urls import path

from .views import assessments, home, people, referrals, sharing

app_name = "web"

urlpatterns = [
    path("", home.dashboard, name="dashboard"),
    path("sign-in/", home.SignInView.as_view(), name="sign-in"),
    path("sign-out/", home.SignOutView.as_view(), name="sign-out"),
    path("sign-in/code/", home.two_factor_view, name="two-factor"),
    path("sign-in/authenticator/", home.two_factor_setup_view, name="two-factor-setup"),
    path("referrals/", referrals.referral_list_view, name="referral-list"),
    path("referrals/new/", referrals.referral_create_view, name="referral-create"),
    path("referrals/<int:pk>/", referrals.referral_detail_view, name="referral-detail"),
    path("referrals/<int:pk>/screen/", referrals.referral_screen_view, name="referral-screen"),
    path("referrals/<int:pk>/close/", referrals.referral_close_view, name="referral-close"),
    path(
        "referrals/<int:pk>/link/<int:person_pk>/",
        referrals.referral_link_view,
        name="referral-link",
    ),
    path("people/search/", people.person_search_view, name="person-search"),
    path("people/<int:pk>/", people.person_detail_view, name="person-detail"),
    path("people/<int:pk>/access-log/", people.person_access_log_view, name="person-access-log"),
    path(
        "people/<int:pk>/public-interest/new/",
        sharing.public_interest_create_view,
        name="public-interest-create",
    ),
    path(
        "people/<int:person_pk>/assessments/new/",
        assessments.assessment_start_view,
        name="assessment-start",
    ),
    path("assessments/<int:pk>/", assessments.assessment_view, name="assessment"),
    path(
        "assessments/<int:pk>/summary/",
        assessments.assessment_summary_view,
        name="assessment-summary",
    ),
    path(
        "assessments/<int:pk>/complete/",
        assessments.assessment_complete_view,
        name="assessment-complete",
    ),
    path(
        "assessments/<int:pk>/view/", assessments.assessment_detail_view, name="assessment-detail"
    ),
    path(
        "assessments/<int:pk>/<slug:category_id>/",
        assessments.assessment_category_view,
        name="assessment-category",
    ),
]
