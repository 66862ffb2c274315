from datetime import date

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from offramp.access.permissions import Capability, require_capability
from offramp.access.scoping import referral_details_visible_to
from offramp.api.common import caller
from offramp.api.schemas import (
    AgencyOut,
    ErrorOut,
    ReferralIn,
    ReferralOut,
    ReferralStatusOut,
    ValidationErrorOut,
)
from offramp.audit.services import audit_consultation
from offramp.referrals.models import Referral
from offramp.referrals.selectors import ReferralFilters, referral_list
from offramp.referrals.services import ReferralRequest, referral_create

router = Router(tags=["referrals"])


class ListParams(Schema):
    status: str = Field("", pattern="^[a-z_]*$", max_length=20)
    agency_id: int | None = Field(None, ge=1, le=2**63 - 1)
    received_from: date | None = None
    received_to: date | None = None
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


def _status(referral: Referral) -> ReferralStatusOut:
    return ReferralStatusOut(
        id=referral.pk,
        reference=referral.reference,
        subject_given_name=referral.subject_given_name,
        subject_family_name=referral.subject_family_name,
        received_at=referral.received_at,
        status=referral.status,
        status_changed_at=referral.status_changed_at,
    )


def _full(referral: Referral) -> ReferralOut:
    agency = referral.referring_agency
    return ReferralOut(
        **_status(referral).dict(),
        person_id=referral.person_id,
        referring_agency=AgencyOut(
            id=agency.pk, slug=agency.slug, name=agency.name, kind=agency.kind
        ),
        subject_date_of_birth=referral.subject_date_of_birth,
        subject_area=referral.subject_area,
        concern=referral.concern,
        consent=referral.consent,
        factor_ids=[f.factor_id for f in referral.factors.all()],
        closure_reason=referral.closure_reason,
    )


def _shape(request: HttpRequest, referral: Referral) -> ReferralOut | ReferralStatusOut:
    """A referrer sees only the status of their own referral; a coordinator sees it all."""
    if referral_details_visible_to(caller(request), referral):
        return _full(referral)
    return _status(referral)


@router.get("", response={200: list[ReferralOut | ReferralStatusOut], 403: ErrorOut})
def list_referrals(
    request: HttpRequest, params: Query[ListParams]
) -> list[ReferralOut | ReferralStatusOut]:
    user = caller(request)
    require_capability(user, Capability.MAKE_REFERRAL)
    filters = ReferralFilters(
        status=params.status,
        agency_id=params.agency_id,
        received_from=params.received_from,
        received_to=params.received_to,
    )
    referrals = list(
        referral_list(user=user, filters=filters).prefetch_related("factors")[
            params.offset : params.offset + params.limit
        ]
    )
    audit_consultation(actor=user, subjects=referrals, purpose="referral list")
    return [_shape(request, r) for r in referrals]


@router.post(
    "",
    response={201: ReferralOut | ReferralStatusOut, 403: ErrorOut, 422: ValidationErrorOut},
)
def create_referral(
    request: HttpRequest, payload: ReferralIn
) -> Status[ReferralOut | ReferralStatusOut]:
    referral = referral_create(
        referrer=caller(request),
        request=ReferralRequest(
            given_name=payload.given_name,
            family_name=payload.family_name,
            date_of_birth=payload.date_of_birth,
            area=payload.area,
            concern=payload.concern,
            consent=payload.consent,
            factor_ids=tuple(payload.factor_ids),
            agency_slug=payload.agency,
        ),
    )
    return Status(201, _shape(request, referral))


@router.get(
    "/{referral_id}", response={200: ReferralOut | ReferralStatusOut, 403: ErrorOut, 404: ErrorOut}
)
def get_referral(request: HttpRequest, referral_id: int) -> ReferralOut | ReferralStatusOut:
    user = caller(request)
    require_capability(user, Capability.MAKE_REFERRAL)
    referral = get_object_or_404(referral_list(user=user), pk=referral_id)
    shaped = _shape(request, referral)
    purpose = "screening" if isinstance(shaped, ReferralOut) else "referral status"
    audit_consultation(actor=user, subjects=[referral], purpose=purpose)
    return shaped
