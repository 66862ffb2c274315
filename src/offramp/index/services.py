"""Linking partner records into the person index, reviewers' decisions, merges and un-merges.

A linking run (`link_records`) trains the model on the whole index, scores every pair and
clusters the certain links (p >= 0.99), honouring reviewers' decisions and the links already
made. Then, per cluster:
- unlinked records in a cluster with exactly one person are linked to that person (certain);
- a cluster of unlinked records only is compared with the people it nearly matched: if one
  scored in the review band (0.5 <= p < 0.99), its records are linked *provisionally* to the
  likeliest such person and queued for review (rejecting unlinks them); otherwise it becomes
  a new person in the index, from its most complete record;
- a cluster touching two or more people is never merged automatically: each pair of people
  becomes a review item, and its unlinked records wait for the reviewer.
Pairs of different people scoring in the review band are queued as possible duplicates.
No pair whose dates of birth cannot be one person's (`birth_dates`) is queued or linked
provisionally, and no merge or reviewed link of such a pair is accepted.
Links already made are kept; a run with nothing new adds nothing but its own `LinkageRun`.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import combinations

import pandas as pd
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from offramp.access.permissions import Capability, has_capability, require_capability
from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.analysis.linkage import (
    CERTAIN_MATCH_PROBABILITY,
    Reason,
    cluster,
    predict_pairs,
    train_model,
)
from offramp.analysis.linkage.records import uk_outward_code
from offramp.audit.models import AuditAction, Event, EventCode
from offramp.audit.services import (
    AuditObject,
    audit_append,
    audit_events,
    audit_line,
    audit_record,
    current_channel,
    event_record,
)
from offramp.intake.models import LinkMethod, SourceRecord
from offramp.people.models import AgencyIdentifier, Ethnicity, IdentifierType, Person, Sex
from offramp.retention.disposal import models_referring_to_person
from offramp.transitions import move

from .birth_dates import why_not_one_person
from .frame import (
    index_frame,
    is_person_uid,
    person_uid,
    record_uid,
    uid_pk,
)
from .models import (
    MATCH_REVIEW_MOVES,
    KnownCheck,
    KnownCheckMatch,
    KnownOutcome,
    LinkageRun,
    MatchReview,
    PersonMerge,
    ReviewStatus,
)
from .selectors import KnownResult, is_person_known

Progress = Callable[[str, int, int], None]
PURPOSE = "person index"
AGENCIES_NAMED = 3  # in a timeline summary
LINK_STAGES = ("reading the index", "training", "scoring pairs", "clustering", "writing links")
SEXES = {"m": Sex.MALE, "male": Sex.MALE, "f": Sex.FEMALE, "female": Sex.FEMALE}


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


def reasons_json(reasons: Iterable[Reason]) -> list[dict[str, object]]:
    return [{"field": r.field, "level": r.level, "weight": r.weight} for r in reasons]


def reviewer_labels(known_ids: set[str]) -> pd.DataFrame:
    """Reviewers' decisions on pairs still in the index, as the linkage label frame."""
    decided = MatchReview.objects.exclude(status=ReviewStatus.PENDING).values_list(
        "left_uid", "right_uid", "status"
    )
    rows = [
        (left, right, status == ReviewStatus.ACCEPTED)
        for left, right, status in decided
        if left in known_ids and right in known_ids
    ]
    return pd.DataFrame(rows, columns=["unique_id_l", "unique_id_r", "is_match"])


@dataclass
class _Plan:
    """What a run will write, worked out before anything is written."""

    links: dict[str, tuple[int, float | None, str]] = field(default_factory=dict)
    new_people: list[list[str]] = field(default_factory=list)  # groups of record uids
    reviews: dict[tuple[str, str], tuple[float, list[dict[str, object]]]] = field(
        default_factory=dict
    )
    not_linkable: int = 0

    def review(self, one: str, other: str, probability: float, reasons: object) -> None:
        key = (min(one, other), max(one, other))
        if key not in self.reviews or self.reviews[key][0] < probability:
            self.reviews[key] = (probability, reasons_json(reasons))  # type: ignore[arg-type]


