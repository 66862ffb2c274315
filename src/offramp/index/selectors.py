"""Reads of the person index: "is this person known?", the review queue, who knows a person.

"Is this person known?" scores a searched-for person against the index (every person and
every linked source record) with the latest run's model. People the user may see through
``people_visible_to`` are reported with their probability, band, reasons and the agencies that
know them. Of people the user may not see, the answer says only that there may be a match:
a probability, a reason ("date of birth within a year") or an agency's name would grade or
name someone hidden, and repeated checks would recover their details.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from offramp.access.permissions import Capability, has_capability
from offramp.access.scoping import (
    agencies_knowing,
    known_check_matches_to_follow_up,
    match_reviews_visible_to,
    merges_visible_to,
    people_visible_to,
    person_index_state,
)
from offramp.accounts.models import User
from offramp.analysis.linkage import LinkageModel, MatchBand, Reason, find_candidates
from offramp.audit.services import AuditObject
from offramp.intake.models import ExtractKind, SourceRecord
from offramp.people.models import Person
from offramp.people.selectors import PersonMatch, person_search

from .frame import IndexFrame, index_frame
from .models import KnownCheck, LinkageRun, MatchReview, PersonMerge, ReviewStatus

# How many held records to score before grouping them by person: several may be one person.
RECORDS_SCORED = 60
CANDIDATES_SHOWN = 10


@dataclass(frozen=True)
class KnownCandidate:
    person_id: int
    match_probability: float
    band: MatchBand
    reasons: tuple[Reason, ...]
    agencies: tuple[str, ...]
    person: Person


@dataclass(frozen=True)
class KnownResult:
    """Candidates by the model, or (no run yet) by the deterministic name scorer.

    ``candidates`` are people the user may see. ``not_shown`` are the possible matches (the
    model's review band or better) the user may not see: never shown to them, only recorded
    for the coordinators to follow up.
    """

    model_trained: bool
    candidates: tuple[KnownCandidate, ...] = ()
    fallback: tuple[PersonMatch, ...] = ()
    not_shown: tuple[int, ...] = ()


def latest_run() -> LinkageRun | None:
    return LinkageRun.objects.filter(finished_at__isnull=False).order_by("-started_at").first()


# The search frame per (run, state of the index): rebuilding it reads the whole index.
_frames: dict[tuple[object, ...], IndexFrame] = {}
_frames_lock = threading.Lock()


def search_frame(run: LinkageRun) -> IndexFrame:
    key = (run.pk, *person_index_state())
    with _frames_lock:
        frame = _frames.get(key)
    if frame is None:
        frame = _without_repeats(index_frame(for_search=True))
        with _frames_lock:
            _frames.clear()  # only the current state is worth keeping
            _frames[key] = frame
    return frame


def _without_repeats(frame: IndexFrame) -> IndexFrame:
    """One row per person and spelling: a person's row and the records that spell them the
    same way (names and date of birth) become one row holding every identifier and postcode
    any of them holds. Searches cost in proportion to rows; this loses no evidence."""
    records = frame.records.assign(
        _person=frame.records["unique_id"].map(frame.person_of),
        _given=frame.records["given_name"].fillna("").str.casefold(),
        _family=frame.records["family_name"].fillna("").str.casefold(),
        _born=frame.records["date_of_birth"].astype(str),
    )
    keys = ["_person", "_given", "_family", "_born"]
    combined = records.groupby(keys, sort=False, dropna=False).first().reset_index()
    kept = combined.drop(columns=keys)
    return IndexFrame(
        records=kept.reset_index(drop=True),
        person_of={uid: frame.person_of[uid] for uid in kept["unique_id"]},
    )


def is_person_known(
    *,
    user: User,
    given_name: str,
    family_name: str,
    date_of_birth: date | None = None,
    postcode: str = "",
) -> KnownResult:
    """People in the index who may be the one described, likeliest first."""
    run = latest_run()
    if run is None:
        fallback: tuple[PersonMatch, ...] = ()
        if has_capability(user, Capability.SEARCH_PEOPLE):
            fallback = tuple(
                person_search(
                    user=user,
                    given_name=given_name,
                    family_name=family_name,
                    date_of_birth=date_of_birth,
                )[:CANDIDATES_SHOWN]
            )
        return KnownResult(model_trained=False, fallback=fallback)
    frame = search_frame(run)
    searched: dict[str, object] = {
        "given_name": given_name or None,
        "family_name": family_name or None,
        "date_of_birth": date_of_birth,
    }
    if postcode and "postcode" in frame.records.columns:
        searched["postcode"] = postcode
    found = find_candidates(
        LinkageModel(run.model_settings), frame.records, searched, top=RECORDS_SCORED
    )
    best: dict[int, tuple[float, MatchBand, tuple[Reason, ...]]] = {}
    for candidate in found:
        person_id = frame.person_of.get(candidate.unique_id)
        if person_id is not None and person_id not in best:
            best[person_id] = (candidate.match_probability, candidate.band, candidate.reasons)
    visible = people_visible_to(user).in_bulk(list(best))
    shown = [person_id for person_id in best if person_id in visible][:CANDIDATES_SHOWN]
    knowing = agencies_knowing(shown)
    return KnownResult(
        model_trained=True,
        candidates=tuple(
            KnownCandidate(
                person_id=person_id,
                match_probability=best[person_id][0],
                band=best[person_id][1],
                reasons=best[person_id][2],
                agencies=tuple(knowing.get(person_id, ())),
                person=visible[person_id],
            )
            for person_id in shown
        ),
        not_shown=tuple(
            person_id
            for person_id, (_, band, _) in best.items()
            if person_id not in visible and band != MatchBand.NON_MATCH
        ),
    )


@dataclass(frozen=True)
class KnownTo:
    agency: str
    kind: str
    extracted_on: date


def known_to(person: Person) -> list[KnownTo]:
    """The person page's "Known to": which agency, what kind of record, the extract date."""
    rows = (
        person.source_records.values_list("agency__name", "batch__kind", "batch__extracted_on")
        .distinct()
        .order_by("agency__name", "batch__kind", "-batch__extracted_on")
    )
    labels = dict(ExtractKind.choices)
    seen: dict[tuple[str, str], KnownTo] = {}
    for agency, kind, extracted in rows:
        seen.setdefault((agency, kind), KnownTo(agency, labels.get(kind, kind), extracted))
    return list(seen.values())


def pending_reviews(user: User) -> QuerySet[MatchReview]:
    return (
        match_reviews_visible_to(user)
        .filter(status=ReviewStatus.PENDING)
        .select_related(
            "left_record__agency",
            "left_record__batch",
            "right_record__agency",
            "right_record__batch",
            "left_person__created_by_agency",
            "right_person__created_by_agency",
        )
        .order_by("-match_probability", "pk")
    )


def merges_of(user: User, person: Person) -> QuerySet[PersonMerge]:
    """Merges into this person, newest first: its history, from which a merge is undone."""
    return (
        merges_visible_to(user)
        .filter(target=person)
        .select_related("source", "merged_by", "unmerged_by")
    )


@dataclass(frozen=True)
class ReviewSide:
    """One side of a review, as a reviewer compares it: identifying details only."""

    uid: str
    title: str  # "Record held by Hartmoor Police" or "Person 12 in the index"
    given_name: str
    family_name: str
    date_of_birth: date | None
    postcode: str
    identifiers: tuple[str, ...]
    agencies: tuple[str, ...]
    person: Person | None


def review_sides(review: MatchReview) -> tuple[ReviewSide, ReviewSide]:
    return (
        _side(review.left_uid, review.left_record, review.left_person),
        _side(review.right_uid, review.right_record, review.right_person),
    )


def _side(uid: str, record: SourceRecord | None, person: Person | None) -> ReviewSide:
    if record is not None:
        held = [f"{record.identifier_type} {record.identifier}"] if record.identifier else []
        held += [f"{kind} {value}" for kind, value in (record.other_identifiers or {}).items()]
        return ReviewSide(
            uid=uid,
            title=f"Record held by {record.agency.name}",
            given_name=record.given_name,
            family_name=record.family_name,
            date_of_birth=record.date_of_birth,
            postcode=record.postcode,
            identifiers=tuple(held),
            agencies=(record.agency.name,),
            person=None,
        )
    assert person is not None
    identifiers = person.identifiers.select_related("agency")
    return ReviewSide(
        uid=uid,
        title=f"Person {person.pk} in the index",
        given_name=person.given_name,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
        postcode=person.postcode_district,
        identifiers=tuple(
            f"{i.get_identifier_type_display()} {i.value} ({i.agency.name})" for i in identifiers
        ),
        agencies=tuple(agencies_knowing([person.pk]).get(person.pk, ())),
        person=person,
    )


def reason_texts(reasons: list[dict[str, object]]) -> list[str]:
    """Stored reasons as a reviewer reads them: 'Date of birth: the same (+7.9)'."""
    return [
        str(Reason(field=str(r["field"]), level=str(r["level"]), weight=float(str(r["weight"]))))
        for r in reasons
    ]


@dataclass(frozen=True)
class CheckToFollowUp:
    """A check that found someone the asker may not see, as one coordinator reads it."""

    check: KnownCheck
    visible_matches: tuple[Person, ...]  # the people found whom this coordinator may see
    others_found: bool  # and people found whom this coordinator may not see either


def checks_to_follow_up(user: User, checks: list[KnownCheck]) -> list[CheckToFollowUp]:
    found: dict[int, list[int]] = defaultdict(list)
    matches = known_check_matches_to_follow_up(user).filter(known_check__in=checks)
    for check_id, person_id in matches.values_list("known_check_id", "person_id"):
        found[check_id].append(person_id)
    visible = people_visible_to(user).in_bulk([pk for pks in found.values() for pk in pks])
    return [
        CheckToFollowUp(
            check=check,
            visible_matches=tuple(visible[pk] for pk in found[check.pk] if pk in visible),
            others_found=any(pk not in visible for pk in found[check.pk]),
        )
        for check in checks
    ]


def reviews_shown(reviews: list[MatchReview]) -> list[AuditObject]:
    """Both sides of each review, for the access log."""
    subjects = []
    for review in reviews:
        for record, person in (
            (review.left_record, review.left_person),
            (review.right_record, review.right_person),
        ):
            if record is not None:
                subjects.append(AuditObject("sourcerecord", record.pk, person_id=record.person_id))
            elif person is not None:
                subjects.append(AuditObject("person", person.pk, person_id=person.pk))
    return subjects
