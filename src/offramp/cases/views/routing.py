"""Recording the route for a screened referral, beside the route Offramp suggests."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from offramp.access.permissions import Capability
from offramp.access.scoping import cases_visible_to
from offramp.audit.services import audit_consultation
from offramp.referrals.selectors import referral_list
from offramp.web.views.common import form_page, get_visible_or_404, require, submitted

from ..forms import RouteForm
from ..models import Panel, Route
from ..routing import suggest_route
from ..services import ROUTABLE_REFERRAL_STATUSES, RouteRequest, case_route
from .common import back_to_case


@require_http_methods(["GET", "POST"])
@login_required
def route_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = require(request, Capability.RUN_CASES)
    referral = get_visible_or_404(referral_list(user=user), pk)
    audit_consultation(actor=user, subjects=[referral], purpose="routing")
    suggestion = suggest_route(referral.person, timezone.localdate())
    suggested_label = Route(suggestion.route).label if suggestion.route else ""
    existing = cases_visible_to(user).filter(referral=referral).first()
    form = None
    if existing is None and referral.status in ROUTABLE_REFERRAL_STATUSES:
        panels = list(Panel.objects.filter(active=True)[:2])
        form = RouteForm(
            request.POST if request.method == "POST" else None,
            suggested_label=suggested_label,
            initial={
                "route": suggestion.route,
                "person_category": suggestion.person_category,
                "panel": panels[0] if len(panels) == 1 else None,
            },
        )
        case = submitted(
            request,
            form,
            lambda data: case_route(
                referral=referral,
                request=RouteRequest(
                    route=data["route"],
                    reason=data["reason"],
                    person_category=data["person_category"],
                    signpost_service=data["signpost_service"],
                    disagreement=data.get("disagreement", ""),
                    panel=data["panel"],
                ),
                actor=user,
            ),
        )
        if case is not None:
            return back_to_case(
                request, case, f"Route recorded: case {case.reference}, {case.get_route_display()}"
            )
    return form_page(
        request,
        form,
        heading=f"Record a route for {referral.subject_name}",
        caption=f"Referral {referral.reference}",
        button="Record the route",
        back_url=reverse("web:referral-detail", args=[referral.pk]),
        person=referral.person,
        template="cases/route.html",
        referral=referral,
        suggestion=suggestion,
        suggested_label=suggested_label,
        existing=existing,
    )