class _Pairs:
    """Scored pairs by record, for 'the best pair between these two sets of records'."""

    def __init__(self, pairs: pd.DataFrame) -> None:
        self.by_uid: dict[str, list[tuple[float, str, tuple[Reason, ...]]]] = defaultdict(list)
        for left, right, probability, reasons in pairs[
            ["unique_id_l", "unique_id_r", "match_probability", "reasons"]
        ].itertuples(index=False):
            self.by_uid[left].append((probability, right, reasons))
            self.by_uid[right].append((probability, left, reasons))

    def best(
        self, uids: Iterable[str], among: Callable[[str], bool]
    ) -> tuple[float, str, str, tuple[Reason, ...]] | None:
        found = None
        for uid in uids:
            for probability, other, reasons in self.by_uid.get(uid, ()):
                if among(other) and (found is None or probability > found[0]):
                    found = (probability, uid, other, reasons)
        return found


def link_records(
    *, actor: User | None, seed: int = 1, progress: Progress = _no_progress
) -> LinkageRun:
    """One linking run over the whole index, written in one transaction with its audit entry.

    ``actor`` None is the system (the command line without --user); a person needs
    REVIEW_MATCHES.
    """
    if actor is not None:
        require_capability(actor, Capability.REVIEW_MATCHES)
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 3)
        clock = now
        progress(stage, LINK_STAGES.index(stage) + 1, len(LINK_STAGES))

    started = timezone.now()
    frame = index_frame()
    if not SourceRecord.objects.exists() or len(frame.records) < 2:
        raise ValidationError(
            {"__all__": "There are no partner records to link: import a partner extract first"}
        )
    in_frame = set(frame.records["unique_id"])
    labels = reviewer_labels(in_frame | set(frame.person_of))
    training_labels = labels[
        labels["unique_id_l"].isin(in_frame) & labels["unique_id_r"].isin(in_frame)
    ]
    lap("reading the index")
    model = train_model(frame.records, training_labels if len(training_labels) else None, seed=seed)
    lap("training")
    pairs = predict_pairs(model, frame.records)
    lap("scoring pairs")
    existing_links = pd.DataFrame(
        [
            (uid, person_uid(person), True)
            for uid, person in frame.person_of.items()
            if person is not None and not is_person_uid(uid)
        ],
        columns=["unique_id_l", "unique_id_r", "is_match"],
    )
    clusters = cluster(
        pairs,
        CERTAIN_MATCH_PROBABILITY,
        record_ids=frame.records["unique_id"],
        labels=pd.concat([labels, existing_links], ignore_index=True),
    )
    rejected = {
        frozenset((row.unique_id_l, row.unique_id_r))
        for row in labels.itertuples()
        if not row.is_match
    }
    scored = _Pairs(pairs)
    born = _dates_of_birth(frame.records, frame.person_of)
    today = timezone.localdate()

    def may_be_one(one: str, other: str) -> bool:
        return not why_not_one_person(born.get(one), born.get(other), today=today)

    plan = _plan(clusters, scored, frame.person_of, rejected, may_be_one)
    lap("clustering")
    held = {
        "records": int((~frame.records["unique_id"].map(is_person_uid)).sum()),
        "people": sum(map(is_person_uid, frame.person_of)),
    }
    with transaction.atomic():
        counts = _write(plan, frame.person_of, actor)
        _review_possible_duplicates(plan, scored, frame.person_of, rejected)
        run = LinkageRun.objects.create(
            started_at=started,
            actor=actor,
            model_settings=model.settings,
            counts={
                **held,
                "labels": len(labels),
                "pairs": len(pairs),
                **counts,
                "not_linkable": plan.not_linkable,
            },
        )
        reviews_added = _write_reviews(plan, run, today)
        run.counts["reviews_added"] = reviews_added
        lap("writing links")
        run.timings = timings
        run.finished_at = timezone.now()
        run.save(update_fields=["counts", "timings", "finished_at"])
        audit_record(
            action=AuditAction.COMBINATION, actor=actor, subject=run, purpose="record linkage"
        )
    return run


