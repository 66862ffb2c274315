"""The cases' part of the shell's dashboard: alerts and the user's own open actions. Not a
page of its own, so the shell (web/) can show it without importing the case pages."""

from django.utils import timezone

from offramp.access.permissions import may_see_cases
from offramp.accounts.models import User
from offramp.audit.services import audit_consultation

from .models import PanelAction
from .selectors import alerts_for, my_open_actions


def open_actions_due_first(user: User) -> list[PanelAction]:
    # Ordered by due date, so the overdue come first.
    return list(my_open_actions(user).select_related("case__person").order_by("due_on", "id"))


def dashboard_case_work(user: User) -> dict[str, object]:
    """The dashboard's alerts and the user's own open actions, for those who work on cases."""
    if not may_see_cases(user):
        return {}
    today = timezone.localdate()
    alerts = alerts_for(user, today)
    actions = open_actions_due_first(user)
    shown = [alert.case or alert.referral for alert in alerts] + [a.case for a in actions]
    audit_consultation(
        actor=user, subjects=[record for record in shown if record is not None], purpose="dashboard"
    )
    return {"case_work": True, "alerts": alerts, "open_actions": actions, "today": today}
