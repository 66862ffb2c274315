"""Reads for networks: the network as arrays, exposure cached by the data it came from, and the
explanations the pages, API, exports and assessments show.

The three tables are read in bulk (`values_list` into numpy) into one `network.Network` whose
person ids are database ids. Exposure is computed once per data version, day and view, and kept
in Django's cache: the version changes with any group, link or tie added, changed or removed
(record counts, the highest id and the latest change of each table), so a change always gives a
fresh result. Network proximity is a reason to offer support, always shown with its path; it is
never a score (docs/network-analysis.md).
"""

import datetime
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace

import numpy as np
import numpy.typing as npt
from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from offramp.access.naming import (
    naming_purposes_in_force,
    network_label_for,
    network_labels_for,
)
from offramp.access.permissions import Capability, has_capability
from offramp.access.scoping import (
    dismissed_suggestions_visible_to,
    groups_visible_to,
    memberships_for_network_analysis,
    memberships_visible_to,
    open_cases_partnership_wide,
    people_linkable_in_networks,
    relationships_visible_to,
    ties_for_network_analysis,
)
from offramp.accounts.models import User
from offramp.analysis.network import (
    NETWORK_FACTOR,
    PERIPHERY_MAX_HOPS,
    TIE_TYPES,
    Exposure,
    FactorSuggestion,
    Memberships,
    Network,
    PathStep,
    Ties,
    TieType,
    build_graph,
    compute_exposure,
    confidence_from_levels,
    periphery,
)
from offramp.assessments.framework import current_framework
from offramp.assessments.models import Assessment
from offramp.people.models import Person, PersonCategory

from .models import (
    ROLE_LABELS,
    GroupMembership,
    GroupStatus,
    OrganisedCrimeGroup,
    Relationship,
)
from .services import PURPOSE

CACHE_SECONDS = 60 * 60
CACHE_PREFIX = "offramp:networks"
# Members of a disrupted group no longer draw anyone in; the group's own map still shows them.
EXPOSING_STATUSES = frozenset({GroupStatus.ACTIVE, GroupStatus.DORMANT})
ALL_TIE_TYPES = frozenset(TieType)
NOT_A_SCORE = (
    "Network proximity is only a reason to offer support, with the path that explains it. It "
    "is not a score and does not say that anyone is involved in crime: it says that their "
    "recorded ties lead to people who are."
)
# "<first person> <phrase> <second person>", read from the first person.
TIE_PHRASES: dict[str, str] = {
    TieType.FAMILY_PARENT: "is a parent of",
    TieType.FAMILY_CHILD: "is a child of",
    TieType.FAMILY_SIBLING: "is a sibling of",
    TieType.FAMILY_OTHER: "is a relative of",
    TieType.INTIMATE_PARTNER: "is the intimate partner of",
    TieType.ASSOCIATE_PEER: "is a friend or peer of",
    TieType.ASSOCIATE_COLLEAGUE: "is a colleague of",
    TieType.ASSOCIATE_CLIENT: "has a client relationship with",
    TieType.ASSOCIATE_NEIGHBOUR: "is a neighbour of",
    TieType.CO_OFFENDER: "has offended with",
    TieType.PRISON: "was in the same prison at the same time as",
    TieType.ONLINE_COMMUNITY: "is in the same online community as",
    TieType.ONLINE_PLATFORM: "is in contact online with",
    TieType.BUSINESS: "is in business with",
}


# --- the network as arrays, cached by the version of the data -------------------------------------


