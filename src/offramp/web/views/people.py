"""Finding a person and the person page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from offramp.access.permissions import Capability
from offramp.access.scoping import assessments_visible_to, people_visible_to, referrals_visible_to
from offramp.assessments.models import AssessmentStatus
from offramp.people.selectors import agencies_knowing, person_search, person_timeline

from ..forms import PersonSearchForm
from .common import get_visible_or_404, require


@login_required
def person_search_view(request: HttpRequest) -> HttpResponse:
    user = require(request, Capability.SEARCH_PEOPLE)
    form = PersonSearchForm(request.GET or None)
    matches = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        matches = [
            (match, agencies_knowing(match.person))
            for match in person_search(
                user=user,
                given_name=data["given_name"],
                family_name=data["family_name"],
                date_of_birth=data["date_of_birth"],
            )[:50]
        ]
    return render(request, "web/person_search.html", {"form": form, "matches": matches})


@login_required
def person_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = require(request, Capability.VIEW_PEOPLE)
    person = get_visible_or_404(
        people_visible_to(user)
        .select_related("created_by_agency")
        .prefetch_related("aliases", "identifiers__agency"),
        pk,
    )
    assessments = assessments_visible_to(user).filter(person=person).select_related("assessor")
    return render(
        request,
        "web/person_detail.html",
        {
            "person": person,
            "referrals": referrals_visible_to(user)
            .filter(person=person)
            .select_related("referring_agency"),
            "assessments": assessments,
            "open_assessment": assessments.filter(status=AssessmentStatus.IN_PROGRESS).first(),
            "timeline": person_timeline(user=user, person=person)[:200],
            "agencies": agencies_knowing(person),
        },
    )
