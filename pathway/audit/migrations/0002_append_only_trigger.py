"""The audit trail is append-only: PostgreSQL refuses UPDATE and DELETE of its rows.

A row trigger stops everyone, the table's owner included, so even a migration or a console
session cannot rewrite history by accident. TRUNCATE is deliberately left alone: row triggers
do not fire for it, the application's role has no TRUNCATE right (`grant_app_role`), and the
test runner empties tables with it between tests. SQLite (local development) has no roles to
protect it with, so the trigger is PostgreSQL only.
"""

from django.db import migrations

TABLE = "audit_auditevent"

CREATE = f"""
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'The audit trail is append-only: % of audit event % refused', TG_OP, OLD.id
        USING HINT = 'Audit events can be added and read, never changed or deleted.';
END;
$$;
CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""

DROP = f"""
DROP TRIGGER IF EXISTS audit_event_append_only ON {TABLE};
DROP FUNCTION IF EXISTS audit_event_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            # params=None: the SQL holds literal % signs (RAISE formats), not placeholders.
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
