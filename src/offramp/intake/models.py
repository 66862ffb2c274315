"""Partner extracts brought into Offramp, and the person index built from them.

An `ImportBatch` is one extract file from one agency. Each person an agency's system holds is a
`SourceRecord` (its own identifier, names, date of birth, postcode, as that system recorded them),
linked by record linkage to one `people.Person` in the index. Every fact (an offence, a care
episode, a school exclusion...) hangs off the source record it was recorded against and keeps its
provenance: the batch, hence the agency, the file and the extract date.

Imports are idempotent: a source record is keyed by (agency, record_key) and a fact by
(agency, fact_key), both hashes of what identifies them, so importing a file again adds nothing.
Formats: docs/partner-data.md.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from offramp.transitions import StatusMachine


class ExtractKind(models.TextChoices):
    """One kind per partner system extract; each has a documented column schema."""

    POLICE_NOMINALS = "police_nominals", "Police nominals"
    POLICE_OFFENCES = "police_offences", "Police offences and sanctions"
    OCG_GROUPS = "ocg_groups", "Organised crime groups"
    OCG_NOMINALS = "ocg_nominals", "Organised crime group nominals"
    OCG_MEMBERSHIPS = "ocg_memberships", "Organised crime group memberships"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care episodes"
    SCHOOL_PUPILS = "school_pupils", "School pupils"
    SCHOOL_EXCLUSIONS = "school_exclusions", "School exclusions"
    YOUTH_OFFENDING = "youth_offending", "Youth offending caseload"
    PRISON_RELEASES = "prison_releases", "Prison releases"
    PROBATION_CASELOAD = "probation_caseload", "Probation caseload"
    HEALTH_CONTACTS = "health_contacts", "Health contacts"
    RELATIONSHIPS = "relationships", "Relationships"


class BatchStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Importing"
    COMPLETED = "completed", "Imported"
    FAILED = "failed", "Refused"


# An import is all or nothing: it completes, or fails with its reasons (a stale one is failed
# as abandoned before it starts or while it runs); either way it stays as it ended.
BATCH_MOVES = StatusMachine(
    BatchStatus,
    {
        BatchStatus.QUEUED: frozenset({BatchStatus.RUNNING, BatchStatus.FAILED}),
        BatchStatus.RUNNING: frozenset({BatchStatus.COMPLETED, BatchStatus.FAILED}),
        BatchStatus.COMPLETED: frozenset(),
        BatchStatus.FAILED: frozenset(),
    },
)


class ImportBatch(models.Model):
    kind = models.CharField(max_length=40, choices=ExtractKind.choices)
    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="import_batches",
        help_text="The agency whose system the extract came from",
    )
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    file_size = models.PositiveBigIntegerField(default=0)
    extracted_on = models.DateField(help_text="The date the partner took the extract")
    status = models.CharField(
        max_length=20, choices=BatchStatus.choices, default=BatchStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # {"records_added": n, "records_already_held": n, "facts_added": n, "facts_already_held": n}
    counts = models.JSONField(default=dict, blank=True)
    # Row-level problems when refused: [{"file", "row", "column", "value", "reason"}, ...]
    errors = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # While a batch is queued or running, the process importing it says it is alive: a batch
    # whose process has ended is failed when anything next looks at batches (runner.py).
    heartbeat_at = models.DateTimeField(
        default=timezone.now, help_text="When the process importing it last said it was alive"
    )
    process = models.CharField(
        max_length=300, blank=True, help_text="The process importing it: host:pid:token"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "import batches"
        indexes = [models.Index(fields=["status"], name="intake_batch_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.agency_id}: {self.file_name}"


class LinkMethod(models.TextChoices):
    CERTAIN = "certain", "Linked by the model (certain match)"
    PROVISIONAL = "provisional", "Linked provisionally, awaiting review"
    REVIEWED = "reviewed", "Linked by a reviewer"
    NEW_PERSON = "new_person", "No match: a new person in the index"
    MERGED = "merged", "Moved by a merge"


class SourceRecord(models.Model):
    """A person as one agency's system records them."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="records")
    record_key = models.CharField(max_length=64)
    identifier_type = models.CharField(max_length=20, blank=True)  # people.IdentifierType
    identifier = models.CharField(max_length=40, blank=True)
    given_name = models.CharField(max_length=100, blank=True)
    middle_name = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=12, blank=True)  # as recorded; equality monitoring only
    postcode = models.CharField(max_length=10, blank=True)
    other_identifiers = models.JSONField(
        default=dict, blank=True, help_text="Other agencies' identifiers this system holds"
    )
    linked_countries = models.JSONField(default=list, blank=True)
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_records",
    )
    match_probability = models.FloatField(null=True, blank=True)
    link_method = models.CharField(max_length=20, choices=LinkMethod.choices, blank=True)
    linked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "record_key"], name="unique_source_record")
        ]
        indexes = [models.Index(fields=["identifier_type", "identifier"])]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.identifier_type} {self.identifier}".strip()


