"""The assessment: a task list by framework category, then a summary, then completion."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from offramp.access.permissions import Capability
from offramp.access.scoping import assessments_visible_to, people_visible_to, referrals_visible_to
from offramp.assessments.framework import current_framework
from offramp.assessments.models import Assessment
from offramp.assessments.selectors import (
    assessment_changes,
    assessment_task_list,
    judgements_by_factor,
)
from offramp.assessments.services import (
    AssessmentSummary,
    FactorEntry,
    assessment_complete,
    assessment_record_factors,
    assessment_record_summary,
    assessment_start,
)
from offramp.audit.services import audit_consultation
from offramp.networks.views import shown_suggestions
from offramp.transitions import IllegalTransition
from offramp.web.forms import apply_service_errors
from offramp.web.views.common import (
    PERSON_RECORD_READERS,
    get_visible_or_404,
    require,
    require_any,
    signed_in_user,
)

from .forms import AssessmentSummaryForm, category_form_class


@require_POST
@login_required
def assessment_start_view(request: HttpRequest, person_pk: int) -> HttpResponse:
    user = require(request, Capability.ASSESS)
    person = get_visible_or_404(people_visible_to(user), person_pk)
    referral_pk = request.POST.get("referral")
    referral = (
        get_visible_or_404(referrals_visible_to(user), int(referral_pk))
        if referral_pk and referral_pk.isdigit()
        else None
    )
    try:
        assessment = assessment_start(person=person, actor=user, referral=referral)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("web:person-detail", pk=person.pk)
    return redirect("web:assessment", pk=assessment.pk)


def _assessment(request: HttpRequest, pk: int) -> Assessment:
    user = require(request, Capability.ASSESS)
    assessment = get_visible_or_404(
        assessments_visible_to(user).select_related("person", "referral", "assessor"), pk
    )
    audit_consultation(actor=user, subjects=[assessment], purpose="assessment")
    return assessment


def _referral_prompts(assessment: Assessment) -> dict[str, str]:
    """Factors the referrer reported: shown as prompts, never pre-filled as judgements."""
    if assessment.referral is None:
        return {}
    agency = assessment.referral.referring_agency.name
    return {
        f.factor_id: f"The referral from {agency} reported seeing this"
        for f in assessment.referral.factors.all()
    }


@login_required
def assessment_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    tasks = assessment_task_list(assessment)
    return render(
        request,
        "assessments/assessment_tasks.html",
        {
            "assessment": assessment,
            "person": assessment.person,
            "tasks": tasks,
            "summary_done": bool(assessment.overall_concern),
            "ready": all(t.status == "Completed" for t in tasks)
            and bool(assessment.overall_concern),
            "framework": current_framework(),
        },
    )


def _initial_for(factor_ids: list[str], assessment: Assessment) -> dict[str, object]:
    existing = judgements_by_factor(assessment)
    initial: dict[str, object] = {}
    for factor_id in factor_ids:
        judgement = existing.get(factor_id)
        if judgement is None:
            continue
        initial.update(
            {
                f"{factor_id}-judgement": judgement.judgement,
                f"{factor_id}-evidence": judgement.evidence,
                f"{factor_id}-source_agency": judgement.source_agency_id,
                f"{factor_id}-evidence_date": judgement.evidence_date,
                f"{factor_id}-note": judgement.note,
            }
        )
    return initial


@login_required
def assessment_category_view(request: HttpRequest, pk: int, category_id: str) -> HttpResponse:
    assessment = _assessment(request, pk)
    framework = current_framework()
    category = next((c for c in framework.categories if c.id == category_id), None)
    if category is None:
        raise Http404("No such category")
    factors = list(framework.factors_in(category.id))
    form_class = category_form_class(factors)
    initial = _initial_for([f.id for f in factors], assessment)
    # Network ties suggest evidence for the Networks factors; "use" fills one in, to check.
    suggestions = shown_suggestions(
        user=signed_in_user(request), assessment=assessment, factor_ids=[f.id for f in factors]
    )
    used = suggestions.get(request.GET.get("use", ""))
    if used is not None:
        initial.update(used.form_initial())
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and assessment.is_editable and form.is_valid():
        data = form.cleaned_data
        entries = [
            FactorEntry(
                factor_id=f.id,
                judgement=data[f"{f.id}-judgement"],
                evidence=data[f"{f.id}-evidence"],
                source_agency_id=data[f"{f.id}-source_agency"].pk
                if data[f"{f.id}-source_agency"]
                else None,
                evidence_date=data[f"{f.id}-evidence_date"],
                note=data[f"{f.id}-note"],
            )
            for f in factors
        ]
        try:
            assessment_record_factors(
                assessment=assessment, actor=require(request, Capability.ASSESS), entries=entries
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        except IllegalTransition as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{category.name} recorded")
            return redirect("web:assessment", pk=assessment.pk)
    prompts = _referral_prompts(assessment)
    sections = [
        {
            "factor": f,
            "prompt": prompts.get(f.id, ""),
            "suggestion": suggestions.get(f.id),
            "used": used is not None and used.factor_id == f.id,
            "fields": [
                form[f"{f.id}-{name}"]
                for name in ("judgement", "evidence", "source_agency", "evidence_date", "note")
            ],
        }
        for f in factors
    ]
    return render(
        request,
        "assessments/assessment_category.html",
        {
            "assessment": assessment,
            "person": assessment.person,
            "category": category,
            "form": form,
            "sections": sections,
            "suggestions": list(suggestions.values()),
        },
    )


@login_required
def assessment_summary_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    form = AssessmentSummaryForm(
        request.POST or None,
        initial={
            "protective_factors": assessment.protective_factors,
            "overall_concern": assessment.overall_concern or None,
            "summary": assessment.summary,
            "changes_note": assessment.changes_note,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessment_record_summary(
                assessment=assessment,
                actor=require(request, Capability.ASSESS),
                summary=AssessmentSummary(**form.cleaned_data),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        except IllegalTransition as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Protective factors and summary recorded")
            return redirect("web:assessment", pk=assessment.pk)
    return render(
        request,
        "assessments/assessment_summary.html",
        {
            "assessment": assessment,
            "person": assessment.person,
            "form": form,
            "changes": assessment_changes(assessment),
        },
    )


def _recorded(assessment: Assessment) -> dict[str, object]:
    """The assessment as recorded, category by category, for the check and read-only pages."""
    framework = current_framework()
    judgements = judgements_by_factor(assessment)
    rows = [
        (category, [(f, judgements.get(f.id)) for f in framework.factors_in(category.id)])
        for category in framework.categories
    ]
    return {
        "assessment": assessment,
        "person": assessment.person,
        "rows": rows,
        "changes": assessment_changes(assessment),
    }


@login_required
def assessment_complete_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    errors: list[str] = []
    if request.method == "POST":
        try:
            assessment_complete(assessment=assessment, actor=require(request, Capability.ASSESS))
        except ValidationError as error:
            errors = error.messages
        except IllegalTransition as error:
            errors = [str(error)]
        else:
            messages.success(request, "Assessment completed")
            return redirect("web:person-detail", pk=assessment.person_id)
    return render(
        request, "assessments/assessment_check.html", {**_recorded(assessment), "errors": errors}
    )


@require_GET
@login_required
def assessment_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The assessment to read, for those who may open the person's record: a panel member
    reads it while the case is before their panel."""
    user = require_any(request, PERSON_RECORD_READERS)
    assessment = get_visible_or_404(
        assessments_visible_to(user).select_related("person", "referral", "assessor"), pk
    )
    audit_consultation(actor=user, subjects=[assessment], purpose="assessment")
    return render(
        request, "assessments/assessment_check.html", {**_recorded(assessment), "read_only": True}
    )
