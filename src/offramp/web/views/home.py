"""Signing in and the dashboard each role lands on."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from offramp.access.permissions import Capability, has_capability
from offramp.access.scoping import assessments_visible_to
from offramp.assessments.models import AssessmentStatus
from offramp.referrals.models import ReferralStatus
from offramp.referrals.selectors import referral_list

from .common import signed_in_user


class SignInView(auth_views.LoginView):
    template_name = "web/sign_in.html"
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    context: dict[str, object] = {"can_refer": has_capability(user, Capability.MAKE_REFERRAL)}
    if has_capability(user, Capability.SCREEN_REFERRALS):
        referrals = referral_list(user=user)
        context["coordinator"] = True
        context["status_counts"] = [
            (status, referrals.filter(status=status.value).count())
            for status in (
                ReferralStatus.RECEIVED,
                ReferralStatus.SCREENING,
                ReferralStatus.ASSESSMENT,
            )
        ]
        context["new_referrals"] = referrals.filter(status=ReferralStatus.RECEIVED)[:10]
        context["my_assessments"] = (
            assessments_visible_to(user)
            .filter(assessor=user, status=AssessmentStatus.IN_PROGRESS)
            .select_related("person")
        )
    elif has_capability(user, Capability.MAKE_REFERRAL):
        context["my_referrals"] = referral_list(user=user)[:20]
    return render(request, "web/dashboard.html", context)
