"""The one scoping selector: what a user may see of people and their records.

Pages, API, exports and commands read personal data only through these functions
(tests/test_access_boundary.py checks pages, API and selectors). A read that is rightly
unscoped (an engine's bulk input, aggregates) is a function here too, saying why.
Default deny: a role sees nothing unless a rule below grants it.
- A coordinator sees the partnership's referrals and assessments, and the people behind them;
  a person another agency recorded only once it is shared (a referral, a case, a disclosure
  to the coordinator's agency, or an agreement in force covering identity information).
- A panel member sees the cases on the agendas of the panels their agency sits on, and the
  people and assessments behind those cases: need to know comes through the case. It lasts
  until the meeting is held and a set period after (OFFRAMP_PANEL_ACCESS_DAYS_AFTER_MEETING).
- A practitioner or panel member sees the referrals they made themselves (and, through the
  referral page, only their status); a practitioner never sees a person's record.
- Analysts, auditors and administrators see no personal records here. An auditor sees the
  access log (who did what to which record, never the record's content).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.assessments.models import Assessment, FactorJudgement
from offramp.audit.models import AuditEntry, Event, SweepAlert
from offramp.cases.models import (
    OPEN_STATUSES,
    AgendaItem,
    Case,
    CaseReview,
    ConsentRecord,
    Contribution,
    MeetingStatus,
    PanelAction,
    PanelMeeting,
    Placement,
)
from offramp.exports.models import ExportRecord, ExportStatus
from offramp.index.models import KnownCheck, KnownCheckMatch, KnownOutcome, MatchReview, PersonMerge
from offramp.intake.models import (
    CareEpisode,
    ImportBatch,
    ImportedGroup,
    ImportedMembership,
    ImportedRelationship,
    Offence,
    PrisonRelease,
    SchoolExclusion,
    SourceRecord,
    YouthOffendingOrder,
)
from offramp.interventions.models import Programme
from offramp.networks.models import (
    DismissedSuggestion,
    GroupMembership,
    OrganisedCrimeGroup,
    Relationship,
)
from offramp.people.models import AgencyIdentifier, Person
from offramp.referrals.models import Referral, ReferralFactor, ReferralStatus
from offramp.retention.models import RetentionReview
from offramp.screening.models import CandidateDecision, CandidateEvidence, ScreeningRun
from offramp.sharing.models import (
    DataCategory,
    DataSharingAgreement,
    Disclosure,
    PublicInterestDecision,
)

from .permissions import Capability, acting_agency, has_capability, require_capability


def meetings_visible_to(user: User) -> QuerySet[PanelMeeting]:
    """The coordinator runs every meeting. A panel member sees the meetings of the panels their
    agency sits on until the meeting is held, and for OFFRAMP_PANEL_ACCESS_DAYS_AFTER_MEETING
    days after (the time to carry out its actions): then need to know has passed."""
    if has_capability(user, Capability.RUN_CASES):
        return PanelMeeting.objects.all()
    if has_capability(user, Capability.CONTRIBUTE_TO_PANEL):
        days = settings.OFFRAMP_PANEL_ACCESS_DAYS_AFTER_MEETING
        held_since = timezone.now() - datetime.timedelta(days=days)
        return PanelMeeting.objects.filter(panel__member_agencies=user.agency_id).filter(
            Q(status=MeetingStatus.SCHEDULED) | Q(held_at__gt=held_since)
        )
    return PanelMeeting.objects.none()


def cases_visible_to(user: User) -> QuerySet[Case]:
    if has_capability(user, Capability.RUN_CASES):
        return Case.objects.all()
    if has_capability(user, Capability.CONTRIBUTE_TO_PANEL):
        on_agenda = AgendaItem.objects.filter(meeting__in=meetings_visible_to(user))
        return Case.objects.filter(pk__in=on_agenda.values("case"))
    return Case.objects.none()


def agenda_items_visible_to(user: User) -> QuerySet[AgendaItem]:
    return AgendaItem.objects.filter(case__in=cases_visible_to(user))


def contributions_visible_to(user: User) -> QuerySet[Contribution]:
    """Field-level need to know: a panel member reads what their own agency brought to a panel
    and what was disclosed to it (health details reach only agencies with a basis for them);
    the coordinator, who runs the panel, reads it all."""
    contributions = Contribution.objects.filter(item__in=agenda_items_visible_to(user))
    if has_capability(user, Capability.RUN_CASES):
        return contributions
    received = Disclosure.objects.filter(
        object_type=Contribution._meta.model_name, to_agency=user.agency_id
    ).values("object_id")
    return contributions.filter(Q(agency=user.agency_id) | Q(pk__in=received))


def panel_actions_visible_to(user: User) -> QuerySet[PanelAction]:
    """Actions on cases the user may see, and always the user's own."""
    return PanelAction.objects.filter(
        Q(case__in=cases_visible_to(user)) | Q(owner_id=user.pk)
    ).distinct()