def _dates_of_birth(records: pd.DataFrame, person_of: dict[str, int | None]) -> dict[str, date]:
    """Each row's and each person's recorded date of birth, by linkage id."""
    born = {
        uid: day
        for uid, day in records[["unique_id", "date_of_birth"]].itertuples(index=False)
        if isinstance(day, date)
    }
    people = {person for uid, person in person_of.items() if person is not None}
    for pk, day in Person.objects.filter(pk__in=people).values_list("pk", "date_of_birth"):
        born[person_uid(pk)] = day
    return born


def _plan(
    clusters: pd.DataFrame,
    pairs: _Pairs,
    person_of: dict[str, int | None],
    rejected: set[frozenset[str]],
    may_be_one: Callable[[str, str], bool],
) -> _Plan:
    plan = _Plan()
    members: dict[str, list[str]] = defaultdict(list)
    for uid, cluster_id in clusters[["unique_id", "cluster_id"]].itertuples(index=False):
        members[cluster_id].append(uid)
    orphans: list[list[str]] = []
    for group in members.values():
        people = sorted({p for uid in group if (p := person_of.get(uid)) is not None})
        unlinked = [uid for uid in group if person_of.get(uid) is None]
        in_group = set(group).__contains__
        if len(people) == 1:
            for uid in unlinked:
                best = pairs.best([uid], in_group)
                plan.links[uid] = (people[0], best[0] if best else None, LinkMethod.CERTAIN)
        elif len(people) > 1:
            _review_people_in_one_cluster(plan, pairs, group, people, person_of)
            for uid in unlinked:
                best = pairs.best([uid], lambda other: person_of.get(other) is not None)
                if best:
                    plan.review(uid, person_uid(person_of[best[2]] or 0), best[0], best[3])
        elif unlinked:
            orphans.append(unlinked)
    for group in orphans:
        _place_unlinked_group(plan, pairs, group, person_of, rejected, may_be_one)
    return plan


def _review_people_in_one_cluster(
    plan: _Plan,
    pairs: _Pairs,
    group: list[str],
    people: list[int],
    person_of: dict[str, int | None],
) -> None:
    for one, other in combinations(people, 2):
        best = pairs.best(
            [uid for uid in group if person_of.get(uid) == one],
            lambda uid, other=other: person_of.get(uid) == other,  # type: ignore[misc]
        )
        if best:
            plan.review(person_uid(one), person_uid(other), best[0], best[3])


def _place_unlinked_group(
    plan: _Plan,
    pairs: _Pairs,
    group: list[str],
    person_of: dict[str, int | None],
    rejected: set[frozenset[str]],
    may_be_one: Callable[[str, str], bool],
) -> None:
    """Provisionally to the likeliest person it nearly matched, else a new person."""

    def allowed(other: str) -> bool:
        person = person_of.get(other)
        return person is not None and not any(
            frozenset((uid, person_uid(person))) in rejected
            or frozenset((uid, other)) in rejected
            or not may_be_one(uid, person_uid(person))
            for uid in group
        )

    best = pairs.best(group, allowed)
    if best is None:
        plan.new_people.append(group)
        return
    person = person_of[best[2]]
    assert person is not None
    for uid in group:
        own = pairs.best([uid], lambda other: person_of.get(other) == person)
        probability, reasons = (own[0], own[3]) if own else (best[0], best[3])
        plan.links[uid] = (person, probability, LinkMethod.PROVISIONAL)
        plan.review(uid, person_uid(person), probability, reasons)


def _review_possible_duplicates(
    plan: _Plan,
    pairs: _Pairs,
    person_of: dict[str, int | None],
    rejected: set[frozenset[str]],
) -> None:
    """Pairs in the review band between records of two different people already held."""
    for uid, scored in pairs.by_uid.items():
        one = person_of.get(uid)
        if one is None:
            continue
        for probability, other_uid, reasons in scored:
            other = person_of.get(other_uid)
            if other is None or other == one or probability >= CERTAIN_MATCH_PROBABILITY:
                continue
            key = frozenset((person_uid(one), person_uid(other)))
            if key not in rejected:
                plan.review(person_uid(one), person_uid(other), probability, reasons)


