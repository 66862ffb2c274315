"""Every status field has one transition table, complete, and a move not in it changes nothing."""

import pytest
from django.apps import apps
from django.db import models

from offramp.accounts.models import ACCESS_CHANGE_MOVES, AccessChange
from offramp.assessments.models import ASSESSMENT_MOVES, Assessment
from offramp.cases.models import (
    CASE_MOVES,
    MEETING_MOVES,
    PLACEMENT_MOVES,
    Case,
    PanelMeeting,
    Placement,
)
from offramp.exports.models import EXPORT_MOVES, ExportRecord
from offramp.index.models import MATCH_REVIEW_MOVES, MatchReview
from offramp.intake.models import BATCH_MOVES, ImportBatch
from offramp.networks.models import GroupStatus
from offramp.referrals.models import REFERRAL_MOVES, Referral
from offramp.retention.models import RETENTION_MOVES, RetentionReview
from offramp.transitions import IllegalTransition, StatusMachine, move

MACHINES: dict[type[models.Model], StatusMachine] = {
    Referral: REFERRAL_MOVES,
    Assessment: ASSESSMENT_MOVES,
    Case: CASE_MOVES,
    PanelMeeting: MEETING_MOVES,
    Placement: PLACEMENT_MOVES,
    ExportRecord: EXPORT_MOVES,
    ImportBatch: BATCH_MOVES,
    RetentionReview: RETENTION_MOVES,
    MatchReview: MATCH_REVIEW_MOVES,
    AccessChange: ACCESS_CHANGE_MOVES,
}
# Statuses that describe rather than progress: partners revise a group's status freely.
DESCRIPTIVE: set[type[models.TextChoices]] = {GroupStatus}


def _moves(*, allowed: bool) -> list[tuple[type[models.Model], str, str]]:
    return [
        (model, current, target)
        for model, machine in MACHINES.items()
        for current in machine.choices.values
        for target in machine.choices.values
        if machine.may_move(current, target) is allowed
    ]


def _id(value: object) -> str:
    return value.__name__ if isinstance(value, type) else str(value)


def test_every_status_field_with_choices_has_its_machine() -> None:
    missing = []
    for model in apps.get_models():
        if not model.__module__.startswith("offramp."):
            continue
        field = next((f for f in model._meta.fields if f.name == "status" and f.choices), None)
        if field is None:
            continue
        machine = MACHINES.get(model)
        values = {value for value, _ in field.choices or ()}
        if machine is None:
            if not any(set(choices.values) == values for choices in DESCRIPTIVE):
                missing.append(model.__name__)
        else:
            assert set(machine.choices.values) == values, model.__name__
    assert missing == []


@pytest.mark.parametrize("model", MACHINES, ids=_id)
def test_every_status_has_an_entry_and_every_target_is_a_status(
    model: type[models.Model],
) -> None:
    assert MACHINES[model].problems() == []


def test_a_table_missing_a_status_or_moving_to_an_unknown_one_is_reported() -> None:
    broken = StatusMachine(
        GroupStatus, {GroupStatus.ACTIVE: frozenset({"gone"}), "extra": frozenset()}
    )
    assert broken.problems() == [
        "'disrupted' has no entry",
        "'dormant' has no entry",
        "'extra' is not a status",
        "'active' moves to unknown 'gone'",
    ]


@pytest.mark.parametrize(("model", "current", "target"), _moves(allowed=False), ids=_id)
def test_a_move_not_in_the_table_is_refused_and_changes_nothing(
    model: type[models.Model], current: str, target: str
) -> None:
    machine = MACHINES[model]
    record = model(status=current)
    with pytest.raises(IllegalTransition) as refusal:
        move(record, machine=machine, target=target, what=f"This {model.__name__}")
    assert str(refusal.value) == (
        f"This {model.__name__} cannot move from '{machine.choices(current).label}' "
        f"to '{machine.choices(target).label}'."
    )
    assert record.status == current  # type: ignore[attr-defined]


@pytest.mark.parametrize(("model", "current", "target"), _moves(allowed=True), ids=_id)
def test_a_move_in_the_table_changes_the_status(
    model: type[models.Model], current: str, target: str
) -> None:
    record = model(status=current)
    move(record, machine=MACHINES[model], target=target, what="It")
    assert record.status == target  # type: ignore[attr-defined]


def test_a_status_reaches_what_a_chain_of_moves_leads_to() -> None:
    assert REFERRAL_MOVES.may_reach("received", "assessed")
    assert REFERRAL_MOVES.may_reach("assessment", "assessed")
    assert not REFERRAL_MOVES.may_reach("assessed", "assessed")
    assert not REFERRAL_MOVES.may_reach("closed", "assessed")
    assert EXPORT_MOVES.sources_of("expired") == {"approved", "ready"}
