"""The national catalogue file: what it holds, and the loader's errors, each naming the file,
the entry and the problem."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from offramp.assessments.framework import current_framework
from offramp.interventions.catalogue import CATALOGUE_PATH, CatalogueError, load_catalogue
from offramp.interventions.models import EvidenceStrength
from offramp.interventions.services import national_catalogue

# Every programme and approach the guide names (DOMAIN.md, "Interventions named in the guide").
NAMED_IN_THE_GUIDE = {
    "integrated-offender-management": "3.4",
    "serious-group-offenders": "3.4",
    "youth-offending-services": "3.5",
    "pathways-out": "3.5",
    "ending-gang-and-youth-violence": "3.5",
    "troubled-families": "3.6",
    "schools-and-higher-education": "3.7",
    "victim-awareness-course": "3.8",
    "channel": "3.9",
    "serious-crime-prevention-order": "1.10",
    "gang-injunction": "1.10",
    "awareness-raising-professions": "1.10",
    "demand-reduction": "1.10",
    "outreach-and-awareness-campaigns": "3.12",
    "peer-mentoring": "3.12",
    "women-and-girls": "3.12",
    "indecent-images-prevention": "3.12",
}


def test_the_catalogue_names_every_programme_in_the_guide_with_its_paragraph() -> None:
    entries = {entry.slug: entry for entry in national_catalogue().entries}
    assert set(entries) == set(NAMED_IN_THE_GUIDE)
    for slug, paragraph in NAMED_IN_THE_GUIDE.items():
        assert paragraph in entries[slug].guide_paragraphs, slug


def test_every_factor_a_programme_addresses_says_where_the_guide_supports_it() -> None:
    for entry in national_catalogue().entries:
        assert entry.delivered_by and entry.evidence_note, entry.slug
        for factor_id, note in entry.factor_notes.items():
            assert "¶" in note, f"{entry.slug}: {factor_id} cites no paragraph"


def test_the_victim_awareness_course_addresses_pro_criminal_attitudes_as_paragraph_3_8_says() -> (
    None
):
    course = next(e for e in national_catalogue().entries if e.slug == "victim-awareness-course")
    assert course.factor_ids == ("pro_criminal_attitudes",)
    assert "¶3.8" in course.factor_notes["pro_criminal_attitudes"]
    assert course.min_age == 18  # "a course for adults"
    assert "88%" in course.evidence_note and "no comparison group" in course.evidence_note


def test_no_entry_claims_evidence_the_guide_does_not_cite() -> None:
    strengths = {entry.evidence_strength for entry in national_catalogue().entries}
    assert EvidenceStrength.STRONG not in strengths


# --- the loader's errors ---------------------------------------------------------------------


def _entry(**overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "slug": "test-scheme",
        "name": "Test scheme",
        "kind": "mentoring",
        "description": "A scheme for the test.",
        "delivered_by": "The council",
        "guide_paragraphs": ["3.12"],
        "min_age": 10,
        "max_age": 17,
        "crime_types": ["drugs_supply"],
        "factors": {"gang_involvement": "¶3.5: for gang members."},
        "capacity": 5,
        "evidence_strength": "emerging",
        "evidence_note": "Being piloted.",
    }
    entry.update(overrides)
    return entry


def _load(tmp_path: Path, *entries: dict[str, Any], text: str | None = None) -> Any:
    path = tmp_path / "catalogue.yaml"
    document = {"version": "1", "source": "Test", "programmes": list(entries)}
    path.write_text(text if text is not None else yaml.safe_dump(document, allow_unicode=True))
    return load_catalogue(
        path, framework=current_framework(), evidence_strengths=EvidenceStrength.values
    )


def test_a_valid_file_loads(tmp_path: Path) -> None:
    loaded = _load(tmp_path, _entry(), _entry(slug="other", name="Other", factors={}))
    assert [entry.slug for entry in loaded.entries] == ["test-scheme", "other"]
    assert loaded.entries[0].factor_ids == ("gang_involvement",)
    assert loaded.entries[1].factor_ids == ()


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"factors": {"gangs": "¶3.5"}}, "factors: unknown factor 'gangs'"),
        ({"factors": {"gang_involvement": ""}}, "'gang_involvement' needs a note"),
        ({"factors": ["gang_involvement"]}, "field 'factors' must be a mapping"),
        ({"crime_types": ["drug_dealing"]}, "crime_types[0]: unknown crime type 'drug_dealing'"),
        ({"crime_types": ["fraud", "fraud"]}, "crime_types[1]: 'fraud' is listed twice"),
        ({"kind": "boxing"}, "field 'kind': unknown intervention kind 'boxing'"),
        ({"evidence_strength": "anecdotal"}, "unknown evidence strength 'anecdotal'"),
        ({"min_age": 18, "max_age": 17}, "min_age 18 is above max_age 17"),
        ({"min_age": -1}, "field 'min_age' must be null or a whole number from 0 to 120"),
        ({"capacity": 0}, "field 'capacity' must be null or a whole number from 1 to 100000"),
        ({"capacity": True}, "field 'capacity' must be null or a whole number"),
        ({"slug": "Test Scheme"}, "must be lower-case letters and digits joined by '-'"),
        ({"slug": "local-scheme"}, "starts with 'local-', kept for local ones"),
        ({"guide_paragraphs": ["¶3.5"]}, "'¶3.5' is not a paragraph like '3.5'"),
        ({"guide_paragraphs": []}, "field 'guide_paragraphs' must not be an empty list"),
        ({"evidence_note": "  "}, "field 'evidence_note' must not be empty"),
        ({"places": 5}, "unknown key 'places'"),
    ],
)
def test_an_entry_error_names_the_file_the_entry_and_the_problem(
    tmp_path: Path, overrides: dict[str, Any], problem: str
) -> None:
    with pytest.raises(CatalogueError) as raised:
        _load(tmp_path, _entry(**overrides))
    error = raised.value
    assert error.path == tmp_path / "catalogue.yaml"
    slug = overrides.get("slug", "test-scheme")
    assert error.where == f"programmes[0] (slug {slug!r})"
    assert problem in error.problem
    assert str(error).startswith(f"{tmp_path / 'catalogue.yaml'}: programmes[0]")


def test_a_missing_field_is_named(tmp_path: Path) -> None:
    entry = _entry()
    del entry["capacity"]
    with pytest.raises(CatalogueError, match="missing field 'capacity'"):
        _load(tmp_path, entry)


def test_a_slug_or_name_used_twice_names_the_first_use(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError) as raised:
        _load(tmp_path, _entry(), _entry(name="Another name"))
    assert raised.value.where == "programmes[1] (slug 'test-scheme')"
    assert raised.value.problem == "the slug is already used by programmes[0] (slug 'test-scheme')"
    with pytest.raises(CatalogueError, match="the name is already used"):
        _load(tmp_path, _entry(), _entry(slug="other", name="TEST SCHEME"))


def test_a_duplicate_yaml_key_is_refused_with_its_line(tmp_path: Path) -> None:
    text = CATALOGUE_PATH.read_text().replace(
        "    capacity: 12\n", "    capacity: 12\n    capacity: 20\n", 1
    )
    with pytest.raises(CatalogueError) as raised:
        _load(tmp_path, text=text)
    assert raised.value.where.startswith("line ")
    assert "duplicate key 'capacity'" in raised.value.problem


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        ("version: 1\nsource: x\nprogrammes: []\n", "top level", "quote it"),
        ('version: "1"\nsource: x\nprogrammes: []\n', "top level", "non-empty list"),
        ('version: "1"\nsource: x\n', "top level", "missing field 'programmes'"),
        ("- just a list\n", "top level", "must be a mapping, got a list"),
        ('version: "1"\nsource: x\nprogrammes: [3]\n', "programmes[0]", "must be a mapping"),
        ("version: [\n", "line 2, column 1", "not valid YAML"),
    ],
)
def test_a_file_level_error_says_where(tmp_path: Path, text: str, where: str, problem: str) -> None:
    with pytest.raises(CatalogueError) as raised:
        _load(tmp_path, text=text)
    assert raised.value.where == where
    assert problem in raised.value.problem


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    with pytest.raises(CatalogueError, match=r"nowhere\.yaml: file not found"):
        load_catalogue(missing, framework=current_framework(), evidence_strengths=["practice"])
