"""The retention review queue and a coordinator's decision on each review. No JavaScript needed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from offramp.access.permissions import Capability, has_capability
from offramp.access.scoping import (
    assessments_visible_to,
    referrals_visible_to,
    retention_reviews_visible_to,
)
from offramp.accounts.models import User
from offramp.audit.services import audit_consultation
from offramp.web.forms import apply_service_errors
from offramp.web.pagination import paginate
from offramp.web.views.common import get_visible_or_404, require, signed_in_user

from .forms import DisposeForm, QueueFilterForm, RetainForm
from .models import RetentionReview, ReviewStatus
from .selectors import (
    QueueFilters,
    current_schedule,
    person_facts,
    review_queue,
)
from .services import retention_dispose, retention_retain

PURPOSE = "retention review"


def _queue_user(request: HttpRequest) -> User:
    user = signed_in_user(request)
    if not (
        has_capability(user, Capability.DECIDE_RETENTION)
        or has_capability(user, Capability.VIEW_RETENTION)
    ):
        raise PermissionDenied("Your role does not allow you to view the retention review queue.")
    return user


@login_required
def queue_view(request: HttpRequest) -> HttpResponse:
    user = _queue_user(request)
    # Only those who decide see whose records they are, and the rule each falls under; the
    # auditor sees record numbers and dates, since a rule grades the record it names.
    deciding = has_capability(user, Capability.DECIDE_RETENTION)
    schedule = current_schedule()
    form = QueueFilterForm(
        request.GET or {"status": ReviewStatus.DUE},
        rules=[(rule.id, rule.name) for rule in schedule.rules] if deciding else None,
    )
    filters = QueueFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = QueueFilters(
            status=data["status"], rule_id=data.get("rule_id", ""), due_by=data["due_by"]
        )
    reviews = review_queue(user=user, filters=filters)
    pagination = paginate(request, reviews.select_related("person") if deciding else reviews)
    shown = list(pagination.page)
    if deciding:
        audit_consultation(
            actor=user, subjects=[r.person for r in shown if r.person], purpose=PURPOSE
        )
    names = {rule.id: rule.name for rule in schedule.rules}
    return render(
        request,
        "retention/queue.html",
        {
            "form": form,
            "rows": [
                (review, names.get(review.rule_id, review.rule_id) if deciding else "")
                for review in shown
            ],
            "show_names": deciding,
            "pagination": pagination,
        },
    )


def _review_context(user: User, review: RetentionReview) -> dict[str, object]:
    schedule = current_schedule()
    context: dict[str, object] = {
        "review": review,
        "rule": schedule.rule(review.rule_id),
        "history": retention_reviews_visible_to(user)
        .filter(subject_id=review.subject_id)
        .exclude(pk=review.pk)
        .select_related("decided_by")
        .order_by("-due_on"),
    }
    person = review.person
    if person is not None:
        audit_consultation(actor=user, subjects=[person], purpose=PURPOSE)
        context["facts"] = next(iter(person_facts([person.pk])), None)
        context["referrals"] = (
            referrals_visible_to(user).filter(person=person).select_related("referring_agency")
        )
        context["assessments"] = assessments_visible_to(user).filter(person=person)
    return context


def _decidable(request: HttpRequest, pk: int) -> tuple[User, RetentionReview]:
    user = require(request, Capability.DECIDE_RETENTION)
    review = get_visible_or_404(retention_reviews_visible_to(user).select_related("person"), pk)
    return user, review


@login_required
def review_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, review = _decidable(request, pk)
    context = _review_context(user, review)
    context["form"] = RetainForm()
    return render(request, "retention/review.html", context)


@require_POST
@login_required
def retain_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, review = _decidable(request, pk)
    form = RetainForm(request.POST)
    if form.is_valid():
        try:
            retention_retain(
                review=review,
                actor=user,
                reason=form.cleaned_data["reason"],
                until=form.cleaned_data["until"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Record {review.subject_id} kept; "
                f"next review on {form.cleaned_data['until']:%-d %B %Y}",
            )
            return redirect("retention:queue")
    context = _review_context(user, review)
    context["form"] = form
    return render(request, "retention/review.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def dispose_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, review = _decidable(request, pk)
    form = DisposeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            record = retention_dispose(review=review, actor=user)
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            removed = sum(record.removed.values())
            messages.success(
                request,
                f"Record {record.subject_id} disposed of: {removed} "
                f"item{'s' if removed != 1 else ''} removed",
            )
            return redirect("retention:queue")
    context = _review_context(user, review)
    context["form"] = form
    return render(request, "retention/dispose.html", context)