def data_version() -> str:
    """Changes whenever a group, a link to a group or a tie is added, changed or removed."""
    parts = []
    for model in (OrganisedCrimeGroup, GroupMembership, Relationship):
        state = model.objects.order_by().aggregate(
            rows=Count("pk"), last=Max("pk"), changed=Max("updated_at")
        )
        changed = state["changed"].isoformat() if state["changed"] else ""
        parts.append(f"{state['rows']}:{state['last']}:{changed}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


@dataclass(frozen=True, eq=False)
class LoadedNetwork:
    """Everyone tied to someone or linked to a group as a suspect or offender, every tie, and
    every suspect's or offender's link (other links make nobody a member)."""

    network: Network
    exposing: npt.NDArray[np.bool_]  # per link: its group is not disrupted


def dates_array(values: Iterable[object]) -> npt.NDArray[np.datetime64]:
    return np.array([day or "NaT" for day in values], dtype="datetime64[D]")


def _columns(rows: Sequence[tuple[object, ...]], count: int) -> list[list[object]]:
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * count


def _load_network() -> LoadedNetwork:
    tie_columns = (
        "pk",
        "person_a_id",
        "person_b_id",
        "tie_type",
        "started_on",
        "ended_on",
        "confidence",
        "weight",
    )
    tie_rows = list(ties_for_network_analysis().order_by("pk").values_list(*tie_columns))
    ids, source, target, types, started, ended, confidence, weight = _columns(tie_rows, 8)
    ties = Ties.from_columns(
        ids=np.array(ids, dtype=np.int64),
        source=np.array(source, dtype=np.int64),
        target=np.array(target, dtype=np.int64),
        tie_type=np.array(types, dtype=str),
        started=dates_array(started),
        ended=dates_array(ended),
        confidence=confidence_from_levels([str(level) for level in confidence]),
        weight=np.array(weight, dtype=np.float64),
    )
    link_rows = list(
        memberships_for_network_analysis()
        .filter(category=PersonCategory.SUSPECT_OR_OFFENDER)
        .order_by("pk")
        .values_list("person_id", "group_id", "role", "started_on", "ended_on", "group__status")
    )
    person, group, role, link_started, link_ended, status = _columns(link_rows, 6)
    memberships = Memberships.from_columns(
        person=np.array(person, dtype=np.int64),
        group=np.array(group, dtype=np.int64),
        role=np.array(role, dtype=str),
        started=dates_array(link_started),
        ended=dates_array(link_ended),
    )
    people = np.unique(np.concatenate((ties.source, ties.target, memberships.person)))
    return LoadedNetwork(
        network=Network(person_ids=people, ties=ties, memberships=memberships),
        exposing=np.isin(np.array(status, dtype=str), sorted(EXPOSING_STATUSES)),
    )


def loaded_network(version: str) -> LoadedNetwork:
    key = f"{CACHE_PREFIX}:arrays:{version}"
    found = cache.get(key)
    if found is None:
        found = _load_network()
        cache.set(key, found, CACHE_SECONDS)
    return found


@dataclass(frozen=True)
class NetworkView:
    """The network analysed: as it stood on a day, with some kinds of tie, and with the members
    of one group (any status) or of every group that is not disrupted."""

    as_of: datetime.date
    tie_types: frozenset[TieType] = ALL_TIE_TYPES
    group_id: int | None = None

    def key(self) -> str:
        types = sum(1 << TIE_TYPES.index(tie_type) for tie_type in self.tie_types)
        return f"{self.as_of.isoformat()}:{types:x}:{self.group_id or 'all'}"


def _viewed(loaded: LoadedNetwork, view: NetworkView) -> Network:
    network = loaded.network
    ties, links = network.ties, network.memberships
    wanted = np.array([TIE_TYPES.index(t) for t in view.tie_types], dtype=np.int8)
    keep_ties = np.isin(ties.tie_type, wanted)
    keep_links = (links.group == view.group_id) if view.group_id else loaded.exposing
    return Network(
        person_ids=network.person_ids,
        ties=replace(ties, **{f.name: getattr(ties, f.name)[keep_ties] for f in fields(ties)}),
        memberships=replace(
            links, **{f.name: getattr(links, f.name)[keep_links] for f in fields(links)}
        ),
    )


def exposure_for(view: NetworkView) -> Exposure:
    """Exposure of everyone in the view, computed once per data version and view."""
    version = data_version()
    key = f"{CACHE_PREFIX}:exposure:{version}:{view.key()}"
    exposure = cache.get(key)
    if exposure is None:
        network = _viewed(loaded_network(version), view)
        exposure = compute_exposure(build_graph(network, as_of=view.as_of))
        cache.set(key, exposure, CACHE_SECONDS)
    return exposure


def today_view() -> NetworkView:
    return NetworkView(as_of=timezone.localdate())


def in_network(exposure: Exposure, person_ids: Iterable[int]) -> list[int]:
    ids = list(person_ids)
    known = np.isin(np.array(ids, dtype=np.int64), exposure.graph.person_ids)
    return [person_id for person_id, found in zip(ids, known.tolist(), strict=True) if found]


# --- explanations in people's words ---------------------------------------------------------------


@dataclass(frozen=True)
class PersonRef:
    id: int
    name: str  # as the viewer may read it: a name or a pseudonym (offramp.access.naming)


@dataclass(frozen=True)
class MemberRef:
    """A current member at the end of a path, with their role in each group they belong to."""

    person: PersonRef
    roles: tuple[str, ...]  # "core member of OCG-HM-001 Granite Kestrel"

    @property
    def text(self) -> str:
        roles = " and ".join(self.roles) or "a member of an organised crime group"
        return f"{self.person.name}, {roles}"


@dataclass(frozen=True)
class ExplainedStep:
    from_person: PersonRef
    to_person: PersonRef
    relationship: Relationship
    tie_type: TieType  # read from from_person
    length: float

    @property
    def phrase(self) -> str:
        return TIE_PHRASES[self.tie_type]

    @property
    def text(self) -> str:
        when = _tie_dates(self.relationship)
        return f"{self.from_person.name} {self.phrase} {self.to_person.name}{when}"


def _tie_dates(relationship: Relationship) -> str:
    if relationship.ended_on:
        return f" (until {relationship.ended_on:%-d %B %Y})"
    if relationship.started_on:
        return f" (since {relationship.started_on:%-d %B %Y})"
    return ""


@dataclass(frozen=True)
class ExplainedSuggestion:
    """A Networks factor the person's own tie may be evidence for: a suggestion to accept or
    reject, never a finding."""

    factor_id: str
    factor_name: str
    guide_paragraph: str
    rule: str
    steps: tuple[ExplainedStep, ...]
    member: MemberRef

    @property
    def relationship(self) -> Relationship:
        """The person's own tie: where the evidence comes from."""
        return self.steps[0].relationship

    @property
    def text(self) -> str:
        path = "; ".join(step.text for step in self.steps)
        return f"{path}. {self.member.text}."

    @property
    def evidence(self) -> str:
        """What an accepted suggestion records as the factor's evidence."""
        tie = self.relationship
        return (
            f"Network tie (suggested by Offramp, guide ¶{self.guide_paragraph}): {self.text} "
            f"The tie was recorded by {tie.source_agency.name} with "
            f"{tie.get_confidence_display().lower()} confidence (relationship {tie.pk})."
        )

    def form_initial(self) -> dict[str, object]:
        """The assessment form's fields for this factor, filled in from the suggestion."""
        tie = self.relationship
        return {
            f"{self.factor_id}-judgement": "possible",
            f"{self.factor_id}-evidence": self.evidence,
            f"{self.factor_id}-source_agency": tie.source_agency_id,
            f"{self.factor_id}-evidence_date": timezone.localdate(tie.created_at),
        }


@dataclass(frozen=True)
class ExplainedExposure:
    person: PersonRef
    is_member: bool
    hops: int  # fewest ties to a current member; -1 when none
    distance: float  # weighted length of `path`; inf when none
    nearest: tuple[MemberRef, ...]
    path: tuple[ExplainedStep, ...]
    suggestions: tuple[ExplainedSuggestion, ...]

    @classmethod
    def unconnected(cls, person: PersonRef) -> "ExplainedExposure":
        """Someone with no tie and no suspect's link: outside the analysed network."""
        return cls(person, False, -1, float("inf"), (), (), ())

    @property
    def text(self) -> str:
        if not self.path:
            return ""
        return "; ".join(step.text for step in self.path)

    @property
    def factor_names(self) -> str:
        return ", ".join(f"{s.factor_name} (¶{s.guide_paragraph})" for s in self.suggestions)


def consultation_purpose(user: User) -> str:
    """What showing the network to the user is logged as: while a stated purpose lets them
    read names, which purpose, so that the access log ties each view to the reason given."""
    stated = naming_purposes_in_force(user).first()
    return PURPOSE if stated is None else f"{PURPOSE}, names under purpose {stated.pk}"


def _member_roles(
    user: User, person_ids: Iterable[int], view: NetworkView
) -> dict[int, tuple[str, ...]]:
    links = (
        memberships_visible_to(user)
        .filter(person_id__in=set(person_ids), category=PersonCategory.SUSPECT_OR_OFFENDER)
        .filter(Q(started_on__isnull=True) | Q(started_on__lte=view.as_of))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=view.as_of))
        .select_related("group")
    )
    if view.group_id:
        links = links.filter(group_id=view.group_id)
    else:
        links = links.filter(group__status__in=EXPOSING_STATUSES)
    roles: dict[int, list[str]] = {}
    for link in links.order_by("group__reference"):
        group = link.group
        roles.setdefault(link.person_id, []).append(
            f"{ROLE_LABELS[link.role].lower()} of {group.reference} {group.name}"
        )
    return {person: tuple(found) for person, found in roles.items()}