def agencies_sharing_identity_with(agency_id: int) -> set[int]:
    """The agency itself and every agency bound to it by an agreement in force today that
    covers identity information: whose records it may see before any case or disclosure."""
    today = timezone.localdate()
    agreements = DataSharingAgreement.objects.filter(parties=agency_id).prefetch_related("parties")
    shared = {agency_id}
    for agreement in agreements:
        if agreement.in_force(today) and agreement.covers_category(DataCategory.IDENTITY):
            shared.update(party.pk for party in agreement.parties.all())
    return shared


def people_visible_to(user: User) -> QuerySet[Person]:
    if has_capability(user, Capability.VIEW_PEOPLE):
        # Default deny by agency: a record another agency made stays with it until it is
        # shared — a referral or case brings it to the partnership, a recorded disclosure to
        # the coordinator's agency, an agreement in force covering identity to all parties (so
        # also the people in extracts those parties supplied).
        agency_id = acting_agency(user).pk
        sharing = agencies_sharing_identity_with(agency_id)
        disclosed = Disclosure.objects.filter(to_agency=agency_id).values("person")
        return Person.objects.filter(
            Q(created_by_agency__in=sharing)
            | Q(pk__in=Referral.objects.values("person"))
            | Q(pk__in=Case.objects.values("person"))
            | Q(pk__in=disclosed)
            | Q(pk__in=SourceRecord.objects.filter(agency__in=sharing).values("person"))
        ).filter(merged_into__isnull=True)  # a merged record lives on in its target
    if has_capability(user, Capability.CONTRIBUTE_TO_PANEL):
        return Person.objects.filter(cases__in=cases_visible_to(user)).distinct()
    return Person.objects.none()


def referrals_visible_to(user: User) -> QuerySet[Referral]:
    if has_capability(user, Capability.SCREEN_REFERRALS):
        return Referral.objects.all()
    if has_capability(user, Capability.MAKE_REFERRAL):
        return Referral.objects.filter(referrer=user)
    return Referral.objects.none()


def referral_details_visible_to(user: User, referral: Referral) -> bool:
    """Whether the user sees the whole referral, or only its status (their own referral)."""
    return has_capability(user, Capability.SCREEN_REFERRALS) and (
        referrals_visible_to(user).filter(pk=referral.pk).exists()
    )


def assessments_visible_to(user: User) -> QuerySet[Assessment]:
    return Assessment.objects.filter(person__in=people_visible_to(user))


# Network intelligence stays with those who map networks, even on a timeline they may read.
NETWORK_EVENT_PREFIX = "network."


def events_visible_to(user: User) -> QuerySet[Event]:
    events = Event.objects.filter(person__in=people_visible_to(user))
    if not has_capability(user, Capability.MANAGE_NETWORKS):
        events = events.exclude(code__startswith=NETWORK_EVENT_PREFIX)
    return events


def disclosures_visible_to(user: User) -> QuerySet[Disclosure]:
    return Disclosure.objects.filter(person__in=people_visible_to(user))


def public_interest_decisions_visible_to(user: User) -> QuerySet[PublicInterestDecision]:
    return PublicInterestDecision.objects.filter(person__in=people_visible_to(user))


def access_log_visible_to(user: User) -> QuerySet[AuditEntry]:
    if has_capability(user, Capability.VIEW_AUDIT_LOG):
        return AuditEntry.objects.all()
    return AuditEntry.objects.none()


