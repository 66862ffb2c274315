"""Loading a synthetic area into the database, as a partnership would hold it.

Only people already known to an agency (a referral, an offence, a care episode, a youth
offending order, a prison release or a group membership) enter the person index; the rest of
the generated population exists only in the partner extracts. The whole load is one
transaction: it either all lands or nothing does.
"""

import contextlib
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import pandas as pd
from django.db import transaction
from django.utils import timezone

from offramp.accounts.models import Role, User
from offramp.agencies.models import Agency, AgencyKind
from offramp.assessments.framework import current_framework
from offramp.assessments.models import (
    Assessment,
    AssessmentStatus,
    FactorJudgement,
    Judgement,
    OverallConcern,
)
from offramp.assessments.services import factor_data_category
from offramp.audit.models import Event, EventCode
from offramp.audit.services import audit_events
from offramp.demo.cases import DemoCases, load_cases
from offramp.demo.networks import load_networks
from offramp.index.services import link_records
from offramp.intake.models import BatchStatus
from offramp.intake.synthetic import import_synthetic_extracts
from offramp.people.models import AgencyIdentifier, Person
from offramp.referrals.models import (
    ClosureReason,
    Referral,
    ReferralFactor,
    ReferralStatus,
)
from offramp.reports.population import population_load_file
from offramp.screening.services import run_screening
from offramp.sharing.models import (
    BasisKind,
    DataCategory,
    DataSharingAgreement,
    Disclosure,
    LawfulBasis,
    category_phrase,
)

from .synth import SyntheticArea, write_partner_extracts

Progress = Callable[[str, int, int], None]

DEMO_PASSWORD = "hartmoor-demo-2026"
DEMO_POPULATION = Path(__file__).with_name("population.csv")
BATCH = 2000


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    agency_kind: AgencyKind
    first_name: str
    last_name: str
    job_title: str


DEMO_ACCOUNTS = (
    DemoAccount(
        "coordinator",
        Role.COORDINATOR,
        AgencyKind.COMMUNITY_SAFETY,
        "Priya",
        "Shah",
        "SOC Prevent coordinator",
    ),
    DemoAccount(
        "dsl", Role.PRACTITIONER, AgencyKind.SCHOOL, "Tom", "Baker", "Designated safeguarding lead"
    ),
    DemoAccount(
        "health",
        Role.PANEL_MEMBER,
        AgencyKind.HEALTH,
        "Ruth",
        "Evans",
        "Safeguarding nurse, panel member",
    ),
    DemoAccount("analyst", Role.ANALYST, AgencyKind.POLICE, "Sam", "Lee", "Intelligence analyst"),
    DemoAccount(
        "auditor",
        Role.AUDITOR,
        AgencyKind.COMMUNITY_SAFETY,
        "Alan",
        "Price",
        "Data protection officer",
    ),
    DemoAccount(
        "admin",
        Role.ADMINISTRATOR,
        AgencyKind.COMMUNITY_SAFETY,
        "Ada",
        "Jones",
        "System administrator",
    ),
    # Role and agency changes take a second administrator's approval (ADR 0011).
    DemoAccount(
        "admin2",
        Role.ADMINISTRATOR,
        AgencyKind.COMMUNITY_SAFETY,
        "Ben",
        "Carter",
        "Deputy system administrator",
    ),
)


@dataclass(frozen=True)
class PartnerDataSummary:
    """The partners' extracts imported into the index and linked (offramp.index)."""

    files: int
    records: int
    linked: int
    new_people: int
    to_review: int
    candidates: int
    seconds: float


@dataclass(frozen=True)
class LoadSummary:
    agencies: int
    people: int
    identifiers: int
    referrals: int
    assessments: int
    cases: int
    groups: int
    ties: int
    accounts: tuple[DemoAccount, ...]
    partner_data: PartnerDataSummary


def _noop(stage: str, done: int, total: int) -> None:
    return None


def _as_date(value: object) -> date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def _aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock_time(hour, 0)))


def _load_agencies(area: SyntheticArea) -> dict[str, Agency]:
    agencies = [
        Agency(slug=row.agency_id, name=row.name, kind=row.kind)
        for row in area.agencies.itertuples(index=False)
    ]
    Agency.objects.bulk_create(agencies, batch_size=BATCH)
    return {a.slug: a for a in Agency.objects.order_by("pk")}


