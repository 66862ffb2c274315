"""Acceptance (issue 12, fault test): an import killed with SIGKILL at any point leaves no partial
data and, once anything next looks at batches, no staged extract and no batch "running" forever.

Each import runs as a real process (import_fault_child.py) on the migrated test database: on
PostgreSQL the test database itself, on SQLite a file copy of it (pytest-django's is in
memory). The child pauses at a named point; the test kills it there, and the next child's first
act is the look the pages make.
"""

import json
import os
import selectors
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import connection

from .conftest import write_extract

CHILD = Path(__file__).with_name("import_fault_child.py")
SOURCE = Path(__file__).resolve().parents[2] / "src"
ROWS = 30
STOPPED = "The import stopped: the process running it ended before it finished"


@pytest.fixture
def database_url(transactional_db: None, tmp_path: Path) -> str:
    """A DATABASE_URL for the children: the test database on PostgreSQL (committed to, then
    flushed after the test), a file copy of the in-memory one on SQLite."""
    if connection.vendor == "sqlite":
        copy = tmp_path / "faults.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(copy) as target:
            connection.connection.backup(target)
        target.close()
        return f"sqlite:///{copy}"
    name = connection.settings_dict["NAME"]
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()


class Child:
    """One import process; `lines` are the JSON objects it printed."""

    def __init__(self, database_url: str, staging: Path, extract: Path, point: str | None):
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "offramp.config.settings.test",
            "PYTHONPATH": os.pathsep.join([str(SOURCE), os.environ.get("PYTHONPATH", "")]),
        }
        arguments = [str(staging), str(extract), *([point] if point else [])]
        self.process = subprocess.Popen(
            [sys.executable, str(CHILD), *arguments],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[dict[str, Any]] = []

    def read(self, key: str, timeout: float = 60) -> Any:
        """Reads lines until one has `key`, and returns its value."""
        assert self.process.stdout is not None
        watch = selectors.DefaultSelector()
        watch.register(self.process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not watch.select(timeout=deadline - time.monotonic()):
                break
            line = self.process.stdout.readline()
            if not line:
                break
            self.lines.append(json.loads(line))
            if key in self.lines[-1]:
                return self.lines[-1][key]
        self.process.kill()
        _, errors = self.process.communicate()
        pytest.fail(f"the import process printed no {key!r}: {self.lines}\n{errors}")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        assert self.process.wait(timeout=30) == -signal.SIGKILL


def reasons(state: dict[str, Any], number: int) -> list[str]:
    return state["batches"][number - 1]["reasons"]


def test_an_import_killed_at_any_point_leaves_no_partial_data_and_no_staged_file(
    database_url: str, tmp_path: Path
) -> None:
    staging = tmp_path / "staging"
    rows = [
        {
            "pnc": f"20/{n:06d}A",
            "family_name": "PATEL",
            "given_name": "Amit",
            "middle_name": "",
            "date_of_birth": "1974-01-04",
            "sex": "M",
            "postcode": "HM5 3JJ",
        }
        for n in range(ROWS)
    ]
    extract = write_extract(tmp_path / "nominals.csv", rows)

    def killed_at(point: str, *, linger: float = 0.0) -> dict[str, Any]:
        """Runs an import, kills it at the point, and returns what its process first saw."""
        child = Child(database_url, staging, extract, point)
        seen = child.read("state")
        assert child.read("paused") == point
        time.sleep(linger)
        child.kill()
        return seen

    assert killed_at("queued") == {"batches": [], "records": 0, "audit_entries": 0, "staged": []}
    # Killed while queued: failed at the next look, its staged upload gone.
    seen = killed_at("validating", linger=1.0)
    assert seen["batches"][0]["status"] == "failed"
    assert reasons(seen, 1)[0].startswith(STOPPED)
    assert (seen["records"], seen["audit_entries"], seen["staged"]) == (0, 0, [])

    seen = killed_at("writing")
    assert [batch["status"] for batch in seen["batches"]] == ["failed", "failed"]
    assert reasons(seen, 2)[0].startswith(STOPPED)
    # While it checked rows its heartbeat went on (every 0.2 s in the child).
    assert seen["batches"][1]["beat_for_seconds"] >= 0.5
    assert (seen["records"], seen["audit_entries"], seen["staged"]) == (0, 0, [])

    seen = killed_at("committed")
    assert [batch["status"] for batch in seen["batches"]] == ["failed"] * 3
    assert reasons(seen, 3)[0].startswith(STOPPED)
    assert (seen["records"], seen["audit_entries"], seen["staged"]) == (0, 0, []), (
        "the rows inserted before the kill were rolled back"
    )

    last = Child(database_url, staging, extract, None)
    seen = last.read("state")
    # Killed after the commit: the batch completed, whole; only its staged file was left.
    fourth = seen["batches"][3]
    assert (fourth["status"], fourth["reasons"]) == ("completed", [])
    assert fourth["counts"]["records_added"] == ROWS
    assert (seen["records"], seen["audit_entries"], seen["staged"]) == (ROWS, 1, [])
    # The same file again adds nothing: every row is already held.
    final = last.read("state")
    assert last.process.wait(timeout=30) == 0
    fifth = final["batches"][4]
    assert fifth["status"] == "completed"
    assert fifth["counts"]["records_added"] == 0
    assert fifth["counts"]["records_already_held"] == ROWS
    assert (final["records"], final["staged"]) == (ROWS, [])
