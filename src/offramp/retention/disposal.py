"""Finding everything held about a person, through Django's model relations, and removing it.

No list of models is kept here: the plan is discovered from `_meta`, so a model added later
with a foreign key to a person (or to anything held about one) is covered without code. The
rules, in order:
1. a row that refers to the person directly is about them: it is deleted;
2. a row that refers to a deleted row through a required foreign key cannot exist without it:
   it is deleted too, and so on down;
3. a row that refers to a deleted row through an optional foreign key belongs to something
   else (another person's assessment that cites this person's referral): the link is cut
   (set to NULL) and the row kept;
4. models in KEPT refer to the person but are the retention process's own anonymous history:
   they are kept, with the reference cut and their free text cleared.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import ForeignObjectRel

from offramp.people.models import Person

# label_lower -> fields to clear. The reference to the person is set to NULL as well.
KEPT: dict[str, tuple[str, ...]] = {"retention.retentionreview": ("reason",)}

Model = type[models.Model]


@dataclass
class DisposalPlan:
    """The rows to delete per model, and the optional links to cut, for one person."""

    delete: dict[Model, set[object]] = field(default_factory=lambda: defaultdict(set))
    cut: dict[tuple[Model, str], set[object]] = field(default_factory=lambda: defaultdict(set))
    kept: dict[tuple[Model, str], set[object]] = field(default_factory=lambda: defaultdict(set))

    def counts(self) -> dict[str, int]:
        return {
            model._meta.label_lower: len(pks)
            for model, pks in sorted(self.delete.items(), key=lambda item: item[0]._meta.label)
            if pks
        }

    def order(self) -> list[Model]:
        """Models to delete from, children first, so no protected reference is left dangling."""
        remaining = {model for model, pks in self.delete.items() if pks}
        refers_to = {model: _referenced_models(model) for model in remaining}
        ordered: list[Model] = []
        while remaining:
            # A model is deleted once nothing still to be deleted refers to it.
            ready = sorted(
                (
                    model
                    for model in remaining
                    if not any(
                        model in refers_to[other] for other in remaining if other is not model
                    )
                ),
                key=lambda model: model._meta.label,
            )
            if not ready:  # a cycle: let the database's deferred constraints sort it out
                ready = sorted(remaining, key=lambda model: model._meta.label)
            ordered.extend(ready)
            remaining.difference_update(ready)
        return ordered


def _referenced_models(model: Model) -> set[Model]:
    return {
        related
        for field_ in model._meta.concrete_fields
        if isinstance(field_, models.ForeignKey)
        and isinstance(related := field_.related_model, type)
    }


def reverse_relations(model: Model) -> list[ForeignObjectRel]:
    """Every foreign key and one-to-one pointing at `model`, hidden ones (`related_name="+"`,
    many-to-many through tables) included."""
    return [
        relation
        for relation in model._meta.get_fields(include_hidden=True)
        if isinstance(relation, ForeignObjectRel)
        and (relation.one_to_many or relation.one_to_one)
        and isinstance(relation.field, models.ForeignKey)
    ]


def models_referring_to_person() -> list[tuple[Model, str]]:
    """(model, field name) of every foreign key to Person."""
    found = [
        (model, relation.field.name)
        for relation in reverse_relations(Person)
        if isinstance(model := relation.related_model, type)
    ]
    return sorted(found, key=lambda pair: (pair[0]._meta.label, pair[1]))


def plan_disposal(person_id: int) -> DisposalPlan:
    plan = DisposalPlan()
    plan.delete[Person].add(person_id)
    frontier: list[tuple[Model, set[object]]] = [(Person, {person_id})]
    while frontier:
        parent, parent_pks = frontier.pop()
        for relation in reverse_relations(parent):
            child: Model = relation.related_model  # type: ignore[assignment]
            fk = relation.field
            rows = child._default_manager.filter(**{f"{fk.name}__in": parent_pks})
            pks = set(rows.values_list("pk", flat=True))
            if not pks:
                continue
            label = child._meta.label_lower
            if parent is Person and label in KEPT:
                plan.kept[(child, fk.name)].update(pks)
                continue
            if parent is not Person and fk.null:
                plan.cut[(child, fk.name)].update(pks)
                continue
            new = pks - plan.delete[child]
            if new:
                plan.delete[child].update(new)
                frontier.append((child, new))
    # A row both deleted and cut is simply deleted.
    for (model, name), pks in list(plan.cut.items()):
        pks.difference_update(plan.delete.get(model, set()))
        if not pks:
            del plan.cut[(model, name)]
    return plan


def carry_out(plan: DisposalPlan) -> dict[str, int]:
    """Runs the plan in the caller's transaction; returns rows deleted per model."""
    for (model, name), pks in plan.kept.items():
        clear = dict.fromkeys(KEPT[model._meta.label_lower], "")
        model._default_manager.filter(pk__in=pks).update(**{name: None}, **clear)
    for (model, name), pks in plan.cut.items():
        model._default_manager.filter(pk__in=pks).update(**{name: None})
    removed: dict[str, int] = defaultdict(int)
    for model in plan.order():
        _, per_model = model._default_manager.filter(pk__in=plan.delete[model]).delete()
        for label, count in per_model.items():
            removed[label.lower()] += count
    return {label: count for label, count in sorted(removed.items()) if count}


def labels(models_: Iterable[Model]) -> list[str]:
    return sorted(model._meta.label_lower for model in models_)
