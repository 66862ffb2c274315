"""Reads of the access log, always through the scoping selector."""

from django.db.models import QuerySet

from offramp.access.scoping import (
    access_log_visible_to,
    people_whose_access_log_is_visible_to,
    sweep_alerts_visible_to,
)
from offramp.accounts.models import User

from .models import AuditEntry, SweepAlert


def person_access_log(*, user: User, person_id: int) -> QuerySet[AuditEntry] | None:
    """Who did what to a person's records, newest first; None if there is no such record.

    A record erased since (a provisional record folded into a known person) keeps its log.
    """
    logged_people = people_whose_access_log_is_visible_to(user)
    entries = access_log_visible_to(user).filter(person_id=person_id).order_by("-sequence")
    if not entries.exists() and not logged_people.filter(pk=person_id).exists():
        return None
    return entries


def sweep_alerts(*, user: User) -> QuerySet[SweepAlert]:
    """Sweep alerts, the latest burst first: for those who read the access log, else none."""
    return sweep_alerts_visible_to(user).order_by("-last_refusal_at")
