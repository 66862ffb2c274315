import datetime

import pytest

from offramp.people.models import AliasKind, PersonAlias
from offramp.people.selectors import person_search
from offramp.referrals.services import referral_create
from tests.conftest import referral_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def robert(school_dsl):
    return referral_create(
        referrer=school_dsl,
        request=referral_request(
            given_name="Robert", family_name="Smith", date_of_birth=datetime.date(2009, 3, 7)
        ),
    ).person


@pytest.mark.parametrize(
    ("given", "family", "dob", "reason"),
    [
        ("Robert", "Smith", datetime.date(2009, 3, 7), "Date of birth matches"),
        (
            "Bob",
            "Smith",
            datetime.date(2009, 3, 7),
            "Given name 'Robert' is a known variant of 'Bob'",
        ),
        ("Robert", "Smyth", datetime.date(2009, 3, 7), "Family name 'Smith' sounds like 'Smyth'"),
        (
            "Robert",
            "Smith",
            datetime.date(2009, 7, 3),
            "Date of birth matches with day and month swapped",
        ),
        ("Robert", "Smiht", None, "Family name 'Smith' is spelt similarly to 'Smiht'"),
    ],
)
def test_search_tolerates_variants_and_says_why(coordinator, robert, given, family, dob, reason):
    matches = person_search(
        user=coordinator, given_name=given, family_name=family, date_of_birth=dob
    )
    assert matches and matches[0].person == robert
    assert any(r.startswith(reason) for r in matches[0].reasons), matches[0].reasons


def test_search_finds_people_by_their_aliases(coordinator, robert, agencies):
    PersonAlias.objects.create(
        person=robert,
        given_name="Robbie",
        family_name="Cole",
        kind=AliasKind.ALIAS,
        recorded_by_agency=agencies["police"],
    )
    matches = person_search(
        user=coordinator,
        given_name="Robbie",
        family_name="Cole",
        date_of_birth=datetime.date(2009, 3, 7),
    )
    assert matches[0].person == robert
    assert matches[0].matched_alias == "Robbie Cole"


def test_unrelated_people_are_not_matched(coordinator, robert):
    assert (
        person_search(
            user=coordinator,
            given_name="Ayesha",
            family_name="Begum",
            date_of_birth=datetime.date(1990, 1, 1),
        )
        == []
    )


def test_practitioners_find_nobody(school_dsl, robert):
    assert person_search(user=school_dsl, given_name="Robert", family_name="Smith") == []
