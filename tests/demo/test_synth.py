"""The synthetic area generator: reproducible, calibrated to the guide, internally consistent."""

from __future__ import annotations

import csv
import json
import math
import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from offramp.analysis.nicknames import NICKNAMES
from offramp.demo.synth import (
    CASE_STUDIES,
    CASE_STUDY_FACTORS,
    ETHNICITIES,
    EXTRACT_FILES,
    FACTOR_IDS,
    IDENTIFIER_TYPES,
    MIN_PEOPLE,
    OFFENCE_CATEGORIES,
    RELATIONSHIP_KINDS,
    WARDS,
    SyntheticArea,
    generate_area,
    write_partner_extracts,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "partner-extracts.md"

FRAME_COLUMNS = {
    "agencies": ["agency_id", "name", "kind"],
    "people": [
        "person_id",
        "given_name",
        "middle_name",
        "family_name",
        "date_of_birth",
        "sex",
        "ethnicity",
        "nationality",
        "linked_countries",
        "ward",
        "postcode",
        "involvement",
        "occupation",
        "previous_postcode",
    ],
    "identifiers": ["person_id", "agency_id", "identifier_type", "value"],
    "offences": [
        "offence_id",
        "person_id",
        "offence_date",
        "offence_category",
        "outcome",
        "age_at_offence",
        "recording_agency_id",
    ],
    "groups": ["group_id", "reference", "name", "crime_types", "linked_countries", "status"],
    "memberships": ["person_id", "group_id", "role", "start_date", "end_date", "source_agency_id"],
    "relationships": [
        "person_a",
        "person_b",
        "kind",
        "start_date",
        "end_date",
        "source_agency_id",
        "confidence",
    ],
    "care_episodes": ["person_id", "episode_type", "start_date", "end_date"],
    "school_exclusions": ["person_id", "agency_id", "exclusion_date", "exclusion_type", "reason"],
    "youth_offending": ["person_id", "start_date", "end_date", "order_type"],
    "prison_releases": ["person_id", "establishment", "release_date", "sentence_months"],
    "factor_evidence": [
        "person_id",
        "factor_id",
        "status",
        "evidence",
        "source_agency_id",
        "observed_on",
    ],
    "case_studies": ["person_id", "case_study", "summary"],
    "referrals_seed": [
        "person_id",
        "referring_agency_id",
        "referred_on",
        "concern",
        "factor_ids",
        "consent",
        "stage",
    ],
}
AGENCY_KINDS = {
    "police",
    "childrens_social_care",
    "adult_social_care",
    "community_safety",
    "licensing_trading_standards",
    "health",
    "probation",
    "youth_offending",
    "prison",
    "school",
    "college",
    "university",
    "voluntary",
    "families_programme",
    "housing",
    "job_centre",
}


@pytest.fixture(scope="module")
def area() -> SyntheticArea:
    return generate_area(people=20_000, seed=2015)


@pytest.fixture(scope="module")
def small() -> SyntheticArea:
    return generate_area(people=3_000, seed=11)


def _ages(area: SyntheticArea) -> pd.Series:
    dob = area.people["date_of_birth"]
    today = pd.Timestamp(area.today)
    before_birthday = (dob.dt.month > today.month) | (
        (dob.dt.month == today.month) & (dob.dt.day > today.day)
    )
    return today.year - dob.dt.year - before_birthday.astype(int)


def _members(area: SyntheticArea) -> set[int]:
    return set(area.memberships["person_id"])


def _neighbours(area: SyntheticArea) -> pd.DataFrame:
    r = area.relationships
    return pd.concat(
        [
            r.rename(columns={"person_a": "person", "person_b": "other"}),
            r.rename(columns={"person_b": "person", "person_a": "other"}),
        ]
    )


# --- reproducibility ----------------------------------------------------------------------


def test_the_same_seed_gives_identical_frames() -> None:
    first = generate_area(people=3_000, seed=5)
    second = generate_area(people=3_000, seed=5)
    for name, frame in first.frames().items():
        pd.testing.assert_frame_equal(frame, second.frames()[name], obj=name)


def test_a_different_seed_gives_a_different_area(small: SyntheticArea) -> None:
    other = generate_area(people=3_000, seed=12)
    assert not small.people.equals(other.people)
    assert not small.relationships.equals(other.relationships)


def test_frames_keep_the_column_contract(small: SyntheticArea) -> None:
    assert {name: list(f.columns) for name, f in small.frames().items()} == FRAME_COLUMNS


def test_progress_is_reported_for_every_stage() -> None:
    calls: list[tuple[str, int, int]] = []
    generate_area(people=MIN_PEOPLE, seed=1, progress=lambda *c: calls.append(c))
    assert [c[1] for c in calls] == list(range(1, len(calls) + 1))
    assert calls[-1][1] == calls[-1][2]


def test_too_small_an_area_is_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        generate_area(people=MIN_PEOPLE - 1, seed=1)


# --- calibration to the guide ---------------------------------------------------------------


def test_organised_criminals_match_the_guides_figures(area: SyntheticArea) -> None:
    people = area.people
    oc = people[people["involvement"] == "organised_criminal"]
    ages = _ages(area)[oc.index]
    assert 0.23 <= (ages < 25).mean() < 0.25  # "just under 25%" (¶2.7, Figure 2)
    assert (oc["sex"] == "male").mean() == pytest.approx(0.87, abs=0.03)  # Figure 3
    offences = area.offences
    sanctioned = offences[
        (offences["age_at_offence"] < 18) & (offences["outcome"] != "no_further_action")
    ]
    assert oc["person_id"].isin(sanctioned["person_id"]).mean() == pytest.approx(0.57, abs=0.03)


def test_involvement_shares_and_group_sizes(area: SyntheticArea) -> None:
    shares = area.people["involvement"].value_counts(normalize=True)
    assert 0.005 <= shares["organised_criminal"] <= 0.01
    assert 0.02 <= shares["at_risk"] <= 0.04
    per_group = shares["organised_criminal"] * len(area.people) / len(area.groups)
    assert 4 <= per_group <= 9  # about seven (¶1.3: 39,000 people in 5,800 groups)


def test_every_organised_criminal_is_a_group_member_and_no_one_else(area: SyntheticArea) -> None:
    oc = area.people.loc[area.people["involvement"] == "organised_criminal", "person_id"]
    assert set(oc) == _members(area)


def test_at_risk_people_are_mostly_young(area: SyntheticArea) -> None:
    ages = _ages(area)[area.people["involvement"] == "at_risk"]
    assert ages.between(12, 30).mean() > 0.75


def test_population_ages_like_a_borough(area: SyntheticArea) -> None:
    ages = _ages(area)
    assert ages.min() == 0 and ages.max() >= 90
    assert 0.15 <= (ages < 16).mean() <= 0.27
    assert 0.10 <= (ages >= 65).mean() <= 0.25


def test_ethnicity_is_independent_of_involvement(area: SyntheticArea) -> None:
    broad = area.people["ethnicity"].str.split("_").str[0]  # asian, black, mixed, white, other
    table = pd.crosstab(broad, area.people["involvement"]).to_numpy(dtype=float)
    expected = table.sum(1, keepdims=True) * table.sum(0, keepdims=True) / table.sum()
    statistic = float(((table - expected) ** 2 / expected).sum())
    df = (table.shape[0] - 1) * (table.shape[1] - 1)
    assert df % 2 == 0  # the chi-square survival function has a closed form for even df
    half = statistic / 2
    p_value = math.exp(-half) * sum(half**k / math.factorial(k) for k in range(df // 2))
    assert p_value > 0.001
    assert set(area.people["ethnicity"]) <= set(ETHNICITIES)


# --- integrity --------------------------------------------------------------------------------


def test_every_reference_points_at_something_that_exists(area: SyntheticArea) -> None:
    people = set(area.people["person_id"])
    agencies = set(area.agencies["agency_id"])
    for name, frame in area.frames().items():
        for col in ("person_id", "person_a", "person_b"):
            if col in frame:
                assert set(frame[col]) <= people, (name, col)
        for col in ("agency_id", "recording_agency_id", "source_agency_id", "referring_agency_id"):
            if col in frame and name != "agencies":
                assert set(frame[col]) <= agencies, (name, col)
    assert set(area.memberships["group_id"]) <= set(area.groups["group_id"])
    assert list(area.people["person_id"]) == list(range(1, len(area.people) + 1))
    assert area.offences["offence_id"].is_unique


def test_controlled_vocabularies(area: SyntheticArea) -> None:
    assert set(area.agencies["kind"]) == AGENCY_KINDS
    assert set(area.offences["offence_category"]) <= set(OFFENCE_CATEGORIES)
    assert set(area.relationships["kind"]) <= set(RELATIONSHIP_KINDS)
    assert set(area.factor_evidence["factor_id"]) <= set(FACTOR_IDS)
    assert set(area.factor_evidence["status"]) <= {"present", "possible"}
    assert set(area.identifiers["identifier_type"]) == set(IDENTIFIER_TYPES)
    assert area.agencies["agency_id"].is_unique
    assert set(area.people["ward"]) <= set(WARDS)
    assert area.people["postcode"].str.match(r"^HM[1-8] \d[A-Z]{2}$").all()


def test_group_names_are_neutral_code_names(area: SyntheticArea) -> None:
    assert area.groups["reference"].str.match(r"^OCG-HM-\d{3,}$").all()
    words = set(" ".join(area.groups["name"]).lower().split())
    labels = {e for eth in ETHNICITIES for e in eth.split("_")} | {
        "albanian",
        "turkish",
        "nigerian",
        "vietnamese",
        "romanian",
        "polish",
        "asian",
    }
    assert not words & labels


def test_relationships_have_no_self_ties_or_duplicates(area: SyntheticArea) -> None:
    r = area.relationships
    assert (r["person_a"] != r["person_b"]).all()
    pair = np.minimum(r["person_a"], r["person_b"]) * 10**7 + np.maximum(
        r["person_a"], r["person_b"]
    )
    assert pair.is_unique
    assert 4 <= 2 * len(r) / len(area.people) <= 6
    ended = r["end_date"].notna()
    assert (r.loc[ended, "end_date"] >= r.loc[ended, "start_date"]).all()


def test_group_members_are_dense_and_the_at_risk_are_near_them(area: SyntheticArea) -> None:
    members = _members(area)
    ties = _neighbours(area)
    member_degree = ties[ties["person"].isin(members)].groupby("person").size().mean()
    overall_degree = 2 * len(area.relationships) / len(area.people)
    assert member_degree > 1.5 * overall_degree
    one_step = set(ties.loc[ties["other"].isin(members), "person"])
    two_steps = set(ties.loc[ties["other"].isin(one_step), "person"])
    at_risk = area.people.loc[
        (area.people["involvement"] == "at_risk") & (area.people["person_id"] > len(CASE_STUDIES)),
        "person_id",
    ]
    assert at_risk.isin(one_step | two_steps).all()


def test_identifiers_are_unique_and_fictional(area: SyntheticArea) -> None:
    ids = area.identifiers
    assert not ids.duplicated(["identifier_type", "value"]).any()
    assert not ids.duplicated(["identifier_type", "person_id"]).any()
    nhs = ids.loc[ids["identifier_type"] == "nhs_number", "value"]
    assert len(nhs) == len(area.people)
    digits = np.array([[int(c) for c in v] for v in nhs])
    remainder = 11 - (digits[:, :9] * np.arange(10, 1, -1)).sum(axis=1) % 11
    check = np.where(remainder == 11, 0, remainder)
    assert not ((check != 10) & (check == digits[:, 9])).any()  # never a valid NHS number
    pnc = ids.loc[ids["identifier_type"] == "pnc", "value"]
    assert pnc.str.match(r"^\d{2}/\d{6,7}[A-Z]$").all()
    assert ids.loc[ids["identifier_type"] == "upn", "value"].str.match(r"^[A-Z]999\d{9}$").all()
    police = set(area.offences["person_id"])
    assert set(ids.loc[ids["identifier_type"] == "pnc", "person_id"]) == police


# --- factor evidence matches the records ----------------------------------------------------


def _evidence_for(area: SyntheticArea, factor: str) -> set[int]:
    fe = area.factor_evidence
    return set(fe.loc[fe["factor_id"] == factor, "person_id"])


def test_early_prolific_offending_means_three_sanctions_before_18(area: SyntheticArea) -> None:
    o = area.offences
    youth = o[(o["age_at_offence"] < 18) & (o["outcome"] != "no_further_action")]
    counts = youth.groupby("person_id").size()
    assert _evidence_for(area, "early_prolific_offending") == set(counts[counts >= 3].index)


def test_sense_of_belonging_needs_care_or_youth_justice(area: SyntheticArea) -> None:
    care = area.care_episodes
    held = set(care.loc[care["episode_type"] == "looked_after", "person_id"])
    held |= set(area.youth_offending["person_id"])
    evidence = _evidence_for(area, "sense_of_belonging")
    assert evidence and evidence <= held


def test_network_factors_need_ties_to_group_members(area: SyntheticArea) -> None:
    members = _members(area)
    ties = _neighbours(area)
    to_members = ties[ties["other"].isin(members)]
    family = to_members[to_members["kind"].str.startswith("family_")]
    assert _evidence_for(area, "family_network") <= set(family["person"])
    partners = to_members[to_members["kind"] == "intimate_partner"]
    assert _evidence_for(area, "intimate_relationships") <= set(partners["person"])
    released = set(area.prison_releases["person_id"])
    assert _evidence_for(area, "prison_network") <= released & set(to_members["person"])


def test_factor_evidence_is_dated_and_says_nothing_about_others(area: SyntheticArea) -> None:
    fe = area.factor_evidence
    assert (fe["observed_on"] < pd.Timestamp(area.today)).all()
    born = area.people.set_index("person_id").loc[fe["person_id"], "date_of_birth"]
    assert (fe["observed_on"].to_numpy() >= (born + pd.DateOffset(years=10)).to_numpy()).all()
    assert not fe.duplicated(["person_id", "factor_id"]).any()
    names = set(area.people["family_name"]) | set(area.people["given_name"])
    words = {w.strip(".,():;") for text in fe["evidence"].unique() for w in text.split()}
    assert not words & names


# --- case studies -----------------------------------------------------------------------------


def test_case_studies_carry_the_factors_the_guide_names(area: SyntheticArea) -> None:
    cs = area.case_studies
    assert list(cs["case_study"]) == list(CASE_STUDIES)
    assert list(cs["person_id"]) == list(range(1, 9))
    fe = area.factor_evidence
    for pid, name in zip(cs["person_id"], cs["case_study"], strict=True):
        held = set(fe.loc[fe["person_id"] == pid, "factor_id"])
        assert CASE_STUDY_FACTORS[name] <= held, name
    people = area.people.set_index("person_id")
    assert people.loc[1:8, "given_name"].tolist() == [c.title() for c in CASE_STUDIES]
    assert people.loc[2, "occupation"] == "solicitor" and people.loc[2, "sex"] == "female"


def test_case_studies_are_the_same_at_every_size(area: SyntheticArea) -> None:
    tiny = generate_area(people=MIN_PEOPLE, seed=99)
    for name in ("people", "case_studies", "factor_evidence", "memberships"):
        big, small = area.frames()[name], tiny.frames()[name]
        big = big[big["person_id"] <= len(CASE_STUDIES)].reset_index(drop=True)
        small = small[small["person_id"] <= len(CASE_STUDIES)].reset_index(drop=True)
        if name == "people":  # a person's overseas links can grow with the network around them
            big, small = (
                big.drop(columns="linked_countries"),
                small.drop(columns="linked_countries"),
            )
        pd.testing.assert_frame_equal(big, small, obj=name)


# --- referrals --------------------------------------------------------------------------------


def test_referrals_cover_case_studies_and_every_stage(area: SyntheticArea) -> None:
    refs = area.referrals_seed
    assert set(range(1, 9)) <= set(refs["person_id"])
    assert set(refs["stage"]) == {"new", "screening", "assessed", "closed"}
    assert set(refs["consent"]) <= {
        "given",
        "refused",
        "not_sought",
        "not_yet_asked",
    }
    assert refs["factor_ids"].str.split(";").explode().isin(FACTOR_IDS).all()
    referred = area.people.set_index("person_id").loc[refs["person_id"], "involvement"]
    generic = referred[referred.index > len(CASE_STUDIES)]
    assert (generic == "at_risk").all()
    at_risk = (area.people["involvement"] == "at_risk").sum()
    assert 0.2 <= len(generic) / at_risk <= 0.4
    assert refs["person_id"].is_unique


# --- partner extracts -----------------------------------------------------------------------


def _documented_columns() -> dict[str, list[str]]:
    """Column names per extract file, read from the tables in docs/partner-extracts.md."""
    documented: dict[str, list[str]] = {}
    current = None
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^### `([a-z_]+\.csv)`", line)
        if heading:
            current = heading.group(1)
            documented[current] = []
        elif line.startswith("#"):
            current = None
        elif current and (cell := re.match(r"^\| `([a-z_]+)` \|", line)):
            documented[current].append(cell.group(1))
    return documented


@pytest.fixture(scope="module")
def extracts(small: SyntheticArea, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("extracts")
    write_partner_extracts(small, out, seed=3)
    return out


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as f:
        return next(csv.reader(f))


def test_extracts_have_the_documented_columns(extracts: Path) -> None:
    documented = _documented_columns()
    assert set(documented) == set(EXTRACT_FILES)
    for name in EXTRACT_FILES:
        header = _header(extracts / name)
        assert header == documented[name], name
        assert "person_id" not in header and "person_a" not in header


def test_every_extract_row_has_a_truth_row(extracts: Path, small: SyntheticArea) -> None:
    manifest = json.loads((extracts / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 3 and manifest["area_seed"] == small.seed
    assert manifest["counts"]["people"] == len(small.people)
    assert [f["path"] for f in manifest["files"]] == list(EXTRACT_FILES)
    people = set(small.people["person_id"])
    for entry in manifest["files"]:
        rows = pd.read_csv(extracts / entry["path"], dtype=str, keep_default_na=False)
        assert len(rows) == entry["rows"], entry["path"]
        if entry["truth"] is None:
            continue
        truth = pd.read_csv(extracts / entry["truth"])
        assert list(truth["row"]) == list(range(1, len(rows) + 1))
        for col in ("person_id", "person_a", "person_b"):
            if col in truth:
                assert set(truth[col]) <= people


def test_extracts_never_carry_the_true_person_id(extracts: Path, small: SyntheticArea) -> None:
    for name in EXTRACT_FILES:
        rows = pd.read_csv(extracts / name, dtype=str, keep_default_na=False)
        truth_path = extracts / "truth" / name
        if not truth_path.exists():
            continue
        truth = pd.read_csv(truth_path)
        ids = truth["person_id"] if "person_id" in truth else truth["person_a"]
        # no column of the extract simply restates the person's true id
        for col in rows.columns:
            assert not (rows[col] == ids.astype(str)).all(), (name, col)


def test_extracts_are_noisy_but_linkable(extracts: Path, small: SyntheticArea) -> None:
    pupils = pd.read_csv(extracts / "school_pupils.csv", dtype=str, keep_default_na=False)
    truth = pd.read_csv(extracts / "truth" / "school_pupils.csv")
    true = small.people.set_index("person_id").loc[truth["person_id"]]
    same_given = (pupils["given_name"].to_numpy() == true["given_name"].to_numpy()).mean()
    same_family = (pupils["family_name"].to_numpy() == true["family_name"].to_numpy()).mean()
    assert 0.85 < same_given < 0.995 and 0.93 < same_family < 0.999
    dob = true["date_of_birth"].dt.strftime("%Y-%m-%d").to_numpy()
    assert 0.97 < (pupils["date_of_birth"].to_numpy() == dob).mean() < 1.0
    police = pd.read_csv(extracts / "police_nominals.csv", dtype=str, keep_default_na=False)
    assert (police["family_name"] == police["family_name"].str.upper()).all()


def test_extracts_are_reproducible(small: SyntheticArea, extracts: Path, tmp_path: Path) -> None:
    write_partner_extracts(small, tmp_path, seed=3)
    for name in EXTRACT_FILES:
        assert (tmp_path / name).read_bytes() == (extracts / name).read_bytes(), name


# --- names ------------------------------------------------------------------------------------


def test_nickname_table_is_public_and_well_formed() -> None:
    assert isinstance(NICKNAMES, dict)
    assert all(isinstance(v, frozenset) and v and k not in v for k, v in NICKNAMES.items())
    assert {"Bob", "Rob"} <= NICKNAMES["Robert"] and "Liam" in NICKNAMES["William"]
    assert "Mohammed" in NICKNAMES["Muhammad"] and "Kate" in NICKNAMES["Katherine"]


def test_default_today_is_first_of_november_2026(small: SyntheticArea) -> None:
    assert small.today == date(2026, 11, 1)
