"""Linking runs: partner records into the person index.

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
from datetime import date, datetime
from itertools import combinations

import pandas as pd
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from offramp.access.permissions import Capability, require_capability
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
    audit_events,
    audit_record,
)
from offramp.intake.models import LinkMethod, SourceRecord
from offramp.people.models import AgencyIdentifier, Ethnicity, IdentifierType, Person, Sex
from offramp.planner import refresh_statistics

from ..birth_dates import why_not_one_person
from ..frame import (
    index_frame,
    is_person_uid,
    person_uid,
    record_uid,
    uid_pk,
)
from ..models import (
    LinkageRun,
    MatchReview,
    ReviewStatus,
)

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

    def review(self, one: str, other: str, probability: float, reasons: Iterable[Reason]) -> None:
        key = (min(one, other), max(one, other))
        if key not in self.reviews or self.reviews[key][0] < probability:
            self.reviews[key] = (probability, reasons_json(reasons))


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
        refresh_statistics(SourceRecord, Person)
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
            _of_person(other, person_of),
        )
        if best:
            plan.review(person_uid(one), person_uid(other), best[0], best[3])


def _of_person(person: int, person_of: dict[str, int | None]) -> Callable[[str], bool]:
    """For `_Pairs.best`: is this uid (a record's or a person's) `person`'s?"""
    return lambda uid: person_of.get(uid) == person


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
    add_identifiers(r for r in changed if r.link_method == LinkMethod.CERTAIN)
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
        assert record.person_id is not None  # the run has just linked it
        by_person[record.person_id].append(record)
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
    add_identifiers(linked)
    return [(person, members) for person, (_, members) in zip(people, founded, strict=True)]


def add_identifiers(records: Iterable[SourceRecord]) -> None:
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