def _write(plan: _Plan, person_of: dict[str, int | None], actor: User | None) -> dict[str, int]:
    now = timezone.now()
    records = SourceRecord.objects.in_bulk([uid_pk(uid) for uid in plan.links])
    created = _create_people(plan, now)
    certain = provisional = 0
    changed = []
    for uid, (linked_to, probability, method) in plan.links.items():
        record = records[uid_pk(uid)]
        record.person_id, record.match_probability = linked_to, probability
        record.link_method, record.linked_at = method, now
        changed.append(record)
        certain += method == LinkMethod.CERTAIN
        provisional += method == LinkMethod.PROVISIONAL
    _save_links(changed)
    _add_identifiers(r for r in changed if r.link_method == LinkMethod.CERTAIN)
    for uid, (linked_to, _probability, _method) in plan.links.items():
        person_of[uid] = linked_to
    for founded, members in created:
        person_of[person_uid(founded.pk)] = founded.pk
        person_of.update({record_uid(record.pk): founded.pk for record in members})
    _record_on_timelines(created, changed, actor, now)
    return {
        "linked_certain": certain,
        "linked_provisional": provisional,
        "new_people": len(created),
    }


def _record_on_timelines(
    created: list[tuple[Person, list[SourceRecord]]],
    linked: list[SourceRecord],
    actor: User | None,
    now: datetime,
) -> None:
    """Each person the run founded, and each person it linked more records to, gets a timeline
    event and its access-log entry: which agencies' records, never what they hold."""
    agency_names = dict(Agency.objects.values_list("pk", "name"))

    def agencies(records: Iterable[SourceRecord]) -> str:
        # A summary holds 300 characters: name three agencies and count the rest.
        names = sorted({agency_names[r.agency_id] for r in records})
        shown = ", ".join(name[:60] for name in names[:AGENCIES_NAMED])
        more = len(names) - AGENCIES_NAMED
        return f"{shown} and {more} other agencies" if more > 0 else shown

    events = [
        Event(
            person=person,
            code=EventCode.PERSON_CREATED,
            occurred_at=now,
            actor=actor,
            actor_agency=person.created_by_agency,
            summary=f"Record created in the person index from {len(members)} partner "
            f"record(s) held by {agencies(members)}",
            object_type="person",
            object_id=person.pk,
        )
        for person, members in created
    ]
    by_person: dict[int, list[SourceRecord]] = defaultdict(list)
    for record in linked:
        by_person[record.person_id].append(record)  # type: ignore[index]
    events += [
        Event(
            person_id=person_id,
            code=EventCode.INDEX_RECORDS_MATCHED,
            occurred_at=now,
            actor=actor,
            summary=f"{len(records)} partner record(s) held by {agencies(records)} linked by "
            "record linkage",
            object_type="person",
            object_id=person_id,
        )
        for person_id, records in by_person.items()
    ]
    Event.objects.bulk_create(events, batch_size=2000)
    audit_events(events=events, purpose=PURPOSE)


def _save_links(records: list[SourceRecord]) -> None:
    """One UPDATE per record, sent together: Django's bulk_update builds a CASE per column
    over every row, which takes tens of seconds for the thousands a first run links."""
    table = connection.ops.quote_name(SourceRecord._meta.db_table)
    linked_at = SourceRecord._meta.get_field("linked_at")
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET person_id = %s, match_probability = %s, link_method = %s, "
            "linked_at = %s WHERE id = %s",
            [
                (
                    r.person_id,
                    r.match_probability,
                    r.link_method,
                    linked_at.get_db_prep_value(r.linked_at, connection),
                    r.pk,
                )
                for r in records
            ],
        )


def _most_complete(records: list[SourceRecord]) -> SourceRecord | None:
    """The record with the most details recorded (the earliest on a tie); it needs a date of
    birth, which every person in the index has."""
    dated = [r for r in records if r.date_of_birth is not None]
    return max(
        dated,
        key=lambda r: (
            sum(bool(v) for v in (r.given_name, r.family_name, r.postcode, r.identifier, r.sex)),
            -r.pk,
        ),
        default=None,
    )


