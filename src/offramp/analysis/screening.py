"""Screening partner data for candidates: rules (data, in framework/screening.yaml) that turn
imported records into evidence for framework factors. No Django here; vectorised pandas.

The engine reads eight frames keyed by person id (FRAME_COLUMNS says exactly which columns).
None holds a date of birth or any protected characteristic, and a frame with a column the
engine does not read is refused, so no rule can be written over one. The only age the engine
knows is `age_at_offence` as the police record holds it: "before 18" is the legal threshold the
guide's own factor names (¶2.7, a criminal sanction before 18), and "25 or older" marks a first
offence as an adult's (¶2.12); neither is a fact about who the person is now.

Nothing here decides anything: each row of `evaluate`'s answer is a factual sentence and the
rule that produced it, for a coordinator to weigh (docs/screening.md).
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from offramp.yaml_entries import Entry, EntryError, describe

RULES_PATH = Path(__file__).resolve().parents[1] / "framework" / "screening.yaml"

_ID = re.compile(r"[a-z][a-z0-9_]*")

# The columns of every frame the engine reads, and their kinds. Nothing else may be passed in.
FRAME_COLUMNS: dict[str, dict[str, str]] = {
    "offences": {
        "person_id": "id",
        "offence_date": "date",
        "offence_category": "text",
        "outcome": "text",
        "age_at_offence": "number",
        "source_agency": "text",
    },
    "care_episodes": {
        "person_id": "id",
        "episode_type": "text",
        "start_date": "date",
        "end_date": "date",
        "source_agency": "text",
    },
    "youth_offending": {
        "person_id": "id",
        "order_type": "text",
        "start_date": "date",
        "end_date": "date",
        "source_agency": "text",
    },
    "prison_releases": {
        "person_id": "id",
        "establishment": "text",
        "release_date": "date",
        "source_agency": "text",
    },
    "school_exclusions": {
        "person_id": "id",
        "exclusion_type": "text",
        "exclusion_date": "date",
        "source_agency": "text",
    },
    "memberships": {
        "person_id": "id",
        "group_reference": "text",
        "role": "text",
        "start_date": "date",
        "end_date": "date",
        "source_agency": "text",
    },
    "groups": {"group_reference": "text", "status": "text"},
    "relationships": {
        "person_a": "id",
        "person_b": "id",
        "kind": "text",
        "start_date": "date",
        "end_date": "date",
        "source_agency": "text",
    },
}
# Which date says when a record of each frame happened (used by `any_record`).
_EVENT_DATE = {
    "offences": "offence_date",
    "care_episodes": "start_date",
    "youth_offending": "start_date",
    "prison_releases": "release_date",
    "school_exclusions": "exclusion_date",
}
# Columns a rule may filter on: the categorical fields of each record, nothing else.
FILTERABLE = {
    "offences": ("offence_category", "outcome"),
    "care_episodes": ("episode_type",),
    "youth_offending": ("order_type",),
    "prison_releases": ("establishment",),
    "school_exclusions": ("exclusion_type",),
}
RESULT_COLUMNS = ["person_id", "factor_id", "rule_id", "evidence", "source_agencies", "observed_on"]


class ScreeningRulesError(EntryError):
    """The rules file is missing, unreadable or does not follow its schema."""


class FrameError(ValueError):
    """A frame passed to the engine is missing a column or carries one it must not read."""


# --- the rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    id: str
    factor_id: str
    title: str
    guide_paragraphs: tuple[str, ...]
    quotation: str
    evidence: str  # a template: str.format with the placeholders of its condition kind
    kind: str
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class RuleSet:
    version: str
    rules: tuple[Rule, ...]

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(f"no screening rule {rule_id!r} in version {self.version}")


class _Node(Entry):
    error = ScreeningRulesError

    def ident(self, key: str) -> str:
        value = self.string(key)
        if not _ID.fullmatch(value):
            self.fail(f"field {key!r}: {value!r} is not a valid id (lower case, digits, '_')")
        return value

    def whole_number(self, key: str, *, minimum: int) -> int:
        value: object = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(f"field {key!r} must be a whole number, got {describe(value)}")
        if value < minimum:
            self.fail(f"field {key!r} must be {minimum} or more, got {value}")
        return value

    def flag(self, key: str) -> bool:
        value = self.data[key]
        if not isinstance(value, bool):
            self.fail(f"field {key!r} must be true or false, got {describe(value)}")
        return value

    def ids(self, key: str) -> tuple[str, ...]:
        values = self.texts(key)
        for index, value in enumerate(values):
            if not _ID.fullmatch(value):
                self.fail(
                    f"{key}[{index}]: {value!r} is not a valid code (lower case, digits, '_')"
                )
        return values

    def filters(self, frame: str) -> dict[str, tuple[str, ...]]:
        """`where`: field -> the values that count. Only a record's categorical fields may be
        named, so no rule can filter on anything about who a person is."""
        value = self.data.get("where", {})
        if not isinstance(value, dict) or not value:
            self.fail(f"field 'where' must be a mapping of field to values, got {describe(value)}")
        allowed = FILTERABLE[frame]
        inner = _Node(self.path, f"{self.where}, where", value)
        filters: dict[str, tuple[str, ...]] = {}
        for column in value:
            if column not in allowed:
                self.fail(
                    f"field 'where': {column!r} is not a field a rule may filter {frame} on "
                    f"(allowed: {', '.join(allowed)})"
                )
            filters[column] = inner.ids(column)
        return filters

    def frame(self, key: str) -> str:
        value = self.string(key)
        if value not in _EVENT_DATE:
            self.fail(f"field {key!r}: unknown frame {value!r} (known: {', '.join(_EVENT_DATE)})")
        return value


@dataclass(frozen=True)
class _Kind:
    """A kind of condition: its parameters (read and checked from the file), the placeholders
    its evidence template may use, and the vectorised function that evaluates it to one row per
    person: person_id, observed_on, source_agencies and a column per placeholder."""

    required: tuple[str, ...]
    optional: tuple[str, ...]
    placeholders: tuple[str, ...]
    read: Callable[[_Node], dict[str, Any]]
    evaluate: Callable[[dict[str, Any], Mapping[str, pd.DataFrame], pd.Timestamp], pd.DataFrame]


# --- evaluating conditions ---------------------------------------------------------------------


def _words(codes: pd.Series) -> pd.Series:
    return codes.astype(str).str.replace("_", " ", regex=False)


def _agencies(rows: pd.DataFrame, people: pd.Index, *columns: str) -> list[tuple[str, ...]]:
    """For each of `people`, the sorted distinct agencies in these columns of their rows."""
    long = pd.concat(
        [rows[["person_id", c]].rename(columns={c: "agency"}) for c in columns], ignore_index=True
    )
    long = long[long["agency"].astype(str) != ""].drop_duplicates().sort_values("agency")
    by_person = long.groupby("person_id")["agency"].agg(tuple).to_dict()
    return [by_person.get(person, ()) for person in people]


def _sanctions(frames: Mapping[str, pd.DataFrame], params: dict[str, Any]) -> pd.DataFrame:
    offences = frames["offences"]
    counted = offences[~offences["outcome"].isin(params["not_counted_outcomes"])]
    return counted.sort_values(["person_id", "offence_date"], kind="stable")


def _sanction_count(
    params: dict[str, Any], frames: Mapping[str, pd.DataFrame], today: pd.Timestamp
) -> pd.DataFrame:
    """At least N sanctions for offences committed below an age (as recorded at the offence)."""
    sanctions = _sanctions(frames, params)
    # An offence whose age was not recorded is not counted: the engine never estimates it.
    young = sanctions[sanctions["age_at_offence"] < params["below_age_at_offence"]].copy()
    young["rank"] = young.groupby("person_id").cumcount()
    count = young.groupby("person_id").size()
    reached = young[young["rank"] == params["at_least"] - 1].set_index("person_id")
    first = young[young["rank"] == 0].set_index("person_id").loc[reached.index]
    return pd.DataFrame(
        {
            "person_id": reached.index,
            "observed_on": reached["offence_date"].to_numpy(),
            "source_agencies": _agencies(young, reached.index, "source_agency"),
            "count": count.loc[reached.index].to_numpy(),
            "first_age": first["age_at_offence"].astype(int).to_numpy(),
            "first_date": first["offence_date"].to_numpy(),
        }
    )


def _first_sanction(
    params: dict[str, Any], frames: Mapping[str, pd.DataFrame], today: pd.Timestamp
) -> pd.DataFrame:
    """The person's first sanction was at or after an age, for an offence of these categories."""
    sanctions = _sanctions(frames, params)
    first = sanctions.drop_duplicates("person_id", keep="first")
    hit = first[
        (first["age_at_offence"] >= params["min_age_at_offence"])
        & first["offence_category"].isin(params["offence_categories"])
    ]
    return pd.DataFrame(
        {
            "person_id": hit["person_id"].to_numpy(),
            "observed_on": hit["offence_date"].to_numpy(),
            "source_agencies": [(agency,) for agency in hit["source_agency"]],
            "age": hit["age_at_offence"].astype(int).to_numpy(),
            "category": _words(hit["offence_category"]).to_numpy(),
            "date": hit["offence_date"].to_numpy(),
        }
    )


