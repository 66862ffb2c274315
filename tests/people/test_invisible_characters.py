"""Security trial (issue 12): control and bidirectional-override characters are refused on
input, by one check, in every way a name or free text comes in, with a message naming the
field and the character; nothing is saved."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from offramp.accounts.models import User
from offramp.audit.models import Event
from offramp.people.models import Person
from offramp.referrals.models import Referral
from offramp.referrals.services import referral_create
from offramp.text import invisible_character_errors
from tests.api.test_api import a_referral, api_client, send
from tests.conftest import referral_request, signed_in

pytestmark = pytest.mark.django_db

RIGHT_TO_LEFT_OVERRIDE = "\u202e"


@pytest.mark.parametrize(
    "character",
    [
        "\u202e",
        "\u202a",
        "\u200e",
        "\u200f",
        "\u2066",
        "\u2069",
        "\u200b",
        "\x07",
        "\x1b",
        "\x00",
        "\u2028",
        "\ufeff",
        "\n",
        "\t",
    ],
)
def test_a_name_refuses_every_control_and_format_character(character: str) -> None:
    errors = invisible_character_errors({"family_name": f"Smi{character}th"})
    code = f"U+{ord(character):04X}"
    assert errors == {
        "family_name": f"Family name contains an invisible control character ({code}); retype it"
    }


def test_free_text_keeps_newlines_and_tabs_but_refuses_the_rest() -> None:
    assert invisible_character_errors({"concern": "One.\r\n\tTwo."}, free_text=True) == {}
    errors = invisible_character_errors({"concern": "Ring\x07 me"}, free_text=True)
    assert errors["concern"].startswith("Concern contains an invisible control character (U+0007)")


def test_ordinary_names_in_any_script_are_accepted() -> None:
    names = {"a": "Zoë O'Brien-Smith", "b": "محمد", "c": "Đặng Thị", "d": "Siobhán Ní Bhriain"}
    assert invisible_character_errors(names) == {}


def test_names_keep_the_joiners_their_scripts_spell_with() -> None:
    """Persian and Indic scripts write some names with a zero-width non-joiner or joiner."""
    names = {"persian": "مهر‌ناز", "malayalam": "ലക്ഷ്‍മി"}
    assert invisible_character_errors(names) == {}


def _saved() -> tuple[int, int, int]:
    return Person.objects.count(), Referral.objects.count(), Event.objects.count()


def test_the_referral_form_refuses_an_override_in_the_family_name(school_dsl: User) -> None:
    before = _saved()
    response = signed_in(school_dsl).post(
        reverse("web:referral-create"),
        {
            "given_name": "Paige",
            "family_name": f"Morris{RIGHT_TO_LEFT_OVERRIDE}kcab",
            "date_of_birth_0": "3",
            "date_of_birth_1": "1",
            "date_of_birth_2": "2008",
            "area": "Northgate",
            "concern": "Seen with older boys.\nTwice this week.",
            "consent": "given",
        },
    )
    assert response.status_code == 200
    assert (
        "Family name contains an invisible control character (U+202E); retype it"
        in response.content.decode()
    )
    assert _saved() == before


def test_the_referral_service_refuses_a_bell_in_the_concern(school_dsl: User) -> None:
    with pytest.raises(ValidationError) as refusal:
        referral_create(referrer=school_dsl, request=referral_request(concern="Ring\x07ing"))
    assert refusal.value.message_dict["concern"] == [
        "Concern contains an invisible control character (U+0007); retype it"
    ]
    assert not Referral.objects.exists()


def test_the_api_refuses_an_isolate_in_a_referral_name(school_dsl: User) -> None:
    before = _saved()
    response = send(
        api_client(school_dsl), "post", "/referrals", a_referral(given_name="K\u2066yle")
    )
    assert response.status_code == 422
    assert response.json()["errors"]["given_name"] == [
        "Given name contains an invisible control character (U+2066); retype it"
    ]
    assert _saved() == before


def test_evidence_keeps_its_lines_but_refuses_a_mark(coordinator: User, dsl_referral) -> None:
    client = api_client(coordinator)
    assessment = send(client, "post", f"/assessments/for-person/{dsl_referral.person_id}", {})
    path = f"/assessments/{assessment.json()['id']}/factors/associates"
    body = {"judgement": "absent", "note": "Seen twice.\nBoth times at\u200f night."}
    response = send(client, "put", path, body)
    assert response.status_code == 422
    assert response.json()["errors"]["associates-note"] == [
        "Your note contains an invisible control character (U+200F); retype it"
    ]
    ok = send(client, "put", path, {**body, "note": "Seen twice.\n\tBoth times at night."})
    assert ok.status_code == 200, ok.json()
