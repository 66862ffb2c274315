"""The suggested route for a referral, from its latest completed assessment, with reasons.

The coordinator decides; a different choice needs a reason. The rules follow the guide:
a suspected victim of exploitation is safeguarded first (¶2.26–2.27), a modern slavery
victim goes to the National Referral Mechanism, significant concern goes to the
multi-agency panel (¶1.16), some concern to a single service (signposting) and none to no
further action; a principal or core member of an organised crime group that still operates goes
to Pursue and offender management (¶2.5), unless they are a suspected victim. Date of birth is
read only to tell children's from adults' safeguarding — which service has the legal duty —
never as a risk input.
"""

from dataclasses import dataclass
from datetime import date

from offramp.analysis.network import MembershipRole
from offramp.assessments.framework import current_framework
from offramp.assessments.models import Assessment, AssessmentStatus, Judgement, OverallConcern
from offramp.dates import age_on
from offramp.networks.models import GroupMembership
from offramp.networks.selectors import EXPOSING_STATUSES
from offramp.people.models import Person, PersonCategory

from .models import Route

ADULTHOOD_YEARS = 18
VICTIM_FACTOR = "victim_of_exploitation"
MODERN_SLAVERY = "modern_slavery"


@dataclass(frozen=True)
class RouteSuggestion:
    route: str  # "" when there is nothing to suggest from
    reasons: tuple[str, ...]
    person_category: str


def latest_completed_assessment(person: Person) -> Assessment | None:
    return (
        Assessment.objects.filter(person=person, status=AssessmentStatus.COMPLETED)
        .order_by("-completed_at", "-id")
        .first()
    )


def is_child(person: Person, on: date) -> bool:
    return age_on(person.date_of_birth, on) < ADULTHOOD_YEARS


DEEPLY_INVOLVED_ROLES = (MembershipRole.PRINCIPAL, MembershipRole.CORE)


def _deep_involvement(person: Person, on: date) -> GroupMembership | None:
    """A current principal or core membership of a group that still operates."""
    return (
        GroupMembership.objects.filter(
            person=person,
            category=PersonCategory.SUSPECT_OR_OFFENDER,
            role__in=DEEPLY_INVOLVED_ROLES,
            group__status__in=EXPOSING_STATUSES,
        )
        .exclude(ended_on__lte=on)
        .select_related("group")
        .first()
    )


def suggest_route(person: Person, on: date) -> RouteSuggestion:
    assessment = latest_completed_assessment(person)
    if assessment is None:
        return RouteSuggestion(
            route="",
            reasons=("No completed assessment yet: complete one to get a suggested route.",),
            person_category=PersonCategory.AT_RISK,
        )
    present = set(
        assessment.judgements.filter(judgement=Judgement.PRESENT).values_list(
            "factor_id", flat=True
        )
    )
    framework = current_framework()
    names = {factor.id: factor.name for factor in framework.factors}
    concern = OverallConcern(assessment.overall_concern) if assessment.overall_concern else None
    completed = f"the assessment completed on {assessment.completed_at:%-d %B %Y}"
    # Not str.capitalize(), which would lower-case the month.
    completed_sentence = completed[0].upper() + completed[1:]
    if VICTIM_FACTOR in present or concern == OverallConcern.SAFEGUARDING_FIRST:
        why = (
            f"'{names.get(VICTIM_FACTOR, VICTIM_FACTOR)}' is present in {completed}"
            if VICTIM_FACTOR in present
            else f"{completed} says safeguarding comes first"
        )
        reasons = [f"{why}: a suspected victim of exploitation is safeguarded first (¶2.26–2.27)."]
        if MODERN_SLAVERY in assessment.crime_types:
            reasons.append(
                "The concern includes modern slavery: a suspected victim goes to the "
                "National Referral Mechanism."
            )
            route = Route.NATIONAL_REFERRAL_MECHANISM
        elif is_child(person, on):
            reasons.append("They are under 18, so children's safeguarding has the duty.")
            route = Route.CHILDREN_SAFEGUARDING
        else:
            reasons.append("They are 18 or over, so adults' safeguarding has the duty.")
            route = Route.ADULT_SAFEGUARDING
        return RouteSuggestion(route, tuple(reasons), PersonCategory.VICTIM)
    factor_names = ", ".join(sorted(names.get(f, f) for f in present)) or "none"
    membership = _deep_involvement(person, on)
    if membership is not None:
        reason = (
            f"Recorded as {membership.get_role_display().lower()} of {membership.group.reference} "
            "(an organised crime group that still operates): someone already deeply involved "
            "goes to Pursue and offender management (¶2.5)."
        )
        return RouteSuggestion(Route.PURSUE, (reason,), PersonCategory.SUSPECT_OR_OFFENDER)
    if concern == OverallConcern.SIGNIFICANT_CONCERN:
        route = Route.PANEL
        reason = (
            f"{completed_sentence} found significant concern (factors present: "
            f"{factor_names}): a tailored multi-agency plan is needed (¶1.16, ¶3.2)."
        )
    elif concern == OverallConcern.SOME_CONCERN:
        route = Route.SIGNPOST
        reason = (
            f"{completed_sentence} found some concern (factors present: {factor_names}): "
            "one service may be enough; signpost to it."
        )
    else:
        route = Route.NO_FURTHER_ACTION
        reason = f"{completed_sentence} found no SOC Prevent concern."
    return RouteSuggestion(route, (reason,), PersonCategory.AT_RISK)
