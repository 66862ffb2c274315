"""Administration never lists people (issue 12, leak 7): deleting an agency that records have
been attached to is refused with counts, never names."""

from django.urls import reverse

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.referrals.models import Referral
from tests.conftest import signed_in


def test_the_agency_delete_page_names_no_person_and_refuses(
    administrator: User, dsl_referral: Referral, agencies: dict[str, Agency]
) -> None:
    school = agencies["school"]
    url = reverse("admin:agencies_agency_delete", args=[school.pk])
    client = signed_in(administrator)
    page = client.get(url).content.decode()
    assert "Connor" not in page and "Walsh" not in page
    assert "Tom" not in page and "Baker" not in page, "a user of the agency is named"
    assert "cannot be deleted" in page
    assert "1 person" in page

    client.post(url, {"post": "yes"})
    assert Agency.objects.filter(pk=school.pk).exists()


def test_the_bulk_delete_action_names_no_person_either(
    administrator: User, dsl_referral: Referral, agencies: dict[str, Agency]
) -> None:
    page = signed_in(administrator).post(
        reverse("admin:agencies_agency_changelist"),
        {"action": "delete_selected", "_selected_action": [agencies["school"].pk]},
    )
    content = page.content.decode()
    assert "Connor" not in content and "Walsh" not in content
    assert Agency.objects.filter(pk=agencies["school"].pk).exists()


def test_an_agency_nothing_is_attached_to_can_be_deleted(administrator: User) -> None:
    empty = Agency.objects.create(slug="empty", name="Empty Agency", kind="other")
    url = reverse("admin:agencies_agency_delete", args=[empty.pk])
    response = signed_in(administrator).post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Agency.objects.filter(pk=empty.pk).exists()


def test_a_users_delete_page_names_no_referral_or_person(
    administrator: User, school_dsl: User, dsl_referral: Referral
) -> None:
    url = reverse("admin:accounts_user_delete", args=[school_dsl.pk])
    content = signed_in(administrator).get(url).content.decode()
    assert "Connor" not in content and "Walsh" not in content
    assert dsl_referral.reference not in content
