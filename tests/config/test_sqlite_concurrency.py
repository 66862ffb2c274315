"""Several clients sharing the demo's SQLite file never see "database is locked"."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

CLIENTS = 3
THREADS_PER_CLIENT = 4
TRANSACTIONS_PER_THREAD = 40

# One client: threads that each read and then write in one transaction, as a service does
# (read the record, then save it); the pattern SQLite deadlocks on unless writers lock first.
CLIENT = f"""
import threading
import django

django.setup()
from django.db import OperationalError, connection, transaction

failures = []


def work():
    for _ in range({TRANSACTIONS_PER_THREAD}):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM hammer")
                (count,) = cursor.fetchone()
                cursor.execute("INSERT INTO hammer (seen) VALUES (%s)", [count])
        except OperationalError as error:
            failures.append(str(error))
    connection.close()


threads = [threading.Thread(target=work) for _ in range({THREADS_PER_CLIENT})]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(len(failures), failures[:1])
"""


def _client(database: Path) -> subprocess.Popen[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "offramp.config.settings.local",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    return subprocess.Popen(
        [sys.executable, "-c", CLIENT], env=env, stdout=subprocess.PIPE, text=True
    )


def test_concurrent_clients_of_the_local_sqlite_database_are_never_refused_a_lock(tmp_path):
    database = tmp_path / "offramp.sqlite3"
    with sqlite3.connect(database) as setup:
        setup.execute("CREATE TABLE hammer (id INTEGER PRIMARY KEY, seen INTEGER)")
    clients = [_client(database) for _ in range(CLIENTS)]
    reports = [client.communicate(timeout=300)[0].strip() for client in clients]
    assert all(client.returncode == 0 for client in clients), reports
    assert reports == ["0 []"] * CLIENTS
    with sqlite3.connect(database) as check:
        (rows,) = check.execute("SELECT count(*) FROM hammer").fetchone()
        (mode,) = check.execute("PRAGMA journal_mode").fetchone()
    assert rows == CLIENTS * THREADS_PER_CLIENT * TRANSACTIONS_PER_THREAD
    assert mode == "wal"
