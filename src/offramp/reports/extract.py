"""The Local Profile's input frames, read in bulk through the reports scoping selector.

A handful of `values_list` queries, one per frame, never one per person. Frames follow the
contract of `offramp.analysis.profile.ProfileInputs`: dates as datetime64 (NaT when absent),
ids as int64, and only the people some other frame mentions.
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd
from django.conf import settings
from django.db.models import Q, QuerySet

from offramp.access.scoping import aggregate_sources_for
from offramp.accounts.models import User
from offramp.agencies.models import AgencyKind
from offramp.analysis.profile import ProfileInputs
from offramp.assessments.framework import current_framework
from offramp.assessments.models import Judgement, OverallConcern
from offramp.cases.models import (
    CaseStatus,
    ExitReason,
    PlacementOutcome,
    PlacementStatus,
    Route,
)
from offramp.networks.models import GroupStatus
from offramp.people.models import Ethnicity, PersonCategory, Sex
from offramp.referrals.models import ClosureReason, ReferralStatus

from .population import population_frame

# A placement's status_changed_at is the day it ended only once it has ended.
ENDED_PLACEMENT_STATUSES = (PlacementStatus.COMPLETED, PlacementStatus.ENDED_EARLY)
# Record ids (int64 in the contract); factor_id is a framework id, a string.
ID_COLUMNS = frozenset(
    {
        "person_id",
        "referral_id",
        "assessment_id",
        "case_id",
        "placement_id",
        "programme_id",
        "group_id",
    }
)
# The frames that bring a person into the profile, and the field naming them in each.
PERSON_FIELDS = {
    "referrals": "person_id",
    "cases": "person_id",
    "assessments": "person_id",
    "placements": "case__person_id",
    "memberships": "person_id",
    "offences": "record__person_id",
}


def _frame(
    queryset: QuerySet[Any],
    columns: Mapping[str, str],
    *,
    dates: tuple[str, ...] = (),
    moments: tuple[str, ...] = (),
    lists: tuple[str, ...] = (),
) -> pd.DataFrame:
    """One query: `columns` maps each frame column to the ORM field it reads.

    `dates` are DateFields; `moments` are DateTimeFields, turned into the local calendar day
    (a referral received at 23:30 BST belongs to that day, not the next in UTC)."""
    rows = list(queryset.order_by().values_list(*columns.values()))
    frame = pd.DataFrame.from_records(rows, columns=list(columns))
    for column in dates:
        frame[column] = pd.to_datetime(frame[column])
    for column in moments:
        stamps = pd.to_datetime(frame[column], utc=True)
        frame[column] = stamps.dt.tz_convert(settings.TIME_ZONE).dt.tz_localize(None).dt.normalize()
    for column in lists:
        frame[column] = [list(value or []) for value in frame[column]]
    for column in ID_COLUMNS.intersection(columns):
        frame[column] = frame[column].astype("int64")
    return frame


def _framework() -> dict[str, object]:
    framework = current_framework()
    labels: dict[str, object] = {category.id: category.name for category in framework.categories}
    for factor in framework.factors:
        labels[factor.id] = {"category": factor.category, "label": factor.name}
    return labels


# The stored values the profile shows, and their words. Where two choices share a value (e.g.
# "no_further_action") they share the words too.
LABELLED_CHOICES = (
    Ethnicity,
    Sex,
    AgencyKind,
    ReferralStatus,
    ClosureReason,
    Route,
    CaseStatus,
    ExitReason,
    PersonCategory,
    PlacementStatus,
    PlacementOutcome,
    OverallConcern,
    Judgement,
    GroupStatus,
)


def display_labels() -> dict[str, str]:
    """Words for the stored values in the profile's tables: choices and crime types."""
    labels = {
        str(value): str(label) for choices in LABELLED_CHOICES for value, label in choices.choices
    }
    labels.update({crime.id: crime.name for crime in current_framework().crime_types})
    return labels