def _any_record(
    params: dict[str, Any], frames: Mapping[str, pd.DataFrame], today: pd.Timestamp
) -> pd.DataFrame:
    """At least one record in a frame whose fields take these values."""
    name = params["frame"]
    rows = frames[name]
    for column, values in params["where"].items():
        rows = rows[rows[column].isin(values)]
    when = _EVENT_DATE[name]
    rows = rows[rows[when].isna() | (rows[when] <= today)].sort_values(
        ["person_id", when], kind="stable"
    )
    first = rows.drop_duplicates("person_id", keep="first").set_index("person_id")
    return pd.DataFrame(
        {
            "person_id": first.index,
            "observed_on": first[when].fillna(today).to_numpy(),
            "source_agencies": _agencies(rows, first.index, "source_agency"),
            "count": rows.groupby("person_id").size().loc[first.index].to_numpy(),
            "first_date": first[when].fillna(today).to_numpy(),
        }
    )


def _current_members(
    params: dict[str, Any], frames: Mapping[str, pd.DataFrame], today: pd.Timestamp
) -> pd.DataFrame:
    """Memberships in force today of groups whose status counts (active or dormant)."""
    links = frames["memberships"]
    groups = frames["groups"]
    counted = groups.loc[groups["status"].isin(params["group_statuses"]), "group_reference"]
    current = links[
        (links["start_date"].isna() | (links["start_date"] <= today))
        & (links["end_date"].isna() | (links["end_date"] > today))
        & links["group_reference"].isin(counted)
    ]
    return current[["person_id", "start_date", "source_agency"]]


