"""The column schema of every partner extract kind: declarative, read by the validator, the
importer and docs/partner-data.md.

A schema lists its columns (type, required or not, longest value, allowed values), the columns
that describe the person a row is about (their identifier in the supplying agency's system,
names, date of birth, sex, postcode, other agencies' identifiers), what makes a row unique, the
kind of information it is (for the lawful-basis check), and the kinds that must be imported
first. Every column must be present in a file (in any order); optional columns may be empty.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from offramp.partner_records import (
    CARE_EPISODES,
    EXCLUSION_REASONS,
    GROUP_ROLES,
    GROUP_STATUSES,
    OFFENCE_CATEGORIES,
    OUTCOMES,
    RELATIONSHIP_KINDS,
    YOUTH_ORDERS,
)
from offramp.people.models import IdentifierType
from offramp.sharing.models import DataCategory

from .models import ExtractKind


class ColumnType(StrEnum):
    TEXT = "text"
    DATE = "date"  # YYYY-MM-DD
    INTEGER = "integer"
    CHOICE = "choice"  # one of the allowed values
    LIST = "list"  # ";"-separated; each item one of the allowed values, or of the item pattern
    AGENCY = "agency"  # the slug of an agency Offramp knows


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType = ColumnType.TEXT
    required: bool = False
    max_length: int = 100
    allowed: tuple[str, ...] = ()
    item_pattern: str = ""  # a LIST's items when they are not from a fixed set
    minimum: int | None = None
    maximum: int | None = None
    meaning: str = ""


@dataclass(frozen=True)
class PersonColumns:
    """Where a row describes a person (the columns named; "" where the extract has none)."""

    identifier: str = ""
    identifier_type: str = ""  # fixed for the kind: every row holds this agency's identifier
    identifier_type_column: str = ""  # relationships: each row says which identifier it holds
    given_name: str = ""
    middle_name: str = ""
    family_name: str = ""
    date_of_birth: str = ""
    sex: str = ""
    postcode: str = ""
    other_identifiers: Mapping[str, str] = field(default_factory=dict)  # type -> column
    linked_countries: str = ""

    def columns(self) -> list[str]:
        named = [
            self.identifier_type_column,
            self.identifier,
            self.given_name,
            self.middle_name,
            self.family_name,
            self.date_of_birth,
            self.sex,
            self.postcode,
            *self.other_identifiers.values(),
            self.linked_countries,
        ]
        return [name for name in named if name]


@dataclass(frozen=True)
class PersonReference:
    """The row is about a person another extract of the same agency brought in (an offence
    names the offender's PNC id, which the agency's police nominals must hold)."""

    column: str
    identifier_type: str
    imported_by: tuple[ExtractKind, ...]


@dataclass(frozen=True)
class ExtractSchema:
    kind: ExtractKind
    columns: tuple[Column, ...]
    unique_key: tuple[str, ...]
    category: DataCategory
    people: tuple[PersonColumns, ...] = ()
    reference: PersonReference | None = None
    group_reference: str = ""  # a column naming a group the agency's ocg_groups must hold
    date_order: tuple[tuple[str, str], ...] = ()  # (start, end): end on or after start
    summary: str = ""

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)

    @property
    def imported_first(self) -> tuple[ExtractKind, ...]:
        """The kinds the same agency must have imported before this one."""
        kinds = list(self.reference.imported_by) if self.reference else []
        if self.group_reference:
            kinds.append(ExtractKind.OCG_GROUPS)
        return tuple(kinds)


EXCLUSION_TYPES = ("fixed_term", "permanent")
SUPERVISION_TYPES = ("licence", "community_order")
HEALTH_SETTINGS = (
    "gp_practice",
    "emergency_department",
    "urgent_treatment_centre",
    "community_services",
    "outpatients",
)
YEAR_GROUPS = ("N", "R", *(str(year) for year in range(1, 14)))
SEXES = ("male", "female", "M", "F", "unknown")
CONFIDENCES = ("high", "medium", "low")
IDENTIFIER_TYPES = tuple(t for t in IdentifierType.values if t != IdentifierType.OTHER)
COUNTRY_CODE = r"[A-Z]{2}"


def _text(name: str, max_length: int = 100, *, required: bool = False, meaning: str = "") -> Column:
    return Column(name, ColumnType.TEXT, required, max_length, meaning=meaning)


def _date(name: str, *, required: bool = False, meaning: str = "") -> Column:
    return Column(name, ColumnType.DATE, required, 10, meaning=meaning)


def _choice(
    name: str, allowed: tuple[str, ...], *, required: bool = False, meaning: str = ""
) -> Column:
    return Column(name, ColumnType.CHOICE, required, 40, allowed, meaning=meaning)


def _agency(name: str, *, required: bool = False, meaning: str = "") -> Column:
    return Column(name, ColumnType.AGENCY, required, 80, meaning=meaning)


def _countries(name: str, meaning: str) -> Column:
    return Column(name, ColumnType.LIST, max_length=300, item_pattern=COUNTRY_CODE, meaning=meaning)


def _identifier(name: str, meaning: str, *, required: bool = True) -> Column:
    return _text(name, 40, required=required, meaning=meaning)


GIVEN_NAME = _text("given_name", required=True)
MIDDLE_NAME = _text("middle_name", 200, meaning="empty where not recorded")
FAMILY_NAME = _text("family_name", required=True)
DATE_OF_BIRTH = _date("date_of_birth", required=True)
SEX = _choice("sex", SEXES, meaning="as recorded; kept for equality monitoring only")
POSTCODE = _text("postcode", 10)
PNC_WHERE_RECORDED = _identifier(
    "pnc", "the Police National Computer id, where recorded", required=False
)


def _person(identifier_type: str, identifier: str, **columns: object) -> PersonColumns:
    names = {
        "given_name": "given_name",
        "family_name": "family_name",
        "date_of_birth": "date_of_birth",
    }
    return PersonColumns(
        identifier=identifier,
        identifier_type=identifier_type,
        **{**names, **columns},  # type: ignore[arg-type]
    )


def _side(prefix: str) -> PersonColumns:
    """One of the two people a relationships row describes."""
    return PersonColumns(
        identifier=f"{prefix}_identifier",
        identifier_type_column=f"{prefix}_identifier_type",
        given_name=f"{prefix}_given_name",
        family_name=f"{prefix}_family_name",
        date_of_birth=f"{prefix}_date_of_birth",
    )


def _side_columns(prefix: str, person: str) -> tuple[Column, ...]:
    return (
        _choice(
            f"{prefix}_identifier_type",
            IDENTIFIER_TYPES,
            meaning=f"the identifier the recording agency holds for {person}, if any",
        ),
        _identifier(f"{prefix}_identifier", "", required=False),
        _text(f"{prefix}_given_name", required=True),
        _text(f"{prefix}_family_name", required=True),
        _date(f"{prefix}_date_of_birth", meaning="empty where not recorded"),
    )


_SCHEMAS = (
    ExtractSchema(
        kind=ExtractKind.POLICE_NOMINALS,
        summary="Everyone with a police record.",
        category=DataCategory.OFFENDING,
        columns=(
            _identifier("pnc", "Police National Computer id"),
            FAMILY_NAME,
            GIVEN_NAME,
            MIDDLE_NAME,
            DATE_OF_BIRTH,
            SEX,
            POSTCODE,
        ),
        unique_key=("pnc",),
        people=(_person("pnc", "pnc", middle_name="middle_name", sex="sex", postcode="postcode"),),
    ),
    ExtractSchema(
        kind=ExtractKind.POLICE_OFFENCES,
        summary="Every offence and its outcome, against the offender's PNC id.",
        category=DataCategory.OFFENDING,
        columns=(
            _text("crime_reference", 40, required=True, meaning="HM/YY/NNNNNNN"),
            _identifier("pnc", "the offender's PNC id: a nominal the agency has imported"),
            _date("offence_date", required=True),
            _choice("offence_category", OFFENCE_CATEGORIES, required=True),
            _choice("outcome", OUTCOMES, required=True),
            _agency("recording_agency_id", meaning="force or regional organised crime unit"),
        ),
        unique_key=("crime_reference",),
        reference=PersonReference("pnc", "pnc", (ExtractKind.POLICE_NOMINALS,)),
    ),
    ExtractSchema(
        kind=ExtractKind.OCG_GROUPS,
        summary="The organised crime group mapping: groups, no people.",
        category=DataCategory.INTELLIGENCE,
        columns=(
            _text("reference", 40, required=True, meaning="OCG-HM-NNN"),
            _text("name", 200, required=True, meaning="a neutral code name"),
            Column(
                "crime_types",
                ColumnType.LIST,
                max_length=1000,
                allowed=OFFENCE_CATEGORIES,
                meaning="offence categories",
            ),
            _countries("linked_countries", "ISO 3166 alpha-2 codes"),
            _choice("status", GROUP_STATUSES, required=True),
        ),
        unique_key=("reference",),
    ),
    ExtractSchema(
        kind=ExtractKind.OCG_NOMINALS,
        summary="Every mapped group member.",
        category=DataCategory.INTELLIGENCE,
        columns=(
            _identifier("pnc", "Police National Computer id"),
            FAMILY_NAME,
            GIVEN_NAME,
            DATE_OF_BIRTH,
            SEX,
            POSTCODE,
            _countries("overseas_links", "ISO 3166 alpha-2 codes"),
        ),
        unique_key=("pnc",),
        people=(
            _person(
                "pnc", "pnc", sex="sex", postcode="postcode", linked_countries="overseas_links"
            ),
        ),
    ),
    ExtractSchema(
        kind=ExtractKind.OCG_MEMBERSHIPS,
        summary="Who belongs to which group, against the member's PNC id.",
        category=DataCategory.INTELLIGENCE,
        columns=(
            _text("group_reference", 40, required=True, meaning="a group the agency has imported"),
            _identifier("pnc", "the member's PNC id: an OCG nominal the agency has imported"),
            _choice("role", GROUP_ROLES, required=True),
            _date("start_date"),
            _date("end_date", meaning="empty while current"),
            _agency("source_agency_id"),
        ),
        unique_key=("group_reference", "pnc", "start_date"),
        reference=PersonReference("pnc", "pnc", (ExtractKind.OCG_NOMINALS,)),
        group_reference="group_reference",
        date_order=(("start_date", "end_date"),),
    ),
    ExtractSchema(
        kind=ExtractKind.CHILDRENS_SOCIAL_CARE,
        summary="One row per care episode.",
        category=DataCategory.SOCIAL_CARE,
        columns=(
            _identifier("social_care_id", "the children's social care id"),
            GIVEN_NAME,
            MIDDLE_NAME,
            FAMILY_NAME,
            DATE_OF_BIRTH,
            SEX,
            POSTCODE,
            _choice("episode_type", CARE_EPISODES, required=True),
            _date("start_date", required=True),
            _date("end_date", meaning="empty while open"),
        ),
        unique_key=("social_care_id", "episode_type", "start_date"),
        people=(
            _person(
                "social_care_id",
                "social_care_id",
                middle_name="middle_name",
                sex="sex",
                postcode="postcode",
            ),
        ),
        date_order=(("start_date", "end_date"),),
    ),
    ExtractSchema(
        kind=ExtractKind.SCHOOL_PUPILS,
        summary="Pupils on roll.",
        category=DataCategory.EDUCATION,
        columns=(
            _identifier("upn", "unique pupil number"),
            _agency("school_agency_id", required=True),
            GIVEN_NAME,
            MIDDLE_NAME,
            FAMILY_NAME,
            DATE_OF_BIRTH,
            SEX,
            POSTCODE,
            _choice("year_group", YEAR_GROUPS),
        ),
        unique_key=("upn",),
        people=(_person("upn", "upn", middle_name="middle_name", sex="sex", postcode="postcode"),),
    ),
    ExtractSchema(
        kind=ExtractKind.SCHOOL_EXCLUSIONS,
        summary="Every exclusion, including former pupils.",
        category=DataCategory.EDUCATION,
        columns=(
            _identifier("upn", "unique pupil number"),
            _agency("school_agency_id", required=True),
            GIVEN_NAME,
            FAMILY_NAME,
            DATE_OF_BIRTH,
            _date("exclusion_date", required=True),
            _choice("exclusion_type", EXCLUSION_TYPES, required=True),
            _choice("reason", EXCLUSION_REASONS, meaning="DfE reason category"),
        ),
        unique_key=("upn", "school_agency_id", "exclusion_date", "exclusion_type"),
        people=(_person("upn", "upn"),),
    ),
    ExtractSchema(
        kind=ExtractKind.YOUTH_OFFENDING,
        summary="Youth justice interventions.",
        category=DataCategory.OFFENDING,
        columns=(
            _identifier("yos_id", "the youth justice service id"),
            PNC_WHERE_RECORDED,
            GIVEN_NAME,
            FAMILY_NAME,
            DATE_OF_BIRTH,
            SEX,
            POSTCODE,
            _choice("order_type", YOUTH_ORDERS, required=True),
            _date("start_date", required=True),
            _date("end_date", meaning="planned end"),
        ),
        unique_key=("yos_id", "order_type", "start_date"),
        people=(
            _person(
                "yos_id", "yos_id", sex="sex", postcode="postcode", other_identifiers={"pnc": "pnc"}
            ),
        ),
        date_order=(("start_date", "end_date"),),
    ),
    ExtractSchema(
        kind=ExtractKind.PRISON_RELEASES,
        summary="Releases from custody.",
        category=DataCategory.OFFENDING,
        columns=(
            _identifier("prison_number", "the prison number"),
            PNC_WHERE_RECORDED,
            GIVEN_NAME,
            FAMILY_NAME,
            DATE_OF_BIRTH,
            _text("establishment", required=True),
            _date("release_date", required=True),
            Column("sentence_months", ColumnType.INTEGER, True, 5, minimum=0, maximum=1200),
            _text("release_postcode", 10, meaning="often the pre-sentence address"),
        ),
        unique_key=("prison_number", "release_date"),
        people=(
            _person(
                "prison_number",
                "prison_number",
                postcode="release_postcode",
                other_identifiers={"pnc": "pnc"},
            ),
        ),
    ),
    ExtractSchema(
        kind=ExtractKind.PROBATION_CASELOAD,
        summary="Licences and community orders, current or closed within two years.",
        category=DataCategory.OFFENDING,
        columns=(
            _identifier("crn", "the probation case reference number"),
            PNC_WHERE_RECORDED,
            GIVEN_NAME,
            MIDDLE_NAME,
            FAMILY_NAME,
            DATE_OF_BIRTH,
            SEX,
            POSTCODE,
            _choice("supervision_type", SUPERVISION_TYPES, required=True),
            _date("start_date", required=True),
            _date("end_date"),
        ),
        unique_key=("crn", "supervision_type", "start_date"),
        people=(
            _person(
                "probation_crn",
                "crn",
                middle_name="middle_name",
                sex="sex",
                postcode="postcode",
                other_identifiers={"pnc": "pnc"},
            ),
        ),
        date_order=(("start_date", "end_date"),),
    ),
    ExtractSchema(
        kind=ExtractKind.HEALTH_CONTACTS,
        summary="Contacts with health settings; never any clinical detail.",
        category=DataCategory.HEALTH,
        columns=(
            _identifier("nhs_number", "ten digits; spaces are ignored"),
            GIVEN_NAME,
            FAMILY_NAME,
            DATE_OF_BIRTH,
            SEX,
            POSTCODE,
            _date("contact_date", required=True),
            _choice("setting", HEALTH_SETTINGS, required=True),
        ),
        unique_key=("nhs_number", "contact_date", "setting"),
        people=(_person("nhs_number", "nhs_number", sex="sex", postcode="postcode"),),
    ),
    ExtractSchema(
        kind=ExtractKind.RELATIONSHIPS,
        summary="Ties between two people (a and b), as the recording agency describes both.",
        category=DataCategory.INTELLIGENCE,
        columns=(
            _agency("source_agency_id", required=True, meaning="the agency that recorded the tie"),
            _choice(
                "kind",
                RELATIONSHIP_KINDS,
                required=True,
                meaning="for family_parent, a is the parent",
            ),
            _date("start_date"),
            _date("end_date"),
            _choice("confidence", CONFIDENCES, required=True),
            *_side_columns("a", "person a"),
            *_side_columns("b", "person b"),
        ),
        unique_key=(
            "source_agency_id",
            "kind",
            "start_date",
            *(
                f"{side}_{name}"
                for side in "ab"
                for name in (
                    "identifier_type",
                    "identifier",
                    "given_name",
                    "family_name",
                    "date_of_birth",
                )
            ),
        ),
        people=(_side("a"), _side("b")),
        date_order=(("start_date", "end_date"),),
    ),
)

SCHEMAS: Mapping[ExtractKind, ExtractSchema] = MappingProxyType(
    {schema.kind: schema for schema in _SCHEMAS}
)
# The order a whole area's extracts import in: every kind after the kinds it refers to.
IMPORT_ORDER: tuple[ExtractKind, ...] = tuple(schema.kind for schema in _SCHEMAS)
assert set(SCHEMAS) == set(ExtractKind), "every extract kind needs a schema"
assert all(
    IMPORT_ORDER.index(first) < IMPORT_ORDER.index(schema.kind)
    for schema in _SCHEMAS
    for first in schema.imported_first
)