@dataclass
class _Resolver:
    """Labels, ties and roles for a batch of explanations, each fetched once."""

    user: User
    view: NetworkView
    labels: dict[int, str] = field(default_factory=dict)
    ties: dict[int, Relationship] = field(default_factory=dict)
    roles: dict[int, tuple[str, ...]] = field(default_factory=dict)

    def load(self, people: set[int], tie_ids: set[int], members: set[int]) -> None:
        self.labels = network_labels_for(self.user, people | members)
        self.ties = (
            relationships_visible_to(self.user).select_related("source_agency").in_bulk(tie_ids)
        )
        self.roles = _member_roles(self.user, members, self.view)

    def ref(self, person_id: int) -> PersonRef:
        return PersonRef(person_id, self.labels[person_id])

    def member(self, person_id: int) -> MemberRef:
        return MemberRef(self.ref(person_id), self.roles.get(person_id, ()))

    def step(self, step: PathStep) -> ExplainedStep:
        return ExplainedStep(
            from_person=self.ref(step.from_person),
            to_person=self.ref(step.to_person),
            relationship=self.ties[step.tie_id],
            tie_type=step.tie_type,
            length=step.length,
        )

    def suggestion(self, suggestion: FactorSuggestion) -> ExplainedSuggestion:
        factor = current_framework().factor(suggestion.factor_id)
        return ExplainedSuggestion(
            factor_id=suggestion.factor_id,
            factor_name=factor.name,
            guide_paragraph=suggestion.guide_paragraph,
            rule=suggestion.rule,
            steps=tuple(self.step(step) for step in suggestion.path.steps),
            member=self.member(suggestion.path.people[-1]),
        )


