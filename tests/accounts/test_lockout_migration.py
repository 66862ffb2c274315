"""Migration accounts.0004 turns the clear usernames of lockouts in force into keyed hashes, so
a lockout survives the upgrade and the typed text does not."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from offramp.accounts.services import sign_in_locked_until

BEFORE = [("accounts", "0003_role_and_agency_changes_take_a_second_administrator")]
AFTER = [("accounts", "0005_superusers_without_an_agency_hold_the_administrator_role")]


@pytest.mark.django_db(transaction=True)
def test_existing_lockouts_are_hashed_and_stay_in_force() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    now = datetime.datetime.now(datetime.UTC)
    old_apps.get_model("accounts", "SignInThrottle").objects.create(
        username="coordinator",
        failures=5,
        window_started_at=now,
        last_failure_at=now,
        locked_until=now + datetime.timedelta(minutes=15),
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_signinthrottle")
        rows = cursor.fetchall()
    assert len(rows) == 1 and "coordinator" not in str(rows)
    assert sign_in_locked_until(username="Coordinator") is not None