def _placements(queryset: QuerySet[Any]) -> pd.DataFrame:
    frame = _frame(
        queryset,
        {
            "placement_id": "id",
            "case_id": "case_id",
            "person_id": "case__person_id",
            "programme_id": "programme_id",
            "starts_on": "starts_on",
            "ended_on": "status_changed_at",
            "status": "status",
            "outcome": "outcome",
        },
        dates=("starts_on",),
        moments=("ended_on",),
    )
    frame.loc[~frame["status"].isin(ENDED_PLACEMENT_STATUSES), "ended_on"] = pd.NaT
    return frame


def _programmes(queryset: QuerySet[Any]) -> pd.DataFrame:
    frame = _frame(
        queryset,
        {
            "programme_id": "id",
            "name": "name",
            "factor_ids": "factor_ids",
            "crime_types": "crime_types",
            "capacity": "capacity",
            "retired_at": "retired_at",
            "min_age": "min_age",
            "max_age": "max_age",
        },
        lists=("factor_ids", "crime_types"),
    )
    frame["retired"] = frame.pop("retired_at").notna()
    for column in ("capacity", "min_age", "max_age"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


def _people(sources: Mapping[str, QuerySet[Any]]) -> pd.DataFrame:
    """Only the people another frame mentions, chosen in the database (no list of ids)."""
    mentioned = Q()
    for name, field in PERSON_FIELDS.items():
        mentioned |= Q(pk__in=sources[name].values(field))
    return _frame(
        sources["people"].filter(mentioned),
        {
            "person_id": "id",
            "date_of_birth": "date_of_birth",
            "sex": "sex",
            "ethnicity": "ethnicity",
            "area": "area",
            "nationality": "nationality",
            "linked_countries": "linked_countries",
        },
        dates=("date_of_birth",),
        lists=("linked_countries",),
    )


def profile_inputs(*, user: User, period_start: date, period_end: date) -> ProfileInputs:
    """Everything the Local Profile computes from, for a user who may produce reports."""
    sources = aggregate_sources_for(user)
    referrals = _frame(
        sources["referrals"],
        {
            "referral_id": "id",
            "person_id": "person_id",
            "received_on": "received_at",
            "referring_agency": "referring_agency__name",
            "referring_agency_kind": "referring_agency__kind",
            "status": "status",
            "closure_reason": "closure_reason",
        },
        moments=("received_on",),
    )
    assessments = _frame(
        sources["assessments"],
        {
            "assessment_id": "id",
            "person_id": "person_id",
            "completed_on": "completed_at",
            "overall_concern": "overall_concern",
            "crime_types": "crime_types",
        },
        moments=("completed_on",),
        lists=("crime_types",),
    )
    cases = _frame(
        sources["cases"],
        {
            "case_id": "id",
            "person_id": "person_id",
            "opened_on": "opened_at",
            "route": "route",
            "status": "status",
            "exited_on": "exited_at",
            "exit_reason": "exit_reason",
            "person_category": "person_category",
        },
        moments=("opened_on", "exited_on"),
    )
    placements = _placements(sources["placements"])
    offences = _frame(
        sources["offences"],
        {
            "person_id": "record__person_id",
            "offence_date": "offence_date",
            "offence_category": "offence_category",
            "outcome": "outcome",
        },
        dates=("offence_date",),
    )
    memberships = _frame(
        sources["memberships"],
        {
            "person_id": "person_id",
            "group_id": "group_id",
            "category": "category",
            "role": "role",
            "started_on": "started_on",
        },
        dates=("started_on",),
    )
    return ProfileInputs(
        period_start=period_start,
        period_end=period_end,
        people=_people(sources),
        referrals=referrals,
        referral_factors=_frame(
            sources["referral_factors"], {"referral_id": "referral_id", "factor_id": "factor_id"}
        ),
        assessments=assessments,
        judgements=_frame(
            sources["judgements"],
            {"assessment_id": "assessment_id", "factor_id": "factor_id", "judgement": "judgement"},
        ),
        cases=cases,
        placements=placements,
        programmes=_programmes(sources["programmes"]),
        offences=offences,
        memberships=memberships,
        groups=_frame(
            sources["groups"],
            {
                "group_id": "id",
                "crime_types": "crime_types",
                "countries": "countries",
                "status": "status",
            },
            lists=("crime_types", "countries"),
        ),
        population=population_frame(),
        framework=_framework(),
    )
