"""Explicit state transitions: a move not in the table is refused with a clear message.

Each status field has one `StatusMachine` beside its TextChoices: the statuses each status may
move to. Services change a status only through `move`; pages ask the machine what is allowed
rather than comparing status strings.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from django.db.models import TextChoices


class IllegalTransition(Exception):
    """A status change the workflow does not allow. Nothing is changed when it is raised."""


@dataclass(frozen=True)
class StatusMachine:
    """The statuses a record may move to from each of its statuses (a final status: none)."""

    choices: type[TextChoices]
    moves: Mapping[str, frozenset[str]]

    def may_move(self, current: str, target: str) -> bool:
        return target in self.moves.get(current, frozenset())

    def is_final(self, current: str) -> bool:
        """Nothing more can happen to a record in a final status."""
        return not self.moves.get(current)

    def sources_of(self, target: str) -> frozenset[str]:
        """The statuses from which a record may move to `target`."""
        return frozenset(source for source, targets in self.moves.items() if target in targets)

    def may_reach(self, current: str, target: str) -> bool:
        """Whether some sequence of allowed moves leads from `current` to `target`."""
        seen: set[str] = set()
        frontier = set(self.moves.get(current, frozenset()))
        while frontier:
            if target in frontier:
                return True
            seen |= frontier
            frontier = {nxt for status in frontier for nxt in self.moves.get(status, ())} - seen
        return False

    def problems(self) -> list[str]:
        """What is wrong with the table itself: a status missing, or an unknown target."""
        values = set(self.choices.values)
        found = [f"'{status}' has no entry" for status in sorted(values - set(self.moves))]
        found += [f"'{status}' is not a status" for status in sorted(set(self.moves) - values)]
        for source, targets in self.moves.items():
            found += [f"'{source}' moves to unknown '{t}'" for t in sorted(targets - values)]
        return found

    def check(self, *, what: str, current: str, target: str) -> None:
        """Raises IllegalTransition, naming what moves, from and to, if the move is not allowed."""
        if not self.may_move(current, target):
            raise IllegalTransition(
                f"{what} cannot move from '{self.choices(current).label}' "
                f"to '{self.choices(target).label}'."
            )


class HasStatus(Protocol):
    status: str


def move(record: HasStatus, *, machine: StatusMachine, target: str, what: str) -> None:
    """Sets `record.status` to `target` if the machine allows it (the caller saves it);
    otherwise raises IllegalTransition and leaves the record as it was."""
    machine.check(what=what, current=record.status, target=target)
    record.status = target