def _ties_to_members(
    params: dict[str, Any], frames: Mapping[str, pd.DataFrame], today: pd.Timestamp
) -> pd.DataFrame:
    """Every tie of the rule's kinds from a person to a current member, one row per tie and
    membership: person_id, kind, since (when both the tie and the membership held), agencies."""
    ties = frames["relationships"]
    ties = ties[ties["kind"].isin(params["tie_kinds"])]
    ties = ties[ties["start_date"].isna() | (ties["start_date"] <= today)]
    if not params["include_ended_ties"]:
        ties = ties[ties["end_date"].isna() | (ties["end_date"] > today)]
    both_ways = pd.concat(
        [
            ties.rename(columns={"person_a": "person_id", "person_b": "other"}),
            ties.rename(columns={"person_b": "person_id", "person_a": "other"}),
        ],
        ignore_index=True,
    )
    both_ways = both_ways[both_ways["person_id"] != both_ways["other"]]
    members = _current_members(params, frames, today).rename(
        columns={
            "person_id": "other",
            "start_date": "member_since",
            "source_agency": "member_source",
        }
    )
    hits = both_ways.merge(members, on="other")
    if params["excluding_current_members"]:
        hits = hits[~hits["person_id"].isin(members["other"])]
    since = hits[["start_date", "member_since"]].max(axis=1)
    hits = hits.assign(since=since.fillna(today))
    return hits[["person_id", "kind", "since", "source_agency", "member_source"]]


