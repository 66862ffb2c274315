"""Disposing of a person removes their source records and every fact hanging off them."""

import datetime

from django.db import transaction

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.intake.models import (
    CareEpisode,
    ExtractKind,
    ImportedRelationship,
    Offence,
    SourceRecord,
)
from offramp.people.models import Person
from offramp.retention.disposal import carry_out, plan_disposal

from .conftest import Importer


def test_disposal_removes_the_persons_records_and_facts(
    import_rows: Importer, agencies: dict[str, Agency], coordinator: User
) -> None:
    import_rows(ExtractKind.POLICE_NOMINALS)
    import_rows(ExtractKind.POLICE_OFFENCES)
    import_rows(ExtractKind.RELATIONSHIPS)
    import_rows(ExtractKind.CHILDRENS_SOCIAL_CARE, agency=agencies["council"])
    person = Person.objects.create(
        given_name="Amit",
        family_name="Patel",
        date_of_birth=datetime.date(1974, 1, 4),
        created_by_agency=agencies["police"],
    )
    # The relationship names him by the PNC id of the police nominal: the same record, which
    # the linkage links to the person.
    amit = SourceRecord.objects.filter(given_name="Amit")
    assert amit.count() == 1
    amit.update(person=person)
    kept_records = SourceRecord.objects.exclude(given_name="Amit").count()

    with transaction.atomic():
        carry_out(plan_disposal(person.pk))

    assert not SourceRecord.objects.filter(given_name="Amit").exists()
    assert SourceRecord.objects.count() == kept_records
    assert list(Offence.objects.values_list("crime_reference", flat=True)) == ["HM/19/6242574"]
    # His tie went with him; the tie between two other people stays.
    assert ImportedRelationship.objects.count() == 1
    assert CareEpisode.objects.count() == 2
