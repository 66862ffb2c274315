"""Fresh planner statistics after bulk writes.

PostgreSQL plans a query from statistics that autovacuum refreshes only some time after a bulk
write. Straight after an import or a linking run they still describe the tables as they were
(every partner record unlinked), and the next bulk read (screening's frames) is planned as if
it would find a handful of rows: nested loops over tens of thousands, minutes instead of
seconds. ANALYZE is cheap, allowed inside a transaction, and a no-op question on SQLite.
"""

from django.db import connection
from django.db.models import Model


def refresh_statistics(*models: type[Model]) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')
