"""Signing in (password, then a code from an authenticator app) and each role's dashboard."""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from offramp.access.permissions import Capability, has_capability
from offramp.access.scoping import assessments_visible_to
from offramp.accounts import totp
from offramp.accounts.forms import SignInForm, locked_error
from offramp.accounts.models import TotpDevice, User
from offramp.accounts.services import (
    sign_in_failure_record,
    sign_in_failures_clear,
    sign_in_locked_until,
    sign_in_record,
    totp_device_confirm,
    totp_device_confirmed,
    totp_device_for_setup,
    totp_verify,
)
from offramp.assessments.models import AssessmentStatus
from offramp.audit.selectors import sweep_alerts
from offramp.cases.dashboard import dashboard_case_work
from offramp.referrals.models import ReferralStatus
from offramp.referrals.selectors import referral_list

from ..forms import GovukForm
from ..session_timeouts import session_start
from ..two_factor import is_verified, mark_verified, two_factor_required
from .common import signed_in_user


class SignInView(auth_views.LoginView):
    template_name = "web/sign_in.html"
    redirect_authenticated_user = True
    form_class = SignInForm

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        if not two_factor_required():
            sign_in_record(user=form.get_user())  # logged before the session exists
        response = super().form_valid(form)
        session_start(self.request)
        if two_factor_required():
            # Failures are forgiven only once the code is right too, or each correct password
            # would buy a fresh set of guesses at the code.
            query = urlencode({"next": self.get_success_url()})
            return HttpResponseRedirect(f"{reverse('web:two-factor')}?{query}")
        sign_in_failures_clear(username=form.cleaned_data["username"])
        return response


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
    context.update(dashboard_case_work(user))
    if has_capability(user, Capability.VIEW_AUDIT_LOG):
        context["sweep_alerts"] = sweep_alerts(user=user)[:10]
        context["sweep_threshold"] = settings.OFFRAMP_SWEEP_REFUSALS
        context["sweep_seconds"] = settings.OFFRAMP_SWEEP_SECONDS
    return render(request, "web/dashboard.html", context)


# --- the second step ---------------------------------------------------------------------


class TotpCodeForm(GovukForm):
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=10,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].replace(" ", "")
        if len(code) != totp.DIGITS or not code.isdigit():
            raise forms.ValidationError("The code must be 6 digits, like 123456")
        return code


WRONG_CODE = (
    "The code is not correct, or it has been used already. Wait for your app to show a new "
    "code and enter that."
)


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(route: str, request: HttpRequest) -> str:
    return f"{reverse(route)}?{urlencode({'next': _next_url(request)})}"


def _locked_out(request: HttpRequest) -> HttpResponse:
    """Ends the half-signed-in session of a username that is now locked out."""
    logout(request)
    messages.error(request, locked_error().messages[0])
    return redirect("web:sign-in")


def _code_accepted(request: HttpRequest, user: User) -> HttpResponse:
    sign_in_failures_clear(username=user.get_username())
    sign_in_record(user=user)
    mark_verified(request)
    return HttpResponseRedirect(_next_url(request))


def _code_refused(request: HttpRequest, user: User, form: TotpCodeForm) -> HttpResponse | None:
    """Counts a wrong code like a wrong password; a lockout signs the user out."""
    if sign_in_failure_record(username=user.get_username()) is not None:
        return _locked_out(request)
    form.add_error("code", WRONG_CODE)
    return None


@never_cache
@csrf_protect
@login_required
def two_factor_view(request: HttpRequest) -> HttpResponse:
    """Asks for the current code from the user's authenticator app."""
    user = signed_in_user(request)
    if not two_factor_required() or is_verified(request):
        return HttpResponseRedirect(_next_url(request))
    device = totp_device_confirmed(user=user)
    if device is None:
        return redirect(_with_next("web:two-factor-setup", request))
    if sign_in_locked_until(username=user.get_username()) is not None:
        return _locked_out(request)
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp_verify(device=device, code=form.cleaned_data["code"]):
            return _code_accepted(request, user)
        refused = _code_refused(request, user, form)
        if refused is not None:
            return refused
    return render(request, "web/two_factor_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@csrf_protect
@login_required
def two_factor_setup_view(request: HttpRequest) -> HttpResponse:
    """Shows a new authenticator secret once, until the user proves they have stored it."""
    user = signed_in_user(request)
    if not two_factor_required() or is_verified(request):
        return HttpResponseRedirect(_next_url(request))
    if totp_device_confirmed(user=user) is not None:
        return redirect(_with_next("web:two-factor", request))
    if sign_in_locked_until(username=user.get_username()) is not None:
        return _locked_out(request)
    device: TotpDevice = totp_device_for_setup(user=user)
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp_device_confirm(device=device, code=form.cleaned_data["code"]):
            return _code_accepted(request, user)
        refused = _code_refused(request, user, form)
        if refused is not None:
            return refused
    issuer = str(settings.OFFRAMP_TWO_FACTOR_ISSUER)
    context = {
        "form": form,
        "next": _next_url(request),
        "secret": totp.grouped(device.secret),
        "otpauth_uri": totp.provisioning_uri(
            device.secret, account=user.get_username(), issuer=issuer
        ),
    }
    return render(request, "web/two_factor_setup.html", context)
