"""The ranking: reasons that name the factors, age and crime-type fit, free places, possible
factors, a deterministic order; and the gaps. Pure: no database."""

import ast
import random
from pathlib import Path

import pytest

from offramp.assessments.framework import current_framework
from offramp.interventions.models import EvidenceStrength
from offramp.interventions.suggestions import (
    EVIDENCE_ORDER,
    Needs,
    ProgrammeOption,
    Suggestions,
    suggest,
)

FRAMEWORK = current_framework()
LABELS = dict(EvidenceStrength.choices)


def option(id: int, name: str, factors: tuple[str, ...], **fields: object) -> ProgrammeOption:
    evidence = str(fields.pop("evidence", "practice"))
    return ProgrammeOption(
        id=id,
        name=name,
        factor_ids=factors,
        evidence=evidence,
        evidence_label=LABELS[evidence],
        **fields,  # type: ignore[arg-type]
    )


def run(needs: Needs, *programmes: ProgrammeOption, **kwargs: object) -> Suggestions:
    return suggest(needs=needs, programmes=programmes, framework=FRAMEWORK, **kwargs)  # type: ignore[arg-type]


def names(result: Suggestions) -> list[str]:
    return [s.name for s in result.suggestions]


def test_the_evidence_order_covers_every_strength() -> None:
    assert set(EVIDENCE_ORDER) == set(EvidenceStrength.values)


def test_more_factors_present_rank_first_and_the_reasons_name_them() -> None:
    needs = Needs(present=frozenset({"gang_involvement", "family_network"}), age=15)
    result = run(
        needs,
        option(1, "Gang scheme", ("gang_involvement",)),
        option(2, "Family work", ("family_network", "gang_involvement", "transitional_periods")),
        option(3, "Unrelated", ("online_network",)),
    )
    assert names(result) == ["Family work", "Gang scheme"]
    top = result.suggestions[0]
    assert top.addresses == ("gang_involvement", "family_network")  # framework order
    assert top.reasons[0] == "Addresses both factors present: Gang involvement and Family."
    assert result.suggestions[1].reasons[0] == (
        "Addresses 1 of the 2 factors present: Gang involvement."
    )
    assert result.gaps == ()


def test_a_programme_the_person_cannot_join_comes_last_and_says_why() -> None:
    needs = Needs(present=frozenset({"gang_involvement", "associates"}), age=15)
    result = run(
        needs,
        option(1, "Adult gang scheme", ("gang_involvement", "associates"), min_age=18),
        option(2, "Youth mentoring", ("associates",), min_age=10, max_age=17),
    )
    assert names(result) == ["Youth mentoring", "Adult gang scheme"]
    adult = result.suggestions[1]
    assert not adult.age_fits
    assert "Not open to them at 15: it is for ages 18 and over." in adult.reasons
    assert "Open to them at 15: it is for ages 10 to 17." in result.suggestions[0].reasons
    gap = result.gaps[0]
    assert (gap.factor_id, gap.factor_name) == ("gang_involvement", "Gang involvement")
    assert gap.reason == (
        "Only programmes not open to them at 15 address it: Adult gang scheme (ages 18 and over)."
    )


def test_an_unknown_age_lets_every_programme_through_and_asks_the_panel_to_check() -> None:
    result = run(
        Needs(present=frozenset({"associates"})), option(1, "Adults", ("associates",), min_age=18)
    )
    assert result.suggestions[0].age_fits
    assert "Age not known: check it, as the programme is for ages 18 and over." in (
        result.suggestions[0].reasons
    )


def test_crime_types_of_concern_rank_first_and_are_taken_from_the_factors_if_not_recorded() -> None:
    programmes = (
        option(1, "Fraud briefing", ("associates",), crime_types=frozenset({"fraud"})),
        option(2, "Drugs scheme", ("associates",), crime_types=frozenset({"drugs_supply"})),
    )
    recorded = run(
        Needs(present=frozenset({"associates"}), crime_types=frozenset({"fraud"})), *programmes
    )
    assert names(recorded) == ["Fraud briefing", "Drugs scheme"]
    assert recorded.notes == ()
    assert "Works with Fraud, of concern here." in recorded.suggestions[0].reasons
    assert (
        "Works with Drug supply, importation and cultivation, not the crime types of concern "
        "(Fraud)." in recorded.suggestions[1].reasons
    )
    inferred = run(Needs(present=frozenset({"professional_skills"})), *programmes)
    assert inferred.notes[0].startswith(
        "The assessment records no crime types, so those linked to the factors present are "
        "used: Fraud, Money laundering"
    )


def test_a_full_programme_is_still_listed_but_lower() -> None:
    needs = Needs(present=frozenset({"pro_criminal_attitudes"}))
    result = run(
        needs,
        option(1, "A course", ("pro_criminal_attitudes",), capacity=12, in_use=12),
        option(2, "B course", ("pro_criminal_attitudes",), capacity=12, in_use=3),
        option(3, "C service", ("pro_criminal_attitudes",)),
    )
    assert names(result) == ["B course", "C service", "A course"]
    full = result.suggestions[2]
    assert full.full and full.free_places == 0
    assert "No free places: all 12 in use." in full.reasons
    assert "9 of 12 places free." in result.suggestions[0].reasons
    assert "No fixed number of places." in result.suggestions[1].reasons
    assert result.gaps == ()  # a full programme still addresses the factor


