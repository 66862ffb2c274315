"""Reading for screening: the engine's frames from the linked partner records, and the
candidates list as a coordinator sees it (through the scoping selector)."""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
from django.db.models import DateTimeField, F, OuterRef, Q, QuerySet, Subquery

from offramp.access.scoping import (
    candidate_decisions_visible_to,
    candidate_evidence_visible_to,
    candidates_visible_to,
    open_cases_partnership_wide,
    open_referrals_partnership_wide,
    partner_records_for_screening,
)
from offramp.accounts.models import User
from offramp.analysis.screening import Rule, make_frame, national_rules
from offramp.assessments.framework import current_framework
from offramp.cases.models import OPEN_STATUSES
from offramp.people.models import Person
from offramp.referrals.models import ReferralStatus

from .models import CandidateEvidence

Progress = Callable[[str, int, int], None]

# frame -> the fields giving each of its columns, in order, from the linked partner records
# that offramp.access.scoping.partner_records_for_screening hands the engine.
_FIELDS: dict[str, tuple[str, ...]] = {
    "offences": (
        "record__person_id",
        "offence_date",
        "offence_category",
        "outcome",
        "age_at_offence",
        "agency__slug",
    ),
    "care_episodes": (
        "record__person_id",
        "episode_type",
        "start_date",
        "end_date",
        "agency__slug",
    ),
    "youth_offending": (
        "record__person_id",
        "order_type",
        "start_date",
        "end_date",
        "agency__slug",
    ),
    "prison_releases": ("record__person_id", "establishment", "release_date", "agency__slug"),
    "school_exclusions": ("record__person_id", "exclusion_type", "exclusion_date", "agency__slug"),
    "memberships": (
        "record__person_id",
        "group_reference",
        "role",
        "start_date",
        "end_date",
        "agency__slug",
    ),
    "groups": ("reference", "status"),
    "relationships": (
        "record_a__person_id",
        "record_b__person_id",
        "kind",
        "start_date",
        "end_date",
        "agency__slug",
    ),
}


def screening_frames(actor: User, progress: Progress | None = None) -> dict[str, pd.DataFrame]:
    """The engine's frames, read from the intake records linked to people in the index."""
    sources = partner_records_for_screening(actor)
    frames = {}
    for done, (name, fields) in enumerate(_FIELDS.items(), start=1):
        rows = sources[name].order_by().values_list(*fields)
        frames[name] = make_frame(name, rows.iterator(chunk_size=5000))
        if progress is not None:
            progress(f"read {name}", done, len(_FIELDS))
    return frames


# --- the candidates list ----------------------------------------------------------------------


def open_work(person: Person) -> str:
    """What the partnership already has open for this person ("an open case", "an open
    referral"), or "" when nothing: a candidate with either is not asked about again."""
    if person.cases.filter(status__in=OPEN_STATUSES).exists():
        return "an open case"
    if person.referrals.exclude(status=ReferralStatus.CLOSED).exists():
        return "an open referral"
    return ""


def candidates_listed_for(
    user: User, *, factor_id: str = "", category_id: str = "", area: str = ""
) -> QuerySet[Person]:
    """Whom the coordinator is asked to consider: people with evidence they may see, no open
    case or referral, and no decision since the newest finding (a person set aside "not now"
    comes back only when new evidence appears). Filtered by factor, category and area."""
    evidence = candidate_evidence_visible_to(user)
    newest = evidence.filter(person=OuterRef("pk")).order_by("-first_found_at")
    decided = (
        candidate_decisions_visible_to(user).filter(person=OuterRef("pk")).order_by("-decided_at")
    )
    people = (
        candidates_visible_to(user)
        .filter(merged_into__isnull=True)  # a record merged into another has left every list
        .exclude(
            Q(pk__in=open_cases_partnership_wide().values("person"))
            | Q(pk__in=open_referrals_partnership_wide().values("person"))
        )
        .annotate(
            newest_finding=Subquery(
                newest.values("first_found_at")[:1], output_field=DateTimeField()
            ),
            last_decision=Subquery(decided.values("decided_at")[:1], output_field=DateTimeField()),
        )
        .filter(Q(last_decision__isnull=True) | Q(newest_finding__gt=F("last_decision")))
    )
    if factor_id:
        people = people.filter(pk__in=evidence.filter(factor_id=factor_id).values("person"))
    if category_id:
        factor_ids = [f.id for f in current_framework().factors if f.category == category_id]
        people = people.filter(pk__in=evidence.filter(factor_id__in=factor_ids).values("person"))
    if area:
        people = people.filter(area=area)
    return people.order_by("family_name", "given_name", "pk")


@dataclass(frozen=True)
class EvidenceView:
    """One finding as the coordinator reads it: the factor, why the rule counts, what was found."""

    factor_id: str
    factor_name: str
    category_id: str
    category_name: str
    rule: Rule
    evidence: str
    source_agencies: tuple[str, ...]
    observed_on: date

    @property
    def paragraphs(self) -> str:
        return ", ".join(f"¶{p}" for p in self.rule.guide_paragraphs)


def evidence_for(user: User, people: Sequence[Person]) -> dict[int, list[EvidenceView]]:
    """The evidence the user may see about each of these people, factor by factor."""
    framework = current_framework()
    by_id = {rule.id: rule for rule in national_rules().rules}
    categories = {c.id: c.name for c in framework.categories}
    found: dict[int, list[EvidenceView]] = defaultdict(list)
    rows = (
        candidate_evidence_visible_to(user)
        .filter(person__in=[p.pk for p in people])
        .prefetch_related("source_agencies")
        .order_by("person_id", "observed_on", "rule_id")
    )
    for row in rows:
        factor = framework.factor(row.factor_id)
        found[row.person_id].append(
            EvidenceView(
                factor_id=factor.id,
                factor_name=factor.name,
                category_id=factor.category,
                category_name=categories[factor.category],
                rule=by_id.get(row.rule_id) or _retired_rule(row),
                evidence=row.evidence,
                source_agencies=tuple(sorted(a.name for a in row.source_agencies.all())),
                observed_on=row.observed_on,
            )
        )
    return found


def _retired_rule(row: CandidateEvidence) -> Rule:
    """A rule since removed from the file, shown by its id alone."""
    return Rule(row.rule_id, row.factor_id, row.rule_id, (), "", "", "", {})


def concern_from(evidence: Sequence[EvidenceView]) -> str:
    """The evidence as a referral's concern: each finding, its factor and its source."""
    lines = ["Found by screening partner records:"]
    for item in evidence:
        sources = ", ".join(item.source_agencies)
        lines.append(f"- {item.factor_name}: {item.evidence} (source: {sources})")
    return "\n".join(lines)


def areas_with_candidates(user: User) -> list[str]:
    return sorted(
        set(candidates_visible_to(user).exclude(area="").values_list("area", flat=True).distinct())
    )
