"""Reading the network: arrays in bulk, exposure cached by data version, the group's map, the
periphery filtered to people with no open case, and explanations in plain words."""

import datetime

import pytest
from django.utils import timezone

from offramp.accounts.models import User
from offramp.analysis import network as engine
from offramp.cases.models import Case, CaseStatus, Route
from offramp.networks.models import NamingPurpose, Relationship
from offramp.networks.selectors import (
    NetworkView,
    data_version,
    exposure_for,
    group_map,
    periphery_rows,
    person_exposure,
    today_view,
)
from offramp.networks.services import (
    MembershipDetails,
    RelationshipDetails,
    membership_update,
    relationship_update,
)
from offramp.referrals.models import Referral

from .conftest import NetworkWorld, tie


def test_the_network_loads_database_ids_and_only_suspects_are_members(
    network: NetworkWorld,
) -> None:
    exposure = exposure_for(today_view())
    people = network.people
    ids = set(exposure.graph.person_ids.tolist())
    assert ids == {person.pk for person in people.values()}
    members = set(exposure.graph.person_ids[exposure.graph.is_member].tolist())
    assert members == {people["dan"].pk, people["lee"].pk}  # Mia is linked as a victim


def test_exposure_is_computed_once_per_data_version(
    network: NetworkWorld, analyst: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[datetime.date] = []
    real = engine.build_graph

    def counting(network: engine.Network, *, as_of: datetime.date) -> engine.NetworkGraph:
        calls.append(as_of)
        return real(network, as_of=as_of)

    monkeypatch.setattr("offramp.networks.selectors.build_graph", counting)
    sam = network.people["sam"]
    first = exposure_for(today_view())
    assert exposure_for(today_view()) is not None
    assert len(calls) == 1
    assert first.explain(sam.pk).hops == 3

    version = data_version()
    tie(analyst, sam, network.people["dan"], "associate_neighbour", network.police)
    assert data_version() != version
    assert exposure_for(today_view()).explain(sam.pk).hops == 1
    assert len(calls) == 2


def test_a_changed_tie_and_a_removed_tie_give_a_fresh_result(
    network: NetworkWorld, analyst: User
) -> None:
    connor = network.people["connor"]
    sibling = network.ties["lee-connor"]
    assert exposure_for(today_view()).explain(connor.pk).hops == 1
    details = RelationshipDetails(
        tie_type="family_sibling",
        source_agency_id=network.police.pk,
        confidence="low",
        started_on=sibling.started_on,
    )
    relationship_update(relationship=sibling, actor=analyst, details=details)
    low = exposure_for(today_view()).explain(connor.pk)
    assert low.distance == pytest.approx(2.0)  # a low-confidence tie counts twice as long
    Relationship.objects.filter(pk=sibling.pk).delete()  # as retention disposal would
    cut_off = person_exposure(user=analyst, person=connor)
    assert (cut_off.hops, cut_off.path) == (-1, ())


def test_a_disrupted_group_draws_nobody_in_but_its_own_map_still_shows_it(
    network: NetworkWorld, analyst: User, names_for_analyst: NamingPurpose
) -> None:
    network.group.status = "disrupted"
    network.group.save()
    assert person_exposure(user=analyst, person=network.people["connor"]).hops == -1
    mapped = group_map(user=analyst, group=network.group, view=today_view())
    kinds = {p.person.name: p.kind for p in mapped.people}
    assert kinds["Lee Carter"] == "member" and kinds["Connor Walsh"] == "periphery"


def test_the_exposure_of_a_person_is_explained_in_words(
    network: NetworkWorld, analyst: User, names_for_analyst: NamingPurpose
) -> None:
    explained = person_exposure(user=analyst, person=network.people["jade"])
    assert (explained.is_member, explained.hops) == (False, 2)
    assert explained.text == (
        "Jade Price is a friend or peer of Connor Walsh (since 1 May 2024); "
        "Connor Walsh is a sibling of Lee Carter (since 1 May 2024)"
    )
    assert [m.text for m in explained.nearest] == [
        "Lee Carter, core member of OCG-HM-001 Granite Kestrel"
    ]
    [suggestion] = explained.suggestions
    assert (suggestion.factor_id, suggestion.guide_paragraph) == ("associates", "2.20")
    assert suggestion.relationship == network.ties["connor-jade"]
    assert "Network tie (suggested by Offramp, guide ¶2.20)" in suggestion.evidence
    assert "recorded by Hartmoor Police with high confidence" in suggestion.evidence


def test_someone_outside_the_network_has_no_exposure(
    network: NetworkWorld, analyst: User, other_referral: Referral
) -> None:
    outside = person_exposure(user=analyst, person=other_referral.person)
    assert (outside.hops, outside.path, outside.suggestions) == (-1, (), ())


def test_the_group_map_labels_victims_as_victims_and_filters_by_tie_type_and_date(
    network: NetworkWorld, analyst: User, names_for_analyst: NamingPurpose
) -> None:
    view = today_view()
    mapped = group_map(user=analyst, group=network.group, view=view)
    by_name = {p.person.name: p for p in mapped.people}
    assert set(by_name) == {"Dan Boyd", "Lee Carter", "Mia Rowe", "Connor Walsh", "Jade Price"}
    assert by_name["Mia Rowe"].kind == "victim"
    assert by_name["Mia Rowe"].link_label == "Victim"
    assert by_name["Dan Boyd"].link_label == "Principal"
    assert by_name["Connor Walsh"].explained.factor_names == "Family (¶2.18)"  # type: ignore[union-attr]
    assert len(mapped.ties) == 4  # Jade and Sam's tie leaves the map with Sam
    data = mapped.data()
    assert {node["kind"] for node in data["nodes"]} == {"member", "victim", "periphery"}  # type: ignore[index]

    no_family = NetworkView(as_of=view.as_of, tie_types=view.tie_types - {"family_sibling"})
    mapped = group_map(user=analyst, group=network.group, view=no_family)
    assert "Connor Walsh" not in {p.person.name for p in mapped.people}

    before_the_ties = NetworkView(as_of=datetime.date(2024, 4, 30))
    mapped = group_map(user=analyst, group=network.group, view=before_the_ties)
    assert {p.person.name for p in mapped.people} == {"Dan Boyd", "Lee Carter", "Mia Rowe"}
    assert mapped.ties == ()


def _open_case(referral: Referral, coordinator: User) -> Case:
    return Case.objects.create(
        reference="C26-000001",
        person=referral.person,
        person_category="at_risk",
        referral=referral,
        lead_agency=coordinator.agency,
        status=CaseStatus.ON_PLAN,
        route=Route.PANEL,
        route_reason="Panel",
        routed_by=coordinator,
    )


def test_the_periphery_is_nearest_first_and_can_leave_out_open_cases(
    network: NetworkWorld,
    analyst: User,
    coordinator: User,
    dsl_referral: Referral,
    names_for_analyst: NamingPurpose,
) -> None:
    rows, total = periphery_rows(user=analyst, no_open_case=False)
    # As near as each other: the lower record number first.
    assert [r.explained.person.name for r in rows] == ["Connor Walsh", "Mia Rowe", "Jade Price"]
    assert total == 3
    assert [r.explained.hops for r in rows] == [1, 1, 2]

    _open_case(dsl_referral, coordinator)
    rows, total = periphery_rows(user=analyst, no_open_case=True)
    assert [r.explained.person.name for r in rows] == ["Mia Rowe", "Jade Price"]
    rows, _ = periphery_rows(user=analyst, no_open_case=False)
    assert [r.open_case for r in rows] == [True, False, False]


@pytest.mark.parametrize("persona", ["school_dsl", "health_panel_member", "auditor"])
def test_people_without_networks_see_no_periphery(
    persona: str, request: pytest.FixtureRequest, network: NetworkWorld
) -> None:
    assert periphery_rows(user=request.getfixturevalue(persona), no_open_case=False) == ([], 0)


def test_ended_ties_fade_and_a_link_that_ended_makes_no_member(
    network: NetworkWorld, analyst: User, names_for_analyst: NamingPurpose
) -> None:
    today = timezone.localdate()
    sam, dan = network.people["sam"], network.people["dan"]
    four_years = datetime.timedelta(days=round(4 * 365.25))
    tie(
        analyst,
        sam,
        dan,
        "associate_peer",
        network.police,
        started_on=today - 2 * four_years,
        ended_on=today - four_years,
    )
    explained = person_exposure(user=analyst, person=sam)
    [suggestion] = explained.suggestions
    assert suggestion.steps[0].length == pytest.approx(1.5 * 4)  # doubled twice in four years
    assert explained.distance == pytest.approx(1.5 + 1.5 + 1.0)  # the recent ties are nearer
    assert explained.hops == 1

    ended = MembershipDetails(
        category="suspect_or_offender",
        role="principal",
        source_agency_id=network.police.pk,
        confidence="high",
        started_on=datetime.date(2020, 1, 1),
        ended_on=today,
    )
    membership_update(membership=network.links["dan"], actor=analyst, details=ended)
    explained = person_exposure(user=analyst, person=sam)
    # Dan is no longer a member: the tie to him now matters only as the way to Lee.
    assert [s.member.person.name for s in explained.suggestions] == ["Lee Carter"]
    assert [m.person.name for m in explained.nearest] == ["Lee Carter"]
