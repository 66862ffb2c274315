from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from offramp.access.permissions import (
    PERSON_RECORD_READERS,
    Capability,
    require_any_capability,
    require_capability,
)
from offramp.access.scoping import match_reviews_visible_to, merges_visible_to, people_visible_to
from offramp.api.common import caller
from offramp.api.schemas import (
    AccessLogEntryOut,
    ErrorOut,
    EventOut,
    PersonMatchOut,
    PersonOut,
    PersonSummaryOut,
    ValidationErrorOut,
)
from offramp.audit.selectors import person_access_log
from offramp.audit.services import AuditObject, audit_consultation
from offramp.index.models import MatchReview, PersonMerge
from offramp.index.selectors import (
    ReviewSide,
    pending_reviews,
    reason_texts,
    review_sides,
    reviews_shown,
)
from offramp.index.services import (
    TooManyChecks,
    known_check,
    person_merge,
    person_unmerge,
    review_decide,
)
from offramp.people.models import Person
from offramp.people.selectors import agencies_knowing, person_search, person_timeline

router = Router(tags=["people"])


class SearchParams(Schema):
    family_name: str
    given_name: str = ""
    date_of_birth: date | None = None


def _summary(person: Person) -> PersonSummaryOut:
    return PersonSummaryOut(
        id=person.pk,
        given_name=person.given_name,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
        area=person.area,
    )


@router.get("/search", response={200: list[PersonMatchOut], 403: ErrorOut})
def search_people(request: HttpRequest, params: Query[SearchParams]) -> list[PersonMatchOut]:
    """People who may be the one described, strongest match first, each with its reasons."""
    user = caller(request)
    require_capability(user, Capability.SEARCH_PEOPLE)
    matches = person_search(
        user=user,
        given_name=params.given_name[:100],
        family_name=params.family_name[:100],
        date_of_birth=params.date_of_birth,
    )[:50]
    audit_consultation(actor=user, subjects=[m.person for m in matches], purpose="search")
    return [
        PersonMatchOut(
            person=_summary(m.person),
            score=m.score,
            reasons=list(m.reasons),
            known_to=agencies_knowing(m.person),
        )
        for m in matches
    ]


# --- the person index: "is this person known?", the review queue, merges ---------------------


class KnownParams(Schema):
    family_name: str = Field(..., max_length=100)
    given_name: str = Field("", max_length=100)
    date_of_birth: date | None = None
    postcode: str = Field("", max_length=10)


class KnownCandidateOut(Schema):
    person: PersonSummaryOut = Field(description="Only people the caller may see are listed")
    match_probability: float
    band: str
    reasons: list[str]
    known_to: list[str] = Field(description="Agencies that know the person: whom to ask")


class KnownOut(Schema):
    model_trained: bool = Field(
        description="False until records are first linked: then name_matches holds the "
        "deterministic name matches over the people the caller may see"
    )
    candidates: list[KnownCandidateOut]
    name_matches: list[PersonMatchOut]
    coordinator_asked: bool = Field(
        description="True when someone whose record the caller may not see may match: the "
        "coordinators have been asked to follow it up. Nothing more is said about them."
    )


@router.get("/known", response={200: KnownOut, 403: ErrorOut, 429: ErrorOut})
def is_known(request: HttpRequest, params: Query[KnownParams]) -> KnownOut | Status[ErrorOut]:
    """Is this person known? People the caller may see, likeliest first; of anyone else, only
    that the coordinators have been asked. At most OFFRAMP_KNOWN_CHECKS_PER_HOUR an hour."""
    try:
        result = known_check(actor=caller(request), purpose="search", **params.dict())
    except TooManyChecks as refusal:
        return Status(429, ErrorOut(detail=str(refusal)))
    return KnownOut(
        model_trained=result.model_trained,
        coordinator_asked=bool(result.not_shown),
        candidates=[
            KnownCandidateOut(
                person=_summary(c.person),
                match_probability=c.match_probability,
                band=str(c.band),
                reasons=[str(reason) for reason in c.reasons],
                known_to=list(c.agencies),
            )
            for c in result.candidates
        ],
        name_matches=[
            PersonMatchOut(
                person=_summary(m.person),
                score=m.score,
                reasons=list(m.reasons),
                known_to=agencies_knowing(m.person),
            )
            for m in result.fallback
        ],
    )


