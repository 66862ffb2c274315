"""Reads of people, always through the scoping selector."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from offramp.access.scoping import events_visible_to, people_visible_to
from offramp.accounts.models import User
from offramp.analysis.names import (
    NameRecord,
    date_of_birth_variants,
    name_sound,
    normalise_name,
    score_match,
)
from offramp.audit.models import Event

from .models import Person

MATCH_THRESHOLD = 0.7
MAX_CANDIDATES = 500


@dataclass(frozen=True)
class PersonMatch:
    person: Person
    score: float
    reasons: tuple[str, ...]
    matched_alias: str = ""


def _candidates(user: User, family_name: str, dob: date | None) -> QuerySet[Person]:
    key, sound = normalise_name(family_name), name_sound(family_name)
    by_name = Q(family_name_key=key) | Q(aliases__family_name_key=key)
    if sound:
        by_name |= Q(family_name_sound=sound) | Q(aliases__family_name_sound=sound)
    if key:
        by_name |= Q(family_name_key__startswith=key[:3])
    query = by_name
    if dob is not None:
        query |= Q(date_of_birth__in=date_of_birth_variants(dob))
    return (
        people_visible_to(user)
        .filter(query)
        .distinct()
        .prefetch_related("aliases", "identifiers__agency")[:MAX_CANDIDATES]
    )


def person_search(
    *, user: User, given_name: str, family_name: str, date_of_birth: date | None = None
) -> list[PersonMatch]:
    """People the user may see who may be the one described, best first, with reasons."""
    searched = NameRecord(given_name, family_name, date_of_birth)
    matches = []
    for person in _candidates(user, family_name, date_of_birth):
        best = score_match(
            searched, NameRecord(person.given_name, person.family_name, person.date_of_birth)
        )
        alias_used = ""
        for alias in person.aliases.all():
            held = NameRecord(
                alias.given_name or person.given_name, alias.family_name, person.date_of_birth
            )
            alias_score = score_match(searched, held)
            if alias_score.score > best.score:
                best, alias_used = alias_score, str(alias)
        if best.score >= MATCH_THRESHOLD:
            matches.append(PersonMatch(person, best.score, best.reasons, alias_used))
    matches.sort(key=lambda m: (-m.score, m.person.family_name, m.person.pk))
    return matches


def person_timeline(*, user: User, person: Person) -> QuerySet[Event]:
    return events_visible_to(user).filter(person=person).select_related("actor", "actor_agency")


def agencies_knowing(person: Person) -> list[str]:
    """Names of agencies that hold the person: who to ask, not what they hold."""
    names = {identifier.agency.name for identifier in person.identifiers.all()}
    names.add(person.created_by_agency.name)
    return sorted(names)
