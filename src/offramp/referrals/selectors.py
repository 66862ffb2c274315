"""Reads of referrals, always through the scoping selector."""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from offramp.access.scoping import referrals_visible_to
from offramp.accounts.models import User

from .models import Referral


@dataclass(frozen=True)
class ReferralFilters:
    status: str = ""
    agency_id: int | None = None
    received_from: date | None = None
    received_to: date | None = None
    name: str = ""


def referral_list(*, user: User, filters: ReferralFilters | None = None) -> QuerySet[Referral]:
    filters = filters or ReferralFilters()
    referrals = referrals_visible_to(user).select_related("referring_agency", "person")
    if filters.status:
        referrals = referrals.filter(status=filters.status)
    if filters.agency_id:
        referrals = referrals.filter(referring_agency_id=filters.agency_id)
    if filters.received_from:
        referrals = referrals.filter(received_at__date__gte=filters.received_from)
    if filters.received_to:
        referrals = referrals.filter(received_at__date__lte=filters.received_to)
    if filters.name:
        referrals = referrals.filter(
            subject_family_name__icontains=filters.name
        ) | referrals.filter(subject_given_name__icontains=filters.name)
    return referrals
