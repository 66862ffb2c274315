"""Ethnicity, sex and age are for equality monitoring only: no rule or score reads them.

Scans the code that makes judgements or suggestions for any use of these attributes, and
checks the framework's data has no field for them.
"""

import ast
from pathlib import Path

import pytest

from offramp.assessments.framework import current_framework

SOURCE = Path(__file__).resolve().parents[1] / "src" / "offramp"
PROTECTED = {"ethnicity", "sex", "gender", "age", "date_of_birth", "age_at_offence"}
# Modules that judge, score or suggest. Identity matching (analysis/names.py) compares dates
# of birth to tell people apart, which is not a risk input, so it is listed separately.
RULE_MODULES = [
    "assessments/services.py",
    "assessments/selectors.py",
    "access/scoping.py",
    "access/permissions.py",
]
IDENTITY_MATCHING = ["analysis/names.py", "people/selectors.py"]
# Routing reads date of birth only to tell which service has the legal duty (children's or
# adults' safeguarding) and whether a parent's consent is needed — never as a risk input.
# Screening reads the age at an offence as the police record holds it, to apply the guide's own
# thresholds (a sanction before 18, ¶2.7; a first offence as an adult, ¶2.12): the timing of a
# record, never who the person is now. Its frames hold no date of birth (docs/screening.md); the
# screening service copies a candidate's date of birth into the referral it opens, as identity.
LEGAL_AGE_ONLY = [
    "cases/routing.py",
    "cases/services.py",
    "cases/selectors.py",
    "analysis/screening.py",
    "screening/selectors.py",
    "screening/services.py",
]


def _names_used(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            used.add(node.attr)
        elif isinstance(node, ast.Name):
            used.add(node.id)
        elif isinstance(node, ast.keyword) and node.arg:
            used.add(node.arg)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            used.add(node.value)
    return used


@pytest.mark.parametrize("module", RULE_MODULES)
def test_rule_modules_never_read_protected_characteristics(module):
    assert not (_names_used(SOURCE / module) & PROTECTED), module


@pytest.mark.parametrize("module", IDENTITY_MATCHING + LEGAL_AGE_ONLY)
def test_identity_matching_reads_date_of_birth_but_never_ethnicity_or_sex(module):
    assert not (_names_used(SOURCE / module) & {"ethnicity", "sex", "gender"}), module


# Equality monitoring: the Local Profile breaks people referred and on cases down by age, sex
# and ethnicity (the guide's Figures 2-4) and tests each ethnic group's rates for
# disproportionality. That is the monitoring the product exists to do; nothing there feeds a
# risk judgement. (analysis/profile/what_works.py reads age band only to match comparison people
# for "what works", never ethnicity or sex, so the scan below still covers it.)
EQUALITY_MONITORING = [
    f"analysis/profile/{module}.py" for module in ("model", "prepared", "activity", "equality")
]


def test_analysis_engines_never_read_ethnicity_or_sex():
    monitoring = {SOURCE / module for module in EQUALITY_MONITORING}
    for path in set((SOURCE / "analysis").rglob("*.py")) - monitoring:
        assert not (_names_used(path) & {"ethnicity", "sex", "gender"}), path


def test_the_scan_would_catch_a_protected_input(tmp_path):
    planted = tmp_path / "rule.py"
    planted.write_text("def risky(person):\n    return person.ethnicity == 'x'\n")
    assert "ethnicity" in _names_used(planted)


def test_no_framework_factor_refers_to_protected_characteristics():
    for factor in current_framework().factors:
        fields = {factor.id, factor.category, *factor.crime_types, *factor.intervention_kinds}
        assert not (fields & PROTECTED), factor.id
