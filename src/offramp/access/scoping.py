"""The one scoping selector: what a user may see of people and their records.

Pages, API, exports and commands read personal data only through these functions.
Default deny: a role sees nothing unless a rule below grants it.
- A coordinator sees the partnership's people, referrals and assessments.
- A practitioner or panel member sees the referrals they made themselves (and, through the
  referral page, only their status), never a person's record.
- Analysts, auditors and administrators see no personal records here. An auditor sees the
  access log (who did what to which record, never the record's content).
"""

from django.db.models import QuerySet

from offramp.accounts.models import User
from offramp.assessments.models import Assessment
from offramp.audit.models import AuditEntry, Event
from offramp.people.models import Person
from offramp.referrals.models import Referral
from offramp.sharing.models import Disclosure, PublicInterestDecision

from .permissions import Capability, has_capability


def people_visible_to(user: User) -> QuerySet[Person]:
    if has_capability(user, Capability.VIEW_PEOPLE):
        return Person.objects.all()
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