def _create_people(plan: _Plan, now: datetime) -> list[tuple[Person, list[SourceRecord]]]:
    records = SourceRecord.objects.in_bulk(
        [uid_pk(uid) for group in plan.new_people for uid in group]
    )
    founded = []
    for group in plan.new_people:
        members = [records[uid_pk(uid)] for uid in group]
        founder = _most_complete(members)
        if founder is None or founder.date_of_birth is None:
            plan.not_linkable += len(members)
            continue
        postcode = "".join(founder.postcode.upper().split())
        founded.append(
            (
                Person(
                    given_name=founder.given_name,
                    middle_names=founder.middle_name,
                    family_name=founder.family_name,
                    date_of_birth=founder.date_of_birth,
                    sex=SEXES.get(founder.sex.strip().lower(), Sex.NOT_KNOWN),
                    ethnicity=Ethnicity.NOT_KNOWN,  # never guessed
                    postcode_district=uk_outward_code(postcode) or "",
                    linked_countries=list(founder.linked_countries or []),
                    created_by_agency_id=founder.agency_id,
                ).set_search_keys(),
                members,
            )
        )
    people = Person.objects.bulk_create([person for person, _ in founded], batch_size=2000)
    for person, (_, members) in zip(people, founded, strict=True):
        for record in members:
            record.person_id, record.link_method = person.pk, LinkMethod.NEW_PERSON
            # Founding a person, the records were matched against nobody: no probability.
            record.match_probability = None
            record.linked_at = now
    linked = [record for _, members in founded for record in members]
    _save_links(linked)
    _add_identifiers(linked)
    return [(person, members) for person, (_, members) in zip(people, founded, strict=True)]