def sweep_alerts_visible_to(user: User) -> QuerySet[SweepAlert]:
    """Bursts of refusals (someone trying ids in turn), for those who read the access log."""
    if has_capability(user, Capability.VIEW_AUDIT_LOG):
        return SweepAlert.objects.all()
    return SweepAlert.objects.none()


def people_whose_access_log_is_visible_to(user: User) -> QuerySet[Person]:
    """Every person, for those who read the access log: only to tell a record with no entries
    yet from one that does not exist. The log never shows a record's content."""
    if has_capability(user, Capability.VIEW_AUDIT_LOG):
        return Person.objects.all()
    return Person.objects.none()


# --- subject access (offramp.exports) ------------------------------------------------------------


def people_for_subject_access(user: User) -> QuerySet[Person]:
    """Whose records a user may gather to answer a subject access request: the people they may
    see (issue 12). A person hidden from them is answered as a record that does not exist, so
    the request goes to an agency that holds or has been given the record.

    Once the person is in scope the export gathers everything held about them, not narrowed by
    agency, case or panel: a response must be complete. Every such export is marked, capped and
    logged.
    """
    if has_capability(user, Capability.SUBJECT_ACCESS):
        return people_visible_to(user)
    return Person.objects.none()


def access_log_for_subject_access(user: User) -> QuerySet[AuditEntry]:
    """The access log, for a subject access export: it tells the person which organisations
    consulted, changed or received their records. The export shows organisations, never staff."""
    if has_capability(user, Capability.SUBJECT_ACCESS):
        return AuditEntry.objects.all()
    return AuditEntry.objects.none()


# --- networks (offramp.networks) ------------------------------------------------------------------
# Analysts and coordinators map groups and networks; nobody else sees any of it. An analyst
# opens no person's record; who reads a name and who a pseudonym is offramp.access.naming.


def groups_visible_to(user: User) -> QuerySet[OrganisedCrimeGroup]:
    if has_capability(user, Capability.MANAGE_NETWORKS):
        return OrganisedCrimeGroup.objects.all()
    return OrganisedCrimeGroup.objects.none()


def memberships_visible_to(user: User) -> QuerySet[GroupMembership]:
    if has_capability(user, Capability.MANAGE_NETWORKS):
        return GroupMembership.objects.all()
    return GroupMembership.objects.none()


def relationships_visible_to(user: User) -> QuerySet[Relationship]:
    if has_capability(user, Capability.MANAGE_NETWORKS):
        return Relationship.objects.all()
    return Relationship.objects.none()


def dismissed_suggestions_visible_to(user: User) -> QuerySet[DismissedSuggestion]:
    if has_capability(user, Capability.MANAGE_NETWORKS):
        return DismissedSuggestion.objects.all()
    return DismissedSuggestion.objects.none()


def ties_for_network_analysis() -> QuerySet[Relationship]:
    """Every tie, for the network engine's shared cache: read once for all who map networks and
    never shown as rows. The pages built on it check MANAGE_NETWORKS and label people through
    offramp.access.naming."""
    return Relationship.objects.all()


def memberships_for_network_analysis() -> QuerySet[GroupMembership]:
    """Every group membership, for the network engine's shared cache (as the ties above)."""
    return GroupMembership.objects.all()


def network_people_visible_to(user: User) -> QuerySet[Person]:
    """People in a network (linked to a group or tied to someone), for the network pages only:
    not their records, and labelled by offramp.access.naming."""
    if not has_capability(user, Capability.MANAGE_NETWORKS):
        return Person.objects.none()
    return Person.objects.filter(
        Q(pk__in=GroupMembership.objects.values("person_id"))
        | Q(pk__in=Relationship.objects.values("person_a_id"))
        | Q(pk__in=Relationship.objects.values("person_b_id"))
    )


def people_linkable_in_networks(user: User) -> QuerySet[Person]:
    """Whom a user may link to a group or tie to someone, by record number: only people whose
    record they may see, so that a link never reveals that a record exists, or whose it is.
    An analyst, who sees no records, links nobody (coordinators do, or a network import)."""
    if has_capability(user, Capability.MANAGE_NETWORKS):
        return people_visible_to(user)
    return Person.objects.none()


