"""The national risk framework file and its strict loader (plain pytest, no Django)."""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from offramp.framework import (
    NATIONAL_PATH,
    Framework,
    FrameworkError,
    get_framework,
    load_framework,
)

EXPECTED_FACTORS = [
    ("early_prolific_offending", "criminality"),
    ("gang_involvement", "criminality"),
    ("late_serious_offending", "criminality"),
    ("specialist_technical_skills", "ability"),
    ("specialist_criminal_skills", "ability"),
    ("professional_skills", "ability"),
    ("criminal_access", "ability"),
    ("family_network", "networks"),
    ("intimate_relationships", "networks"),
    ("associates", "networks"),
    ("prison_network", "networks"),
    ("online_network", "networks"),
    ("sense_of_belonging", "identity"),
    ("victim_of_exploitation", "identity"),
    ("transitional_periods", "identity"),
    ("pro_criminal_attitudes", "identity"),
    ("financial_difficulties", "identity"),
    ("power_and_status", "identity"),
]

Data = dict[str, Any]


def national_data() -> Data:
    data: Data = yaml.safe_load(NATIONAL_PATH.read_text(encoding="utf-8"))
    return data


def write_yaml(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def national() -> Framework:
    return load_framework()


# --- the national file ---------------------------------------------------------------------


def test_national_file_has_the_18_factors_in_order_and_4_categories(national: Framework) -> None:
    assert national.version == "2015.1"
    assert [c.id for c in national.categories] == ["criminality", "ability", "networks", "identity"]
    assert [(f.id, f.category) for f in national.factors] == EXPECTED_FACTORS
    assert {f.origin for f in national.factors} == {"national"}
    assert national.extension_name is None


def test_every_factor_is_complete(national: Framework) -> None:
    crime_types = {c.id for c in national.crime_types}
    kinds = {k.id for k in national.intervention_kinds}
    for factor in national.factors:
        assert 3 <= len(factor.indicators) <= 6, factor.id
        assert factor.guide_paragraphs, factor.id
        assert factor.crime_types and set(factor.crime_types) <= crime_types, factor.id
        assert factor.intervention_kinds and set(factor.intervention_kinds) <= kinds, factor.id
        assert factor.local_rationale is None
        sentences = re.findall(r"[.!?](?:\s|$)", factor.description)
        assert 2 <= len(sentences) <= 3, f"{factor.id}: description should be 2-3 sentences"


def test_only_victims_of_exploitation_are_safeguarded_first(national: Framework) -> None:
    assert [f.id for f in national.factors if f.safeguarding_first] == ["victim_of_exploitation"]


def test_paragraph_citations(national: Framework) -> None:
    assert national.factor("early_prolific_offending").guide_paragraphs == ("2.7",)
    assert national.factor("financial_difficulties").guide_paragraphs == ("2.30", "2.31")
    # 2.21 is the guide's ethnicity paragraph: ethnicity is never a risk input.
    cited = [p for f in national.factors for p in f.guide_paragraphs]
    cited += [p for c in national.categories for p in c.guide_paragraphs]
    assert "2.21" not in cited


def test_lookups(national: Framework) -> None:
    assert national.factor("associates").name == "Criminal associates"
    assert [f.id for f in national.factors_in("ability")] == [
        f for f, category in EXPECTED_FACTORS if category == "ability"
    ]
    assert national.crime_type("fraud").name == "Fraud"
    assert national.intervention_kind("gang_exit").origin == "national"
    with pytest.raises(KeyError, match=r"no factor 'gang' in risk framework 2015\.1"):
        national.factor("gang")
    with pytest.raises(KeyError, match="no category 'abilities'"):
        national.factors_in("abilities")


def test_framework_is_immutable(national: Framework) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        national.version = "2016.1"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        national.factors[0].name = "changed"  # type: ignore[misc]


def test_get_framework_is_cached() -> None:
    assert get_framework() is get_framework()
    assert get_framework() == load_framework()


# --- protected characteristics are never risk inputs ------------------------------------------

PROTECTED = {
    "ethnicity": re.compile(
        r"\b(ethnic\w*|race|racial|nationalit\w*|white|black|asian|african|caribbean|arab\w*"
        r"|gypsy|gypsies|roma|travellers?|skin|religio\w*|faith|muslim|christian|jewish|hindu"
        r"|sikh|immigrants?|migrants?|foreigners?)\b",
        re.IGNORECASE,
    ),
    "sex or gender": re.compile(
        r"\b(males?|females?|man|men|woman|women|boys?|girls?|gender|sex|husbands?|wife|wives"
        r"|boyfriends?|girlfriends?|mothers?|fathers?|sons?|daughters?|brothers?|sisters?"
        r"|he|she|his|her|him)\b",
        re.IGNORECASE,
    ),
    "age": re.compile(
        r"\b(age|aged|ages|years? old|young|younger|youngsters?|old|older|elderly|teen\w*"
        r"|juveniles?|minors?|adolescen\w*)\b|\b(under|over|before|after|aged?)\s+\d+",
        re.IGNORECASE,
    ),
}


def protected_terms(text: str, groups: tuple[str, ...] = tuple(PROTECTED)) -> list[str]:
    return [m.group(0) for group in groups for m in PROTECTED[group].finditer(text)]


@pytest.mark.parametrize(
    "text",
    [
        "Young black male",
        "Aged 16 or over",
        "Sanctioned before 18",
        "Women and girls in a relationship with a gang member",
        "Of Asian ethnicity",
        "A member of the Traveller community",
        "Teenager living with his mother",
    ],
)
def test_scanner_catches_protected_characteristics(text: str) -> None:
    # Guards the scan below against passing only because its patterns match nothing.
    assert protected_terms(text)


@pytest.mark.parametrize(
    "text",
    [
        "Known to the youth offending service",
        "Child sexual exploitation and management of stolen data",
        "Storage, messages and agency records",
        "Frequenting premises controlled by an organised crime group",
    ],
)
def test_scanner_leaves_behaviour_alone(text: str) -> None:
    assert protected_terms(text) == []


def test_indicators_never_use_ethnicity_sex_or_age(national: Framework) -> None:
    found = {
        (factor.id, indicator): protected_terms(indicator)
        for factor in national.factors
        for indicator in factor.indicators
        if protected_terms(indicator)
    }
    assert found == {}


def test_names_and_descriptions_never_use_ethnicity_or_sex(national: Framework) -> None:
    # Age may appear in a description as a fact about offending history ("before 18"),
    # so only ethnicity and sex are scanned here.
    texts = [(f.id, f.name + " " + f.description) for f in national.factors]
    texts += [(c.id, c.name + " " + c.description) for c in national.categories]
    found = {
        entry: protected_terms(text, ("ethnicity", "sex or gender"))
        for entry, text in texts
        if protected_terms(text, ("ethnicity", "sex or gender"))
    }
    assert found == {}


# --- malformed national files --------------------------------------------------------------


def _set(*keys: Any, value: Any) -> Callable[[Data], None]:
    def mutate(data: Data) -> None:
        target: Any = data
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return mutate


def _delete(*keys: Any) -> Callable[[Data], None]:
    def mutate(data: Data) -> None:
        target: Any = data
        for key in keys[:-1]:
            target = target[key]
        del target[keys[-1]]

    return mutate


def _append(*keys: Any, value: Any) -> Callable[[Data], None]:
    def mutate(data: Data) -> None:
        target: Any = data
        for key in keys:
            target = target[key]
        target.append(value)

    return mutate


MALFORMED = [
    pytest.param(_set("weights", value={}), "top level", "unknown key 'weights'", id="unknown-key"),
    pytest.param(_delete("source"), "top level", "missing field 'source'", id="missing-top-key"),
    pytest.param(
        _set("factors", 4, "weight", value=3),
        "factors[4] (id 'specialist_criminal_skills')",
        "unknown key 'weight'",
        id="unknown-factor-key",
    ),
    pytest.param(
        _delete("factors", 1, "indicators"),
        "factors[1] (id 'gang_involvement')",
        "missing field 'indicators'",
        id="missing-field",
    ),
    pytest.param(
        _set("factors", 2, "id", value="early_prolific_offending"),
        "factors[2] (id 'early_prolific_offending')",
        "duplicate id 'early_prolific_offending' (first used at factors[0]",
        id="duplicate-factor-id",
    ),
    pytest.param(
        _set("categories", 3, "id", value="networks"),
        "categories[3] (id 'networks')",
        "duplicate id 'networks'",
        id="duplicate-category-id",
    ),
    pytest.param(
        _append("crime_types", value={"id": "fraud", "name": "Fraud again"}),
        "crime_types[13] (id 'fraud')",
        "duplicate id 'fraud'",
        id="duplicate-crime-type-id",
    ),
    pytest.param(
        _append("intervention_kinds", value={"id": "mentoring", "name": "Mentoring"}),
        "intervention_kinds[17] (id 'mentoring')",
        "duplicate id 'mentoring'",
        id="duplicate-intervention-kind-id",
    ),
    pytest.param(
        _set("factors", 0, "category", value="criminalty"),
        "factors[0] (id 'early_prolific_offending')",
        "unknown category 'criminalty'",
        id="unknown-category",
    ),
    pytest.param(
        _append("factors", 0, "crime_types", value="arson"),
        "factors[0] (id 'early_prolific_offending')",
        "crime_types[3]: unknown crime type 'arson'",
        id="unknown-crime-type",
    ),
    pytest.param(
        _append("factors", 5, "intervention_kinds", value="boot_camp"),
        "factors[5] (id 'professional_skills')",
        "unknown intervention kind 'boot_camp'",
        id="unknown-intervention-kind",
    ),
    pytest.param(
        _set("factors", 3, "id", value="Technical-Skills"),
        "factors[3] (id 'Technical-Skills')",
        "'Technical-Skills' is not a valid id",
        id="bad-id-format",
    ),
    pytest.param(
        _set("crime_types", 0, "id", value="drugs supply"),
        "crime_types[0] (id 'drugs supply')",
        "not a valid id",
        id="bad-crime-type-id-format",
    ),
    pytest.param(
        _set("factors", 0, "guide_paragraphs", value=["¶2.7"]),
        "factors[0] (id 'early_prolific_offending')",
        "guide_paragraphs[0]: '¶2.7' is not a paragraph like '2.7'",
        id="bad-paragraph",
    ),
    pytest.param(
        _set("factors", 0, "indicators", value=[]),
        "factors[0] (id 'early_prolific_offending')",
        "field 'indicators' must not be an empty list",
        id="empty-list",
    ),
    pytest.param(
        _set("factors", value=[]),
        "top level",
        "field 'factors' must not be an empty list",
        id="empty-factors",
    ),
    pytest.param(
        _set("factors", 6, "guide_paragraphs", value=[]),
        "factors[6] (id 'criminal_access')",
        "field 'guide_paragraphs' must not be an empty list",
        id="national-factor-without-paragraphs",
    ),
    pytest.param(
        _set("factors", 0, "indicators", value="Several cautions"),
        "factors[0] (id 'early_prolific_offending')",
        "field 'indicators' must be a list of strings, got a string",
        id="string-not-list",
    ),
    pytest.param(
        _set("factors", 0, "name", value=["Early", "prolific"]),
        "factors[0] (id 'early_prolific_offending')",
        "field 'name' must be a string, got a list",
        id="list-not-string",
    ),
    pytest.param(
        _set("factors", 0, "description", value="   "),
        "factors[0] (id 'early_prolific_offending')",
        "field 'description' must not be empty",
        id="empty-string",
    ),
    pytest.param(
        _set("factors", 0, "indicators", 1, value=None),
        "factors[0] (id 'early_prolific_offending')",
        "indicators[1] must be a non-empty string, got nothing",
        id="null-indicator",
    ),
    pytest.param(
        _set("factors", 0, "safeguarding_first", value="no"),
        "factors[0] (id 'early_prolific_offending')",
        "field 'safeguarding_first' must be true or false, got a string",
        id="flag-not-bool",
    ),
    pytest.param(
        _set("factors", 0, "local_rationale", value="Local"),
        "factors[0] (id 'early_prolific_offending')",
        "unknown key 'local_rationale'",
        id="national-factor-with-local-rationale",
    ),
    pytest.param(
        _set("factors", 0, value="early_prolific_offending"),
        "factors[0]",
        "must be a mapping, got a string",
        id="entry-not-mapping",
    ),
    pytest.param(
        _set("version", value=2015.1),
        "top level",
        'quote it, as in version: "2015.1"',
        id="unquoted-version",
    ),
]


@pytest.mark.parametrize(("mutate", "entry", "problem"), MALFORMED)
def test_malformed_national_file_names_file_and_entry(
    tmp_path: Path, mutate: Callable[[Data], None], entry: str, problem: str
) -> None:
    data = national_data()
    mutate(data)
    path = write_yaml(tmp_path / "national.yaml", data)
    with pytest.raises(FrameworkError) as caught:
        load_framework(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {entry}"), message
    assert problem in message


RAW_FILES = [
    pytest.param("version: '2015.1'\nfactors: [unclosed\n", "line 3, column 1", id="not-yaml"),
    pytest.param("version: '1'\nversion: '2'\n", "duplicate key 'version'", id="duplicate-key"),
    pytest.param("", "top level: must be a mapping, got nothing", id="empty-file"),
    pytest.param("- a list\n", "top level: must be a mapping, got a list", id="top-level-list"),
]


@pytest.mark.parametrize(("content", "problem"), RAW_FILES)
def test_unparseable_file_names_file_and_position(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "national.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FrameworkError, match=re.escape(f"{path}: ")) as caught:
        load_framework(path)
    assert problem in str(caught.value)


def test_not_yaml_message_says_so(tmp_path: Path) -> None:
    path = tmp_path / "national.yaml"
    path.write_text("factors:\n  - id: x\n   name: y\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match=r"line 3, column \d+: not valid YAML"):
        load_framework(path)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"
    with pytest.raises(FrameworkError, match=re.escape(f"{path}: file not found")):
        load_framework(path)
    with pytest.raises(FrameworkError, match=re.escape(f"{path}: file not found")):
        load_framework(extension_path=path)


def test_error_is_a_value_error_with_parts(tmp_path: Path) -> None:
    data = national_data()
    del data["factors"][1]["indicators"]
    path = write_yaml(tmp_path / "national.yaml", data)
    with pytest.raises(ValueError) as caught:
        load_framework(path)
    error = caught.value
    assert isinstance(error, FrameworkError)
    assert (error.path, error.where, error.problem) == (
        path,
        "factors[1] (id 'gang_involvement')",
        "missing field 'indicators'",
    )


# --- local extensions ----------------------------------------------------------------------

LOCAL_FACTOR: Data = {
    "id": "county_lines_exposure",
    "category": "local_places",
    "name": "Exposure to county lines activity",
    "description": "Lives in or often visits a property used by a county line.",
    "guide_paragraphs": [],
    "local_rationale": "Our 2024 Local Profile: most referrals came via cuckooed flats.",
    "indicators": ["Visitors at all hours to a flat the person uses"],
    "crime_types": ["drugs_supply", "cuckooing"],
    "intervention_kinds": ["housing_support", "safeguarding"],
    "safeguarding_first": False,
}

EXTENSION: Data = {
    "version": "3",
    "name": "Exampleshire SOC Prevent partnership",
    "crime_types": [{"id": "cuckooing", "name": "Cuckooing"}],
    "intervention_kinds": [{"id": "housing_support", "name": "Housing support"}],
    "categories": [
        {
            "id": "local_places",
            "name": "Places",
            "description": "Exposure to places used by organised crime.",
            "guide_paragraphs": ["2.20"],
            "local_rationale": "Our Local Profile shows place-based pathways.",
        }
    ],
    "factors": [
        LOCAL_FACTOR,
        {
            **LOCAL_FACTOR,
            "id": "illegal_money_lending",
            "category": "identity",
            "name": "Debt to an illegal money lender",
            "guide_paragraphs": ["2.30"],
            "crime_types": ["money_laundering"],
            "intervention_kinds": ["debt_and_financial_support"],
        },
    ],
}


def extension_data() -> Data:
    return copy.deepcopy(EXTENSION)


def test_extension_adds_factors_and_changes_version(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "local.yaml", extension_data())
    framework = load_framework(extension_path=path)
    assert framework.version == "2015.1+local.3"
    assert framework.extension_name == "Exampleshire SOC Prevent partnership"
    assert len(framework.factors) == 20
    assert framework.factors[:18] == load_framework().factors
    local = framework.factor("county_lines_exposure")
    assert local.origin == "local"
    assert local.guide_paragraphs == ()
    assert local.local_rationale and "Local Profile" in local.local_rationale
    assert framework.factors_in("local_places") == (local,)
    assert framework.factors_in("identity")[-1].id == "illegal_money_lending"
    assert framework.crime_type("cuckooing").origin == "local"
    assert framework.intervention_kind("housing_support").origin == "local"
    assert framework.category("local_places").origin == "local"


def test_get_framework_with_extension(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "local.yaml", extension_data())
    assert get_framework(str(path)).version == "2015.1+local.3"
    assert get_framework(str(path)) is get_framework(str(path))


def _without_optional_sections(data: Data) -> None:
    for key in ("crime_types", "intervention_kinds", "categories"):
        del data[key]
    data["factors"] = [data["factors"][1]]


def test_extension_sections_other_than_factors_are_optional(tmp_path: Path) -> None:
    data = extension_data()
    _without_optional_sections(data)
    path = write_yaml(tmp_path / "local.yaml", data)
    assert load_framework(extension_path=path).factors[-1].id == "illegal_money_lending"


BAD_EXTENSIONS = [
    pytest.param(
        _set("factors", 0, value={**national_data()["factors"][1]}),
        "factors[0] (id 'gang_involvement')",
        "redefines national id 'gang_involvement'",
        id="redefines-national-factor",
    ),
    pytest.param(
        _append("crime_types", value={"id": "fraud", "name": "Local fraud"}),
        "crime_types[1] (id 'fraud')",
        "redefines national id 'fraud'",
        id="redefines-national-crime-type",
    ),
    pytest.param(
        _set("categories", 0, "id", value="identity"),
        "categories[0] (id 'identity')",
        "redefines national id 'identity'",
        id="redefines-national-category",
    ),
    pytest.param(
        _set("intervention_kinds", 0, "id", value="mentoring"),
        "intervention_kinds[0] (id 'mentoring')",
        "redefines national id 'mentoring'",
        id="redefines-national-intervention-kind",
    ),
    pytest.param(
        _set("factors", 1, "id", value="county_lines_exposure"),
        "factors[1] (id 'county_lines_exposure')",
        "duplicate id 'county_lines_exposure'",
        id="duplicate-local-id",
    ),
    pytest.param(
        _delete("factors", 0, "local_rationale"),
        "factors[0] (id 'county_lines_exposure')",
        "missing field 'local_rationale'",
        id="missing-local-rationale",
    ),
    pytest.param(
        _delete("categories"),
        "factors[0] (id 'county_lines_exposure')",
        "unknown category 'local_places'",
        id="unknown-local-category",
    ),
    pytest.param(
        _set("weights", value=[]), "top level", "unknown key 'weights'", id="unknown-top-key"
    ),
    pytest.param(_delete("name"), "top level", "missing field 'name'", id="missing-name"),
    pytest.param(
        _set("version", value=3), "top level", 'quote it, as in version: "3"', id="numeric-version"
    ),
    pytest.param(
        _set("version", value="3 (draft)"),
        "top level",
        "must be dot-separated letters and digits",
        id="bad-version",
    ),
    pytest.param(
        _set("crime_types", value=[]),
        "top level",
        "field 'crime_types' must not be an empty list",
        id="empty-optional-section",
    ),
]


@pytest.mark.parametrize(("mutate", "entry", "problem"), BAD_EXTENSIONS)
def test_bad_extension_names_extension_file_and_entry(
    tmp_path: Path, mutate: Callable[[Data], None], entry: str, problem: str
) -> None:
    data = extension_data()
    mutate(data)
    path = write_yaml(tmp_path / "local.yaml", data)
    with pytest.raises(FrameworkError) as caught:
        load_framework(extension_path=path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {entry}"), message
    assert problem in message


def test_documented_example_extension_loads(tmp_path: Path) -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "framework.md"
    example = re.search(r"```yaml\n(.*?)```", docs.read_text(encoding="utf-8"), re.DOTALL)
    assert example, "docs/framework.md should contain the example extension"
    path = tmp_path / "exampleshire.yaml"
    path.write_text(example.group(1), encoding="utf-8")
    framework = load_framework(extension_path=path)
    assert framework.version == "2015.1+local.3"
    assert framework.factor("cuckooed_home").origin == "local"
