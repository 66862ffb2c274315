"""Recording groups, links and ties: validation naming the field, the victim rule, duplicates,
edits and ending, and the timeline and access log written with every change."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.audit.models import AuditAction, AuditEntry, Event, EventCode
from offramp.networks.models import GroupMembership, OrganisedCrimeGroup, Relationship
from offramp.networks.services import (
    GroupDetails,
    MembershipDetails,
    RelationshipDetails,
    group_create,
    group_update,
    membership_add,
    membership_update,
    relationship_add,
    relationship_update,
)
from offramp.people.models import Person

from .conftest import SINCE, NetworkWorld, make_person, tie


def field_errors(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


def group_details(police: Agency, **changes: object) -> GroupDetails:
    values: dict[str, object] = {
        "reference": "OCG-HM-002",
        "name": "Amber Lapwing",
        "status": "active",
        "source_agency_id": police.pk,
    }
    return GroupDetails(**(values | changes))  # type: ignore[arg-type]


def link_details(police: Agency, **changes: object) -> MembershipDetails:
    values: dict[str, object] = {
        "category": "suspect_or_offender",
        "role": "core",
        "source_agency_id": police.pk,
        "confidence": "medium",
    }
    return MembershipDetails(**(values | changes))  # type: ignore[arg-type]


# --- groups ---------------------------------------------------------------------------------------


def test_a_group_is_recorded_and_logged_without_a_timeline(
    analyst: User, agencies: dict[str, Agency]
) -> None:
    group = group_create(
        actor=analyst,
        details=group_details(
            agencies["police"], crime_types=("fraud", "fraud"), countries=("NG",), notes=" x "
        ),
    )
    assert (group.crime_types, group.countries, group.notes) == (["fraud"], ["NG"], "x")
    entry = AuditEntry.objects.get(object_type="organisedcrimegroup", object_id=str(group.pk))
    assert (entry.action, entry.purpose, entry.person_id) == (
        AuditAction.COLLECTION,
        "network analysis",
        None,
    )
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reference": " "}, "reference", "Enter the group's reference"),
        ({"reference": "ocg-hm-001"}, "reference", "already recorded"),
        ({"name": ""}, "name", "Enter the group's name"),
        ({"status": "wanted"}, "status", "active, dormant or disrupted"),
        ({"crime_types": ("drugs",)}, "crime_types", "Unknown crime type 'drugs'"),
        ({"countries": ("Netherlands",)}, "countries", "two letters (ISO 3166)"),
        ({"source_agency_id": None}, "source_agency", "Select the agency"),
        ({"notes": "x" * 4001}, "notes", "4000 characters or fewer"),
    ],
)
def test_a_group_is_refused_with_the_field_to_fix(
    network: NetworkWorld, analyst: User, changes: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        group_create(actor=analyst, details=group_details(network.police, **changes))
    assert message in " ".join(field_errors(error)[field])
    assert OrganisedCrimeGroup.objects.count() == 1


def test_a_group_is_changed_by_an_analyst(network: NetworkWorld, analyst: User) -> None:
    details = group_details(network.police, reference="OCG-HM-001", status="disrupted")
    group = group_update(group=network.group, actor=analyst, details=details)
    assert (group.name, group.status) == ("Amber Lapwing", "disrupted")
    assert AuditEntry.objects.filter(
        action=AuditAction.ALTERATION, object_type="organisedcrimegroup"
    ).exists()


@pytest.mark.parametrize("persona", ["school_dsl", "health_panel_member", "auditor"])
def test_only_analysts_and_coordinators_record_networks(
    persona: str, request: pytest.FixtureRequest, network: NetworkWorld, coordinator: User
) -> None:
    user: User = request.getfixturevalue(persona)
    people = network.people
    with pytest.raises(PermissionDenied):
        group_create(actor=user, details=group_details(network.police))
    with pytest.raises(PermissionDenied):
        membership_add(
            group=network.group,
            person=people["sam"],
            actor=user,
            details=link_details(network.police),
        )
    with pytest.raises(PermissionDenied):
        tie(user, people["sam"], people["dan"], "business", network.police)
    tie(coordinator, people["sam"], people["dan"], "business", network.police)


# --- links to groups: a victim is never a member --------------------------------------------------


@pytest.mark.parametrize("category", ["victim", "at_risk", "witness", "associate"])
def test_only_a_suspect_or_offender_has_a_role_in_a_group(
    network: NetworkWorld, analyst: User, category: str
) -> None:
    with pytest.raises(ValidationError) as error:
        membership_add(
            group=network.group,
            person=network.people["sam"],
            actor=analyst,
            details=link_details(network.police, category=category, role="enabler"),
        )
    assert "Only a suspect or offender has a role in a group" in field_errors(error)["role"][0]
    assert not GroupMembership.objects.filter(person=network.people["sam"]).exists()


def test_the_database_refuses_a_victim_with_a_role(network: NetworkWorld) -> None:
    link = network.links["mia"]
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupMembership.objects.filter(pk=link.pk).update(role="core")
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupMembership.objects.filter(pk=network.links["lee"].pk).update(role="")


def test_a_suspect_needs_a_role_and_the_rest_of_the_link_is_checked(
    network: NetworkWorld, analyst: User
) -> None:
    details = link_details(
        network.police,
        role="",
        confidence="certain",
        started_on=datetime.date(2024, 1, 1),
        ended_on=datetime.date(2023, 1, 1),
        source_agency_id=None,
    )
    with pytest.raises(ValidationError) as error:
        membership_add(
            group=network.group, person=network.people["sam"], actor=analyst, details=details
        )
    errors = field_errors(error)
    assert errors["role"] == ["Select the person's role in the group"]
    assert errors["confidence"] == ["Select how confident the source is: high, medium or low"]
    assert errors["ended_on"] == ["The end date must be the same as or after the start date"]
    assert errors["source_agency"] == ["Select the agency the information came from"]


def test_a_link_is_recorded_on_the_timeline_without_saying_who_else(
    network: NetworkWorld, analyst: User
) -> None:
    mia = network.people["mia"]
    event = Event.objects.get(person=mia, code=EventCode.NETWORK_MEMBERSHIP_RECORDED)
    assert event.summary == "Linked to group OCG-HM-001 as victim"
    entry = AuditEntry.objects.get(
        event_code=EventCode.NETWORK_MEMBERSHIP_RECORDED, person_id=mia.pk
    )
    assert entry.action == AuditAction.COLLECTION


def test_an_open_link_is_not_recorded_twice_but_a_new_one_after_it_ended_is(
    network: NetworkWorld, analyst: User
) -> None:
    lee = network.people["lee"]
    with pytest.raises(ValidationError) as error:
        membership_add(
            group=network.group, person=lee, actor=analyst, details=link_details(network.police)
        )
    assert "already recorded" in field_errors(error)["person"][0]
    ended = link_details(network.police, ended_on=datetime.date(2025, 1, 1))
    membership_update(membership=network.links["lee"], actor=analyst, details=ended)
    membership_add(
        group=network.group, person=lee, actor=analyst, details=link_details(network.police)
    )
    summaries = list(
        Event.objects.filter(person=lee, code=EventCode.NETWORK_MEMBERSHIP_CHANGED).values_list(
            "summary", flat=True
        )
    )
    assert summaries == ["Link to group OCG-HM-001 ended on 1 January 2025"]


def test_changing_a_victims_link_cannot_give_them_a_role(
    network: NetworkWorld, coordinator: User
) -> None:
    details = link_details(network.police, category="victim", role="principal")
    with pytest.raises(ValidationError):
        membership_update(membership=network.links["mia"], actor=coordinator, details=details)
    network.links["mia"].refresh_from_db()
    assert network.links["mia"].role == ""


# --- ties -----------------------------------------------------------------------------------------


def test_a_tie_is_stored_as_it_reads_and_the_same_tie_the_other_way_round_is_a_duplicate(
    network: NetworkWorld, analyst: User, agencies: dict[str, Agency]
) -> None:
    parent = make_person(agencies["police"], "Ann", "Boyd", "1960-01-01")
    dan = network.people["dan"]
    stored = tie(analyst, parent, dan, "family_parent", network.police)
    assert (stored.person_a, stored.person_b, stored.tie_type) == (parent, dan, "family_parent")
    with pytest.raises(ValidationError) as error:
        tie(analyst, dan, parent, "family_child", network.police)
    assert f"already recorded (relationship {stored.pk})" in field_errors(error)["tie_type"][0]


def test_each_persons_timeline_records_the_tie_naming_the_other_by_number_only(
    network: NetworkWorld,
) -> None:
    relationship = network.ties["lee-connor"]
    for person, other in (
        (network.people["lee"], network.people["connor"]),
        (network.people["connor"], network.people["lee"]),
    ):
        event = Event.objects.get(
            person=person, code=EventCode.NETWORK_RELATIONSHIP_RECORDED, object_id=relationship.pk
        )
        assert event.summary == f"Relationship {relationship.pk} recorded (with record {other.pk})"
        assert other.given_name not in event.summary


def test_a_tie_to_oneself_and_a_duplicate_are_refused(network: NetworkWorld, analyst: User) -> None:
    dan, lee = network.people["dan"], network.people["lee"]
    with pytest.raises(ValidationError) as error:
        tie(analyst, dan, dan, "co_offender", network.police)
    assert field_errors(error)["person_b"] == [
        "A person cannot have a relationship with themselves"
    ]
    with pytest.raises(ValidationError) as error:
        tie(analyst, lee, dan, "co_offender", network.police)
    assert "already recorded" in field_errors(error)["tie_type"][0]
    # The same pair may share another kind of tie, or the same kind from another date.
    tie(analyst, lee, dan, "business", network.police)
    tie(analyst, lee, dan, "co_offender", network.police, started_on=datetime.date(2010, 1, 1))
    assert (
        Relationship.objects.filter(person_a__in=(dan, lee), person_b__in=(dan, lee)).count() == 3
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"tie_type": "cousin"}, "tie_type", "Select the kind of relationship"),
        ({"confidence": ""}, "confidence", "high, medium or low"),
        ({"started_on": datetime.date(2999, 1, 1)}, "started_on", "today or in the past"),
        ({"ended_on": datetime.date(2024, 4, 30)}, "ended_on", "same as or after the start"),
        ({"note": "\x00"}, "note", "null characters"),
        ({"weight": 0.0}, "weight", "more than 0"),
    ],
)
def test_a_tie_is_refused_with_the_field_to_fix(
    network: NetworkWorld, analyst: User, changes: dict[str, object], field: str, message: str
) -> None:
    values: dict[str, object] = {
        "tie_type": "associate_colleague",
        "source_agency_id": network.police.pk,
        "confidence": "low",
        "started_on": SINCE,
    }
    details = RelationshipDetails(**(values | changes))  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as error:
        relationship_add(
            first=network.people["sam"],
            second=network.people["dan"],
            actor=analyst,
            details=details,
        )
    assert message in " ".join(field_errors(error)[field])


def test_ending_a_tie_is_an_alteration_on_both_timelines(
    network: NetworkWorld, analyst: User
) -> None:
    relationship = network.ties["connor-jade"]
    details = RelationshipDetails(
        tie_type=relationship.tie_type,
        source_agency_id=network.police.pk,
        confidence="medium",
        started_on=SINCE,
        ended_on=datetime.date(2025, 6, 30),
    )
    relationship_update(relationship=relationship, actor=analyst, details=details)
    relationship.refresh_from_db()
    assert (relationship.ended_on, relationship.confidence) == (
        datetime.date(2025, 6, 30),
        "medium",
    )
    changed = Event.objects.filter(code=EventCode.NETWORK_RELATIONSHIP_CHANGED)
    assert {e.person_id for e in changed} == {
        network.people["connor"].pk,
        network.people["jade"].pk,
    }
    assert all("ended on 30 June 2025" in e.summary for e in changed)
    assert (
        AuditEntry.objects.filter(
            event_code=EventCode.NETWORK_RELATIONSHIP_CHANGED, action=AuditAction.ALTERATION
        ).count()
        == 2
    )


def test_a_change_whose_audit_cannot_be_written_leaves_nothing(
    network: NetworkWorld, analyst: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(**kwargs: object) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("offramp.audit.services.audit_record", fail)
    before = Relationship.objects.count()
    with pytest.raises(RuntimeError):
        tie(analyst, network.people["sam"], network.people["dan"], "prison", network.police)
    assert Relationship.objects.count() == before
    assert not Person.objects.filter(relationships_as_first__tie_type="prison").exists()