def _tie_to_member(
    params: dict[str, Any], frames: Mapping[str, pd.DataFrame], today: pd.Timestamp
) -> pd.DataFrame:
    """A tie of these kinds to a current member of a group that is active or dormant."""
    hits = _ties_to_members(params, frames, today).sort_values(
        ["person_id", "since"], kind="stable"
    )
    first = hits.drop_duplicates("person_id", keep="first").set_index("person_id")
    return pd.DataFrame(
        {
            "person_id": first.index,
            "observed_on": first["since"].to_numpy(),
            "source_agencies": _agencies(hits, first.index, "source_agency", "member_source"),
            "tie_kind": _words(first["kind"]).to_numpy(),
            "ties": hits.groupby("person_id").size().loc[first.index].to_numpy(),
        }
    )


def _release_with_tie(
    params: dict[str, Any], frames: Mapping[str, pd.DataFrame], today: pd.Timestamp
) -> pd.DataFrame:
    """Released from custody within N months, with a tie to a current member of a group."""
    releases = frames["prison_releases"]
    earliest = today - pd.DateOffset(months=params["released_within_months"])
    recent = releases[(releases["release_date"] >= earliest) & (releases["release_date"] <= today)]
    tied = _ties_to_members(params, frames, today)
    recent = recent[recent["person_id"].isin(tied["person_id"])]
    latest = recent.sort_values(["person_id", "release_date"], kind="stable").drop_duplicates(
        "person_id", keep="last"
    )
    latest = latest.set_index("person_id")
    tied = tied[tied["person_id"].isin(latest.index)]
    agencies = _agencies(
        pd.concat(
            [
                latest.reset_index()[["person_id", "source_agency"]],
                tied[["person_id", "source_agency"]],
                tied[["person_id", "member_source"]].rename(
                    columns={"member_source": "source_agency"}
                ),
            ]
        ),
        latest.index,
        "source_agency",
    )
    return pd.DataFrame(
        {
            "person_id": latest.index,
            "observed_on": latest["release_date"].to_numpy(),
            "source_agencies": agencies,
            "release_date": latest["release_date"].to_numpy(),
            "ties": tied.groupby("person_id").size().loc[latest.index].to_numpy(),
        }
    )


# --- reading each kind's parameters ---------------------------------------------------------------

_SANCTION_PARAMS = ("not_counted_outcomes",)
_TIE_PARAMS = ("tie_kinds", "group_statuses", "include_ended_ties", "excluding_current_members")


def _read_sanction_count(node: _Node) -> dict[str, Any]:
    return {
        "at_least": node.whole_number("at_least", minimum=1),
        "below_age_at_offence": node.whole_number("below_age_at_offence", minimum=1),
        "not_counted_outcomes": node.ids("not_counted_outcomes"),
    }


def _read_first_sanction(node: _Node) -> dict[str, Any]:
    return {
        "min_age_at_offence": node.whole_number("min_age_at_offence", minimum=1),
        "offence_categories": node.ids("offence_categories"),
        "not_counted_outcomes": node.ids("not_counted_outcomes"),
    }


def _read_any_record(node: _Node) -> dict[str, Any]:
    frame = node.frame("frame")
    return {"frame": frame, "where": node.filters(frame) if "where" in node.data else {}}


def _read_ties(node: _Node) -> dict[str, Any]:
    return {
        "tie_kinds": node.ids("tie_kinds"),
        "group_statuses": node.ids("group_statuses"),
        "include_ended_ties": node.flag("include_ended_ties"),
        "excluding_current_members": node.flag("excluding_current_members"),
    }


