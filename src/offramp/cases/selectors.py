"""Reading cases: the dashboard's alerts, due lists and the case page's parts.

Everything starts from the scoping selectors, so a list never holds a case the user may not see.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from offramp.access.permissions import Capability, has_capability
from offramp.access.scoping import (
    case_reviews_visible_to,
    cases_visible_to,
    consent_records_visible_to,
    panel_actions_owned_by,
    panel_actions_visible_to,
    referrals_visible_to,
)
from offramp.accounts.models import User
from offramp.referrals.models import ClosureReason, Referral, ReferralStatus

from .models import (
    Case,
    CaseReview,
    CaseStatus,
    ConsentDecision,
    ConsentGiver,
    PanelAction,
    ReviewKind,
    Route,
)

# A referral closed, or a case routed, this way screened the person out.
SCREENED_OUT_CLOSURES = frozenset({ClosureReason.NO_FURTHER_ACTION, ClosureReason.SIGNPOSTED})
SCREENED_OUT_ROUTES = frozenset({Route.NO_FURTHER_ACTION, Route.SIGNPOST})


class AlertKind:
    CUMULATIVE_CONCERN = "Referred again after being screened out"
    PLAN_DRIFT = "No recorded progress on the support plan"
    REVIEW_OVERDUE = "Review overdue"
    ACTION_OVERDUE = "Action overdue"
    CONSENT_WITHDRAWN = "Consent withdrawn: decide whether to exit or escalate"


@dataclass(frozen=True)
class Alert:
    kind: str
    reference: str
    detail: str
    case: Case | None = None
    referral: Referral | None = None


def _count_per_person(rows: QuerySet[Referral] | QuerySet[Case]) -> Coalesce:
    """How many of these rows the outer row's person has, in the same query (0 for none)."""
    counted = rows.order_by().values("person").annotate(count=Count("pk")).values("count")
    return Coalesce(Subquery(counted), 0)


def cumulative_concern(user: User) -> list[Alert]:
    """Open referrals for people who were screened out before (guide: concern accumulates)."""
    # Only screeners see a referral's history: a referrer sees their own referral's status,
    # never that others referred (and screened out) the same person before.
    if not has_capability(user, Capability.SCREEN_REFERRALS):
        return []
    earlier_referrals = referrals_visible_to(user).filter(
        person=OuterRef("person"),
        status=ReferralStatus.CLOSED,
        closure_reason__in=SCREENED_OUT_CLOSURES,
        received_at__lt=OuterRef("received_at"),
    )
    earlier_cases = cases_visible_to(user).filter(
        person=OuterRef("person"),
        route__in=SCREENED_OUT_ROUTES,
        opened_at__lt=OuterRef("received_at"),
    )
    open_referrals = (
        referrals_visible_to(user)
        .exclude(status=ReferralStatus.CLOSED)
        .annotate(times=_count_per_person(earlier_referrals) + _count_per_person(earlier_cases))
        .filter(times__gt=0)
        .order_by("received_at")
    )
    return [
        Alert(
            kind=AlertKind.CUMULATIVE_CONCERN,
            reference=referral.reference,
            detail=(
                f"{referral.subject_name} was screened out {referral.times} time"
                f"{'s' if referral.times > 1 else ''} before this referral"
            ),
            referral=referral,
        )
        for referral in open_referrals
    ]


def plan_drift(user: User, today: datetime.date) -> list[Alert]:
    """Cases on a plan with no progress, review or status change for the drift period."""
    cutoff = today - datetime.timedelta(days=settings.OFFRAMP_PLAN_DRIFT_DAYS)
    alerts = []
    on_plan = (
        cases_visible_to(user)
        .filter(status=CaseStatus.ON_PLAN)
        .annotate(
            last_progress=Max("placements__last_progress_at"),
            last_review=Max("reviews__held_on"),
        )
    )
    for case in on_plan.select_related("person"):
        moments = [case.status_changed_at.date()]
        if case.last_progress:
            moments.append(case.last_progress.date())
        if case.last_review:
            moments.append(case.last_review)
        latest = max(moments)
        if latest < cutoff:
            alerts.append(
                Alert(
                    kind=AlertKind.PLAN_DRIFT,
                    reference=case.reference,
                    detail=f"Nothing recorded since {latest:%-d %B %Y}",
                    case=case,
                )
            )
    return alerts


def reviews_due(
    user: User, *, by: datetime.date, kinds: tuple[str, ...] = ()
) -> QuerySet[CaseReview]:
    reviews = case_reviews_visible_to(user).filter(held_on__isnull=True, due_on__lte=by)
    if kinds:
        reviews = reviews.filter(kind__in=kinds)
    return reviews.select_related("case", "case__person").order_by("due_on", "id")


def follow_ups_due(user: User, *, by: datetime.date) -> QuerySet[CaseReview]:
    return reviews_due(
        user, by=by, kinds=(ReviewKind.FOLLOW_UP_6_MONTHS, ReviewKind.FOLLOW_UP_12_MONTHS)
    )


def overdue_actions(user: User, today: datetime.date) -> QuerySet[PanelAction]:
    return (
        panel_actions_visible_to(user)
        .filter(completed_at__isnull=True, due_on__lt=today)
        .select_related("case", "owner")
    )


def my_open_actions(user: User) -> QuerySet[PanelAction]:
    return (
        panel_actions_owned_by(user)
        .filter(completed_at__isnull=True)
        .select_related("case", "meeting")
    )


def consent_withdrawn(user: User) -> list[Alert]:
    person_consent = (
        consent_records_visible_to(user)
        .filter(case=OuterRef("pk"), giver=ConsentGiver.PERSON)
        .order_by("-recorded_at", "-id")
    )
    withdrawn = (
        cases_visible_to(user)
        .filter(status=CaseStatus.ON_PLAN)
        .annotate(
            consent=Subquery(person_consent.values("decision")[:1]),
            consent_recorded_at=Subquery(person_consent.values("recorded_at")[:1]),
        )
        .filter(consent=ConsentDecision.WITHDRAWN)
    )
    return [
        Alert(
            kind=AlertKind.CONSENT_WITHDRAWN,
            reference=case.reference,
            detail=f"Withdrawn on {case.consent_recorded_at:%-d %B %Y}",
            case=case,
        )
        for case in withdrawn
    ]


def alerts_for(user: User, today: datetime.date) -> list[Alert]:
    """Everything on the user's dashboard that needs attention, most pressing kinds first."""
    alerts = [*cumulative_concern(user), *consent_withdrawn(user), *plan_drift(user, today)]
    yesterday = today - datetime.timedelta(days=1)
    alerts += [
        Alert(
            kind=AlertKind.REVIEW_OVERDUE,
            reference=review.case.reference,
            detail=f"{review.get_kind_display()} was due on {review.due_on:%-d %B %Y}",
            case=review.case,
        )
        for review in reviews_due(user, by=yesterday)
    ]
    alerts += [
        Alert(
            kind=AlertKind.ACTION_OVERDUE,
            reference=action.case.reference,
            detail=f"{action.description} — due {action.due_on:%-d %B %Y}, owner {action.owner}",
            case=action.case,
        )
        for action in overdue_actions(user, today)
    ]
    return alerts
