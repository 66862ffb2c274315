"""Writing typed events. Called inside the same transaction as the change they record."""

from django.db import models, transaction

from offramp.accounts.models import User
from offramp.people.models import Person

from .models import Event, EventCode


def event_record(
    *,
    person: Person,
    code: EventCode,
    actor: User | None,
    summary: str,
    subject: models.Model | None = None,
) -> Event:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Events must be written in the transaction of the change they record")
    return Event.objects.create(
        person=person,
        code=code,
        actor=actor,
        actor_agency=actor.agency if actor else None,
        summary=summary[:300],
        object_type=(subject._meta.model_name or "") if subject is not None else "",
        object_id=subject.pk if subject is not None else None,
    )