def _read_release_with_tie(node: _Node) -> dict[str, Any]:
    return {
        "released_within_months": node.whole_number("released_within_months", minimum=1),
        **_read_ties(node),
    }


_KINDS: dict[str, _Kind] = {
    "sanction_count": _Kind(
        ("at_least", "below_age_at_offence", *_SANCTION_PARAMS),
        (),
        ("count", "first_age", "first_date"),
        _read_sanction_count,
        _sanction_count,
    ),
    "first_sanction": _Kind(
        ("min_age_at_offence", "offence_categories", *_SANCTION_PARAMS),
        (),
        ("age", "category", "date"),
        _read_first_sanction,
        _first_sanction,
    ),
    "any_record": _Kind(
        ("frame",), ("where",), ("count", "first_date"), _read_any_record, _any_record
    ),
    "tie_to_group_member": _Kind(_TIE_PARAMS, (), ("tie_kind", "ties"), _read_ties, _tie_to_member),
    "release_with_tie_to_group_member": _Kind(
        ("released_within_months", *_TIE_PARAMS),
        (),
        ("release_date", "ties"),
        _read_release_with_tie,
        _release_with_tie,
    ),
}


def _template(node: _Node, kind: str) -> str:
    template = node.text("evidence")
    allowed = _KINDS[kind].placeholders
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as error:
        node.fail(f"field 'evidence': not a valid template ({error})")
    for name in names:
        if name not in allowed:
            node.fail(
                f"field 'evidence': unknown placeholder {{{name}}} for a {kind} condition "
                f"(allowed: {', '.join('{' + p + '}' for p in allowed)})"
            )
    return template


def _rule(node: _Node, factor_ids: Iterable[str]) -> Rule:
    node.check_keys(
        ("id", "factor", "title", "guide_paragraphs", "quotation", "evidence", "condition")
    )
    known = tuple(factor_ids)
    factor = node.ident("factor")
    if factor not in known:
        node.fail(
            f"field 'factor': unknown framework factor {factor!r} (known: {', '.join(known)})"
        )
    condition = node.data["condition"]
    if not isinstance(condition, dict):
        node.fail(f"field 'condition' must be a mapping, got {describe(condition)}")
    inner = _Node(node.path, f"{node.where}, condition", condition)
    kind = inner.string("kind")
    if kind not in _KINDS:
        inner.fail(f"field 'kind': unknown condition {kind!r} (known: {', '.join(_KINDS)})")
    spec = _KINDS[kind]
    inner.check_keys(("kind", *spec.required), spec.optional)
    return Rule(
        id=node.ident("id"),
        factor_id=factor,
        title=node.text("title", limit=120),
        guide_paragraphs=node.paragraphs(allow_empty=False),
        quotation=node.text("quotation", limit=400),
        evidence=_template(node, kind),
        kind=kind,
        parameters=spec.read(inner),
    )


def load_rules(path: Path, factor_ids: Iterable[str]) -> RuleSet:
    """Reads and checks a rules file; every factor must be one of `factor_ids`.

    Raises ScreeningRulesError naming the file, the rule and the field at fault.
    """
    factors = tuple(factor_ids)
    root = _Node.top_level(path, ("version", "rules"))
    version = root.text("version")
    entries = root.data["rules"]
    if not isinstance(entries, list) or not entries:
        root.fail(f"field 'rules' must be a non-empty list, got {describe(entries)}")
    rules: list[Rule] = []
    for index, item in enumerate(entries):
        where = f"rules[{index}]"
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            where += f" (id {item['id']!r})"
        if not isinstance(item, dict):
            raise ScreeningRulesError(path, where, f"must be a mapping, got {describe(item)}")
        rule = _rule(_Node(path, where, item), factors)
        if any(earlier.id == rule.id for earlier in rules):
            raise ScreeningRulesError(path, where, f"id {rule.id!r} is used by an earlier rule")
        rules.append(rule)
    return RuleSet(version=version, rules=tuple(rules))


