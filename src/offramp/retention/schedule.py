"""The retention schedule as data: load and validate the YAML file, and work out a review date.

No Django imports, so the rules can be tested (and read) on their own. The file's schema is
described at the top of schedule.yaml and in docs/adr/0007-retention.md. Every problem is a
ScheduleError naming the file and the entry, because coordinators edit the file by hand.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from offramp.dates import add_years, age_on

DEFAULT_PATH = Path(__file__).with_name("schedule.yaml")

_ID = re.compile(r"[a-z][a-z0-9_]*")
MATCH_KEYS = ("assessment_concern", "referral_closure", "referral_status", "child_at_referral")
_RULE_KEYS = {
    "id",
    "name",
    "mopi_analogue",
    "match",
    "review_after_years",
    "review_at_age",
    "rationale",
}
CHILD_AGE = 18


class ScheduleError(ValueError):
    """The schedule file is missing, unreadable or does not follow the schema."""

    def __init__(self, path: Path, where: str, problem: str) -> None:
        self.path = path
        self.where = where
        self.problem = problem
        super().__init__(f"{path}: {where}: {problem}" if where else f"{path}: {problem}")


@dataclass(frozen=True)
class Match:
    assessment_concern: frozenset[str] = frozenset()
    referral_closure: frozenset[str] = frozenset()
    referral_status: frozenset[str] = frozenset()
    child_at_referral: bool | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    mopi_analogue: str
    match: Match
    review_after_years: int | None
    review_at_age: int | None
    rationale: str


@dataclass(frozen=True)
class PersonFacts:
    """What the schedule needs to know about one person, gathered by the selectors."""

    person_id: int
    date_of_birth: datetime.date
    last_activity: datetime.date | None
    open_work: bool
    concerns: frozenset[str] = frozenset()
    closures: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    first_referral_on: datetime.date | None = None


@dataclass(frozen=True)
class Due:
    rule: Rule
    due_on: datetime.date


@dataclass(frozen=True)
class Schedule:
    version: str
    source: str
    rules: tuple[Rule, ...]
    path: Path

    def rule(self, rule_id: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.id == rule_id), None)

    def applies(self, rule: Rule, facts: PersonFacts) -> bool:
        match = rule.match
        if match.assessment_concern and not match.assessment_concern & facts.concerns:
            return False
        if match.referral_closure and not match.referral_closure & facts.closures:
            return False
        if match.referral_status and not match.referral_status & facts.statuses:
            return False
        if match.child_at_referral is not None:
            child = (
                facts.first_referral_on is not None
                and age_on(facts.date_of_birth, facts.first_referral_on) < CHILD_AGE
            )
            if child != match.child_at_referral:
                return False
        return True

    def due(self, facts: PersonFacts) -> Due | None:
        """When this person's records come up for review, by the most protective rule.

        None while anything about them is open, or when no rule applies.
        """
        if facts.open_work:
            return None
        best: Due | None = None
        for rule in self.rules:
            if not self.applies(rule, facts):
                continue
            if rule.review_at_age is not None:
                due_on = add_years(facts.date_of_birth, rule.review_at_age)
            elif facts.last_activity is not None and rule.review_after_years is not None:
                due_on = add_years(facts.last_activity, rule.review_after_years)
            else:
                continue
            if best is None or due_on > best.due_on:
                best = Due(rule, due_on)
        return best


# --- loading ---------------------------------------------------------------------------------


def _text(path: Path, where: str, entry: Mapping[str, Any], key: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ScheduleError(path, where, f"'{key}' must be a non-empty string")
    return value.strip()


def _years(path: Path, where: str, entry: Mapping[str, Any], key: str) -> int | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
        raise ScheduleError(path, where, f"'{key}' must be a whole number of years from 1 to 100")
    return value


def _choices(
    path: Path, where: str, key: str, value: object, allowed: frozenset[str]
) -> frozenset[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ScheduleError(path, where, f"match '{key}' must be a non-empty list of codes")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ScheduleError(
            path,
            where,
            f"match '{key}' has unknown code(s) {', '.join(unknown)} "
            f"(known: {', '.join(sorted(allowed))})",
        )
    return frozenset(value)


def _match(
    path: Path, where: str, value: object, vocabulary: Mapping[str, frozenset[str]]
) -> Match:
    if not isinstance(value, dict):
        raise ScheduleError(path, where, "'match' must be a mapping ({} matches everyone)")
    unknown = sorted(set(value) - set(MATCH_KEYS))
    if unknown:
        raise ScheduleError(
            path,
            where,
            f"unknown match condition(s) {', '.join(unknown)} (known: {', '.join(MATCH_KEYS)})",
        )
    child = value.get("child_at_referral")
    if child is not None and not isinstance(child, bool):
        raise ScheduleError(path, where, "match 'child_at_referral' must be true or false")
    sets = {
        key: _choices(path, where, key, value[key], vocabulary.get(key, frozenset()))
        for key in ("assessment_concern", "referral_closure", "referral_status")
        if key in value
    }
    return Match(child_at_referral=child, **sets)


def _rule(path: Path, index: int, entry: object, vocabulary: Mapping[str, frozenset[str]]) -> Rule:
    where = f"rules[{index}]"
    if not isinstance(entry, dict):
        raise ScheduleError(path, where, "each rule must be a mapping")
    rule_id = entry.get("id")
    if not isinstance(rule_id, str) or not _ID.fullmatch(rule_id):
        raise ScheduleError(path, where, "'id' must be lower-case letters, digits and _")
    where = f"rules[{index}] (id '{rule_id}')"
    unknown = sorted(set(entry) - _RULE_KEYS)
    if unknown:
        raise ScheduleError(path, where, f"unknown key(s) {', '.join(unknown)}")
    after = _years(path, where, entry, "review_after_years")
    at_age = _years(path, where, entry, "review_at_age")
    if (after is None) == (at_age is None):
        raise ScheduleError(
            path, where, "give exactly one of 'review_after_years' and 'review_at_age'"
        )
    if at_age is not None and at_age < CHILD_AGE:
        raise ScheduleError(path, where, f"'review_at_age' must be at least {CHILD_AGE}")
    return Rule(
        id=rule_id,
        name=_text(path, where, entry, "name"),
        mopi_analogue=str(entry.get("mopi_analogue") or "").strip(),
        match=_match(path, where, entry.get("match", {}), vocabulary),
        review_after_years=after,
        review_at_age=at_age,
        rationale=_text(path, where, entry, "rationale"),
    )


def load_schedule(
    path: Path | str | None = None, *, vocabulary: Mapping[str, frozenset[str]] | None = None
) -> Schedule:
    """Reads and validates a schedule file (the bundled one by default).

    `vocabulary` holds the codes each match condition may use (the Django choices, passed in
    by the caller so this module needs no Django); conditions without one accept nothing.
    """
    path = Path(path) if path is not None else DEFAULT_PATH
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ScheduleError(path, "", f"cannot be read: {error.strerror or error}") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ScheduleError(path, where, f"is not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise ScheduleError(path, "top level", "must be a mapping with version, source and rules")
    unknown = sorted(set(data) - {"version", "source", "rules"})
    if unknown:
        raise ScheduleError(path, "top level", f"unknown key(s) {', '.join(unknown)}")
    version = data.get("version")
    if not isinstance(version, str | int | float) or not str(version).strip():
        raise ScheduleError(path, "top level", "'version' is required")
    source = _text(path, "top level", data, "source")
    entries = data.get("rules")
    if not isinstance(entries, list) or not entries:
        raise ScheduleError(path, "top level", "'rules' must be a non-empty list")
    rules = tuple(
        _rule(path, index, entry, vocabulary or {}) for index, entry in enumerate(entries)
    )
    seen: set[str] = set()
    for index, rule in enumerate(rules):
        if rule.id in seen:
            raise ScheduleError(path, f"rules[{index}] (id '{rule.id}')", "duplicate id")
        seen.add(rule.id)
    return Schedule(version=str(version), source=source, rules=rules, path=path)
