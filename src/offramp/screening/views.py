"""The candidates pages: the list, a candidate's evidence, and the coordinator's decision.

Every person shown is logged as consulted before the page is built, as on the person page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from offramp.access.permissions import Capability
from offramp.access.scoping import candidates_visible_to
from offramp.accounts.models import User
from offramp.audit.services import audit_consultation
from offramp.people.models import Person
from offramp.web.pagination import paginate
from offramp.web.views.common import form_page, get_visible_or_404, require, submitted

from .forms import CandidateFilterForm, NotNowForm, ReferForm
from .models import ScreeningRun
from .selectors import (
    areas_with_candidates,
    candidates_listed_for,
    concern_from,
    evidence_for,
    open_work,
)
from .services import PURPOSE, candidate_refer, candidate_set_aside


def _candidate(request: HttpRequest, pk: int) -> tuple[User, Person]:
    """The coordinator and a person with evidence they may see, logged as consulted."""
    user = require(request, Capability.VIEW_CANDIDATES)
    person = get_visible_or_404(candidates_visible_to(user), pk)
    audit_consultation(actor=user, subjects=[person], purpose=PURPOSE)
    return user, person


@login_required
def candidate_list_view(request: HttpRequest) -> HttpResponse:
    user = require(request, Capability.VIEW_CANDIDATES)
    form = CandidateFilterForm(request.GET or None, areas=areas_with_candidates(user))
    chosen = form.cleaned_data if form.is_bound and form.is_valid() else {}
    people = candidates_listed_for(
        user,
        factor_id=chosen.get("factor", ""),
        category_id=chosen.get("category", ""),
        area=chosen.get("area", ""),
    )
    pagination = paginate(request, people)
    shown = list(pagination.page)
    audit_consultation(actor=user, subjects=shown, purpose=PURPOSE)
    evidence = evidence_for(user, shown)
    rows = [
        (person, found, max((item.observed_on for item in found), default=None))
        for person in shown
        for found in [evidence.get(person.pk, [])]
    ]
    return render(
        request,
        "screening/candidate_list.html",
        {
            "form": form,
            "rows": rows,
            "pagination": pagination,
            "run": ScreeningRun.objects.filter(finished_at__isnull=False).first(),
        },
    )


@login_required
def candidate_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, person = _candidate(request, pk)
    listed = candidates_listed_for(user).filter(pk=person.pk).exists()
    return render(
        request,
        "screening/candidate_detail.html",
        {
            "person": person,
            "evidence": evidence_for(user, [person]).get(person.pk, []),
            "listed": listed,
            "open_work": open_work(person),
            "decisions": person.candidate_decisions.select_related("decided_by", "referral"),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def candidate_refer_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, person = _candidate(request, pk)
    evidence = evidence_for(user, [person]).get(person.pk, [])
    factors = list(dict.fromkeys((item.factor_id, item.factor_name) for item in evidence))
    form = ReferForm(
        request.POST or None,
        factors=factors,
        initial={"concern": concern_from(evidence), "factor_ids": [f for f, _ in factors]},
    )
    referral = submitted(
        request,
        form,
        lambda data: candidate_refer(
            person=person, actor=user, concern=data["concern"], factor_ids=data["factor_ids"]
        ),
    )
    if referral is not None:
        messages.success(request, f"Referral {referral.reference} opened")
        return redirect("web:referral-detail", pk=referral.pk)
    return form_page(
        request,
        form,
        heading=f"Open a referral for {person.full_name}",
        caption="Candidates",
        button="Open the referral",
        back_url=reverse("screening:candidate", args=[person.pk]),
        person=person,
        intro=(
            "The referral is made by you, on behalf of your agency. Consent is recorded as not "
            "yet asked, and the referral is screened like any other."
        ),
    )


@require_http_methods(["GET", "POST"])
@login_required
def candidate_not_now_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, person = _candidate(request, pk)
    form = NotNowForm(request.POST or None)
    decision = submitted(
        request,
        form,
        lambda data: candidate_set_aside(person=person, actor=user, reason=data["reason"]),
    )
    if decision is not None:
        messages.success(request, f"{person.full_name} set aside for now")
        return redirect("screening:candidate-list")
    return form_page(
        request,
        form,
        heading=f"Not now: {person.full_name}",
        caption="Candidates",
        button="Set aside for now",
        back_url=reverse("screening:candidate", args=[person.pk]),
        person=person,
    )