class ImportedFact(models.Model):
    """What every imported fact keeps: its provenance (batch, so agency, file and extract date),
    the row it came from, and a key that makes importing the same row again add nothing."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    row = models.PositiveIntegerField(help_text="The data row's position in the file (1-based)")
    fact_key = models.CharField(max_length=64)

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(fields=["agency", "fact_key"], name="unique_%(class)s_fact")
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name}, batch {self.batch_id} row {self.row}"


class Offence(ImportedFact):
    record = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="offences")
    crime_reference = models.CharField(max_length=40)
    offence_date = models.DateField(db_index=True)
    offence_category = models.CharField(max_length=40)
    outcome = models.CharField(max_length=40)
    age_at_offence = models.PositiveSmallIntegerField(null=True, blank=True)
    recording_agency = models.CharField(max_length=60, blank=True)

    class Meta(ImportedFact.Meta):
        ordering = ["offence_date", "id"]


class CareEpisode(ImportedFact):
    record = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="care_episodes")
    episode_type = models.CharField(max_length=30)  # looked_after, child_in_need, child_protection
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta(ImportedFact.Meta):
        ordering = ["start_date", "id"]
        constraints = [
            *ImportedFact.Meta.constraints,
            models.CheckConstraint(
                name="care_episode_ends_after_it_starts",
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
            ),
        ]


class SchoolExclusion(ImportedFact):
    record = models.ForeignKey(
        SourceRecord, on_delete=models.CASCADE, related_name="school_exclusions"
    )
    school = models.CharField(max_length=60, help_text="The school's agency id")
    exclusion_date = models.DateField()
    exclusion_type = models.CharField(max_length=20)  # fixed_term, permanent
    reason = models.CharField(max_length=100, blank=True)

    class Meta(ImportedFact.Meta):
        ordering = ["exclusion_date", "id"]


class YouthOffendingOrder(ImportedFact):
    record = models.ForeignKey(
        SourceRecord, on_delete=models.CASCADE, related_name="youth_offending_orders"
    )
    order_type = models.CharField(max_length=40)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Planned end")

    class Meta(ImportedFact.Meta):
        ordering = ["start_date", "id"]


class PrisonRelease(ImportedFact):
    record = models.ForeignKey(
        SourceRecord, on_delete=models.CASCADE, related_name="prison_releases"
    )
    establishment = models.CharField(max_length=100)
    release_date = models.DateField()
    sentence_months = models.PositiveSmallIntegerField()

    class Meta(ImportedFact.Meta):
        ordering = ["release_date", "id"]


class ProbationSupervision(ImportedFact):
    record = models.ForeignKey(
        SourceRecord, on_delete=models.CASCADE, related_name="probation_supervisions"
    )
    supervision_type = models.CharField(max_length=30)  # licence, community_order
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta(ImportedFact.Meta):
        ordering = ["start_date", "id"]


class HealthContact(ImportedFact):
    """A contact with a health setting; no clinical detail is ever imported (special category)."""

    record = models.ForeignKey(
        SourceRecord, on_delete=models.CASCADE, related_name="health_contacts"
    )
    contact_date = models.DateField()
    setting = models.CharField(max_length=40)

    class Meta(ImportedFact.Meta):
        ordering = ["contact_date", "id"]


class ImportedGroup(ImportedFact):
    """An organised crime group as a partner's OCG mapping describes it."""

    reference = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    crime_types = models.JSONField(default=list, blank=True)
    linked_countries = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=20)  # active, dormant, disrupted
    group = models.ForeignKey(
        "networks.OrganisedCrimeGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The group in the partnership's network records",
    )

    class Meta(ImportedFact.Meta):
        ordering = ["reference"]


class ImportedMembership(ImportedFact):
    record = models.ForeignKey(
        SourceRecord, on_delete=models.CASCADE, related_name="group_memberships"
    )
    group_reference = models.CharField(max_length=40)
    role = models.CharField(max_length=20)  # principal, core, peripheral, enabler
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    source_agency = models.CharField(max_length=60, blank=True)

    class Meta(ImportedFact.Meta):
        ordering = ["id"]


class ImportedRelationship(ImportedFact):
    """A tie as the recording agency describes both people (each a source record)."""

    record_a = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="+")
    record_b = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)  # the 12 tie kinds of networks
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    confidence = models.CharField(max_length=10)  # high, medium, low
    source_agency = models.CharField(
        max_length=80, blank=True, help_text="The agency that recorded the tie (its id)"
    )

    class Meta(ImportedFact.Meta):
        ordering = ["id"]