# --- reports (offramp.reports) -------------------------------------------------------------------


def aggregate_sources_for(user: User) -> dict[str, QuerySet[Any]]:
    """The records the Local Profile and the upstream view count, for those who produce them.

    The only way reports read records. They read the whole area in bulk because they publish
    nothing but suppressed aggregates (no count under 5, no person): the pages, files and
    command built on these querysets never show a row of them. Everyone else is refused.
    """
    require_capability(user, Capability.VIEW_REPORTS)
    return {
        "people": Person.objects.all(),
        "referrals": Referral.objects.all(),
        "referral_factors": ReferralFactor.objects.all(),
        "assessments": Assessment.objects.all(),
        "judgements": FactorJudgement.objects.all(),
        "cases": Case.objects.all(),
        "placements": Placement.objects.all(),
        "programmes": Programme.objects.all(),
        "offences": Offence.objects.filter(record__person__isnull=False),
        "memberships": GroupMembership.objects.all(),
        "groups": OrganisedCrimeGroup.objects.all(),
    }


# --- screening (offramp.screening) ---------------------------------------------------------------
# Coordinators see what screening found about people they may already see, and only evidence
# resting wholly on records of agencies that share identity information with theirs.


def candidate_evidence_visible_to(user: User) -> QuerySet[CandidateEvidence]:
    if not has_capability(user, Capability.VIEW_CANDIDATES):
        return CandidateEvidence.objects.none()
    latest = (
        ScreeningRun.objects.filter(finished_at__isnull=False)
        .order_by("-finished_at", "-id")
        .values("pk")[:1]
    )
    unshared = Agency.objects.exclude(pk__in=agencies_sharing_identity_with(acting_agency(user).pk))
    return CandidateEvidence.objects.filter(
        run__in=latest, person__in=people_visible_to(user)
    ).exclude(source_agencies__in=unshared)


def candidates_visible_to(user: User) -> QuerySet[Person]:
    """People with evidence the user may see (whether they are listed as candidates today, with
    no open case or referral and no decision since, is offramp.screening.selectors' rule)."""
    return Person.objects.filter(pk__in=candidate_evidence_visible_to(user).values("person"))


def candidate_decisions_visible_to(user: User) -> QuerySet[CandidateDecision]:
    return CandidateDecision.objects.filter(person__in=candidates_visible_to(user))


def partner_records_for_screening(user: User) -> dict[str, QuerySet[Any]]:
    """The partner records screening reads in bulk, those linked to people in the index: the
    engine's input, never shown. What a coordinator sees of the findings is
    candidate_evidence_visible_to's rule."""
    require_capability(user, Capability.VIEW_CANDIDATES)
    linked = {"record__person__isnull": False}
    return {
        "offences": Offence.objects.filter(**linked),
        "care_episodes": CareEpisode.objects.filter(**linked),
        "youth_offending": YouthOffendingOrder.objects.filter(**linked),
        "prison_releases": PrisonRelease.objects.filter(**linked),
        "school_exclusions": SchoolExclusion.objects.filter(**linked),
        "memberships": ImportedMembership.objects.filter(**linked),
        "groups": ImportedGroup.objects.all(),
        "relationships": ImportedRelationship.objects.filter(
            record_a__person__isnull=False, record_b__person__isnull=False
        ),
    }


# --- the person index (offramp.index) ---------------------------------------------------------
# Reviewers compare the identifying details (names, date of birth, postcode, identifiers) of
# both sides of a pair the model was unsure of. A pair shows those details, so a reviewer sees
# (and decides) it only when they may see both sides: a person through `people_visible_to`
# (or the person it was merged into), a partner record when its agency shares identity
# information with the reviewer's. Nobody else sees the queue.


def match_reviews_visible_to(user: User) -> QuerySet[MatchReview]:
    if not has_capability(user, Capability.REVIEW_MATCHES):
        return MatchReview.objects.none()
    people = people_visible_to(user)
    sharing = agencies_sharing_identity_with(acting_agency(user).pk)

    def visible(side: str) -> Q:
        return (
            Q(**{f"{side}_person__in": people})
            | Q(**{f"{side}_person__merged_into__in": people})
            | Q(**{f"{side}_record__agency__in": sharing})
        )

    return MatchReview.objects.filter(visible("left") & visible("right"))


