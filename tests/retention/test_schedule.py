"""The retention schedule file and its strict loader."""

import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import override_settings

from offramp.retention.schedule import (
    DEFAULT_PATH,
    PersonFacts,
    ScheduleError,
    add_years,
    load_schedule,
)
from offramp.retention.selectors import VOCABULARY, _load, current_schedule

Data = dict[str, Any]


def bundled() -> Data:
    data: Data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    return data


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "schedule.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def facts(**overrides: object) -> PersonFacts:
    values: dict[str, object] = {
        "person_id": 1,
        "date_of_birth": datetime.date(1990, 1, 1),
        "last_activity": datetime.date(2026, 3, 1),
        "open_work": False,
    }
    values.update(overrides)
    return PersonFacts(**values)  # type: ignore[arg-type]


def test_the_bundled_schedule_loads_and_every_rule_gives_its_reason() -> None:
    schedule = load_schedule(vocabulary=VOCABULARY)
    ids = [rule.id for rule in schedule.rules]
    assert {
        "closed_no_further_action",
        "assessed_no_concern",
        "significant_concern",
        "safeguarding_first",
        "child_records",
    } <= set(ids)
    assert all(len(rule.rationale) > 40 for rule in schedule.rules)
    years = {rule.id: rule.review_after_years for rule in schedule.rules}
    assert years["closed_no_further_action"] == 2
    assert years["assessed_no_concern"] == 3
    assert years["significant_concern"] == years["safeguarding_first"] == 6
    assert schedule.rule("child_records").review_at_age == 25  # type: ignore[union-attr]


def test_the_most_protective_rule_wins() -> None:
    schedule = load_schedule(vocabulary=VOCABULARY)
    nfa = schedule.due(facts(closures=frozenset({"no_further_action"})))
    assert nfa is not None
    assert (nfa.rule.id, nfa.due_on) == ("closed_no_further_action", datetime.date(2028, 3, 1))
    both = schedule.due(
        facts(
            closures=frozenset({"no_further_action"}),
            concerns=frozenset({"no_concern", "significant_concern"}),
        )
    )
    assert both is not None
    assert (both.rule.id, both.due_on) == ("significant_concern", datetime.date(2032, 3, 1))
    child = schedule.due(
        facts(
            date_of_birth=datetime.date(2012, 5, 2),
            first_referral_on=datetime.date(2026, 1, 1),
            concerns=frozenset({"safeguarding_first"}),
        )
    )
    assert child is not None
    assert (child.rule.id, child.due_on) == ("child_records", datetime.date(2037, 5, 2))
    assert schedule.due(facts(open_work=True)) is None


def test_a_year_after_29_february_is_28_february() -> None:
    assert add_years(datetime.date(2024, 2, 29), 2) == datetime.date(2026, 2, 28)
    assert add_years(datetime.date(2024, 2, 29), 4) == datetime.date(2028, 2, 29)


@pytest.mark.parametrize(
    ("change", "where", "problem"),
    [
        (
            lambda d: d["rules"][1].pop("rationale"),
            "rules[1] (id 'assessed_no_concern')",
            "rationale",
        ),
        (
            lambda d: d["rules"][2].update(review_at_age=30),
            "rules[2] (id 'some_concern')",
            "exactly one of",
        ),
        (
            lambda d: d["rules"][0]["match"].update(referral_closure=["no_further_acton"]),
            "rules[0] (id 'closed_no_further_action')",
            "unknown code(s) no_further_acton",
        ),
        (
            lambda d: d["rules"][3]["match"].update(postcode=["NE1"]),
            "rules[3] (id 'significant_concern')",
            "unknown match condition(s) postcode",
        ),
        (
            lambda d: d["rules"][4].update(review_after_years=0),
            "rules[4] (id 'safeguarding_first')",
            "whole number of years",
        ),
        (lambda d: d["rules"][5].update(id="Child Records"), "rules[5]", "'id' must be"),
        (
            lambda d: d["rules"].append(dict(d["rules"][0])),
            "rules[7] (id 'closed_no_further_action')",
            "duplicate id",
        ),
        (lambda d: d.update(rules=[]), "top level", "non-empty list"),
        (lambda d: d.update(retain_forever=True), "top level", "unknown key(s) retain_forever"),
    ],
)
def test_a_broken_schedule_names_the_file_and_the_entry(
    tmp_path: Path, change: Any, where: str, problem: str
) -> None:
    data = bundled()
    change(data)
    path = write(tmp_path, data)
    with pytest.raises(ScheduleError) as raised:
        load_schedule(path, vocabulary=VOCABULARY)
    assert raised.value.where == where
    assert problem in raised.value.problem
    assert str(path) in str(raised.value)


def test_an_unreadable_schedule_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ScheduleError, match="cannot be read"):
        load_schedule(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules: [\n  - id: x\n", encoding="utf-8")
    with pytest.raises(ScheduleError, match="not valid YAML") as raised:
        load_schedule(bad)
    assert raised.value.where.startswith("line ")


def test_the_setting_points_at_a_local_schedule(tmp_path: Path) -> None:
    data = bundled()
    data["version"] = "local-1"
    data["rules"][0]["review_after_years"] = 1
    path = write(tmp_path, data)
    _load.cache_clear()
    with override_settings(OFFRAMP_RETENTION_SCHEDULE=str(path)):
        schedule = current_schedule()
        assert schedule.version == "local-1"
        assert schedule.rules[0].review_after_years == 1
    assert current_schedule().path == DEFAULT_PATH
