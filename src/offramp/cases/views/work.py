"""Work that falls due: the user's own actions, reviews and follow-ups (the dashboard's
alerts are in cases/dashboard.py)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from offramp.access.permissions import Capability
from offramp.access.scoping import (
    case_reviews_visible_to,
    panel_actions_completable_by,
)
from offramp.audit.services import audit_consultation
from offramp.web.views.common import form_page, get_visible_or_404, require, submitted

from ..dashboard import open_actions_due_first
from ..forms import ActionDoneForm, ReviewDueFilterForm, ReviewForm
from ..selectors import reviews_due
from ..services import ReviewRequest, action_complete, review_hold
from .common import (
    CASE_PURPOSE,
    back_to_case,
    case_form_page,
    case_reader,
)


@login_required
def my_actions_view(request: HttpRequest) -> HttpResponse:
    user = case_reader(request)
    actions = open_actions_due_first(user)
    audit_consultation(actor=user, subjects=[a.case for a in actions], purpose=CASE_PURPOSE)
    return render(
        request,
        "cases/my_actions.html",
        {"actions": actions, "today": timezone.localdate()},
    )


@require_http_methods(["GET", "POST"])
@login_required
def action_done_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = case_reader(request)
    action = get_visible_or_404(
        panel_actions_completable_by(user).select_related("case__person", "owner"), pk
    )
    audit_consultation(actor=user, subjects=[action.case], purpose=CASE_PURPOSE)
    form = ActionDoneForm(request.POST if request.method == "POST" else None)
    done = submitted(
        request, form, lambda data: action_complete(action=action, note=data["note"], actor=user)
    )
    if done is not None:
        messages.success(request, f"Done: {action.description}")
        return redirect("cases:my-actions")
    return form_page(
        request,
        form,
        heading="Mark the action as done",
        caption=f"Case {action.case.reference}",
        button="Mark as done",
        back_url=reverse("cases:my-actions"),
        template="cases/action_done.html",
        action=action,
    )


@login_required
def reviews_due_view(request: HttpRequest) -> HttpResponse:
    user = require(request, Capability.RUN_CASES)
    form = ReviewDueFilterForm(request.GET or None)
    due_by, kinds = datetime.date.max, ReviewDueFilterForm.KINDS[""]
    if form.is_bound and form.is_valid():
        due_by = form.cleaned_data["due_by"] or due_by
        kinds = ReviewDueFilterForm.KINDS[form.cleaned_data["kind"]]
    reviews = list(reviews_due(user, by=due_by, kinds=kinds))
    audit_consultation(actor=user, subjects=[r.case for r in reviews], purpose="case review")
    return render(
        request,
        "cases/reviews_due.html",
        {"form": form, "reviews": reviews, "today": timezone.localdate()},
    )


@require_http_methods(["GET", "POST"])
@login_required
def review_hold_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = require(request, Capability.RUN_CASES)
    review = get_visible_or_404(
        case_reviews_visible_to(user).select_related("case__person"),
        pk,
    )
    case = review.case
    audit_consultation(actor=user, subjects=[case], purpose="case review")
    form = ReviewForm(
        request.POST if request.method == "POST" else None,
        initial={"held_on": timezone.localdate()},
    )
    held = submitted(
        request,
        form,
        lambda data: review_hold(
            review=review,
            request=ReviewRequest(
                progress=data["progress"], note=data["note"], held_on=data["held_on"]
            ),
            actor=user,
        ),
    )
    if held is not None:
        return back_to_case(request, case, f"{held.get_kind_display()} recorded")
    return case_form_page(
        request,
        case,
        form,
        heading=f"Hold the {review.get_kind_display().lower()}",
        button="Record the review",
        intro=f"Due on {review.due_on:%-d %B %Y}.",
    )