def _add_identifiers(records: Iterable[SourceRecord]) -> None:
    """Each record's own agency identifier on its person, where not already held."""
    known_types = set(IdentifierType.values)
    AgencyIdentifier.objects.bulk_create(
        [
            AgencyIdentifier(
                person_id=record.person_id,
                agency_id=record.agency_id,
                identifier_type=record.identifier_type,
                value=record.identifier,
            )
            for record in records
            if record.person_id and record.identifier and record.identifier_type in known_types
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )


def _side(uid: str) -> dict[str, int]:
    kind = "person" if is_person_uid(uid) else "record"
    return {f"{kind}_id": uid_pk(uid)}


def _sides_born(uids: set[str]) -> dict[str, date]:
    """The recorded date of birth of each side, read after the run's writes (so people it
    founded are there too)."""
    people = [uid_pk(uid) for uid in uids if is_person_uid(uid)]
    records = [uid_pk(uid) for uid in uids if not is_person_uid(uid)]
    born = {
        person_uid(pk): day
        for pk, day in Person.objects.filter(pk__in=people).values_list("pk", "date_of_birth")
    }
    born.update(
        (record_uid(pk), day)
        for pk, day in SourceRecord.objects.filter(pk__in=records).values_list(
            "pk", "date_of_birth"
        )
        if day is not None
    )
    return born


def _write_reviews(plan: _Plan, run: LinkageRun, today: date) -> int:
    held = set(MatchReview.objects.values_list("left_uid", "right_uid"))
    born = _sides_born({uid for pair in plan.reviews for uid in pair})
    reviews = [
        MatchReview(
            run=run,
            left_uid=left,
            right_uid=right,
            **{f"left_{k}": v for k, v in _side(left).items()},
            **{f"right_{k}": v for k, v in _side(right).items()},
            match_probability=probability,
            reasons=reasons,
        )
        for (left, right), (probability, reasons) in sorted(plan.reviews.items())
        if (left, right) not in held
        and left != right
        and not why_not_one_person(born.get(left), born.get(right), today=today)
    ]
    MatchReview.objects.bulk_create(reviews, batch_size=2000)
    return len(reviews)


# --- "is this person known?" ------------------------------------------------------------------


class TooManyChecks(Exception):
    """The user has made as many checks this hour as OFFRAMP_KNOWN_CHECKS_PER_HOUR allows."""


CHECK_WINDOW = timedelta(hours=1)


def _outcome(result: KnownResult) -> KnownOutcome:
    if result.not_shown:
        return KnownOutcome.REFERRED
    if not result.model_trained:
        return KnownOutcome.NOT_LINKED
    return KnownOutcome.SHOWN if result.candidates else KnownOutcome.NONE


def _refuse_over_limit(actor: User) -> None:
    """Counts the actor's checks in the last hour in the database, with the actor's row locked,
    so every server process (and two requests at once) count the same checks."""
    User.objects.select_for_update().filter(pk=actor.pk).first()
    limit = settings.OFFRAMP_KNOWN_CHECKS_PER_HOUR
    recent = KnownCheck.objects.filter(
        asked_by=actor, asked_at__gt=timezone.now() - CHECK_WINDOW
    ).order_by("asked_at")
    if recent.count() >= limit:
        oldest = recent.values_list("asked_at", flat=True)[0]
        again = timezone.localtime(oldest + CHECK_WINDOW)
        raise TooManyChecks(
            f"You have made {limit} checks in the last hour, the most allowed. You can check "
            f"again from {again:%H:%M}. If you are worried about someone now, make a referral."
        )


def known_check(
    *,
    actor: User,
    given_name: str,
    family_name: str,
    date_of_birth: date | None,
    postcode: str = "",
    purpose: str,
) -> KnownResult:
    """ "Is this person known?", for those who refer people or search for them, at most
    OFFRAMP_KNOWN_CHECKS_PER_HOUR times an hour each.

    Kept as a `KnownCheck` (who, when, the class of answer; never the details typed) with its
    access-log entries, before the answer is shown: people shown as consulted, people found
    but not shown as index look-ups against them. A possible match the actor may not see is
    recorded on the check for the coordinators to follow up.
    """
    if not (
        has_capability(actor, Capability.MAKE_REFERRAL)
        or has_capability(actor, Capability.SEARCH_PEOPLE)
    ):
        raise PermissionDenied("Your role does not allow you to ask whether a person is known.")
    with transaction.atomic():
        _refuse_over_limit(actor)
        result = is_person_known(
            user=actor,
            given_name=given_name,
            family_name=family_name,
            date_of_birth=date_of_birth,
            postcode=postcode,
        )
        check = KnownCheck.objects.create(
            asked_by=actor,
            asked_at=timezone.now(),
            channel=current_channel(),
            purpose=purpose[:60],
            outcome=_outcome(result),
        )
        KnownCheckMatch.objects.bulk_create(
            KnownCheckMatch(known_check=check, person_id=person_id)
            for person_id in result.not_shown
        )
        consulted: list[Person | AuditObject] = [
            *(match.person for match in result.fallback),
            *(candidate.person for candidate in result.candidates),
            *(AuditObject("person_index", pk, person_id=pk) for pk in result.not_shown),
        ]
        # The check is a new record (who asked, when, its class, whom it may match); the people
        # it found are consulted.
        audit_append(
            actor=actor,
            lines=[
                audit_line(action=AuditAction.COLLECTION, subject=check, purpose=purpose),
                *(
                    audit_line(action=AuditAction.CONSULTATION, subject=subject, purpose=purpose)
                    for subject in consulted
                ),
            ],
        )
    return result


def known_check_follow_up(*, check: KnownCheck, actor: User, note: str = "") -> KnownCheck:
    """A coordinator has acted on a check that found someone the asker may not see (asked
    them to refer, or found it was nothing): it leaves the queue."""
    require_capability(actor, Capability.REVIEW_MATCHES)
    if "\x00" in note:
        raise ValidationError({"note": "The note cannot contain null characters"})
    with transaction.atomic():
        check = KnownCheck.objects.select_for_update().get(pk=check.pk)
        if check.followed_up_at is not None:
            raise ValidationError({"note": "This check was already followed up"})
        check.followed_up_by, check.followed_up_at = actor, timezone.now()
        check.follow_up_note = note.strip()
        check.save(update_fields=["followed_up_by", "followed_up_at", "follow_up_note"])
        audit_record(
            action=AuditAction.ALTERATION, actor=actor, subject=check, purpose="referral check"
        )
    return check


# --- reviewers' decisions ---------------------------------------------------------------------


def review_decide(*, review: MatchReview, actor: User, accept: bool, note: str = "") -> MatchReview:
    """Accept (link the record, or merge the two people) or reject (unlink a provisional link).

    The decision is kept as a label: an accepted pair is always clustered together and trains
    the model; a rejected pair is never clustered together again.
    """
    require_capability(actor, Capability.REVIEW_MATCHES)
    if "\x00" in note:
        raise ValidationError({"note": "The note cannot contain null characters"})
    with transaction.atomic():
        review = MatchReview.objects.select_for_update().get(pk=review.pk)
        if not review.awaits_decision:
            raise ValidationError(
                {"decision": f"This pair was already decided ({review.get_status_display()})"}
            )
        if accept:
            _accept(review, actor, note)
        else:
            _reject(review, actor)
        decision = ReviewStatus.ACCEPTED if accept else ReviewStatus.REJECTED
        move(review, machine=MATCH_REVIEW_MOVES, target=decision, what=f"Review {review.pk}")
        review.decided_by, review.decided_at, review.note = actor, timezone.now(), note.strip()
        review.save(update_fields=["status", "decided_by", "decided_at", "note"])
        audit_record(
            action=AuditAction.COMBINATION if accept else AuditAction.ALTERATION,
            actor=actor,
            subject=review,
            person=review.left_person_id or review.right_person_id,
            purpose="match review",
        )
    return review


def _record_and_person(review: MatchReview) -> tuple[SourceRecord, Person]:
    record = review.left_record or review.right_record
    person = review.left_person or review.right_person
    assert record is not None and person is not None  # a record-and-person review
    return record, person


def _live(person: Person) -> Person:
    """The person a merged record now lives in."""
    while person.merged_into_id is not None:
        person = Person.objects.get(pk=person.merged_into_id)
    return person


def _accept(review: MatchReview, actor: User, note: str) -> None:
    if review.is_merge:
        assert review.left_person is not None and review.right_person is not None
        one, other = sorted((review.left_person, review.right_person), key=lambda p: p.pk)
        person_merge(target=one, source=other, actor=actor, reason=note, review=review)
        return
    record, person = _record_and_person(review)
    person = _live(person)
    refusal = why_not_one_person(
        record.date_of_birth, person.date_of_birth, today=timezone.localdate()
    )
    if refusal:
        raise ValidationError({"decision": refusal})
    record.person, record.link_method = person, LinkMethod.REVIEWED
    record.match_probability, record.linked_at = review.match_probability, timezone.now()
    record.save(update_fields=["person", "link_method", "match_probability", "linked_at"])
    _add_identifiers([record])
    person.save(update_fields=["updated_at"])
    event_record(
        person=person,
        code=EventCode.INDEX_RECORD_LINKED,
        actor=actor,
        summary=f"A record held by {record.agency} was found to be this person",
        subject=review,
    )


def _reject(review: MatchReview, actor: User) -> None:
    if review.is_merge:
        return
    record, person = _record_and_person(review)
    if record.person_id == person.pk and record.link_method == LinkMethod.PROVISIONAL:
        record.person, record.link_method = None, ""
        record.match_probability = record.linked_at = None
        record.save(update_fields=["person", "link_method", "match_probability", "linked_at"])
        person.save(update_fields=["updated_at"])


# --- merges and un-merges -----------------------------------------------------------------------

# References that describe the merge rather than the person's data: they never move.
NOT_MOVED = {("people.person", "merged_into")}
NOT_MOVED_APPS = {"person_index"}


def _references() -> list[tuple[type[models.Model], str]]:
    return [
        (model, name)
        for model, name in models_referring_to_person()
        if (model._meta.label_lower, name) not in NOT_MOVED
        and model._meta.app_label not in NOT_MOVED_APPS
        and not model._meta.auto_created
    ]


def _move(model: type[models.Model], name: str, pks: list[object], to: Person) -> None:
    try:
        with transaction.atomic():
            model._default_manager.filter(pk__in=pks).update(**{name: to})
    except IntegrityError as error:
        raise ValidationError(
            {
                "person": f"These records cannot be combined: their "
                f"{model._meta.verbose_name_plural} would clash (for example, a relationship "
                "between the two, or the same case twice). Resolve that first."
            }
        ) from error


def person_merge(
    *,
    target: Person,
    source: Person,
    actor: User,
    reason: str = "",
    review: MatchReview | None = None,
) -> PersonMerge:
    """Moves everything that refers to ``source`` onto ``target`` and marks ``source`` merged."""
    require_capability(actor, Capability.REVIEW_MATCHES)
    if target.pk == source.pk:
        raise ValidationError({"person": "A person cannot be merged into themselves"})
    with transaction.atomic():
        locked = Person.objects.select_for_update().in_bulk([target.pk, source.pk])
        target, source = locked[target.pk], locked[source.pk]
        for person, role in ((target, "into"), (source, "from")):
            if person.merged_into_id is not None:
                raise ValidationError(
                    {
                        "person": f"Record {person.pk} was already merged into record "
                        f"{person.merged_into_id}: merge {role} that record instead"
                    }
                )
        refusal = why_not_one_person(
            target.date_of_birth, source.date_of_birth, today=timezone.localdate()
        )
        if refusal:
            raise ValidationError({"person": refusal})
        moved: dict[str, dict[str, list[object]]] = {}
        for model, name in _references():
            pks = sorted(
                model._default_manager.filter(**{name: source}).values_list("pk", flat=True)
            )
            if pks:
                _move(model, name, pks, target)
                moved.setdefault(model._meta.label_lower, {})[name] = pks
        source.merged_into = target
        source.save(update_fields=["merged_into", "updated_at"])
        target.save(update_fields=["updated_at"])
        merge = PersonMerge.objects.create(
            target=target,
            source=source,
            moved=moved,
            review=review,
            reason=reason.strip(),
            merged_by=actor,
        )
        rows = merge.moved_count
        event_record(
            person=target,
            code=EventCode.INDEX_PERSON_MERGED,
            actor=actor,
            summary=f"Record {source.pk} found to be this person, merged here ({rows} rows moved)",
            subject=merge,
        )
        event_record(
            person=source,
            code=EventCode.INDEX_PERSON_MERGED,
            actor=actor,
            summary=f"Merged into record {target.pk} ({rows} rows moved)",
            subject=merge,
        )
    return merge


def person_unmerge(*, merge: PersonMerge, actor: User, reason: str = "") -> PersonMerge:
    """Moves exactly the rows the merge moved back, restores the merged person, and keeps the
    decision as a rejection so no later run joins them again."""
    require_capability(actor, Capability.REVIEW_MATCHES)
    with transaction.atomic():
        merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
        if merge.unmerged_at is not None:
            raise ValidationError({"merge": "This merge was already undone"})
        target, source = merge.target, merge.source
        if target.merged_into_id is not None:
            raise ValidationError(
                {
                    "merge": f"Record {target.pk} was itself merged into record "
                    f"{target.merged_into_id} later: undo that merge first"
                }
            )
        references = {(m._meta.label_lower, n): m for m, n in models_referring_to_person()}
        for label, fields in merge.moved.items():
            for name, pks in fields.items():
                model = references[(label, name)]
                model._default_manager.filter(pk__in=pks, **{name: target}).update(**{name: source})
        source.merged_into = None
        source.save(update_fields=["merged_into", "updated_at"])
        target.save(update_fields=["updated_at"])
        merge.unmerged_by, merge.unmerged_at = actor, timezone.now()
        merge.unmerge_reason = reason.strip()
        merge.save(update_fields=["unmerged_by", "unmerged_at", "unmerge_reason"])
        _keep_as_rejection(target, source, actor, reason)
        for person, other in ((target, source), (source, target)):
            event_record(
                person=person,
                code=EventCode.INDEX_PERSON_UNMERGED,
                actor=actor,
                summary=f"Merge of records {source.pk} into {target.pk} undone; "
                f"record {other.pk} is a different person",
                subject=merge,
            )
    return merge


def _keep_as_rejection(target: Person, source: Person, actor: User, note: str) -> None:
    left, right = sorted((person_uid(target.pk), person_uid(source.pk)))
    MatchReview.objects.update_or_create(
        left_uid=left,
        right_uid=right,
        defaults={
            "left_person_id": uid_pk(left),
            "right_person_id": uid_pk(right),
            "status": ReviewStatus.REJECTED,
            "decided_by": actor,
            "decided_at": timezone.now(),
            "note": note.strip() or "Merge undone",
        },
    )


__all__ = [
    "TooManyChecks",
    "known_check",
    "known_check_follow_up",
    "link_records",
    "person_merge",
    "person_unmerge",
    "record_uid",
    "review_decide",
    "reviewer_labels",
]