def _first_of_kind(agencies: dict[str, Agency], kind: AgencyKind) -> Agency:
    # Agencies keep the generator's order, so the demo accounts land in its lead agencies.
    return next(a for a in agencies.values() if a.kind == kind)


def _busiest_referrer(area: SyntheticArea, agencies: dict[str, Agency], kind: AgencyKind) -> Agency:
    """The agency of a kind that made the most referrals, so its demo account has some to follow."""
    counts = area.referrals_seed["referring_agency_id"].value_counts()
    of_kind = [a for a in agencies.values() if a.kind == kind]
    return max(of_kind, key=lambda a: int(counts.get(a.slug, 0)))


def _load_accounts(area: SyntheticArea, agencies: dict[str, Agency]) -> dict[str, User]:
    users = {}
    for account in DEMO_ACCOUNTS:
        agency = (
            _busiest_referrer(area, agencies, account.agency_kind)
            if account.role == Role.PRACTITIONER
            else _first_of_kind(agencies, account.agency_kind)
        )
        user = User(
            username=account.username,
            first_name=account.first_name,
            last_name=account.last_name,
            job_title=account.job_title,
            role=account.role,
            agency=agency,
            is_staff=account.role == Role.ADMINISTRATOR,
            is_superuser=account.role == Role.ADMINISTRATOR,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        users[account.username] = user
    return users


def _referrers(agencies: dict[str, Agency], dsl: User) -> dict[str, User]:
    """One practitioner account per agency to stand as the referrer of seeded referrals.

    They cannot sign in; the demo school's referrals are attributed to the demo DSL so that
    account has referrals to follow.
    """
    referrers = {dsl.agency.slug: dsl} if dsl.agency else {}
    for slug, agency in agencies.items():
        if slug in referrers:
            continue
        user = User(
            username=f"referrer-{slug}"[:150],
            first_name="Duty",
            last_name="practitioner",
            role=Role.PRACTITIONER,
            agency=agency,
            is_active=False,
        )
        user.set_unusable_password()
        referrers[slug] = user
    User.objects.bulk_create([u for u in referrers.values() if u.pk is None], batch_size=BATCH)
    return {u.agency.slug: u for u in User.objects.filter(role=Role.PRACTITIONER) if u.agency} | {
        dsl.agency.slug: dsl
    }


def known_person_ids(area: SyntheticArea) -> set[int]:
    frames: Iterable[pd.DataFrame] = (
        area.referrals_seed,
        area.offences,
        area.care_episodes,
        area.youth_offending,
        area.prison_releases,
        area.memberships,
        area.case_studies,
    )
    known: set[int] = set()
    for frame in frames:
        known.update(int(pid) for pid in frame["person_id"].unique())
    return known


def _load_people(
    area: SyntheticArea, agencies: dict[str, Agency], known: set[int]
) -> dict[int, Person]:
    police = _first_of_kind(agencies, AgencyKind.POLICE)
    people = area.people[area.people["person_id"].isin(known)]
    creator = _creating_agency(area, agencies, police)
    rows = []
    for row in people.itertuples(index=False):
        countries = [c for c in str(row.linked_countries or "").split(";") if c]
        rows.append(
            Person(
                given_name=row.given_name,
                middle_names=row.middle_name or "",
                family_name=row.family_name,
                date_of_birth=pd.Timestamp(row.date_of_birth).date(),
                sex=row.sex,
                ethnicity=row.ethnicity,
                nationality=row.nationality or "",
                linked_countries=countries,
                area=row.ward,
                postcode_district=str(row.postcode).split(" ")[0],
                created_by_agency=creator.get(int(row.person_id), police),
            ).set_search_keys()
        )
    created = Person.objects.bulk_create(rows, batch_size=BATCH)
    return {int(pid): person for pid, person in zip(people["person_id"], created, strict=True)}


def _creating_agency(
    area: SyntheticArea, agencies: dict[str, Agency], police: Agency
) -> dict[int, Agency]:
    """The agency that first recorded each person: the referrer if referred, else police."""
    first = area.referrals_seed.sort_values("referred_on").drop_duplicates("person_id")
    return {
        int(r.person_id): agencies.get(r.referring_agency_id, police) for r in first.itertuples()
    }


def _load_identifiers(
    area: SyntheticArea, agencies: dict[str, Agency], people: dict[int, Person]
) -> int:
    frame = area.identifiers[area.identifiers["person_id"].isin(people.keys())]
    rows = [
        AgencyIdentifier(
            person=people[int(r.person_id)],
            agency=agencies[r.agency_id],
            identifier_type=r.identifier_type,
            value=r.value,
        )
        for r in frame.itertuples(index=False)
        if r.agency_id in agencies
    ]
    AgencyIdentifier.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    return len(rows)


STAGE_STATUS = {
    "new": ReferralStatus.RECEIVED,
    "screening": ReferralStatus.SCREENING,
    "assessed": ReferralStatus.ASSESSED,
    "closed": ReferralStatus.CLOSED,
}


def _load_referrals(
    area: SyntheticArea,
    agencies: dict[str, Agency],
    people: dict[int, Person],
    referrers: dict[str, User],
) -> list[tuple[Referral, str]]:
    seeds = area.referrals_seed.sort_values(["referred_on", "person_id"]).reset_index(drop=True)
    known_factors = {f.id for f in current_framework().factors}
    referrals, factor_lists = [], []
    for index, seed in enumerate(seeds.itertuples(index=False), start=1):
        person = people[int(seed.person_id)]
        received = _as_date(seed.referred_on) or timezone.localdate()
        status = STAGE_STATUS[seed.stage]
        referrals.append(
            Referral(
                reference=f"tmp-{index}",
                person=person,
                referring_agency=agencies[seed.referring_agency_id],
                referrer=referrers[seed.referring_agency_id],
                received_at=_aware(received),
                subject_given_name=person.given_name,
                subject_family_name=person.family_name,
                subject_date_of_birth=person.date_of_birth,
                subject_area=person.area,
                concern=seed.concern,
                consent=seed.consent,
                status=status,
                status_changed_at=_aware(received, 15),
                closure_reason=ClosureReason.NO_FURTHER_ACTION
                if status == ReferralStatus.CLOSED
                else "",
            )
        )
        factor_lists.append(
            [f for f in str(seed.factor_ids or "").split(";") if f in known_factors]
        )
    created = Referral.objects.bulk_create(referrals, batch_size=BATCH)
    # The same reference scheme as referral_create, so later referrals never collide.
    for referral in created:
        referral.reference = f"R{referral.received_at:%y}-{referral.pk:06d}"
    Referral.objects.bulk_update(created, ["reference"], batch_size=BATCH)
    ReferralFactor.objects.bulk_create(
        [
            ReferralFactor(referral=r, factor_id=f)
            for r, fs in zip(created, factor_lists, strict=True)
            for f in fs
        ],
        batch_size=BATCH,
    )
    return [(r, seed) for r, seed in zip(created, seeds["stage"], strict=True)]


def _present_factors(evidence: pd.core.groupby.DataFrameGroupBy, source_id: int) -> set[str]:
    if source_id not in evidence.groups:
        return set()
    rows = evidence.get_group(source_id)
    return set(rows.loc[rows["status"] == Judgement.PRESENT, "factor_id"])


def _demo_concern(present: set[str]) -> OverallConcern:
    """The judgement a coordinator might reach on this evidence, so routes vary in the demo."""
    if "victim_of_exploitation" in present:
        return OverallConcern.SAFEGUARDING_FIRST
    if len(present) >= 2:
        return OverallConcern.SIGNIFICANT_CONCERN
    return OverallConcern.SOME_CONCERN if present else OverallConcern.NO_CONCERN


def _load_assessments(
    area: SyntheticArea,
    agencies: dict[str, Agency],
    referrals: list[tuple[Referral, str]],
    coordinator: User,
    synthetic_id_of: dict[int, int],
) -> list[Assessment]:
    framework = current_framework()
    evidence = area.factor_evidence.groupby("person_id")
    assessed = [r for r, stage in referrals if stage == "assessed"]
    assessments = Assessment.objects.bulk_create(
        [
            Assessment(
                person=r.person,
                referral=r,
                framework_version=framework.version,
                assessor=coordinator,
                agency=coordinator.agency,
                status=AssessmentStatus.COMPLETED,
                started_at=r.status_changed_at,
                completed_at=r.status_changed_at,
                summary="Assessed at screening from partner information (synthetic demo data).",
                overall_concern=_demo_concern(
                    _present_factors(evidence, synthetic_id_of[r.person_id])
                ),
            )
            for r in assessed
        ],
        batch_size=BATCH,
    )
    judgements = []
    for assessment in assessments:
        source_id = synthetic_id_of[assessment.person_id]
        recorded = {}
        if source_id in evidence.groups:
            recorded = {row.factor_id: row for row in evidence.get_group(source_id).itertuples()}
        for factor in framework.factors:
            row = recorded.get(factor.id)
            judgements.append(
                FactorJudgement(
                    assessment=assessment,
                    factor_id=factor.id,
                    judgement=row.status if row is not None else Judgement.NOT_KNOWN,
                    evidence=row.evidence if row is not None else "",
                    source_agency=agencies.get(row.source_agency_id) if row is not None else None,
                    evidence_date=_as_date(row.observed_on) if row is not None else None,
                )
            )
    FactorJudgement.objects.bulk_create(judgements, batch_size=BATCH)
    return assessments


# The partnership's information sharing protocol, signed by the agencies that work SOC Prevent
# cases together. Health shares under its own safeguarding agreement, and the Jobcentre,
# voluntary groups and universities have none, so their information needs consent or a
# public-interest decision.
PROTOCOL_KINDS = frozenset(
    {
        AgencyKind.POLICE,
        AgencyKind.CHILDRENS_SOCIAL_CARE,
        AgencyKind.ADULT_SOCIAL_CARE,
        AgencyKind.COMMUNITY_SAFETY,
        AgencyKind.LICENSING_TRADING_STANDARDS,
        AgencyKind.HOUSING,
        AgencyKind.FAMILIES_PROGRAMME,
        AgencyKind.SCHOOL,
        AgencyKind.COLLEGE,
        AgencyKind.YOUTH_OFFENDING,
        AgencyKind.PROBATION,
        AgencyKind.PRISON,
    }
)
HEALTH_AGREEMENT_KINDS = frozenset(
    {
        AgencyKind.HEALTH,
        AgencyKind.COMMUNITY_SAFETY,
        AgencyKind.CHILDRENS_SOCIAL_CARE,
        AgencyKind.POLICE,
        AgencyKind.YOUTH_OFFENDING,
    }
)


def _load_agreements(agencies: dict[str, Agency]) -> list[DataSharingAgreement]:
    today = timezone.localdate()
    protocol = DataSharingAgreement.objects.create(
        reference="HSP-ISP-01",
        title="Hartmoor SOC Prevent information sharing protocol",
        data_categories=[c for c in DataCategory.values if c != DataCategory.HEALTH],
        lawful_basis=LawfulBasis.CRIME_AND_DISORDER_ACT_S115,
        purpose=(
            "Identifying people at risk of involvement in serious and organised crime, "
            "assessing them against the SOC Prevent framework and agreeing support to divert "
            "them, as part of the community safety partnership's crime and disorder strategy."
        ),
        start_date=today - timedelta(days=400),
        review_date=today + timedelta(days=330),
    )
    protocol.parties.set([a for a in agencies.values() if a.kind in PROTOCOL_KINDS])
    health = DataSharingAgreement.objects.create(
        reference="HSP-HEALTH-01",
        title="Safeguarding health information: Hartmoor NHS and SOC Prevent partners",
        data_categories=[DataCategory.HEALTH],
        # Not the Children Act 2004: the partnership's health information is about adults
        # too, and that Act supports sharing about children only (ADR 0006, "Fit").
        lawful_basis=LawfulBasis.OTHER_STATUTORY,
        lawful_basis_detail=(
            "UK GDPR Article 9(2)(g) and Data Protection Act 2018, Schedule 1, paragraph 18 "
            "(safeguarding of children and of individuals at risk)"
        ),
        purpose=(
            "Sharing health information needed to safeguard children, young people and adults "
            "at risk from criminal exploitation."
        ),
        start_date=today - timedelta(days=200),
        review_date=today + timedelta(days=165),
    )
    health.parties.set([a for a in agencies.values() if a.kind in HEALTH_AGREEMENT_KINDS])
    return [protocol, health]


def _imported_disclosures(
    agreements: list[DataSharingAgreement], assessments: list[Assessment]
) -> list[Disclosure]:
    """The shares behind loaded evidence another agency gave, where an agreement covers them."""
    parties = {a.pk: set(a.parties.values_list("pk", flat=True)) for a in agreements}
    judgements = (
        FactorJudgement.objects.filter(assessment__in=assessments, source_agency__isnull=False)
        .select_related("assessment__agency", "source_agency")
        .order_by("pk")
    )
    disclosures = []
    for judgement in judgements:
        source, to = judgement.source_agency, judgement.assessment.agency
        if source is None or source.pk == to.pk:
            continue
        category = factor_data_category(factor_id=judgement.factor_id, source=source)
        agreement = next(
            (
                a
                for a in agreements
                if {source.pk, to.pk} <= parties[a.pk] and a.covers_category(category)
            ),
            None,
        )
        if agreement is None:
            continue
        disclosures.append(
            Disclosure(
                person_id=judgement.assessment.person_id,
                category=category,
                object_type="factorjudgement",
                object_id=judgement.pk,
                from_agency=source,
                to_agency=to,
                occurred_at=judgement.assessment.started_at,
                basis_kind=BasisKind.AGREEMENT,
                agreement=agreement,
                recorded_by=judgement.assessment.assessor,
            )
        )
    return Disclosure.objects.bulk_create(disclosures, batch_size=BATCH)


def _events(
    people: dict[int, Person],
    referrals: list[tuple[Referral, str]],
    assessments: list[Assessment],
    disclosures: list[Disclosure],
) -> None:
    """The timeline each loaded record would have had, in the order it would have happened."""
    events = [
        Event(
            person=person,
            code=EventCode.PERSON_CREATED,
            occurred_at=person.created_at or timezone.now(),
            actor_agency=person.created_by_agency,
            summary=f"Record created by {person.created_by_agency} (synthetic demo import)",
            object_type="person",
            object_id=person.pk,
        )
        for person in people.values()
    ]
    for referral, _stage in referrals:
        events.append(
            Event(
                person=referral.person,
                code=EventCode.REFERRAL_RECEIVED,
                occurred_at=referral.received_at,
                actor=referral.referrer,
                actor_agency=referral.referring_agency,
                summary=f"Referral {referral.reference} received from {referral.referring_agency}",
                object_type="referral",
                object_id=referral.pk,
            )
        )
        if referral.status == ReferralStatus.CLOSED:
            events.append(
                Event(
                    person=referral.person,
                    code=EventCode.REFERRAL_CLOSED,
                    occurred_at=referral.status_changed_at,
                    summary=f"Referral {referral.reference} closed: No further action",
                    object_type="referral",
                    object_id=referral.pk,
                )
            )
    for assessment in assessments:
        events.append(
            Event(
                person=assessment.person,
                code=EventCode.ASSESSMENT_COMPLETED,
                occurred_at=assessment.completed_at or assessment.started_at,
                actor=assessment.assessor,
                actor_agency=assessment.agency,
                summary=f"Assessment completed: {assessment.get_overall_concern_display()}",
                object_type="assessment",
                object_id=assessment.pk,
            )
        )
    for disclosure in disclosures:
        assert disclosure.agreement is not None
        events.append(
            Event(
                person_id=disclosure.person_id,
                code=EventCode.INFORMATION_SHARED,
                occurred_at=disclosure.occurred_at,
                actor=disclosure.recorded_by,
                actor_agency=disclosure.to_agency,
                summary=(
                    f"{category_phrase(disclosure.category).capitalize()} shared by "
                    f"{disclosure.from_agency} with {disclosure.to_agency} under agreement "
                    f"{disclosure.agreement.reference}"
                ),
                object_type="disclosure",
                object_id=disclosure.pk,
            )
        )
    Event.objects.bulk_create(events, batch_size=BATCH)
    audit_events(events=events, purpose="demo import")


def _load_cases(
    agencies: dict[str, Agency], accounts: dict[str, User], assessments: list[Assessment]
) -> DemoCases:
    """The panel has the protocol's agencies and health; the lead agencies of the kinds that
    share health information under their agreement attend. The two most recently assessed
    referrals are left for the coordinator to route."""
    members = [a for a in agencies.values() if a.kind in PROTOCOL_KINDS | {AgencyKind.HEALTH}]
    attending = [
        _first_of_kind(agencies, kind)
        for kind in (AgencyKind.COMMUNITY_SAFETY, AgencyKind.HEALTH, AgencyKind.POLICE)
    ]
    return load_cases(
        coordinator=accounts["coordinator"],
        panel_member=accounts["health"],
        member_agencies=members,
        attending=attending,
        referrals=[a.referral for a in assessments if a.referral is not None][:-2],
        today=timezone.localdate(),
    )


def load_partner_data(
    area: SyntheticArea,
    *,
    coordinator: User,
    extracts: Path | None = None,
    progress: Progress = _noop,
) -> PartnerDataSummary:
    """The partners' extracts of the area (``extracts``, the folder `write_partner_extracts`
    wrote them to; written to a temporary folder when not given), imported as the coordinator,
    linked into the person index and screened for candidates: what `offramp import`,
    `offramp link` and `offramp screen` would do with them."""
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        if extracts is None:
            extracts = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="offramp-")))
            write_partner_extracts(area, extracts, seed=area.seed)
        batches = import_synthetic_extracts(
            actor=coordinator,
            directory=extracts,
            progress=lambda name, done, total: progress(f"importing {name}", done, total),
        )
    refused = [batch for batch in batches if batch.status == BatchStatus.FAILED]
    if refused:
        raise ValueError(
            f"The demo extract {refused[0].file_name} was refused: {refused[0].errors[:3]}"
        )
    run = link_records(actor=coordinator, progress=progress)
    counts = run.counts
    screening = run_screening(actor=coordinator)
    return PartnerDataSummary(
        files=len(batches),
        records=counts["records"],
        linked=counts["linked_certain"] + counts["linked_provisional"],
        new_people=counts["new_people"],
        to_review=counts["reviews_added"],
        candidates=screening.people_count,
        seconds=round(time.perf_counter() - started, 1),
    )


