"""Reads for the intervention catalogue: places in use, the filtered catalogue, each programme
described in the framework's words, and suggested interventions for a person or a case.

The catalogue holds no personal data, so everyone signed in may read it. Suggestions read a
person's assessment: callers pass a person or case they got through the scoping selectors.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from offramp.access.scoping import placements_counted_for_capacity
from offramp.assessments.framework import current_framework
from offramp.assessments.models import Judgement
from offramp.cases.models import OCCUPYING_STATUSES, Case
from offramp.cases.routing import latest_completed_assessment
from offramp.dates import age_on
from offramp.framework import Framework
from offramp.people.models import Person

from .models import EvidenceStrength, Programme
from .suggestions import Needs, ProgrammeOption, Suggestions, age_range_text, suggest

NO_ASSESSMENT = "No completed assessment yet: complete one to get suggested interventions."


def places_in_use(programmes: Iterable[Programme]) -> dict[int, int]:
    """Places taken on each programme: placements planned or started (cases.OCCUPYING_STATUSES)."""
    counts = (
        placements_counted_for_capacity()
        .filter(programme__in=[p.pk for p in programmes], status__in=OCCUPYING_STATUSES)
        .values("programme_id")
        .annotate(taken=Count("pk"))
        .values_list("programme_id", "taken")
    )
    return dict(counts)


@dataclass(frozen=True)
class ProgrammeSummary:
    """A programme in the framework's words, with its places, for pages, the API and the CLI."""

    programme: Programme
    kind_name: str
    factors: tuple[tuple[str, str], ...]  # (factor name, why the programme addresses it)
    crime_type_names: tuple[str, ...]  # empty: any crime type
    ages: str
    in_use: int

    @property
    def free_places(self) -> int | None:
        capacity = self.programme.capacity
        return None if capacity is None else max(capacity - self.in_use, 0)


def summarise(
    programmes: Iterable[Programme], framework: Framework | None = None
) -> list[ProgrammeSummary]:
    """Summaries in the given order; one query for the places in use."""
    framework = framework or current_framework()
    programmes = list(programmes)
    in_use = places_in_use(programmes)
    factors = {f.id: f.name for f in framework.factors}
    crimes = {c.id: c.name for c in framework.crime_types}
    kinds = {k.id: k.name for k in framework.intervention_kinds}
    return [
        ProgrammeSummary(
            programme=programme,
            kind_name=kinds.get(programme.kind, programme.kind),
            factors=tuple(
                (factors.get(f, f), programme.factor_notes.get(f, "")) for f in programme.factor_ids
            ),
            crime_type_names=tuple(crimes.get(c, c) for c in programme.crime_types),
            ages=age_range_text(programme.min_age, programme.max_age),
            in_use=in_use.get(programme.pk, 0),
        )
        for programme in programmes
    ]


@dataclass(frozen=True)
class CatalogueFilters:
    kind: str = ""
    crime_type: str = ""  # programmes that work with it, including those open to any
    factor_id: str = ""
    age: int | None = None  # programmes open to someone of this age
    include_retired: bool = False


def catalogue(filters: CatalogueFilters | None = None) -> list[Programme]:
    filters = filters or CatalogueFilters()
    programmes: QuerySet[Programme] = Programme.objects.select_related("provider")
    if not filters.include_retired:
        programmes = programmes.filter(retired_at__isnull=True)
    if filters.kind:
        programmes = programmes.filter(kind=filters.kind)
    if filters.age is not None:
        programmes = programmes.filter(
            Q(min_age__isnull=True) | Q(min_age__lte=filters.age),
            Q(max_age__isnull=True) | Q(max_age__gte=filters.age),
        )
    # The JSON lists are matched here, not in SQL: SQLite has no JSON containment lookup,
    # and a catalogue is tens of programmes.
    return [
        programme
        for programme in programmes
        if (not filters.factor_id or filters.factor_id in programme.factor_ids)
        and (
            not filters.crime_type
            or not programme.crime_types
            or filters.crime_type in programme.crime_types
        )
    ]


# --- suggestions ---------------------------------------------------------------------------------


def programme_options() -> list[ProgrammeOption]:
    """Every programme on offer (not retired), with its places in use."""
    available = list(Programme.objects.filter(retired_at__isnull=True))
    in_use = places_in_use(available)
    labels = dict(EvidenceStrength.choices)
    return [
        ProgrammeOption(
            id=programme.pk,
            name=programme.name,
            factor_ids=tuple(programme.factor_ids),
            evidence=programme.evidence_strength,
            evidence_label=labels.get(programme.evidence_strength, programme.evidence_strength),
            min_age=programme.min_age,
            max_age=programme.max_age,
            crime_types=frozenset(programme.crime_types),
            capacity=programme.capacity,
            in_use=in_use.get(programme.pk, 0),
            factor_notes=dict(programme.factor_notes),
            eligibility=programme.eligibility,
        )
        for programme in available
    ]


def _suggestions(person: Person, on: datetime.date | None, in_plan: frozenset[int]) -> Suggestions:
    assessment = latest_completed_assessment(person)
    if assessment is None:
        return Suggestions(suggestions=(), gaps=(), notes=(NO_ASSESSMENT,))
    judged = list(
        assessment.judgements.filter(
            judgement__in=(Judgement.PRESENT, Judgement.POSSIBLE)
        ).values_list("factor_id", "judgement")
    )
    present = frozenset(f for f, judgement in judged if judgement == Judgement.PRESENT)
    needs = Needs(
        present=present,
        possible=frozenset(f for f, _ in judged) - present,
        # Age is read for programme eligibility only, never as a risk input.
        age=age_on(person.date_of_birth, on or timezone.localdate()),
        crime_types=frozenset(assessment.crime_types),
    )
    return suggest(
        needs=needs,
        programmes=programme_options(),
        framework=current_framework(),
        in_plan=in_plan,
    )


def suggestions_for_person(person: Person, *, on: datetime.date | None = None) -> Suggestions:
    """Suggested interventions from the person's latest completed assessment, on a day."""
    return _suggestions(person, on, frozenset())


def suggestions_for_case(case: Case, *, on: datetime.date | None = None) -> Suggestions:
    """As for the person, leaving out programmes already in the case's plan."""
    in_plan = frozenset(
        case.placements.filter(status__in=OCCUPYING_STATUSES).values_list("programme_id", flat=True)
    )
    return _suggestions(case.person, on, in_plan)
