"""Secondary indexes set aside during a bulk load and built again afterwards (PostgreSQL).

Keeping a table's indexes up to date row by row is most of what PostgreSQL does during the
large load, and it grows slower as the indexes outgrow memory (random keys such as UUIDs
touch a different page per row). Building an index once over the loaded table is a sort,
much cheaper: the usual way to bulk-load PostgreSQL. Primary keys stay (the ids are checked
as they arrive); every other index and unique constraint of the loaded tables is dropped
first and recreated from its own definition, with the same name, so the schema afterwards is
exactly what the migrations made. Recreating a unique constraint checks the generated data
against it.
"""

import contextlib
import time

from django.db import connection

# Indexes and unique (or exclusion) constraints of the given tables, except primary keys:
# (table, name, constraint definition or None, index definition).
_SECONDARY = """
SELECT t.relname, i.relname, pg_get_constraintdef(con.oid), pg_get_indexdef(i.oid)
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
LEFT JOIN pg_constraint con ON con.conindid = x.indexrelid AND con.conrelid = x.indrelid
    AND con.contype IN ('u', 'x')
WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace
    AND NOT x.indisprimary
ORDER BY t.relname, i.relname
"""


def _quoted(name):
    return '"' + name.replace('"', '""') + '"'


def set_aside(tables):
    """Drop the secondary indexes of `tables`; return what `rebuild` needs to make them again."""
    with connection.cursor() as cursor:
        cursor.execute(_SECONDARY, [list(tables)])
        found = cursor.fetchall()
        for table, name, constraint, _ in found:
            if constraint is not None:
                cursor.execute(f"ALTER TABLE {_quoted(table)} DROP CONSTRAINT {_quoted(name)}")
            else:
                cursor.execute(f"DROP INDEX {_quoted(name)}")
    return found


def rebuild(found, report=None):
    """Create again every index `set_aside` dropped, from its saved definition."""
    started = time.monotonic()
    with connection.cursor() as cursor:
        # A larger sort area for the builds: this session only.
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for table, name, constraint, index in found:
            if constraint is not None:
                cursor.execute(
                    f"ALTER TABLE {_quoted(table)} ADD CONSTRAINT {_quoted(name)} {constraint}"
                )
            else:
                cursor.execute(index)
        cursor.execute("RESET maintenance_work_mem")
    if report:
        report(f"Rebuilt {len(found)} indexes in {time.monotonic() - started:.0f} s")


@contextlib.contextmanager
def indexes_set_aside(tables, *, enabled, report=None):
    """Within the block, `tables` have no secondary indexes (when `enabled`); afterwards they
    have them all again, whether or not the block raised."""
    if not enabled:
        yield
        return
    found = set_aside(tables)
    try:
        yield
    finally:
        rebuild(found, report)
