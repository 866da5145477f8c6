"""Least privilege for the application's PostgreSQL role.

Two roles: the owner runs migrations (the `release` step); the application's role, which the
web, worker and beat connect as, may read and change data but may only add to and read the
audit trail. The append-only trigger (migration 0002) stops everyone, owner included, from
UPDATE and DELETE of audit rows; these grants add TRUNCATE and keep the application's role
from dropping or disabling that trigger (only the owner can).
"""

import re

from django.db import connections, transaction

from pathway.audit.models import AuditEvent

# A plain PostgreSQL identifier: refusing anything else keeps the role name out of SQL
# injection territory without a quoting library.
ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
AUDIT_TABLE = AuditEvent._meta.db_table
FORBIDDEN_ON_AUDIT = ("UPDATE", "DELETE", "TRUNCATE")


class GrantRefused(Exception):
    """The grants could not be made safely; the message says why."""


def _statements(role, schema, quote):
    role, schema, audit = quote(role), quote(schema), quote(AUDIT_TABLE)
    return [
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        # Start from nothing, so a right granted by hand earlier does not linger.
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {audit} FROM {role}",
    ]


def grant_app_role(role, *, using="default"):
    """Grant `role` what the application needs on every table now in the schema.

    Run after every migrate (new tables need their grants). Raises GrantRefused when the
    role does not exist, is the connected (owning) user, or would still be able to change
    the audit trail through another role it belongs to.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise GrantRefused("Database roles need PostgreSQL; this database is not PostgreSQL")
    if not ROLE_NAME.match(role):
        raise GrantRefused(f"{role!r} is not a plain PostgreSQL role name")
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, current_schema(), "
            "(SELECT rolsuper FROM pg_roles WHERE rolname = %s)",
            [role],
        )
        current_user, schema, is_superuser = cursor.fetchone()
        if is_superuser is None:
            raise GrantRefused(f"There is no database role called {role}")
        if role == current_user:
            # Revoking from the owner would break the next migration, and protect nothing.
            raise GrantRefused(f"{role} is the role running this command (the owner)")
        if is_superuser:
            raise GrantRefused(f"{role} is a superuser: no grant can restrict it")
        statements = _statements(role, schema, connection.ops.quote_name)
        for statement in statements:
            cursor.execute(statement)
        cursor.execute(
            "SELECT privilege FROM unnest(%s::text[]) AS privilege "
            "WHERE has_table_privilege(%s, %s, privilege)",
            [list(FORBIDDEN_ON_AUDIT), role, f"{schema}.{AUDIT_TABLE}"],
        )
        still_allowed = [row[0] for row in cursor.fetchall()]
        if still_allowed:
            raise GrantRefused(
                f"{role} can still {', '.join(still_allowed)} the audit trail through another "
                "role it belongs to or PUBLIC; remove that membership or grant"
            )
    return statements