def explain(
    *, user: User, exposure: Exposure, view: NetworkView, person_ids: Iterable[int]
) -> dict[int, ExplainedExposure]:
    """Explanations for those of `person_ids` in the network, names and ties fetched in bulk."""
    raw = {pid: exposure.explain(pid) for pid in in_network(exposure, person_ids)}
    people: set[int] = set(raw)
    ties: set[int] = set()
    members: set[int] = set()
    for found in raw.values():
        members.update(found.nearest_members)
        paths = [s.path for s in found.factor_suggestions] + ([found.path] if found.path else [])
        for path in paths:
            people.update(path.people)
            members.add(path.people[-1])
            ties.update(step.tie_id for step in path.steps)
    resolver = _Resolver(user, view)
    resolver.load(people, ties, members)
    return {
        pid: ExplainedExposure(
            person=resolver.ref(pid),
            is_member=found.is_member,
            hops=found.hops,
            distance=found.distance,
            nearest=tuple(resolver.member(m) for m in found.nearest_members if m != pid),
            path=tuple(resolver.step(s) for s in found.path.steps) if found.path else (),
            suggestions=tuple(resolver.suggestion(s) for s in found.factor_suggestions),
        )
        for pid, found in raw.items()
    }


def person_exposure(*, user: User, person: Person) -> ExplainedExposure:
    """Today's exposure of one person to every group that is not disrupted."""
    view = today_view()
    found = explain(user=user, exposure=exposure_for(view), view=view, person_ids=[person.pk])
    return found.get(person.pk) or ExplainedExposure.unconnected(
        PersonRef(person.pk, network_label_for(user, person))
    )


