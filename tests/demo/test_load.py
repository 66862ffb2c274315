"""The synthetic area loads into the database as a partnership would hold it."""

import pytest
from django.core.management import call_command

from offramp.accounts.models import Role, User
from offramp.assessments.models import Assessment, AssessmentStatus
from offramp.audit.models import Event, EventCode
from offramp.cases.models import Case, CaseStatus, PanelAction, ReviewKind, Route
from offramp.demo.load import DEMO_ACCOUNTS, DEMO_PASSWORD, known_person_ids, load_area
from offramp.demo.synth import generate_area
from offramp.people.models import Person
from offramp.referrals.models import Referral, ReferralStatus
from offramp.sharing.models import Disclosure

pytestmark = pytest.mark.django_db

PEOPLE, SEED = 3000, 11


@pytest.fixture(scope="module")
def area():
    return generate_area(people=PEOPLE, seed=SEED)


def test_only_people_known_to_an_agency_enter_the_person_index(area):
    summary = load_area(area)

    known = known_person_ids(area)
    assert summary.people == len(known)
    # The partners' extracts then bring in everyone an agency holds, linked to those already
    # known or founding people of their own — never anyone no agency knows.
    partner = summary.partner_data
    assert partner.records > 0 and partner.linked > 0 and partner.new_people > 0
    assert Person.objects.count() == len(known) + partner.new_people < PEOPLE
    founded = Person.objects.filter(source_records__isnull=True).count()
    assert founded <= len(known)
    assert Referral.objects.count() == len(area.referrals_seed)


def test_every_demo_account_can_sign_in_with_the_printed_password(area, client):
    load_area(area)
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert user.role == account.role and user.agency is not None
        assert client.login(username=account.username, password=DEMO_PASSWORD)
    assert User.objects.get(username="admin").is_staff


def test_referrals_are_at_every_stage_and_assessed_ones_have_an_assessment(area):
    load_area(area)
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert {ReferralStatus.RECEIVED, ReferralStatus.SCREENING, ReferralStatus.ASSESSED} <= statuses
    for referral in Referral.objects.filter(status=ReferralStatus.ASSESSED):
        assessment = Assessment.objects.get(referral=referral)
        assert assessment.status == AssessmentStatus.COMPLETED
        assert assessment.judgements.count() == 18


def test_every_person_has_a_timeline_and_the_dsl_follows_their_own_referrals(area):
    load_area(area)
    assert not Person.objects.filter(events__isnull=True).exists()
    assert (
        Event.objects.filter(code=EventCode.REFERRAL_RECEIVED).count() == Referral.objects.count()
    )
    dsl = User.objects.get(username="dsl", role=Role.PRACTITIONER)
    assert Referral.objects.filter(referrer=dsl).exists()


def test_case_study_people_are_loaded(area):
    load_area(area)
    for row in area.case_studies.itertuples():
        person = area.people.set_index("person_id").loc[row.person_id]
        assert Person.objects.filter(
            given_name=person.given_name, family_name=person.family_name
        ).exists(), row.case_study


def test_loading_twice_is_refused_and_changes_nothing(area):
    load_area(area)
    counts = (Person.objects.count(), Referral.objects.count(), Event.objects.count())
    with pytest.raises(ValueError, match="already holds"):
        load_area(area)
    assert (Person.objects.count(), Referral.objects.count(), Event.objects.count()) == counts


def test_the_demo_command_builds_the_area_and_prints_the_logins(tmp_path, capsys):
    call_command("demo", people=400, seed=3, extracts=tmp_path / "extracts")
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out and "coordinator" in out
    assert (tmp_path / "extracts" / "manifest.json").exists()
    call_command("demo", people=400, seed=3, extracts=tmp_path / "extracts")
    assert "already loaded" in capsys.readouterr().out


def test_every_loaded_choice_is_one_the_models_allow(area):
    from offramp.agencies.models import Agency
    from offramp.people.models import AgencyIdentifier

    load_area(area)
    for model, field in (
        (Referral, "consent"),
        (Referral, "status"),
        (Person, "sex"),
        (Person, "ethnicity"),
        (AgencyIdentifier, "identifier_type"),
        (Agency, "kind"),
    ):
        allowed = {value for value, _ in model._meta.get_field(field).choices}
        used = set(model.objects.values_list(field, flat=True))
        assert used <= allowed, (model.__name__, field, used - allowed)


def test_cases_follow_the_suggested_routes_through_a_panel(area):
    load_area(area)
    cases = list(Case.objects.all())
    assert len(cases) == Assessment.objects.count() - 2
    assert {case.route for case in cases} >= {Route.PANEL, Route.SIGNPOST}
    assert all(case.route == case.suggested_route for case in cases if case.suggested_route)
    statuses = {case.status for case in cases}
    assert {CaseStatus.ON_PLAN, CaseStatus.AWAITING_PANEL} <= statuses
    # With plans agreed for two or more, the first has since exited, with its follow-ups.
    for exited in (case for case in cases if case.status == CaseStatus.EXITED):
        assert {r.kind for r in exited.reviews.filter(held_on__isnull=True)} == {
            ReviewKind.FOLLOW_UP_6_MONTHS,
            ReviewKind.FOLLOW_UP_12_MONTHS,
        }
    assert PanelAction.objects.filter(owner__username="health").exists()
    assert Disclosure.objects.filter(object_type="contribution").exists()
