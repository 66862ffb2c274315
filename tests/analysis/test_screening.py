"""The screening engine on small hand-made frames, and the rules file's checks."""

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from offramp.analysis.screening import (
    FRAME_COLUMNS,
    RULES_PATH,
    FrameError,
    ScreeningRulesError,
    evaluate,
    load_rules,
    make_frame,
    national_rules,
)
from offramp.framework import get_framework

TODAY = date(2026, 11, 1)
FACTORS = tuple(factor.id for factor in get_framework().factors)


def offence(person: int, day: date, *, age: int | None, outcome: str = "caution", **extra: str):
    return {
        "person_id": person,
        "offence_date": day,
        "offence_category": extra.get("category", "theft"),
        "outcome": outcome,
        "age_at_offence": age,
        "source_agency": extra.get("agency", "police"),
    }


def found(frames: dict[str, pd.DataFrame], rule_id: str) -> pd.DataFrame:
    result = evaluate(national_rules(), frames, TODAY)
    return result[result["rule_id"] == rule_id].reset_index(drop=True)


def offences(*rows: dict[str, object]) -> dict[str, pd.DataFrame]:
    return {"offences": make_frame("offences", rows)}


# --- early prolific offending -------------------------------------------------------------------


def test_exactly_three_sanctions_before_18_is_evidence_dated_at_the_third() -> None:
    frames = offences(
        offence(1, date(2014, 3, 1), age=14),
        offence(1, date(2015, 3, 1), age=15, outcome="youth_caution"),
        offence(1, date(2016, 3, 1), age=16, outcome="fine", agency="rocu"),
    )
    hit = found(frames, "three_sanctions_before_18")
    assert hit["person_id"].tolist() == [1]
    assert hit.loc[0, "factor_id"] == "early_prolific_offending"
    assert hit.loc[0, "observed_on"] == date(2016, 3, 1)
    assert hit.loc[0, "source_agencies"] == ("police", "rocu")
    assert hit.loc[0, "evidence"] == (
        "3 criminal sanctions recorded for offences before the age of 18, the first on "
        "1 March 2014."
    )


def test_a_no_further_action_does_not_count_as_a_sanction() -> None:
    frames = offences(
        offence(1, date(2014, 3, 1), age=14),
        offence(1, date(2015, 3, 1), age=15, outcome="no_further_action"),
        offence(1, date(2016, 3, 1), age=16),
    )
    assert found(frames, "three_sanctions_before_18").empty


def test_an_offence_on_the_18th_birthday_is_not_before_18() -> None:
    """The age at the offence as the police record holds it: 18 on the birthday itself."""
    frames = offences(
        offence(1, date(2014, 3, 1), age=16),
        offence(1, date(2015, 3, 1), age=17),
        offence(1, date(2016, 3, 1), age=18),
        offence(2, date(2014, 3, 1), age=16),
        offence(2, date(2015, 3, 1), age=17),
        offence(2, date(2016, 2, 29), age=17),
    )
    assert found(frames, "three_sanctions_before_18")["person_id"].tolist() == [2]


def test_an_offence_without_a_recorded_age_is_never_counted() -> None:
    frames = offences(
        offence(1, date(2014, 3, 1), age=14),
        offence(1, date(2015, 3, 1), age=15),
        offence(1, date(2016, 3, 1), age=None),
    )
    assert found(frames, "three_sanctions_before_18").empty


# --- late serious offending ---------------------------------------------------------------------


def test_a_first_sanction_at_25_for_class_a_supply_is_late_serious_offending() -> None:
    frames = offences(
        offence(1, date(2020, 5, 2), age=25, category="drugs_supply_class_a"),
        offence(1, date(2022, 5, 2), age=27, category="theft"),
    )
    hit = found(frames, "serious_first_sanction_as_adult")
    assert hit["person_id"].tolist() == [1]
    assert hit.loc[0, "factor_id"] == "late_serious_offending"
    assert "at age 25, is for drugs supply class a" in hit.loc[0, "evidence"]


@pytest.mark.parametrize(
    ("rows", "why"),
    [
        ([offence(1, date(2020, 5, 2), age=24, category="robbery")], "first sanction at 24"),
        ([offence(1, date(2020, 5, 2), age=30, category="theft")], "not a serious category"),
        (
            [
                offence(1, date(2010, 5, 2), age=20, category="theft"),
                offence(1, date(2020, 5, 2), age=30, category="burglary"),
            ],
            "an earlier sanction",
        ),
    ],
)
def test_late_serious_offending_needs_a_serious_first_sanction_as_an_adult(rows, why) -> None:
    assert found(offences(*rows), "serious_first_sanction_as_adult").empty, why


