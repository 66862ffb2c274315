"""The person index pages: the review queue, linking runs, merges and un-merges, the checks
to follow up, and "is this person known?".

The queues are for reviewers (REVIEW_MATCHES, the coordinator). Every person shown is logged
as consulted before the page is built.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from offramp.access.permissions import Capability
from offramp.access.scoping import (
    known_checks_to_follow_up,
    match_reviews_visible_to,
    merges_visible_to,
    people_visible_to,
)
from offramp.accounts.models import User
from offramp.audit.services import audit_consultation
from offramp.web.pagination import paginate
from offramp.web.views.common import attempt, get_visible_or_404, require, signed_in_user

from .forms import FollowUpForm, KnownSearchForm, MergeForm, ReviewDecisionForm, UnmergeForm
from .selectors import (
    KnownResult,
    checks_to_follow_up,
    latest_run,
    pending_reviews,
    reason_texts,
    review_sides,
    reviews_shown,
)
from .services import (
    TooManyChecks,
    known_check,
    known_check_follow_up,
    link_records,
    person_merge,
    person_unmerge,
    review_decide,
)

# What a check passes on to the referral form (its fields have the same names).
REFERRAL_PREFILL = (
    "given_name",
    "family_name",
    "date_of_birth_0",
    "date_of_birth_1",
    "date_of_birth_2",
)


@login_required
def review_list_view(request: HttpRequest) -> HttpResponse:
    user = require(request, Capability.REVIEW_MATCHES)
    queryset = pending_reviews(user)
    pagination = paginate(request, queryset)
    reviews = list(pagination.page)
    audit_consultation(actor=user, subjects=reviews_shown(reviews), purpose="match review")
    return render(
        request,
        "index/review_list.html",
        {
            "rows": [
                (review, review_sides(review), reason_texts(review.reasons)) for review in reviews
            ],
            "pagination": pagination,
            "run": latest_run(),
            "checks_waiting": known_checks_to_follow_up(user).count(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def review_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = require(request, Capability.REVIEW_MATCHES)
    review = get_visible_or_404(
        match_reviews_visible_to(user).select_related(
            "left_record__agency", "right_record__agency", "left_person", "right_person"
        ),
        pk,
    )
    audit_consultation(actor=user, subjects=reviews_shown([review]), purpose="match review")
    form = ReviewDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        decided = attempt(
            form,
            lambda: review_decide(
                review=review, actor=user, accept=accept, note=form.cleaned_data["note"]
            ),
        )
        if decided is not None:
            messages.success(
                request,
                "Linked: the same person" if accept else "Kept apart: different people",
            )
            return redirect("index:review-list")
    return render(
        request,
        "index/review_detail.html",
        {
            "review": review,
            "sides": review_sides(review),
            "reasons": reason_texts(review.reasons),
            "form": form,
        },
    )


@require_POST
@login_required
def link_run_view(request: HttpRequest) -> HttpResponse:
    user = require(request, Capability.REVIEW_MATCHES)
    try:
        run = link_records(actor=user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        counts = run.counts
        messages.success(
            request,
            f"Linked {counts['records']} records: {counts['linked_certain']} linked for certain, "
            f"{counts['linked_provisional']} provisionally, {counts['new_people']} new people, "
            f"{counts['reviews_added']} pairs to review",
        )
    return redirect("index:review-list")


@require_http_methods(["GET", "POST"])
@login_required
def merge_view(request: HttpRequest, pk: int) -> HttpResponse:
    """ "These are the same person": merge another record into this one."""
    user = require(request, Capability.REVIEW_MATCHES)
    visible = people_visible_to(user)
    person = get_visible_or_404(visible, pk)
    audit_consultation(actor=user, subjects=[person], purpose="match review")
    form = MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        other = visible.filter(pk=form.cleaned_data["other"]).first()
        if other is None:
            form.add_error("other", "There is no person you can see with that record number")
        else:
            merge = attempt(
                form,
                lambda: person_merge(
                    target=person, source=other, actor=user, reason=form.cleaned_data["reason"]
                ),
            )
            if merge is not None:
                messages.success(
                    request,
                    f"Record {other.pk} merged into this record ({merge.moved_count} rows moved)",
                )
                return redirect("web:person-detail", pk=person.pk)
    return render(request, "index/merge.html", {"person": person, "form": form})


@require_http_methods(["GET", "POST"])
@login_required
def unmerge_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = require(request, Capability.REVIEW_MATCHES)
    merge = get_visible_or_404(merges_visible_to(user).select_related("target", "source"), pk)
    audit_consultation(actor=user, subjects=[merge.target, merge.source], purpose="match review")
    form = UnmergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        undone = attempt(
            form,
            lambda: person_unmerge(merge=merge, actor=user, reason=form.cleaned_data["reason"]),
        )
        if undone is not None:
            messages.success(request, f"Merge undone: record {merge.source_id} restored")
            return redirect("web:person-detail", pk=merge.target_id)
    return render(
        request,
        "index/unmerge.html",
        {
            "merge": merge,
            "person": merge.target,
            "form": form,
            "back_url": reverse("web:person-detail", args=[merge.target_id]),
        },
    )


def checked(user: User, form: KnownSearchForm, purpose: str) -> tuple[KnownResult | None, int]:
    """The check a bound search form asks for, and the page's status: over the hourly limit,
    the refusal is the form's error and the status 429."""
    if not (form.is_bound and form.is_valid()):
        return None, 200
    try:
        return known_check(actor=user, purpose=purpose, **form.cleaned_data), 200
    except TooManyChecks as refusal:
        form.add_error(None, str(refusal))
        return None, 429


@login_required
def known_view(request: HttpRequest) -> HttpResponse:
    """ "Is this person known?" before a referral. Only people the user may see are shown; of
    anyone else, only that there may be a match and that the coordinators have been asked."""
    user = signed_in_user(request)
    form = KnownSearchForm(request.GET or None)
    result, status = checked(user, form, "referral check")
    return render(
        request,
        "index/known.html",
        {
            "form": form,
            "result": result,
            "checks_per_hour": settings.OFFRAMP_KNOWN_CHECKS_PER_HOUR,
            "refer_query": urlencode(
                {k: v for k, v in request.GET.items() if k in REFERRAL_PREFILL}
            ),
        },
        status=status,
    )


@login_required
def check_list_view(request: HttpRequest) -> HttpResponse:
    """Checks that found someone the asker may not see: who asked, when, and whom of the people
    found this coordinator may see."""
    user = require(request, Capability.REVIEW_MATCHES)
    pagination = paginate(
        request, known_checks_to_follow_up(user).select_related("asked_by__agency")
    )
    rows = checks_to_follow_up(user, list(pagination.page))
    audit_consultation(
        actor=user,
        subjects=[person for row in rows for person in row.visible_matches],
        purpose="referral check",
    )
    return render(request, "index/check_list.html", {"rows": rows, "pagination": pagination})


@require_POST
@login_required
def check_follow_up_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = require(request, Capability.REVIEW_MATCHES)
    check = get_visible_or_404(known_checks_to_follow_up(user), pk)
    form = FollowUpForm(request.POST)
    followed = None
    if form.is_valid():
        followed = attempt(
            form,
            lambda: known_check_follow_up(check=check, actor=user, note=form.cleaned_data["note"]),
        )
    if followed is not None:
        messages.success(request, "Followed up: the check has left the list")
    else:
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
    return redirect("index:check-list")