def test_possible_factors_count_after_present_ones_and_are_never_gaps() -> None:
    needs = Needs(present=frozenset({"associates"}), possible=frozenset({"prison_network"}))
    result = run(
        needs,
        option(1, "Only possible", ("prison_network",)),
        option(2, "Present", ("associates",)),
        option(3, "Present and possible", ("associates", "prison_network")),
    )
    assert names(result) == ["Present and possible", "Present", "Only possible"]
    assert "Also addresses Prison, judged possible." in result.suggestions[0].reasons
    assert result.suggestions[2].reasons[0] == "Addresses Prison, judged possible."
    assert any("judged possible" in note for note in result.notes)
    only_possible = run(Needs(present=frozenset(), possible=frozenset({"power_and_status"})))
    assert only_possible.gaps == ()


def test_ties_go_to_the_focused_programme_then_the_stronger_evidence_then_the_name() -> None:
    needs = Needs(present=frozenset({"pro_criminal_attitudes"}))
    programmes = [
        option(5, "Broad service", ("pro_criminal_attitudes", "associates", "family_network")),
        option(4, "Pilot course", ("pro_criminal_attitudes",), evidence="emerging"),
        option(3, "Evaluated course", ("pro_criminal_attitudes",), evidence="promising"),
        option(2, "Course", ("pro_criminal_attitudes",)),
        option(1, "Course", ("pro_criminal_attitudes",)),
    ]
    expected = ["Evaluated course", "Course", "Course", "Pilot course", "Broad service"]
    for seed in range(5):
        random.Random(seed).shuffle(programmes)
        result = run(needs, *programmes)
        assert names(result) == expected
        assert [s.programme_id for s in result.suggestions][1:3] == [1, 2]


def test_the_reasons_carry_the_evidence_the_eligibility_and_why_each_factor() -> None:
    course = option(
        1,
        "Victim Awareness Course",
        ("pro_criminal_attitudes",),
        factor_notes={"pro_criminal_attitudes": "¶3.8: challenges pro-criminal attitudes."},
        eligibility="For adults who have offended.",
    )
    suggestion = run(Needs(present=frozenset({"pro_criminal_attitudes"})), course).suggestions[0]
    assert "Evidence: Established practice, not formally evaluated." in suggestion.reasons
    assert suggestion.reasons[-1] == "Check: For adults who have offended."
    assert suggestion.basis == ("Pro-criminal attitudes: ¶3.8: challenges pro-criminal attitudes.",)


def test_gaps_are_present_factors_nothing_on_offer_addresses() -> None:
    needs = Needs(
        present=frozenset({"victim_of_exploitation", "specialist_criminal_skills", "associates"})
    )
    result = run(needs, option(1, "Mentoring", ("associates",)))
    assert [(g.factor_id, g.factor_name) for g in result.gaps] == [
        ("specialist_criminal_skills", "Specialist criminal skills"),
        ("victim_of_exploitation", "Victim of exploitation"),
    ]
    assert result.gaps[0].reason == "No programme in the catalogue addresses it."
    assert "safeguarded first" in result.gaps[1].reason


def test_a_programme_already_in_the_plan_is_not_suggested_but_closes_the_gap() -> None:
    needs = Needs(present=frozenset({"associates"}))
    result = run(needs, option(1, "Mentoring", ("associates",)), in_plan=frozenset({1}))
    assert result.suggestions == () and result.gaps == ()


def test_nothing_to_match_says_so() -> None:
    result = run(Needs(present=frozenset()), option(1, "Mentoring", ("associates",)))
    assert result.suggestions == () and result.gaps == ()
    assert result.notes == (
        "No factor is recorded as present or possible, so nothing can be matched.",
    )


# --- age is for eligibility only; sex and ethnicity are not inputs at all ---------------------


@pytest.mark.parametrize("ages", [(19, 64), (None, 30)])
def test_age_changes_nothing_but_eligibility(ages: tuple[int | None, int]) -> None:
    programmes = [
        option(i, f"Programme {i}", (factor.id,), min_age=18, max_age=65)
        for i, factor in enumerate(FRAMEWORK.factors)
    ]
    present = frozenset(f.id for f in FRAMEWORK.factors[::3])
    one, other = (run(Needs(present=present, age=age), *programmes) for age in ages)
    assert _ranking(one) == _ranking(other)
    assert one.gaps == other.gaps


def _ranking(result: Suggestions) -> list[tuple[int, tuple[str, ...], str]]:
    return [(s.programme_id, s.addresses, s.reasons[0]) for s in result.suggestions]


SOURCE = Path(__file__).resolve().parents[2] / "src" / "offramp" / "interventions"


def _names_used(path: Path) -> set[str]:
    used: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute):
            used.add(node.attr)
        elif isinstance(node, ast.Name):
            used.add(node.id)
        elif isinstance(node, ast.keyword) and node.arg:
            used.add(node.arg)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            used.add(node.value)
    return used


@pytest.mark.parametrize("module", ["suggestions.py", "selectors.py", "services.py"])
def test_suggestions_never_read_sex_or_ethnicity(module: str) -> None:
    assert not _names_used(SOURCE / module) & {"sex", "ethnicity", "gender"}


def test_only_the_selector_reads_a_date_of_birth_and_only_to_work_out_an_age() -> None:
    assert "date_of_birth" not in _names_used(SOURCE / "suggestions.py")
    selectors = (SOURCE / "selectors.py").read_text()
    assert selectors.count("date_of_birth") == 1
    assert "age=age_on(person.date_of_birth" in selectors
