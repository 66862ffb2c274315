"""Writes to people's records. Each runs in one transaction with its timeline event."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from offramp.accounts.models import User
from offramp.audit.models import EventCode
from offramp.audit.services import event_record
from offramp.text import invisible_character_errors

from .models import Ethnicity, Person, Sex

OLDEST_AGE_YEARS = 120


@dataclass(frozen=True)
class PersonDetails:
    given_name: str
    family_name: str
    date_of_birth: date
    middle_names: str = ""
    area: str = ""
    postcode_district: str = ""
    sex: str = Sex.NOT_KNOWN
    ethnicity: str = Ethnicity.NOT_KNOWN
    nationality: str = ""


def validate_date_of_birth(value: date, *, field: str = "date_of_birth") -> None:
    today = timezone.localdate()
    if value > today:
        raise ValidationError({field: "Date of birth must be today or in the past"})
    if value.year < today.year - OLDEST_AGE_YEARS:
        raise ValidationError(
            {field: f"Date of birth must be within the last {OLDEST_AGE_YEARS} years"}
        )


def validate_person_details(details: PersonDetails) -> None:
    errors: dict[str, str] = {}
    if not details.given_name.strip():
        errors["given_name"] = "Enter the person's first name"
    if not details.family_name.strip():
        errors["family_name"] = "Enter the person's last name"
    errors.update(
        invisible_character_errors(
            {
                "given_name": details.given_name,
                "family_name": details.family_name,
                "middle_names": details.middle_names,
                "area": details.area,
                "postcode_district": details.postcode_district,
                "nationality": details.nationality,
            }
        )
    )
    limits = {"given_name": 100, "family_name": 100, "middle_names": 200, "area": 100}
    for field, limit in limits.items():
        if len(getattr(details, field)) > limit:
            errors[field] = (
                f"{field.replace('_', ' ').capitalize()} must be {limit} characters or fewer"
            )
    try:
        validate_date_of_birth(details.date_of_birth)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)


def person_create(*, actor: User, details: PersonDetails) -> Person:
    """Creates a person held by the actor's agency. Callers hold the transaction."""
    validate_person_details(details)
    if actor.agency is None:
        raise ValidationError({"agency": "Your account is not attached to an agency"})
    with transaction.atomic():
        person = Person.objects.create(
            given_name=details.given_name.strip(),
            middle_names=details.middle_names.strip(),
            family_name=details.family_name.strip(),
            date_of_birth=details.date_of_birth,
            area=details.area.strip(),
            postcode_district=details.postcode_district.strip().upper(),
            sex=details.sex,
            ethnicity=details.ethnicity,
            nationality=details.nationality.upper(),
            created_by_agency=actor.agency,
        )
        event_record(
            person=person,
            code=EventCode.PERSON_CREATED,
            actor=actor,
            summary=f"Record created by {actor.agency}",
            subject=person,
        )
    return person
