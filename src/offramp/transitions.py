"""Explicit state transitions: a move not in the table is refused with a clear message."""

from collections.abc import Mapping

from django.db.models import TextChoices


class IllegalTransition(Exception):
    """A status change the workflow does not allow. Nothing is changed when it is raised."""


def check_transition(
    *,
    what: str,
    current: str,
    target: TextChoices,
    allowed: Mapping[str, frozenset[str]],
    choices: type[TextChoices],
) -> None:
    if target not in allowed.get(current, frozenset()):
        current_label = choices(current).label
        raise IllegalTransition(f"{what} cannot move from '{current_label}' to '{target.label}'.")