def test_an_earlier_no_further_action_is_no_offending_history() -> None:
    frames = offences(
        offence(1, date(2010, 5, 2), age=20, outcome="no_further_action"),
        offence(1, date(2020, 5, 2), age=30, category="fraud", outcome="conviction_community"),
    )
    assert found(frames, "serious_first_sanction_as_adult")["person_id"].tolist() == [1]


# --- sense of belonging -------------------------------------------------------------------------


def test_looked_after_and_youth_offending_are_evidence_for_sense_of_belonging() -> None:
    frames = {
        "care_episodes": make_frame(
            "care_episodes",
            [
                {"person_id": 1, "episode_type": "looked_after", "start_date": date(2012, 1, 9)},
                {"person_id": 1, "episode_type": "looked_after", "start_date": date(2010, 4, 1)},
                {"person_id": 2, "episode_type": "child_in_need", "start_date": date(2015, 1, 1)},
            ],
        ),
        "youth_offending": make_frame(
            "youth_offending",
            [{"person_id": 3, "order_type": "referral_order", "start_date": date(2019, 6, 1)}],
        ),
    }
    result = evaluate(national_rules(), frames, TODAY)
    assert set(zip(result["person_id"], result["rule_id"], strict=True)) == {
        (1, "looked_after"),
        (2, "known_to_childrens_social_care"),
        (3, "known_to_youth_offending"),
    }
    assert set(result["factor_id"]) == {"sense_of_belonging"}
    first = result[result["person_id"] == 1].iloc[0]
    assert first["observed_on"] == date(2010, 4, 1)
    assert first["evidence"] == "Looked after by the local authority, first from 1 April 2010."


# --- networks -----------------------------------------------------------------------------------


def network(ties: list[tuple[int, int, str]], **member: object) -> dict[str, pd.DataFrame]:
    """Person 9 is a member of OCG-1 (status and dates from `member`); `ties` as given."""
    return {
        "groups": make_frame(
            "groups", [{"group_reference": "OCG-1", "status": member.get("status", "active")}]
        ),
        "memberships": make_frame(
            "memberships",
            [
                {
                    "person_id": 9,
                    "group_reference": "OCG-1",
                    "role": "core",
                    "start_date": member.get("start"),
                    "end_date": member.get("end"),
                    "source_agency": "rocu",
                }
            ],
        ),
        "relationships": make_frame(
            "relationships",
            [
                {"person_a": a, "person_b": b, "kind": kind, "source_agency": "police"}
                for a, b, kind in ties
            ],
        ),
    }


def test_ties_of_each_kind_to_a_current_member_give_the_matching_factor() -> None:
    frames = network(
        [
            (9, 1, "family_parent"),
            (2, 9, "intimate_partner"),
            (3, 9, "associate_peer"),
            (9, 4, "online"),
            (5, 6, "associate_peer"),  # nobody in a group
        ],
        start=date(2020, 1, 1),
    )
    result = evaluate(national_rules(), frames, TODAY)
    assert set(zip(result["person_id"], result["factor_id"], strict=True)) == {
        (1, "family_network"),
        (2, "intimate_relationships"),
        (3, "associates"),
        (4, "online_network"),
    }
    assert set(result["source_agencies"]) == {("police", "rocu")}
    assert set(result["observed_on"]) == {date(2020, 1, 1)}
    assert "(associate peer)" in result.loc[result["person_id"] == 3, "evidence"].item()


@pytest.mark.parametrize(
    "member",
    [{"status": "disrupted"}, {"end": date(2025, 1, 1)}, {"start": date(2027, 1, 1)}],
    ids=["disrupted group", "membership ended", "membership not yet begun"],
)
def test_a_tie_to_someone_not_a_current_member_of_an_operating_group_is_no_evidence(member):
    assert evaluate(national_rules(), network([(9, 1, "family_parent")], **member), TODAY).empty


