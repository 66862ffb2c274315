"""Cases after screening: the route, the panel, the support plan, reviews, exit and follow-up.

A case opens when a coordinator records a route for a referral (guide ¶1.16, ¶2.5, ¶3.9). Only
the panel route keeps it open; every other route hands the person to another process and the
case closes as routed elsewhere, ready to be reopened if the concern comes back.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from offramp.people.models import PersonCategory
from offramp.transitions import StatusMachine


class Route(models.TextChoices):
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    SIGNPOST = "signpost", "Signpost to a named service"
    PANEL = "panel", "Prevent multi-agency panel"
    CHILDREN_SAFEGUARDING = "children_safeguarding", "Children's safeguarding"
    ADULT_SAFEGUARDING = "adult_safeguarding", "Adults' safeguarding"
    NATIONAL_REFERRAL_MECHANISM = (
        "national_referral_mechanism",
        "National Referral Mechanism (suspected victim of modern slavery)",
    )
    CHANNEL = "channel", "Channel (there is also a terrorism risk)"
    PURSUE = "pursue", "Pursue and offender management (IOM)"


class CaseStatus(models.TextChoices):
    AWAITING_PANEL = "awaiting_panel", "Waiting for the panel"
    ON_PLAN = "on_plan", "Support plan in place"
    EXITED = "exited", "Exited"
    ROUTED_ELSEWHERE = "routed_elsewhere", "Routed outside the panel"


OPEN_STATUSES = frozenset({CaseStatus.AWAITING_PANEL, CaseStatus.ON_PLAN})

# An exited or routed-elsewhere case is reopened (back to the panel) if the concern comes back.
CASE_MOVES = StatusMachine(
    CaseStatus,
    {
        CaseStatus.AWAITING_PANEL: frozenset(
            {CaseStatus.ON_PLAN, CaseStatus.EXITED, CaseStatus.ROUTED_ELSEWHERE}
        ),
        CaseStatus.ON_PLAN: frozenset({CaseStatus.EXITED}),
        CaseStatus.EXITED: frozenset({CaseStatus.AWAITING_PANEL}),
        CaseStatus.ROUTED_ELSEWHERE: frozenset({CaseStatus.AWAITING_PANEL}),
    },
)


class ExitReason(models.TextChoices):
    RISK_REDUCED = "risk_reduced", "Risk reduced"
    MOVED_AWAY = "moved_away", "Moved away"
    CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn"
    ESCALATED_TO_PURSUE = "escalated_to_pursue", "Escalated to Pursue"
    OTHER = "other", "Other"


class Case(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="cases")
    # DPA 2018 s.38: why this person is on the case. Suspected victims are safeguarded first.
    person_category = models.CharField(max_length=30, choices=PersonCategory.choices)
    referral = models.OneToOneField(
        "referrals.Referral", on_delete=models.PROTECT, related_name="case"
    )
    lead_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    panel = models.ForeignKey(
        "Panel", on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    status = models.CharField(max_length=30, choices=CaseStatus.choices)
    status_changed_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(default=timezone.now, db_index=True)
    route = models.CharField(max_length=40, choices=Route.choices)
    route_reason = models.TextField(max_length=2000)
    signpost_service = models.CharField(max_length=200, blank=True)
    # Blank when there was no completed assessment to suggest from.
    suggested_route = models.CharField(max_length=40, choices=Route.choices, blank=True)
    suggested_route_reasons = models.JSONField(default=list)
    # Filled when the coordinator chose a route other than the suggestion.
    route_disagreement = models.TextField(max_length=2000, blank=True)
    routed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    next_review_on = models.DateField(null=True, blank=True)
    exited_at = models.DateTimeField(null=True, blank=True)
    exit_reason = models.CharField(max_length=30, choices=ExitReason.choices, blank=True)
    exit_note = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseLink(models.Model):
    """Another person connected to a case, with the category that says why (s.38)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="case_links")
    category = models.CharField(max_length=30, choices=PersonCategory.choices)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="unique_case_link")]

    def __str__(self) -> str:
        return f"{self.person} on {self.case}: {self.get_category_display()}"


class Panel(models.Model):
    """A standing multi-agency panel (guide ¶1.16). Its member agencies see its agenda's cases."""

    name = models.CharField(max_length=200, unique=True)
    member_agencies = models.ManyToManyField("agencies.Agency", related_name="panels")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"


MEETING_MOVES = StatusMachine(
    MeetingStatus,
    {MeetingStatus.SCHEDULED: frozenset({MeetingStatus.HELD}), MeetingStatus.HELD: frozenset()},
)


