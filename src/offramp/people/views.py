"""Finding a person and the person page."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from offramp.access.permissions import Capability, has_capability
from offramp.access.scoping import (
    assessments_visible_to,
    disclosures_visible_to,
    people_visible_to,
    public_interest_decisions_visible_to,
    referrals_visible_to,
)
from offramp.assessments.models import AssessmentStatus
from offramp.audit.selectors import person_access_log
from offramp.audit.services import AuditObject, audit_consultation
from offramp.index.forms import KnownSearchForm
from offramp.index.selectors import known_to, merges_of
from offramp.index.views import checked
from offramp.people.selectors import agencies_knowing, person_timeline
from offramp.web.views.common import PERSON_RECORD_READERS, get_visible_or_404, require, require_any

ACCESS_LOG_PAGE = 500


@login_required
def person_search_view(request: HttpRequest) -> HttpResponse:
    user = require(request, Capability.SEARCH_PEOPLE)
    form = KnownSearchForm(request.GET or None)
    result, status = checked(user, form, "search")
    fallback = [(m, agencies_knowing(m.person)) for m in result.fallback] if result else []
    return render(
        request,
        "people/person_search.html",
        {"form": form, "result": result, "fallback": fallback},
        status=status,
    )


@login_required
def person_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = require_any(request, PERSON_RECORD_READERS)
    person = get_visible_or_404(
        people_visible_to(user)
        .select_related("created_by_agency")
        .prefetch_related("aliases", "identifiers__agency"),
        pk,
    )
    audit_consultation(actor=user, subjects=[person], purpose="case management")
    assessments = assessments_visible_to(user).filter(person=person).select_related("assessor")
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "referrals": referrals_visible_to(user)
            .filter(person=person)
            .select_related("referring_agency"),
            "assessments": assessments,
            "open_assessment": assessments.filter(status=AssessmentStatus.IN_PROGRESS).first(),
            "timeline": person_timeline(user=user, person=person)[:200],
            "agencies": agencies_knowing(person),
            "disclosures": disclosures_visible_to(user)
            .filter(person=person)
            .select_related("from_agency", "to_agency", "agreement", "decision")[:200],
            "decisions": public_interest_decisions_visible_to(user)
            .filter(person=person)
            .select_related("from_agency", "to_agency", "decided_by"),
            "can_assess": has_capability(user, Capability.ASSESS),
            "can_decide_sharing": has_capability(user, Capability.DECIDE_SHARING),
            "known_to": known_to(person),
            "can_merge": has_capability(user, Capability.REVIEW_MATCHES),
            "merges": merges_of(user, person)
            if has_capability(user, Capability.REVIEW_MATCHES)
            else [],
        },
    )


@login_required
def person_access_log_view(request: HttpRequest, pk: int) -> HttpResponse:
    """For the auditor: who did what to this person's records. Never the records themselves."""
    user = require(request, Capability.VIEW_AUDIT_LOG)
    entries = person_access_log(user=user, person_id=pk)
    if entries is None:
        raise Http404("Not found")
    audit_consultation(
        actor=user, subjects=[AuditObject("access_log", pk, person_id=pk)], purpose="audit"
    )
    return render(
        request, "people/access_log.html", {"person_id": pk, "entries": entries[:ACCESS_LOG_PAGE]}
    )