def known_checks_to_follow_up(user: User) -> QuerySet[KnownCheck]:
    """ "Is this person known?" checks that found someone the asker may not see, not yet
    followed up: every coordinator's to act on (ask the asker to refer). The people found are
    shown to each coordinator only through `people_visible_to`."""
    if has_capability(user, Capability.REVIEW_MATCHES):
        return KnownCheck.objects.filter(outcome=KnownOutcome.REFERRED, followed_up_at__isnull=True)
    return KnownCheck.objects.none()


def known_check_matches_to_follow_up(user: User) -> QuerySet[KnownCheckMatch]:
    """Who the checks to follow up found: to be shown only through `people_visible_to`."""
    return KnownCheckMatch.objects.filter(known_check__in=known_checks_to_follow_up(user))


def agencies_knowing(person_ids: list[int]) -> dict[int, list[str]]:
    """Per person, the names of the agencies holding a record or an identifier of them:
    whom to ask, never what they hold. Callers pass only people the user may see (or, for a
    match review, its sides)."""
    names: dict[int, set[str]] = defaultdict(set)
    for person_id, agency in SourceRecord.objects.filter(person__in=person_ids).values_list(
        "person_id", "agency__name"
    ):
        names[person_id].add(agency)
    for person_id, agency in AgencyIdentifier.objects.filter(person__in=person_ids).values_list(
        "person_id", "agency__name"
    ):
        names[person_id].add(agency)
    return {person_id: sorted(found) for person_id, found in names.items()}


def person_index_state() -> tuple[object, ...]:
    """How many people, linked records and identifiers the index holds and when it last
    changed: only numbers, to tell when the search frame must be rebuilt from the whole index."""
    people = Person.objects.aggregate(n=Count("pk"), changed=Max("updated_at"))
    records = SourceRecord.objects.filter(person__isnull=False).aggregate(
        n=Count("pk"), changed=Max("linked_at")
    )
    identifiers = AgencyIdentifier.objects.aggregate(n=Count("pk"), last=Max("pk"))
    return (*people.values(), *records.values(), *identifiers.values())


def merges_visible_to(user: User) -> QuerySet[PersonMerge]:
    """Merges into people the user may see, for reviewers (who undo them)."""
    if has_capability(user, Capability.REVIEW_MATCHES):
        return PersonMerge.objects.filter(target__in=people_visible_to(user))
    return PersonMerge.objects.none()


# --- retention (offramp.retention) ---------------------------------------------------------------
# A coordinator decides whether a person's records are kept, so sees the reviews of the people they
# may see, and the anonymous reviews a disposal leaves (no person, no reason). The auditor oversees
# the whole queue by record number and dates only: the pages and the command line show nothing that
# names or grades a record (not even the schedule rule, which says "a child", "a possible victim").


@dataclass(frozen=True)
class RetentionScheduleRecords:
    people: QuerySet[Person]
    referrals: QuerySet[Referral]
    assessments: QuerySet[Assessment]
    judgements: QuerySet[FactorJudgement]
    events: QuerySet[Event]
    reviews: QuerySet[RetentionReview]


def records_for_retention_schedule() -> RetentionScheduleRecords:
    """Everyone's records, for the schedule: the sweep (and a decision) reads the dates, statuses
    and codes it needs to tell when a person's records fall due for review. Nothing read here is
    shown; who sees a review is retention_reviews_visible_to's rule."""
    return RetentionScheduleRecords(
        people=Person.objects.all(),
        referrals=Referral.objects.all(),
        assessments=Assessment.objects.all(),
        judgements=FactorJudgement.objects.all(),
        events=Event.objects.all(),
        reviews=RetentionReview.objects.all(),
    )


