"""The one scoping selector: what a user may see of people and their records.

Pages, API, exports and commands read personal data only through these functions.
Default deny: a role sees nothing unless a rule below grants it.
- A coordinator sees the partnership's people, referrals and assessments.
- A panel member sees the cases on the agendas of the panels their agency sits on, and the
  people and assessments behind those cases: need to know comes through the case.
- A practitioner or panel member sees the referrals they made themselves (and, through the
  referral page, only their status); a practitioner never sees a person's record.
- Analysts, auditors and administrators see no personal records here. An auditor sees the
  access log (who did what to which record, never the record's content).
"""

from django.db.models import Q, QuerySet

from offramp.accounts.models import User
from offramp.assessments.models import Assessment
from offramp.audit.models import AuditEntry, Event
from offramp.cases.models import Case, PanelAction
from offramp.people.models import Person
from offramp.referrals.models import Referral
from offramp.sharing.models import Disclosure, PublicInterestDecision

from .permissions import Capability, has_capability


def cases_visible_to(user: User) -> QuerySet[Case]:
    if has_capability(user, Capability.RUN_CASES):
        return Case.objects.all()
    if has_capability(user, Capability.CONTRIBUTE_TO_PANEL):
        return Case.objects.filter(
            agenda_items__meeting__panel__member_agencies=user.agency_id
        ).distinct()
    return Case.objects.none()


def panel_actions_visible_to(user: User) -> QuerySet[PanelAction]:
    """Actions on cases the user may see, and always the user's own."""
    return PanelAction.objects.filter(
        Q(case__in=cases_visible_to(user)) | Q(owner_id=user.pk)
    ).distinct()


def people_visible_to(user: User) -> QuerySet[Person]:
    if has_capability(user, Capability.VIEW_PEOPLE):
        return Person.objects.all()
    if has_capability(user, Capability.CONTRIBUTE_TO_PANEL):
        return Person.objects.filter(cases__in=cases_visible_to(user)).distinct()
    return Person.objects.none()


def referrals_visible_to(user: User) -> QuerySet[Referral]:
    if has_capability(user, Capability.SCREEN_REFERRALS):
        return Referral.objects.all()
    if has_capability(user, Capability.MAKE_REFERRAL):
        return Referral.objects.filter(referrer=user)
    return Referral.objects.none()


def referral_details_visible_to(user: User, referral: Referral) -> bool:
    """Whether the user sees the whole referral, or only its status (their own referral)."""
    return has_capability(user, Capability.SCREEN_REFERRALS) and (
        referrals_visible_to(user).filter(pk=referral.pk).exists()
    )


def assessments_visible_to(user: User) -> QuerySet[Assessment]:
    return Assessment.objects.filter(person__in=people_visible_to(user))


def events_visible_to(user: User) -> QuerySet[Event]:
    return Event.objects.filter(person__in=people_visible_to(user))


def disclosures_visible_to(user: User) -> QuerySet[Disclosure]:
    return Disclosure.objects.filter(person__in=people_visible_to(user))


def public_interest_decisions_visible_to(user: User) -> QuerySet[PublicInterestDecision]:
    return PublicInterestDecision.objects.filter(person__in=people_visible_to(user))


def access_log_visible_to(user: User) -> QuerySet[AuditEntry]:
    if has_capability(user, Capability.VIEW_AUDIT_LOG):
        return AuditEntry.objects.all()
    return AuditEntry.objects.none()
