"""On PostgreSQL, the access log refuses UPDATE, DELETE and TRUNCATE, whoever asks.

A trigger binds the table's owner too, unlike privileges. TRUNCATE is allowed to superusers
only, who could disable the trigger anyway: the test suite flushes its database between
browser tests as one. Production should also REVOKE UPDATE, DELETE, TRUNCATE from the
application's role and have migrations run by a different role (docs/adr/0005-audit-log.md).
"""

from collections.abc import Callable

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

CREATE = """
CREATE OR REPLACE FUNCTION offramp_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_entry_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION offramp_audit_append_only();
CREATE TRIGGER audit_entry_no_truncate
    BEFORE TRUNCATE ON audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION offramp_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;
DROP TRIGGER IF EXISTS audit_entry_no_update_or_delete ON audit_auditentry;
DROP FUNCTION IF EXISTS offramp_audit_append_only();
"""


def _on_postgresql(sql: str) -> Callable[[StateApps, BaseDatabaseSchemaEditor], None]:
    def run(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_access_log")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
