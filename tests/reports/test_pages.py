"""The reports pages: choosing a period, the profile and the upstream view, for those who
produce reports only, each one logged without its content."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from offramp.accounts.models import User
from offramp.audit.models import AuditAction, AuditEntry
from offramp.reports.population import PopulationRow, population_replace
from tests.conftest import signed_in

from .conftest import PERIOD_START, ReportWorld, period_query

REPORT_ROUTES = (
    "reports:profile",
    "reports:profile-pdf",
    "reports:profile-pack",
    "reports:profile-xlsx",
    "reports:upstream",
    "reports:upstream-csv",
)


def _date_query(prefix: str, day: datetime.date) -> dict[str, str]:
    return {
        f"{prefix}_0": str(day.day),
        f"{prefix}_1": str(day.month),
        f"{prefix}_2": str(day.year),
    }


def test_the_reports_page_offers_a_period_and_then_the_reports(analyst: User) -> None:
    client = signed_in(analyst)
    page = client.get(reverse("reports:index")).content.decode()
    assert "Choose the period" in page
    assert "No population denominators are loaded" in page
    assert reverse("reports:profile") not in page  # no links until a period is chosen

    end = timezone.localdate()
    chosen = client.get(
        reverse("reports:index"), {**_date_query("start", PERIOD_START), **_date_query("end", end)}
    )
    assert chosen.status_code == 200
    page = chosen.content.decode()
    query = period_query(PERIOD_START, end).replace("&", "&amp;")
    for route in REPORT_ROUTES:
        assert f"{reverse(route)}?{query}" in page


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (datetime.date(2025, 6, 1), datetime.date(2025, 5, 1), "The end date must be the same as"),
        (datetime.date(2025, 6, 1), None, "Enter the end date"),
    ],
)
def test_a_bad_period_gets_the_error_summary(
    analyst: User, start: datetime.date, end: datetime.date | None, message: str
) -> None:
    query = _date_query("start", start) | (_date_query("end", end) if end else {})
    response = signed_in(analyst).get(reverse("reports:index"), query)
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    assert "govuk-error-summary" in page
    assert reverse("reports:profile") not in page


def test_an_impossible_date_is_named(analyst: User) -> None:
    query = {"start_0": "31", "start_1": "2", "start_2": "2025", **_date_query("end", PERIOD_START)}
    page = signed_in(analyst).get(reverse("reports:index"), query).content.decode()
    assert "Start date must be a real date" in page


def test_a_report_link_with_a_bad_period_is_refused_clearly(analyst: User) -> None:
    response = signed_in(analyst).get(reverse("reports:profile"), {"from": "2025-13-01"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The start date must be a real date written as YYYY-MM-DD" in page
    assert "Give the end date as YYYY-MM-DD" in page
    assert not AuditEntry.objects.filter(object_type__startswith="report.").exists()


def test_the_profile_shows_every_section_with_tables_charts_and_the_legend(
    report_world: ReportWorld, analyst: User
) -> None:
    population_replace(
        rows=[PopulationRow("Northgate", "male", "14-17", "not_known", 400)], source="pop.csv"
    )
    response = signed_in(analyst).get(f"{reverse('reports:profile')}?{period_query()}")
    assert response.status_code == 200
    page = response.content.decode()
    for section in ("Upstream", "What works"):
        assert section in page
    assert page.count('class="govuk-table"') >= 10
    assert 'src="data:image/svg+xml;base64,' in page
    assert "[c]: a count of 1 to 4 people" in page
    assert "govuk-inset-text" in page
    # Two referrals: every count of people is under 5, so none is shown.
    assert "Connor" not in page and "Walsh" not in page and "Paige" not in page
    entry = AuditEntry.objects.get(object_type="report.profile")
    assert entry.action == AuditAction.CONSULTATION
    assert entry.actor_username == "analyst" and entry.person_id is None
    assert entry.object_id == f"{PERIOD_START.isoformat()}..{timezone.localdate()} page"


def test_the_upstream_view_shows_countries_without_anyone_in_them(
    report_world: ReportWorld, analyst: User
) -> None:
    client = signed_in(analyst)
    page = client.get(f"{reverse('reports:upstream')}?{period_query()}").content.decode()
    assert "Countries linked to people, victims and groups" in page
    assert "NL" in page and "[c]" in page
    csv_response = client.get(f"{reverse('reports:upstream-csv')}?{period_query()}")
    assert csv_response["Content-Type"].startswith("text/csv")
    text = csv_response.content.decode()
    assert text.splitlines()[0] == "table,title,row,column,value"
    assert "NL" in text
    for line in text.splitlines()[1:]:
        value = line.rsplit(",", 1)[-1]
        assert not (value.isdigit() and 0 < int(value) < 5), line
    formats = set(
        AuditEntry.objects.filter(object_type="report.upstream").values_list("object_id", flat=True)
    )
    assert {f.rsplit(" ", 1)[-1] for f in formats} == {"page", "csv"}


@pytest.mark.parametrize("route", ["reports:index", *REPORT_ROUTES])
@pytest.mark.parametrize("persona", ["school_dsl", "health_panel_member", "auditor"])
def test_reports_are_refused_to_everyone_else(
    route: str, persona: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    response = signed_in(user).get(f"{reverse(route)}?{period_query()}")
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(object_type__startswith="report.").exists()