def load_area(
    area: SyntheticArea, *, extracts: Path | None = None, progress: Progress = _noop
) -> LoadSummary:
    """Loads a generated area into an empty database, all or nothing; then imports its
    partner extracts (from ``extracts`` when already written) as `load_partner_data` says."""
    if Agency.objects.exists() or Person.objects.exists():
        raise ValueError(
            "The database already holds agencies or people; load the demo into an empty one"
        )
    stages = 7
    with transaction.atomic():
        agencies = _load_agencies(area)
        progress("agencies and accounts", 1, stages)
        accounts = _load_accounts(area, agencies)
        agreements = _load_agreements(agencies)
        referrers = _referrers(agencies, accounts["dsl"])
        known = known_person_ids(area)
        people = _load_people(area, agencies, known)
        progress("people", 2, stages)
        identifiers = _load_identifiers(area, agencies, people)
        progress("identifiers", 3, stages)
        referrals = _load_referrals(area, agencies, people, referrers)
        progress("referrals", 4, stages)
        synthetic_id_of = {person.pk: pid for pid, person in people.items()}
        assessments = _load_assessments(
            area, agencies, referrals, accounts["coordinator"], synthetic_id_of
        )
        disclosures = _imported_disclosures(agreements, assessments)
        progress("assessments", 5, stages)
        _events(people, referrals, assessments, disclosures)
        networks = load_networks(
            area, agencies=agencies, people=people, analyst=accounts["analyst"]
        )
        progress("timelines and networks", 6, stages)
        demo_cases = _load_cases(agencies, accounts, assessments)
        # The Local Profile's rates: Hartmoor's residents (scripts/make-demo-population).
        population_load_file(DEMO_POPULATION)
        progress("cases and panels", 7, stages)
    # After the load's own transaction: each import and the linking run are all or nothing.
    partner_data = load_partner_data(
        area, coordinator=accounts["coordinator"], extracts=extracts, progress=progress
    )
    return LoadSummary(
        agencies=len(agencies),
        people=len(people),
        identifiers=identifiers,
        referrals=len(referrals),
        assessments=len(assessments),
        cases=len(demo_cases.cases),
        groups=networks.groups,
        ties=networks.ties,
        accounts=DEMO_ACCOUNTS,
        partner_data=partner_data,
    )