class ReviewSideOut(Schema):
    kind: str = Field(description="'record' (a partner record) or 'person' (in the index)")
    title: str
    person_id: int | None
    given_name: str
    family_name: str
    date_of_birth: date | None
    postcode: str
    identifiers: list[str]
    known_to: list[str]


class ReviewOut(Schema):
    id: int
    status: str
    match_probability: float | None
    reasons: list[str]
    left: ReviewSideOut
    right: ReviewSideOut


class DecisionIn(Schema):
    note: str = Field("", max_length=2000)


def _side_out(side: ReviewSide) -> ReviewSideOut:
    return ReviewSideOut(
        kind="person" if side.person else "record",
        title=side.title,
        person_id=side.person.pk if side.person else None,
        given_name=side.given_name,
        family_name=side.family_name,
        date_of_birth=side.date_of_birth,
        postcode=side.postcode,
        identifiers=list(side.identifiers),
        known_to=list(side.agencies),
    )


def _review_out(review: MatchReview) -> ReviewOut:
    left, right = review_sides(review)
    return ReviewOut(
        id=review.pk,
        status=review.status,
        match_probability=review.match_probability,
        reasons=reason_texts(review.reasons),
        left=_side_out(left),
        right=_side_out(right),
    )


@router.get("/reviews", response={200: list[ReviewOut], 403: ErrorOut})
def list_reviews(request: HttpRequest) -> list[ReviewOut]:
    """Pairs waiting for a reviewer, likeliest first (at most 200)."""
    user = caller(request)
    require_capability(user, Capability.REVIEW_MATCHES)
    reviews = list(pending_reviews(user)[:200])
    audit_consultation(actor=user, subjects=reviews_shown(reviews), purpose="match review")
    return [_review_out(review) for review in reviews]


def _decide(request: HttpRequest, review_id: int, note: str, *, accept: bool) -> ReviewOut:
    user = caller(request)
    require_capability(user, Capability.REVIEW_MATCHES)
    review = get_object_or_404(match_reviews_visible_to(user), pk=review_id)
    return _review_out(review_decide(review=review, actor=user, accept=accept, note=note))


