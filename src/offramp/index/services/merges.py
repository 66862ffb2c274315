"""Merging two people found to be one, and undoing a merge."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from offramp.access.permissions import Capability, require_capability
from offramp.accounts.models import User
from offramp.audit.models import EventCode
from offramp.audit.services import (
    event_record,
)
from offramp.people.models import Person
from offramp.retention.disposal import models_referring_to_person

from ..birth_dates import why_not_one_person
from ..frame import (
    person_uid,
    uid_pk,
)
from ..models import (
    MatchReview,
    PersonMerge,
    ReviewStatus,
)

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
