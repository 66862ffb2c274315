"""Candidates in the API, mounted at /api/v1/screening by api/main.py.

The same rules as the pages: coordinators only (VIEW_CANDIDATES), reads through the scoping
selector, every person shown logged as consulted. A decision is the coordinator's: opening a
referral goes through the referrals service; nobody is referred automatically.
"""

from datetime import date
from typing import Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from offramp.access.permissions import Capability, require_capability
from offramp.access.scoping import candidates_visible_to
from offramp.accounts.models import User
from offramp.api.common import caller
from offramp.api.schemas import ErrorOut, ValidationErrorOut
from offramp.audit.services import audit_consultation
from offramp.people.models import Person

from .selectors import EvidenceView, candidates_listed_for, concern_from, evidence_for
from .services import PURPOSE, candidate_refer, candidate_set_aside

router = Router(tags=["screening"])


class EvidenceOut(Schema):
    factor_id: str
    factor: str
    category_id: str
    category: str
    rule_id: str
    evidence: str = Field(description="A factual sentence naming no one else")
    guide_paragraphs: list[str]
    quotation: str
    source_agencies: list[str]
    observed_on: date


class CandidateOut(Schema):
    person_id: int
    given_name: str
    family_name: str
    date_of_birth: date
    area: str
    listed: bool = Field(
        description="On the candidates list now (no open case or referral and "
        "no decision since the newest finding)"
    )
    evidence: list[EvidenceOut]


class CandidateParams(Schema):
    factor_id: str = Field("", max_length=60)
    category_id: str = Field("", max_length=60)
    area: str = Field("", max_length=100)
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


class DecisionIn(Schema):
    decision: Literal["refer", "not_now"]
    reason: str = Field("", max_length=2000, description="Why not now (required for not_now)")
    concern: str = Field(
        "", max_length=4000, description="For refer: the concern; default the evidence"
    )
    factor_ids: list[str] = Field(
        default_factory=list, max_length=50, description="For refer: default every factor found"
    )


class DecisionOut(Schema):
    person_id: int
    decision: str
    referral_id: int | None
    referral_reference: str


def _coordinator(request: HttpRequest) -> User:
    user = caller(request)
    require_capability(user, Capability.VIEW_CANDIDATES)
    return user


def _evidence_out(item: EvidenceView) -> EvidenceOut:
    return EvidenceOut(
        factor_id=item.factor_id,
        factor=item.factor_name,
        category_id=item.category_id,
        category=item.category_name,
        rule_id=item.rule.id,
        evidence=item.evidence,
        guide_paragraphs=list(item.rule.guide_paragraphs),
        quotation=item.rule.quotation,
        source_agencies=list(item.source_agencies),
        observed_on=item.observed_on,
    )


def _candidate_out(person: Person, evidence: list[EvidenceView], listed: bool) -> CandidateOut:
    return CandidateOut(
        person_id=person.pk,
        given_name=person.given_name,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
        area=person.area,
        listed=listed,
        evidence=[_evidence_out(item) for item in evidence],
    )


@router.get("/candidates", response={200: list[CandidateOut], 403: ErrorOut})
def list_candidates(request: HttpRequest, params: Query[CandidateParams]) -> list[CandidateOut]:
    """The candidates list, with each candidate's evidence."""
    user = _coordinator(request)
    people = list(
        candidates_listed_for(
            user, factor_id=params.factor_id, category_id=params.category_id, area=params.area
        )[params.offset : params.offset + params.limit]
    )
    audit_consultation(actor=user, subjects=people, purpose=PURPOSE)
    evidence = evidence_for(user, people)
    return [_candidate_out(p, evidence.get(p.pk, []), True) for p in people]


def _candidate(user: User, person_id: int) -> Person:
    person = get_object_or_404(candidates_visible_to(user), pk=person_id)
    audit_consultation(actor=user, subjects=[person], purpose=PURPOSE)
    return person


@router.get("/candidates/{person_id}", response={200: CandidateOut, 403: ErrorOut, 404: ErrorOut})
def get_candidate(request: HttpRequest, person_id: int) -> CandidateOut:
    """One person with evidence, listed or not, and their evidence."""
    user = _coordinator(request)
    person = _candidate(user, person_id)
    listed = candidates_listed_for(user).filter(pk=person.pk).exists()
    return _candidate_out(person, evidence_for(user, [person]).get(person.pk, []), listed)


@router.post(
    "/candidates/{person_id}/decision",
    response={201: DecisionOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
)
def decide_candidate(
    request: HttpRequest, person_id: int, payload: DecisionIn
) -> Status[DecisionOut]:
    """Open a referral about a candidate, or set them aside for now with a reason."""
    user = _coordinator(request)
    person = _candidate(user, person_id)
    if payload.decision == "not_now":
        candidate_set_aside(person=person, actor=user, reason=payload.reason)
        return Status(
            201,
            DecisionOut(
                person_id=person.pk, decision="not_now", referral_id=None, referral_reference=""
            ),
        )
    evidence = evidence_for(user, [person]).get(person.pk, [])
    referral = candidate_refer(
        person=person,
        actor=user,
        concern=payload.concern or concern_from(evidence),
        factor_ids=payload.factor_ids or sorted({item.factor_id for item in evidence}),
    )
    return Status(
        201,
        DecisionOut(
            person_id=person.pk,
            decision="refer",
            referral_id=referral.pk,
            referral_reference=referral.reference,
        ),
    )
