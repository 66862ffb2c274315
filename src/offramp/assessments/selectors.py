"""Reads for assessments: the task list and what changed since the previous one."""

from dataclasses import dataclass
from enum import StrEnum

from offramp.framework import Category, Factor

from .framework import current_framework
from .models import Assessment, AssessmentStatus, FactorJudgement, Judgement


class TaskStatus(StrEnum):
    NOT_STARTED = "Not yet started"
    IN_PROGRESS = "In progress"
    COMPLETED = "Completed"


@dataclass(frozen=True)
class CategoryTask:
    category: Category
    factors: tuple[Factor, ...]
    judged: int
    status: TaskStatus


def assessment_task_list(assessment: Assessment) -> list[CategoryTask]:
    framework = current_framework()
    judged = set(assessment.judgements.values_list("factor_id", flat=True))
    tasks = []
    for category in framework.categories:
        factors = tuple(framework.factors_in(category.id))
        count = sum(1 for f in factors if f.id in judged)
        status = (
            TaskStatus.COMPLETED
            if count == len(factors)
            else TaskStatus.IN_PROGRESS
            if count
            else TaskStatus.NOT_STARTED
        )
        tasks.append(CategoryTask(category, factors, count, status))
    return tasks


def judgements_by_factor(assessment: Assessment) -> dict[str, FactorJudgement]:
    return {j.factor_id: j for j in assessment.judgements.select_related("source_agency")}


def previous_assessment(assessment: Assessment) -> Assessment | None:
    return (
        assessment.person.assessments.filter(
            status=AssessmentStatus.COMPLETED,
            started_at__lt=assessment.started_at,
        )
        .exclude(pk=assessment.pk)
        .order_by("-completed_at")
        .first()
    )


@dataclass(frozen=True)
class FactorChange:
    factor: Factor
    before: str
    after: str


def assessment_changes(assessment: Assessment) -> list[FactorChange] | None:
    """Factors whose judgement differs from the previous completed assessment.

    None when there is no previous assessment to compare with.
    """
    previous = previous_assessment(assessment)
    if previous is None:
        return None
    framework = current_framework()
    before = dict(previous.judgements.values_list("factor_id", "judgement"))
    after = dict(assessment.judgements.values_list("factor_id", "judgement"))
    not_recorded = "Not recorded"
    changes = []
    for factor in framework.factors:
        old, new = before.get(factor.id), after.get(factor.id)
        if old != new:
            changes.append(
                FactorChange(
                    factor,
                    Judgement(old).label if old else not_recorded,
                    Judgement(new).label if new else not_recorded,
                )
            )
    return changes