def test_a_current_member_gets_no_network_evidence_for_ties_to_other_members() -> None:
    frames = network([(9, 1, "associate_peer")])
    frames["memberships"] = pd.concat(
        [frames["memberships"], frames["memberships"].assign(person_id=1)], ignore_index=True
    )
    assert evaluate(national_rules(), frames, TODAY).empty


def test_release_within_24_months_with_a_tie_to_a_member_is_prison_network() -> None:
    frames = network([(1, 9, "prison"), (2, 9, "prison")])
    frames["prison_releases"] = make_frame(
        "prison_releases",
        [
            {"person_id": 1, "establishment": "HMP A", "release_date": date(2025, 6, 1)},
            {"person_id": 2, "establishment": "HMP A", "release_date": date(2024, 10, 31)},
        ],
    )
    hit = found(frames, "released_with_tie_to_group_member")
    assert hit["person_id"].tolist() == [1]
    assert hit.loc[0, "factor_id"] == "prison_network"
    assert hit.loc[0, "observed_on"] == date(2025, 6, 1)


# --- protected characteristics and frames --------------------------------------------------------


def test_no_frame_has_a_protected_column() -> None:
    protected = {"ethnicity", "sex", "gender", "date_of_birth", "age", "nationality"}
    for name, columns in FRAME_COLUMNS.items():
        assert not (set(columns) & protected), name


def test_the_engine_refuses_a_frame_with_a_column_it_must_not_read() -> None:
    frame = make_frame("offences").assign(sex="")
    with pytest.raises(FrameError, match="frame 'offences' has column\\(s\\) the engine must not"):
        evaluate(national_rules(), {"offences": frame}, TODAY)


def test_the_engine_refuses_a_frame_missing_a_column() -> None:
    frame = make_frame("offences").drop(columns=["outcome"])
    with pytest.raises(FrameError, match="missing column\\(s\\): outcome"):
        evaluate(national_rules(), {"offences": frame}, TODAY)


# --- the rules file -----------------------------------------------------------------------------


def test_the_packaged_rules_cite_real_factors_and_the_guide() -> None:
    rules = national_rules()
    assert {rule.factor_id for rule in rules.rules} >= {
        "early_prolific_offending",
        "late_serious_offending",
        "sense_of_belonging",
        "prison_network",
        "family_network",
        "intimate_relationships",
        "associates",
    }
    guide = Path("/work/shared/seeds/prevent-guide-2015.md")
    text = " ".join(guide.read_text().split()) if guide.exists() else ""
    for rule in rules.rules:
        factor = get_framework().factor(rule.factor_id)
        assert set(rule.guide_paragraphs) <= set(factor.guide_paragraphs), rule.id
        if text:
            assert " ".join(rule.quotation.split()) in text, f"{rule.id}: not quoted verbatim"


RULE = """\
version: "1"
rules:
  - id: demo_rule
    factor: {factor}
    title: A rule
    guide_paragraphs: ["2.25"]
    quotation: a quotation
    evidence: "{evidence}"
    condition:
{condition}
"""
GOOD_CONDITION = """      kind: any_record
      frame: care_episodes
      where:
        episode_type: [looked_after]"""


def write_rule(tmp_path: Path, **parts: str) -> Path:
    values = {
        "factor": "sense_of_belonging",
        "evidence": "Looked after from {first_date}.",
        "condition": GOOD_CONDITION,
    }
    values.update(parts)
    path = tmp_path / "rules.yaml"
    path.write_text(RULE.format(**values))
    return path


def test_a_well_formed_rule_loads(tmp_path: Path) -> None:
    rules = load_rules(write_rule(tmp_path), FACTORS)
    assert rules.rule("demo_rule").parameters["where"] == {"episode_type": ("looked_after",)}


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (
            {"factor": "being_young"},
            "rules[0] (id 'demo_rule'): field 'factor': unknown framework factor 'being_young'",
        ),
        (
            {"evidence": "Aged {age}."},
            "field 'evidence': unknown placeholder {age} for a any_record condition",
        ),
        (
            {"condition": "      kind: guess\n      frame: care_episodes"},
            "rules[0] (id 'demo_rule'), condition: field 'kind': unknown condition 'guess'",
        ),
        (
            {"condition": "      kind: sanction_count\n      at_least: three"},
            "rules[0] (id 'demo_rule'), condition: missing field 'below_age_at_offence'",
        ),
        (
            {
                "condition": "      kind: sanction_count\n      at_least: three\n"
                "      below_age_at_offence: 18\n      not_counted_outcomes: [nfa]",
                "evidence": "{count}",
            },
            "field 'at_least' must be a whole number, got a string",
        ),
        (
            {"condition": "      kind: any_record\n      frame: people"},
            "field 'frame': unknown frame 'people'",
        ),
    ],
)
def test_a_bad_rule_is_refused_naming_the_rule_and_field(tmp_path, parts, message) -> None:
    with pytest.raises(ScreeningRulesError) as caught:
        load_rules(write_rule(tmp_path, **parts), FACTORS)
    assert message in str(caught.value)
    assert str(tmp_path / "rules.yaml") in str(caught.value)


