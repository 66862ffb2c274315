"""Running the screening rules and recording a coordinator's decision about a candidate.

Nobody is referred automatically: a run only records evidence; a referral is made when a
coordinator presses "Open a referral", through the referrals service, like any other.
"""

from collections.abc import Sequence
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from offramp.access.permissions import Capability, require_capability
from offramp.access.scoping import candidates_visible_to
from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.analysis.screening import RuleSet, evaluate, national_rules
from offramp.assessments.framework import current_framework
from offramp.audit.models import AuditAction
from offramp.audit.services import AuditObject, audit_append, audit_line, audit_record
from offramp.people.models import Person
from offramp.referrals.models import ConsentStatus, Referral
from offramp.referrals.services import ReferralRequest, referral_create, referral_link_to_person
from offramp.text import null_character_errors

from .models import CandidateDecision, CandidateEvidence, DecisionOutcome, ScreeningRun
from .selectors import Progress, open_work, screening_frames

PURPOSE = "screening for candidates"
REASON_MAX_LENGTH = 2000


def run_screening(
    *,
    actor: User,
    today: date | None = None,
    rules: RuleSet | None = None,
    progress: Progress | None = None,
) -> ScreeningRun:
    """Evaluates the rules over every linked partner record and keeps what they find, replacing
    the previous run's evidence. Each person found is logged as a combination of records."""
    require_capability(actor, Capability.VIEW_CANDIDATES)
    today = today or timezone.localdate()
    rules = rules or national_rules()
    started_at = timezone.now()
    frames = screening_frames(actor, progress)
    found = evaluate(rules, frames, today)
    if progress is not None:
        progress("rules evaluated", 0, 1)
    agencies = dict(Agency.objects.values_list("slug", "pk"))
    with transaction.atomic():
        # A finding already made keeps the time it was first made (see CandidateEvidence).
        first_found = {
            (person, rule, observed): at
            for person, rule, observed, at in CandidateEvidence.objects.values_list(
                "person_id", "rule_id", "observed_on", "first_found_at"
            )
        }
        run = ScreeningRun.objects.create(
            started_by=actor,
            started_at=started_at,
            screened_on=today,
            rules_version=rules.version,
            framework_version=current_framework().version,
        )
        now = timezone.now()
        rows = list(found.itertuples(index=False))
        evidence = CandidateEvidence.objects.bulk_create(
            [
                CandidateEvidence(
                    run=run,
                    person_id=row.person_id,
                    factor_id=row.factor_id,
                    rule_id=row.rule_id,
                    evidence=row.evidence[:400],
                    observed_on=row.observed_on,
                    first_found_at=first_found.get(
                        (row.person_id, row.rule_id, row.observed_on), now
                    ),
                )
                for row in rows
            ],
            batch_size=2000,
        )
        through = CandidateEvidence.source_agencies.through
        through.objects.bulk_create(
            [
                through(candidateevidence_id=item.pk, agency_id=agencies[slug])
                for item, row in zip(evidence, rows, strict=True)
                for slug in row.source_agencies
                if slug in agencies
            ],
            batch_size=5000,
        )
        CandidateEvidence.objects.exclude(run=run).delete()
        people = sorted({int(row.person_id) for row in rows})
        audit_append(
            actor=actor,
            lines=[
                audit_line(
                    action=AuditAction.COMBINATION,
                    subject=AuditObject("screening_run", run.pk, person_id=pid),
                    purpose=PURPOSE,
                )
                for pid in people
            ],
        )
        run.finished_at = timezone.now()
        run.evidence_count = len(rows)
        run.people_count = len(people)
        run.save(update_fields=["finished_at", "evidence_count", "people_count"])
    if progress is not None:
        progress("evidence stored", 1, 1)
    return run


def _candidate(actor: User, person: Person) -> None:
    require_capability(actor, Capability.VIEW_CANDIDATES)
    if not candidates_visible_to(actor).filter(pk=person.pk).exists():
        raise PermissionDenied("This person is not a candidate you may see.")


def candidate_refer(
    *, person: Person, actor: User, concern: str, factor_ids: Sequence[str]
) -> Referral:
    """The coordinator opens a referral about a candidate: the evidence is the concern, the
    factors are ticked, consent is not yet asked; then the usual screening follows."""
    _candidate(actor, person)
    already = open_work(person)
    if already:
        raise ValidationError({"__all__": f"This person already has {already}"})
    if not factor_ids:
        raise ValidationError({"factor_ids": "Tick at least one factor the evidence is for"})
    request = ReferralRequest(
        given_name=person.given_name,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
        area=person.area,
        concern=concern,
        consent=ConsentStatus.NOT_YET_ASKED,
        factor_ids=tuple(factor_ids),
    )
    with transaction.atomic():
        # The referrals service records a person for the referral's subject; the subject is
        # already known, so it is linked to them at once, as screening a referral would.
        referral = referral_create(referrer=actor, request=request)
        referral = referral_link_to_person(referral=referral, person=person, actor=actor)
        decision = CandidateDecision.objects.create(
            person=person,
            outcome=DecisionOutcome.REFERRED,
            referral=referral,
            factor_ids=sorted(set(factor_ids)),
            decided_by=actor,
        )
        audit_record(action=AuditAction.COLLECTION, actor=actor, subject=decision, purpose=PURPOSE)
    return referral


def candidate_set_aside(*, person: Person, actor: User, reason: str) -> CandidateDecision:
    """ "Not now": the person leaves the list until screening finds new evidence about them."""
    _candidate(actor, person)
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = "Say why this person is not being referred now"
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = f"The reason must be {REASON_MAX_LENGTH} characters or fewer"
    errors.update(null_character_errors({"reason": reason}))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        decision = CandidateDecision.objects.create(
            person=person,
            outcome=DecisionOutcome.NOT_NOW,
            reason=reason.strip(),
            decided_by=actor,
        )
        audit_record(action=AuditAction.COLLECTION, actor=actor, subject=decision, purpose=PURPOSE)
    return decision