def retention_reviews_visible_to(user: User) -> QuerySet[RetentionReview]:
    if has_capability(user, Capability.DECIDE_RETENTION):
        return RetentionReview.objects.filter(
            Q(person__in=people_visible_to(user)) | Q(person__isnull=True)
        )
    if has_capability(user, Capability.VIEW_RETENTION):
        return RetentionReview.objects.all()
    return RetentionReview.objects.none()


# --- exports (offramp.exports) -------------------------------------------------------------------
# An export record says who exported what and why, never the content; only the requester
# downloads the file. Approvers (a second person outside the case work) see the exports waiting
# for them and those they decided, never their own as an approver.


def exports_requested_by(user: User) -> QuerySet[ExportRecord]:
    if not user.is_authenticated:
        return ExportRecord.objects.none()
    return ExportRecord.objects.filter(requested_by=user)


def export_approvals_waiting_for(user: User) -> QuerySet[ExportRecord]:
    """Other people's exports waiting for a second person: never the user's own."""
    if not has_capability(user, Capability.APPROVE_EXPORTS):
        return ExportRecord.objects.none()
    return ExportRecord.objects.filter(status=ExportStatus.AWAITING_APPROVAL).exclude(
        requested_by=user
    )


def export_decisions_by(user: User) -> QuerySet[ExportRecord]:
    if not has_capability(user, Capability.APPROVE_EXPORTS):
        return ExportRecord.objects.none()
    return ExportRecord.objects.filter(decided_by=user)


def exports_visible_to(user: User) -> QuerySet[ExportRecord]:
    """The user's own exports; for an approver also those waiting for them and those they
    decided."""
    if not user.is_authenticated:
        return ExportRecord.objects.none()
    visible = Q(requested_by=user)
    if has_capability(user, Capability.APPROVE_EXPORTS):
        waiting = Q(status=ExportStatus.AWAITING_APPROVAL) & ~Q(requested_by=user)
        visible |= waiting | Q(decided_by=user)
    return ExportRecord.objects.filter(visible)


# --- intake (offramp.intake) ---------------------------------------------------------------------
# Import batches hold no one's details but their row errors may quote a file's values, so only
# those who may import partner data see them (the others are refused, not shown an empty list).


def import_batches_visible_to(user: User) -> QuerySet[ImportBatch]:
    require_capability(user, Capability.IMPORT_PARTNER_DATA)
    return ImportBatch.objects.all()


# --- the parts of a case (offramp.cases) ---------------------------------------------------------
# Reviews, consent and interventions belong to a case: whoever may see the case sees them. An
# action's owner may always see and complete it, whatever case it is on.


def case_reviews_visible_to(user: User) -> QuerySet[CaseReview]:
    return CaseReview.objects.filter(case__in=cases_visible_to(user))


def consent_records_visible_to(user: User) -> QuerySet[ConsentRecord]:
    return ConsentRecord.objects.filter(case__in=cases_visible_to(user))


def placements_visible_to(user: User) -> QuerySet[Placement]:
    return Placement.objects.filter(case__in=cases_visible_to(user))


def panel_actions_owned_by(user: User) -> QuerySet[PanelAction]:
    return PanelAction.objects.filter(owner_id=user.pk)


def panel_actions_completable_by(user: User) -> QuerySet[PanelAction]:
    """The owner marks their own action done; the coordinator may mark any."""
    if has_capability(user, Capability.RUN_CASES):
        return panel_actions_visible_to(user)
    return panel_actions_owned_by(user)


# --- open work, partnership-wide -----------------------------------------------------------------
# Whether someone is already being worked, whoever may see that work: only a yes or no, to leave
# them off a list (screening's candidates) or beside someone already listed (the network
# periphery's "open case"), never the case or referral itself.


def open_cases_partnership_wide() -> QuerySet[Case]:
    return Case.objects.filter(status__in=OPEN_STATUSES)


def open_referrals_partnership_wide() -> QuerySet[Referral]:
    return Referral.objects.exclude(status=ReferralStatus.CLOSED)


# --- interventions (offramp.interventions) -------------------------------------------------------


def placements_counted_for_capacity() -> QuerySet[Placement]:
    """Every placement, to count the places taken on each programme of the catalogue: read only
    as a number per programme, never a placement or whose it is."""
    return Placement.objects.all()
