"""Acceptance: the guide's case studies, as the synthetic people modelled on them.

Each is assessed with the factors the guide puts in bold (demo.synth.CASE_STUDY_FACTORS) and the
crime types of their story, and suggestions are made on the synthetic area's own today:
- Connor (gang member, drug supply convictions young): Pathways Out and the Ending Gang and
  Youth Violence programme in the top three (guide 3.5);
- Daniel (street gang, an older brother arrested for drugs): Troubled Families (3.6, 'Daniel');
- Paige (financial difficulties, pro-criminal attitudes): the Victim Awareness Course (3.8);
- Misha (a solicitor drawn in by her partner): the gap shows when the area runs nothing for
  professional enablers.
"""

import datetime

import pytest
from django.template.loader import render_to_string

from offramp.accounts.models import User
from offramp.demo.synth import CASE_STUDIES, CASE_STUDY_FACTORS, MIN_PEOPLE, generate_area
from offramp.interventions.models import Programme
from offramp.interventions.selectors import suggestions_for_case
from offramp.interventions.services import programme_retire
from offramp.interventions.suggestions import Suggestions
from tests.interventions.conftest import MakeAssessed, MakeCase

pytestmark = pytest.mark.django_db

# The crime types of each story.
CRIME_TYPES = {
    "connor": ("drugs_supply",),  # "convictions for supplying drugs"
    "daniel": ("organised_acquisitive_crime",),  # "escalated to vehicle theft"
    "paige": ("drugs_supply",),  # "selling cannabis"
    "misha": ("fraud", "immigration_crime"),  # mortgage fraud, false identity documents
}


class Cast:
    """The synthetic people modelled on the case studies, and the area's today."""

    def __init__(self) -> None:
        area = generate_area(people=MIN_PEOPLE, seed=2015)
        people = area.people.set_index("person_id").loc[1 : len(CASE_STUDIES)]
        self.today: datetime.date = area.today
        self.people = {
            name: (row.given_name, row.family_name, row.date_of_birth.date())
            for name, row in zip(CASE_STUDIES, people.itertuples(), strict=True)
        }


@pytest.fixture(scope="module")
def cast() -> Cast:
    return Cast()


def suggestions_for(
    name: str, cast: Cast, assessed: MakeAssessed, open_case: MakeCase, *, with_crimes: bool = True
) -> Suggestions:
    given, family, born = cast.people[name]
    assert given == name.title()
    person = assessed(
        given_name=given,
        family_name=family,
        born=born,
        present=CASE_STUDY_FACTORS[name],
        crime_types=CRIME_TYPES[name] if with_crimes else (),
    )
    return suggestions_for_case(open_case(person), on=cast.today)


def top_three(result: Suggestions) -> dict[str, tuple[str, ...]]:
    slugs = dict(Programme.objects.values_list("pk", "slug"))
    return {slugs[s.programme_id]: s.reasons for s in result.suggestions[:3]}


@pytest.mark.parametrize("with_crimes", [True, False], ids=["crime types", "no crime types"])
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "connor",
            {
                "pathways-out": ("Gang involvement", "Early prolific offending"),
                "ending-gang-and-youth-violence": ("Gang involvement", "Early prolific offending"),
            },
        ),
        ("daniel", {"troubled-families": ("Gang involvement", "Family")}),
        ("paige", {"victim-awareness-course": ("Pro-criminal attitudes",)}),
    ],
)
def test_the_programme_the_guide_used_is_in_the_top_three_with_reasons_naming_the_factors(
    name: str,
    expected: dict[str, tuple[str, ...]],
    with_crimes: bool,
    cast: Cast,
    assessed: MakeAssessed,
    open_case: MakeCase,
) -> None:
    top = top_three(suggestions_for(name, cast, assessed, open_case, with_crimes=with_crimes))
    for slug, factor_names in expected.items():
        assert slug in top, f"{name}: {slug} not in the top three {list(top)}"
        addresses = top[slug][0]
        assert addresses.startswith("Addresses")
        for factor_name in factor_names:
            assert factor_name in addresses, f"{slug}: {addresses!r}"


def test_connors_reasons_say_he_is_young_enough_and_what_the_places_are(
    cast: Cast, assessed: MakeAssessed, open_case: MakeCase
) -> None:
    result = suggestions_for("connor", cast, assessed, open_case)
    pathways = next(s for s in result.suggestions if s.name == "Pathways Out Programme")
    assert "Open to them at 18: it is for ages 10 to 24." in pathways.reasons
    assert "12 of 12 places free." in pathways.reasons
    # Youth offending services end at 17: still listed, after everything Connor can join.
    youth = result.suggestions[-1]
    assert (youth.name, youth.age_fits) == ("Youth offending services", False)


def test_misha_has_a_gap_when_the_area_runs_nothing_for_professional_enablers(
    cast: Cast, assessed: MakeAssessed, open_case: MakeCase, coordinator: User
) -> None:
    offered = suggestions_for("misha", cast, assessed, open_case)
    assert offered.suggestions[0].name == "Awareness raising with at-risk professions"
    assert "professional_skills" not in [gap.factor_id for gap in offered.gaps]

    for programme in Programme.objects.filter(retired_at__isnull=True):
        if "professional_skills" in programme.factor_ids:
            programme_retire(programme=programme, actor=coordinator, reason="Not run here")
    result = suggestions_for("misha", cast, assessed, open_case)

    gaps = {gap.factor_id: gap for gap in result.gaps}
    assert gaps["professional_skills"].factor_name == "Professional skills"
    assert gaps["professional_skills"].reason == "No programme in the catalogue addresses it."
    assert "intimate_relationships" not in gaps  # work with women and girls still addresses it
    page = render_to_string("interventions/_suggestions.html", {"suggestions": result})
    assert "Gaps" in page
    assert "<strong>Professional skills</strong>: No programme in the catalogue addresses it." in (
        page
    )