@functools.cache
def national_rules() -> RuleSet:
    """The packaged rules, checked against the national framework."""
    from offramp.framework import get_framework

    return load_rules(RULES_PATH, (factor.id for factor in get_framework().factors))


# --- frames ------------------------------------------------------------------------------------


def make_frame(name: str, rows: Iterable[Mapping[str, Any] | Sequence[Any]] = ()) -> pd.DataFrame:
    """A frame of the engine's shape from plain rows, as mappings or as tuples in the frame's
    column order (dates as `date`, missing values as None)."""
    columns = FRAME_COLUMNS[name]
    frame = pd.DataFrame(list(rows), columns=list(columns))
    for column, kind in columns.items():
        if kind == "date":
            frame[column] = pd.to_datetime(frame[column])
        elif kind == "id":
            frame[column] = frame[column].astype("int64")
        elif kind == "number":
            frame[column] = pd.to_numeric(frame[column]).astype("float64")
        else:
            frame[column] = frame[column].fillna("").astype(str)
    return frame


def check_frames(frames: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Every frame the engine reads, with exactly its columns; absent frames are empty."""
    unknown = sorted(set(frames) - set(FRAME_COLUMNS))
    if unknown:
        raise FrameError(
            f"unknown frame(s) {', '.join(unknown)} (known: {', '.join(FRAME_COLUMNS)})"
        )
    checked = {}
    for name, columns in FRAME_COLUMNS.items():
        frame = frames.get(name)
        if frame is None:
            checked[name] = make_frame(name)
            continue
        extra = [c for c in frame.columns if c not in columns]
        missing = [c for c in columns if c not in frame.columns]
        if extra:
            raise FrameError(
                f"frame {name!r} has column(s) the engine must not read: "
                f"{', '.join(map(str, extra))}"
            )
        if missing:
            raise FrameError(f"frame {name!r} is missing column(s): {', '.join(missing)}")
        checked[name] = frame
    return checked


# --- evaluating ---------------------------------------------------------------------------------


def _format_value(value: Any) -> str:
    if isinstance(value, pd.Timestamp):
        return f"{value.day} {value:%B %Y}"
    return str(value)


def _sentences(template: str, hits: pd.DataFrame, names: tuple[str, ...]) -> list[str]:
    columns = [hits[name].tolist() for name in names]
    dates = {name for name in names if pd.api.types.is_datetime64_any_dtype(hits[name])}
    return [
        template.format(
            **{
                name: _format_value(pd.Timestamp(value) if name in dates else value)
                for name, value in zip(names, row, strict=True)
            }
        )
        for row in zip(*columns, strict=True)
    ]


def evaluate(rules: RuleSet, frames: Mapping[str, pd.DataFrame], today: date) -> pd.DataFrame:
    """The evidence every rule finds: one row per person and rule, with the factor, a factual
    sentence naming no one else, the agencies whose records it rests on, and the date it
    became true. Sorted by person, factor and rule."""
    checked = check_frames(frames)
    day = pd.Timestamp(today)
    parts = []
    for rule in rules.rules:
        spec = _KINDS[rule.kind]
        hits = spec.evaluate(dict(rule.parameters), checked, day)
        if hits.empty:
            continue
        parts.append(
            pd.DataFrame(
                {
                    "person_id": hits["person_id"].astype("int64").to_numpy(),
                    "factor_id": rule.factor_id,
                    "rule_id": rule.id,
                    "evidence": _sentences(rule.evidence, hits, spec.placeholders),
                    "source_agencies": hits["source_agencies"].to_numpy(),
                    "observed_on": pd.to_datetime(hits["observed_on"]).dt.date.to_numpy(),
                }
            )
        )
    if not parts:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in RESULT_COLUMNS})
    result = pd.concat(parts, ignore_index=True)
    return result.sort_values(["person_id", "factor_id", "rule_id"], ignore_index=True)[
        RESULT_COLUMNS
    ]