@router.post(
    "/reviews/{review_id}/accept",
    response={200: ReviewOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
)
def accept_review(request: HttpRequest, review_id: int, payload: DecisionIn) -> ReviewOut:
    """The same person: link the record, or merge the two people (undone by unmerge)."""
    return _decide(request, review_id, payload.note, accept=True)


@router.post(
    "/reviews/{review_id}/reject",
    response={200: ReviewOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
)
def reject_review(request: HttpRequest, review_id: int, payload: DecisionIn) -> ReviewOut:
    """Different people: never linked together by any later run."""
    return _decide(request, review_id, payload.note, accept=False)


class MergeIn(Schema):
    other_id: int = Field(ge=1, le=2**31 - 1, description="The record merged into this one")
    reason: str = Field(..., min_length=1, max_length=2000)


class UnmergeIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


class MergeOut(Schema):
    id: int
    target_id: int
    source_id: int
    rows_moved: int
    merged_at: datetime
    unmerged_at: datetime | None


def _merge_out(merge: PersonMerge) -> MergeOut:
    return MergeOut(
        id=merge.pk,
        target_id=merge.target_id,
        source_id=merge.source_id,
        rows_moved=merge.moved_count,
        merged_at=merge.merged_at,
        unmerged_at=merge.unmerged_at,
    )


@router.post(
    "/{person_id}/merge",
    response={200: MergeOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
)
def merge_person(request: HttpRequest, person_id: int, payload: MergeIn) -> MergeOut:
    """These are the same person: everything held about other_id moves to person_id."""
    user = caller(request)
    require_capability(user, Capability.REVIEW_MATCHES)
    visible = people_visible_to(user)
    person = get_object_or_404(visible, pk=person_id)
    other = visible.filter(pk=payload.other_id).first()
    if other is None:
        raise ValidationError({"other_id": "There is no person you can see with that number"})
    return _merge_out(person_merge(target=person, source=other, actor=user, reason=payload.reason))


@router.post(
    "/merges/{merge_id}/unmerge",
    response={200: MergeOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
)
def unmerge(request: HttpRequest, merge_id: int, payload: UnmergeIn) -> MergeOut:
    """Undo a merge: exactly the rows it moved go back, and the two are kept apart."""
    user = caller(request)
    require_capability(user, Capability.REVIEW_MATCHES)
    merge = get_object_or_404(merges_visible_to(user), pk=merge_id)
    return _merge_out(person_unmerge(merge=merge, actor=user, reason=payload.reason))


def _visible_person(request: HttpRequest, person_id: int) -> Person:
    user = caller(request)
    require_any_capability(user, PERSON_RECORD_READERS)
    return get_object_or_404(
        people_visible_to(user).prefetch_related("aliases", "identifiers__agency"), pk=person_id
    )


@router.get("/{person_id}", response={200: PersonOut, 403: ErrorOut, 404: ErrorOut})
def get_person(request: HttpRequest, person_id: int) -> PersonOut:
    person = _visible_person(request, person_id)
    audit_consultation(actor=caller(request), subjects=[person], purpose="case management")
    return PersonOut(
        **_summary(person).dict(),
        middle_names=person.middle_names,
        nationality=person.nationality,
        linked_countries=list(person.linked_countries),
        postcode_district=person.postcode_district,
        sex=person.sex,
        ethnicity=person.ethnicity,
        aliases=[str(alias) for alias in person.aliases.all()],
        known_to=agencies_knowing(person),
    )


@router.get("/{person_id}/timeline", response={200: list[EventOut], 403: ErrorOut, 404: ErrorOut})
def get_timeline(request: HttpRequest, person_id: int) -> list[EventOut]:
    person = _visible_person(request, person_id)
    audit_consultation(
        actor=caller(request),
        subjects=[AuditObject("timeline", person.pk, person_id=person.pk)],
        purpose="case management",
    )
    return [
        EventOut(
            id=event.pk,
            code=event.code,
            title=event.get_code_display(),
            occurred_at=event.occurred_at,
            actor=str(event.actor) if event.actor else None,
            actor_agency=str(event.actor_agency) if event.actor_agency else None,
            summary=event.summary,
        )
        for event in person_timeline(user=caller(request), person=person)[:500]
    ]


class AccessLogParams(Schema):
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10_000_000)


@router.get(
    "/{person_id}/access-log",
    response={200: list[AccessLogEntryOut], 403: ErrorOut, 404: ErrorOut},
)
def get_access_log(
    request: HttpRequest, person_id: int, params: Query[AccessLogParams]
) -> list[AccessLogEntryOut]:
    """For auditors: who did what to this person's records, newest first. Viewing it is logged."""
    user = caller(request)
    require_capability(user, Capability.VIEW_AUDIT_LOG)
    entries = person_access_log(user=user, person_id=person_id)
    if entries is None:
        raise Http404("Not found")
    audit_consultation(
        actor=user,
        subjects=[AuditObject("access_log", person_id, person_id=person_id)],
        purpose="audit",
    )
    return [
        AccessLogEntryOut(
            sequence=entry.sequence,
            occurred_at=entry.occurred_at,
            action=entry.action,
            event_code=entry.event_code,
            actor_id=entry.actor_id,
            actor_username=entry.actor_username,
            actor_agency=entry.actor_agency,
            object_type=entry.object_type,
            object_id=entry.object_id,
            person_id=entry.person_id,
            purpose=entry.purpose,
            channel=entry.channel,
        )
        for entry in entries[params.offset : params.offset + params.limit]
    ]
