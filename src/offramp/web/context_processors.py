"""The service navigation: what each role can reach from every page."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from offramp.access.permissions import Capability, has_capability, may_see_cases
from offramp.exports.services import can_use_exports


def navigation(request: HttpRequest) -> dict[str, object]:
    # A request refused before authentication ran (an unknown Host header) has no user yet.
    user = getattr(request, "user", None)
    items: list[tuple[str, str]] = []
    if user is not None and user.is_authenticated:
        items.append(("Home", reverse("web:dashboard")))
        if has_capability(user, Capability.SCREEN_REFERRALS):
            items.append(("Referrals", reverse("web:referral-list")))
        elif has_capability(user, Capability.MAKE_REFERRAL):
            items.append(("My referrals", reverse("web:referral-list")))
        if has_capability(user, Capability.VIEW_CANDIDATES):
            items.append(("Candidates", reverse("screening:candidate-list")))
        if has_capability(user, Capability.SEARCH_PEOPLE):
            items.append(("Find a person", reverse("web:person-search")))
        if has_capability(user, Capability.MAKE_REFERRAL):
            items.append(("Make a referral", reverse("web:referral-create")))
        if may_see_cases(user):
            # A panel member's case list holds only their panel's agenda cases.
            items.append(("Cases", reverse("cases:case-list")))
            if has_capability(user, Capability.RUN_CASES):
                items.append(("Panels", reverse("cases:panel-list")))
            items.append(("My actions", reverse("cases:my-actions")))
        items.append(("Interventions", reverse("interventions:catalogue")))
        if has_capability(user, Capability.MANAGE_NETWORKS):
            items.append(("Groups and networks", reverse("networks:group-list")))
        if has_capability(user, Capability.VIEW_REPORTS):
            items.append(("Reports", reverse("reports:index")))
        if has_capability(user, Capability.IMPORT_PARTNER_DATA):
            items.append(("Partner data", reverse("intake:batch-list")))
        if has_capability(user, Capability.REVIEW_MATCHES):
            items.append(("Matches to review", reverse("index:review-list")))
        if has_capability(user, Capability.DECIDE_RETENTION) or has_capability(
            user, Capability.VIEW_RETENTION
        ):
            items.append(("Retention", reverse("retention:queue")))
        if can_use_exports(user):
            items.append(("Exports", reverse("exports:list")))
        if user.is_staff:
            items.append(("Administration", reverse("admin:index")))
    current = request.path
    # The most specific item containing the current page is the active one.
    prefixes = [
        url for _, url in items if current == url or (url != "/" and current.startswith(url))
    ]
    active = max(prefixes, key=len, default=None)
    nav = [
        {"label": label, "url": url, "active": url == active, "exact": url == current}
        for label, url in items
    ]
    return {"service_navigation": nav, "area_name": settings.OFFRAMP_AREA_NAME}