def person_ties(user: User, person: Person) -> QuerySet[Relationship]:
    return (
        relationships_visible_to(user)
        .filter(Q(person_a=person) | Q(person_b=person))
        .select_related("source_agency")
        .order_by("-started_on", "pk")
    )


def linkable_person(user: User, number: int) -> Person | None:
    """The person with this record number, if the user may link them (`not_linkable` if not)."""
    return people_linkable_in_networks(user).filter(pk=number).first()


def not_linkable(number: int) -> str:
    """The one answer for a record number nobody may link: the same whether the record does
    not exist or the user may not see it, so linking never tells what exists."""
    return f"There is no person with the record number {number} that you may link"


def labelled_ties(user: User, ties: Iterable[Relationship]) -> list[tuple[Relationship, str, str]]:
    """Each tie with the labels of its first and second person, as the user may read them."""
    ties = list(ties)
    labels = network_labels_for(
        user, (pid for tie in ties for pid in (tie.person_a_id, tie.person_b_id))
    )
    return [(tie, labels[tie.person_a_id], labels[tie.person_b_id]) for tie in ties]


def person_links(user: User, person: Person) -> QuerySet[GroupMembership]:
    return (
        memberships_visible_to(user)
        .filter(person=person)
        .select_related("group", "source_agency")
        .order_by("group__reference", "pk")
    )


# --- a group's pathway map ------------------------------------------------------------------------

MAP_LIMIT = 400


@dataclass(frozen=True)
class MapPerson:
    person: PersonRef
    link: GroupMembership | None  # their link to this group, if they have one
    explained: ExplainedExposure | None

    @property
    def kind(self) -> str:
        """member (a suspect or offender), victim, linked (another category) or periphery."""
        if self.link is None:
            return "periphery"
        if self.link.category == PersonCategory.SUSPECT_OR_OFFENDER:
            return "member"
        return "victim" if self.link.category == PersonCategory.VICTIM else "linked"

    @property
    def link_label(self) -> str:
        return self.link.link_label if self.link else "Not linked to the group"

    @property
    def hops(self) -> int:
        return self.explained.hops if self.explained else -1

    @property
    def ring(self) -> int:
        """Members in the middle, then one and two ties out; the unconnected outside."""
        return self.hops if self.hops >= 0 else PERIPHERY_MAX_HOPS + 1


@dataclass(frozen=True)
class GroupMap:
    group: OrganisedCrimeGroup
    view: NetworkView
    people: tuple[MapPerson, ...]
    ties: tuple[Relationship, ...]
    truncated: bool

    @property
    def tie_rows(self) -> list[tuple[Relationship, PersonRef, PersonRef]]:
        """Each tie with the people at its ends, read from the first to the second."""
        people = {entry.person.id: entry.person for entry in self.people}
        return [(tie, people[tie.person_a_id], people[tie.person_b_id]) for tie in self.ties]

    def data(self) -> dict[str, object]:
        """What the map script draws; the page's tables say the same."""
        return {
            "nodes": [
                {
                    "id": f"p{p.person.id}",
                    "label": p.person.name,
                    "kind": p.kind,
                    "link": p.link_label,
                    "factors": p.explained.factor_names if p.explained else "",
                    "ring": p.ring,
                }
                for p in self.people
            ],
            "edges": [
                {
                    "id": f"t{tie.pk}",
                    "source": f"p{tie.person_a_id}",
                    "target": f"p{tie.person_b_id}",
                    "factor": NETWORK_FACTOR[TieType(tie.tie_type)],
                    "label": tie.get_tie_type_display(),
                    "ended": tie.ended_on is not None and tie.ended_on <= self.view.as_of,
                }
                for tie in self.ties
            ],
        }


def _current_links(group: OrganisedCrimeGroup, day: datetime.date) -> QuerySet[GroupMembership]:
    return group.memberships.filter(
        Q(started_on__isnull=True) | Q(started_on__lte=day),
        Q(ended_on__isnull=True) | Q(ended_on__gt=day),
    )


def group_links(
    *, user: User, group: OrganisedCrimeGroup, day: datetime.date
) -> list[tuple[GroupMembership, str]]:
    """Everyone linked to the group on `day`, each with their label for the user: suspects
    with their role first, then others."""
    links = list(_current_links(group, day).select_related("source_agency"))
    labels = network_labels_for(user, (link.person_id for link in links))
    return sorted(
        ((link, labels[link.person_id]) for link in links),
        key=lambda entry: (entry[0].role == "", entry[0].role, entry[1]),
    )


