"""The API's typed shapes. Field names are a public contract: add, never rename."""

from datetime import date, datetime

from ninja import Field, Schema


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]]


class AgencyOut(Schema):
    id: int
    slug: str
    name: str
    kind: str


class PersonSummaryOut(Schema):
    id: int
    given_name: str
    family_name: str
    date_of_birth: date
    area: str


class PersonOut(PersonSummaryOut):
    middle_names: str
    nationality: str
    linked_countries: list[str]
    postcode_district: str
    sex: str = Field(description="For equality monitoring only; never a risk input")
    ethnicity: str = Field(description="For equality monitoring only; never a risk input")
    aliases: list[str]
    known_to: list[str]


class PersonMatchOut(Schema):
    person: PersonSummaryOut
    score: float
    reasons: list[str]
    known_to: list[str]


class EventOut(Schema):
    id: int
    code: str
    title: str
    occurred_at: datetime
    actor: str | None
    actor_agency: str | None
    summary: str


class AccessLogEntryOut(Schema):
    """One line of a record's access log: who did what, when and why; never the content."""

    sequence: int
    occurred_at: datetime
    action: str = Field(
        description="collection, alteration, consultation, disclosure, combination or erasure"
    )
    event_code: str
    actor_id: int | None
    actor_username: str
    actor_agency: str
    object_type: str
    object_id: str
    person_id: int | None
    purpose: str
    channel: str


class ReferralIn(Schema):
    given_name: str = Field(max_length=100)
    family_name: str = Field(max_length=100)
    date_of_birth: date
    area: str = Field("", max_length=100)
    concern: str = Field(max_length=4000)
    consent: str
    factor_ids: list[str] = Field(default_factory=list, max_length=100)
    agency: str | None = Field(None, description="Slug of the referring agency: must be your own")


class ReferralStatusOut(Schema):
    """What a referrer may see of their own referral."""

    id: int
    reference: str
    subject_given_name: str
    subject_family_name: str
    received_at: datetime
    status: str
    status_changed_at: datetime


class ReferralOut(ReferralStatusOut):
    person_id: int
    referring_agency: AgencyOut
    subject_date_of_birth: date
    subject_area: str
    concern: str
    consent: str
    factor_ids: list[str]
    closure_reason: str


class FactorJudgementIn(Schema):
    judgement: str
    evidence: str = Field("", max_length=2000)
    source_agency_id: int | None = None
    evidence_date: date | None = None
    note: str = Field("", max_length=2000)


class FactorJudgementOut(FactorJudgementIn):
    factor_id: str


class AssessmentStartIn(Schema):
    referral_id: int | None = None


class AssessmentSummaryIn(Schema):
    protective_factors: str = Field("", max_length=4000)
    summary: str = Field(max_length=4000)
    overall_concern: str
    changes_note: str = Field("", max_length=4000)


class AssessmentOut(Schema):
    id: int
    person_id: int
    referral_id: int | None
    framework_version: str
    status: str
    started_at: datetime
    completed_at: datetime | None
    protective_factors: str
    summary: str
    overall_concern: str
    changes_note: str
    judgements: list[FactorJudgementOut]


class FactorOut(Schema):
    id: str
    category: str
    name: str
    description: str
    guide_paragraphs: list[str]
    indicators: list[str]
    crime_types: list[str]
    intervention_kinds: list[str]
    safeguarding_first: bool
    origin: str


class CategoryOut(Schema):
    id: str
    name: str
    description: str


class FrameworkOut(Schema):
    version: str
    categories: list[CategoryOut]
    factors: list[FactorOut]