class PanelMeeting(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="meetings")
    meets_on = models.DateField(db_index=True)
    status = models.CharField(
        max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    attending_agencies = models.ManyToManyField("agencies.Agency", related_name="+", blank=True)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # When the coordinator closed it: panel members' access to its cases runs out from here.
    held_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-meets_on", "-id"]

    def __str__(self) -> str:
        return f"{self.panel} on {self.meets_on:%-d %B %Y}"


class PanelDecision(models.TextChoices):
    AGREE_PLAN = "agree_plan", "Agree a support plan"
    CONTINUE_PLAN = "continue_plan", "Continue the support plan"
    EXIT = "exit", "Exit the case"
    ROUTE_ELSEWHERE = "route_elsewhere", "Route outside the panel"
    DEFER = "defer", "Defer to the next meeting"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="agenda_items")
    position = models.PositiveSmallIntegerField()
    decision = models.CharField(max_length=30, choices=PanelDecision.choices, blank=True)
    decision_note = models.TextField(max_length=2000, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "case"], name="unique_agenda_case")
        ]

    def __str__(self) -> str:
        return f"{self.case} at {self.meeting}"


class Contribution(models.Model):
    """What one agency brought to the panel about a case, shared on a recorded basis."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="contributions")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=30)  # sharing.DataCategory
    summary = models.TextField(max_length=4000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.agency} on {self.item}"


class PanelAction(models.Model):
    meeting = models.ForeignKey(PanelMeeting, on_delete=models.PROTECT, related_name="actions")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="actions")
    description = models.CharField(max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_actions"
    )
    due_on = models.DateField(db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completion_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.description


class ConsentGiver(models.TextChoices):
    PERSON = "person", "The person"
    PARENT_OR_CARER = "parent_or_carer", "A parent or carer"


class ConsentDecision(models.TextChoices):
    GIVEN = "given", "Given"
    REFUSED = "refused", "Refused"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ConsentRecord(models.Model):
    """Consent to the support plan; the latest record per giver is the one in force."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    giver = models.CharField(max_length=20, choices=ConsentGiver.choices)
    decision = models.CharField(max_length=20, choices=ConsentDecision.choices)
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_giver_display()}: {self.get_decision_display()}"


class PlacementStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    STARTED = "started", "Started"
    COMPLETED = "completed", "Completed"
    ENDED_EARLY = "ended_early", "Ended early"


# Statuses that take up one of the programme's places.
OCCUPYING_STATUSES = frozenset({PlacementStatus.PLANNED, PlacementStatus.STARTED})

PLACEMENT_MOVES = StatusMachine(
    PlacementStatus,
    {
        PlacementStatus.PLANNED: frozenset({PlacementStatus.STARTED, PlacementStatus.ENDED_EARLY}),
        PlacementStatus.STARTED: frozenset(
            {PlacementStatus.COMPLETED, PlacementStatus.ENDED_EARLY}
        ),
        PlacementStatus.COMPLETED: frozenset(),
        PlacementStatus.ENDED_EARLY: frozenset(),
    },
)


class PlacementOutcome(models.TextChoices):
    ACHIEVED = "achieved", "Aims achieved"
    PARTLY_ACHIEVED = "partly_achieved", "Aims partly achieved"
    NOT_ACHIEVED = "not_achieved", "Aims not achieved"


class Placement(models.Model):
    """One intervention in a case's support plan."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="placements")
    programme = models.ForeignKey(
        "interventions.Programme", on_delete=models.PROTECT, related_name="placements"
    )
    provider = models.CharField(max_length=200)
    starts_on = models.DateField()
    expected_end_on = models.DateField()
    status = models.CharField(
        max_length=20, choices=PlacementStatus.choices, default=PlacementStatus.PLANNED
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=20, choices=PlacementOutcome.choices, blank=True)
    outcome_note = models.CharField(max_length=1000, blank=True)
    # Plan drift is measured from here: any progress note or status change moves it.
    last_progress_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["starts_on", "id"]

    def __str__(self) -> str:
        return f"{self.programme} for {self.case}"


class ReviewKind(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled review"
    FOLLOW_UP_6_MONTHS = "follow_up_6", "Follow-up 6 months after exit"
    FOLLOW_UP_12_MONTHS = "follow_up_12", "Follow-up 12 months after exit"


class ReviewProgress(models.TextChoices):
    IMPROVED = "improved", "Concern reduced"
    UNCHANGED = "unchanged", "No change"
    WORSE = "worse", "Concern increased"


class CaseReview(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(max_length=20, choices=ReviewKind.choices)
    due_on = models.DateField(db_index=True)
    held_on = models.DateField(null=True, blank=True)
    progress = models.CharField(max_length=20, choices=ReviewProgress.choices, blank=True)
    note = models.TextField(max_length=4000, blank=True)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.case}, due {self.due_on}"
