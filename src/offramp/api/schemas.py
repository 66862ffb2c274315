"""The API's typed shapes. Field names are a public contract: add, never rename."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator, ValidationInfo
from pydantic_core import PydanticCustomError

from offramp.text import invisible_character_errors


def _refusing_invisible_characters(*, free_text: bool) -> Callable[[str, ValidationInfo], str]:
    """The services' own check (offramp.text), so the API refuses what the pages refuse, with
    the same message naming the field."""

    def check(value: str, info: ValidationInfo) -> str:
        name = info.field_name or "value"
        errors = invisible_character_errors({name: value}, free_text=free_text)
        if errors:
            raise PydanticCustomError("invisible_character", errors[name])
        return value

    return check


# A name, an area, a search term: one line with no control or format characters at all.
OneLineText = Annotated[str, AfterValidator(_refusing_invisible_characters(free_text=False))]
# A concern, evidence, a note: may keep newlines and tabs, nothing else invisible.
FreeText = Annotated[str, AfterValidator(_refusing_invisible_characters(free_text=True))]


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
    given_name: OneLineText = Field(max_length=100)
    family_name: OneLineText = Field(max_length=100)
    date_of_birth: date
    area: OneLineText = Field("", max_length=100)
    concern: FreeText = Field(max_length=4000)
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
    # Evidence and note are plain str: the service refuses invisible characters under the
    # factor's own field name ("associates-note"), which the schema cannot know.
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
    protective_factors: FreeText = Field("", max_length=4000)
    summary: FreeText = Field(max_length=4000)
    overall_concern: str
    changes_note: FreeText = Field("", max_length=4000)


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