def group_map(*, user: User, group: OrganisedCrimeGroup, view: NetworkView) -> GroupMap:
    """The group's members and everyone else linked to it, and the people within two ties of a
    member, each with the factors through which they may have been drawn in."""
    view = replace(view, group_id=group.pk)
    exposure = exposure_for(view)
    links = {link.person_id: link for link in _current_links(group, view.as_of)}
    around = [entry.person_id for entry in periphery(exposure)]
    ids = list(dict.fromkeys([*links, *around]))
    truncated = len(ids) > MAP_LIMIT
    ids = ids[:MAP_LIMIT]
    explained = explain(user=user, exposure=exposure, view=view, person_ids=ids)
    labels = network_labels_for(user, ids)
    people = tuple(
        MapPerson(
            person=PersonRef(pid, labels[pid]),
            link=links.get(pid),
            explained=explained.get(pid),
        )
        for pid in ids
    )
    ties = (
        relationships_visible_to(user)
        .filter(person_a_id__in=ids, person_b_id__in=ids, tie_type__in=view.tie_types)
        .filter(Q(started_on__isnull=True) | Q(started_on__lte=view.as_of))
        .select_related("source_agency")
        .order_by("pk")
    )
    return GroupMap(group=group, view=view, people=people, ties=tuple(ties), truncated=truncated)


def group_list(user: User) -> QuerySet[OrganisedCrimeGroup]:
    today = timezone.localdate()
    current = (Q(memberships__ended_on__isnull=True) | Q(memberships__ended_on__gt=today)) & Q(
        memberships__category=PersonCategory.SUSPECT_OR_OFFENDER
    )
    return groups_visible_to(user).annotate(current_members=Count("memberships", filter=current))


# --- the periphery --------------------------------------------------------------------------------

PERIPHERY_PAGE = 200


@dataclass(frozen=True)
class PeripheryRow:
    explained: ExplainedExposure
    open_case: bool


def people_with_open_cases(person_ids: Iterable[int]) -> set[int]:
    return set(
        open_cases_partnership_wide()
        .filter(person_id__in=set(person_ids))
        .values_list("person_id", flat=True)
    )


def periphery_rows(
    *, user: User, no_open_case: bool, limit: int = PERIPHERY_PAGE
) -> tuple[list[PeripheryRow], int]:
    """People in no group but within two ties of a member of one that is not disrupted,
    nearest first; with `no_open_case`, only those without an open case. Also the count."""
    if not has_capability(user, Capability.MANAGE_NETWORKS):
        return [], 0
    view = today_view()
    exposure = exposure_for(view)
    ids = [entry.person_id for entry in periphery(exposure)]
    open_cases = people_with_open_cases(ids)
    if no_open_case:
        ids = [pid for pid in ids if pid not in open_cases]
    shown = ids[:limit]
    explained = explain(user=user, exposure=exposure, view=view, person_ids=shown)
    rows = [PeripheryRow(explained[pid], pid in open_cases) for pid in shown if pid in explained]
    return rows, len(ids)


# --- suggestions on an assessment -----------------------------------------------------------------


def assessment_suggestions(
    *, user: User, assessment: Assessment, factor_ids: Iterable[str]
) -> dict[str, ExplainedSuggestion]:
    """For those of `factor_ids` that network ties are evidence for, today's suggestion for the
    assessed person, unless dismissed on this assessment. Only for those who may see networks."""
    wanted = set(factor_ids) & set(NETWORK_FACTOR.values())
    if not wanted or not has_capability(user, Capability.MANAGE_NETWORKS):
        return {}
    found = person_exposure(user=user, person=assessment.person)
    dismissed = set(
        dismissed_suggestions_visible_to(user)
        .filter(assessment=assessment)
        .values_list("factor_id", "relationship_id")
    )
    return {
        s.factor_id: s
        for s in found.suggestions
        if s.factor_id in wanted and (s.factor_id, s.relationship.pk) not in dismissed
    }