def test_a_missing_field_is_named(tmp_path: Path) -> None:
    path = write_rule(tmp_path)
    path.write_text(path.read_text().replace("    title: A rule\n", ""))
    with pytest.raises(ScreeningRulesError, match="demo_rule'\\): missing field 'title'"):
        load_rules(path, FACTORS)


@pytest.mark.parametrize(
    "condition",
    [
        "      kind: any_record\n      frame: care_episodes\n      where:\n        ethnicity: [x]",
        "      kind: any_record\n      frame: offences\n      where:\n        age_at_offence: [17]",
        "      kind: any_record\n      frame: care_episodes\n      sex: [female]",
        "      kind: any_record\n      frame: care_episodes\n      date_of_birth: [x]",
    ],
    ids=["ethnicity", "age", "sex", "date of birth"],
)
def test_a_rule_naming_a_protected_characteristic_is_refused(tmp_path, condition) -> None:
    with pytest.raises(ScreeningRulesError) as caught:
        load_rules(write_rule(tmp_path, condition=condition), FACTORS)
    message = str(caught.value)
    assert "is not a field a rule may filter" in message or "unknown key" in message


def test_a_duplicate_rule_id_is_refused(tmp_path: Path) -> None:
    path = write_rule(tmp_path)
    text = path.read_text()
    path.write_text(text + text.split("rules:\n", 1)[1])
    with pytest.raises(ScreeningRulesError, match="used by an earlier rule"):
        load_rules(path, FACTORS)


def test_the_packaged_file_is_the_one_loaded() -> None:
    assert RULES_PATH.name == "screening.yaml"
    assert RULES_PATH.parent.name == "framework"


# --- against the synthetic area's own derivation ------------------------------------------------


def synthetic_frames(people: int) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, date]:
    """The synthetic area's records in the engine's shape, and the evidence it derived."""
    from offramp.demo.synth import generate_area

    area = generate_area(people=people, seed=11)
    raw = area.frames()
    groups = raw["groups"][["group_id", "reference", "status"]]
    renamed = {
        "recording_agency_id": "source_agency",
        "source_agency_id": "source_agency",
        "agency_id": "source_agency",
        "reference": "group_reference",
    }
    frames = {
        "offences": raw["offences"],
        "care_episodes": raw["care_episodes"].assign(source_agency="csc"),
        "youth_offending": raw["youth_offending"].assign(source_agency="yjs"),
        "prison_releases": raw["prison_releases"].assign(source_agency="prison"),
        "school_exclusions": raw["school_exclusions"],
        "memberships": raw["memberships"].merge(groups, on="group_id"),
        "groups": groups,
        "relationships": raw["relationships"],
    }
    shaped = {
        name: frame.rename(columns=renamed)[list(FRAME_COLUMNS[name])]
        for name, frame in frames.items()
    }
    return shaped, raw["factor_evidence"], area.today


def people_with(frame: pd.DataFrame, factor_id: str) -> set[int]:
    return set(frame.loc[frame["factor_id"] == factor_id, "person_id"])


def test_the_engine_agrees_with_the_synthetic_area_on_record_derived_factors() -> None:
    """The generator derives early prolific offending exactly as the rule does; for late serious
    offending and sense of belonging the rules also count what the guide adds (violence as a
    first offence, a first sanction after a no further action, being known to social care)."""
    frames, derived, today = synthetic_frames(4000)
    result = evaluate(national_rules(), frames, today)
    early = people_with(derived, "early_prolific_offending")
    assert early and people_with(result, "early_prolific_offending") == early
    for factor in ("late_serious_offending", "sense_of_belonging"):
        assert people_with(derived, factor) <= people_with(result, factor), factor
