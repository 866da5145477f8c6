"""A small table of values computed in Python, joined to a queryset's rows in SQL.

The waiting list's cutoffs (pathway.reports.waiting_cutoffs) are worked out in Python, one per
service, priority and date; joining them as a `WITH name(columns) AS (VALUES ...)` table lets
the database count and order the whole list without any per-person work in Python. Plain
VALUES rows and Django's own parameter adaptation keep it working on PostgreSQL and SQLite.
"""

import datetime

from django.db import connection


def _adapt(value):
    # As Django adapts a field's value for a lookup: on SQLite dates and datetimes are text in
    # the stored format (UTC for datetimes); on PostgreSQL they pass through unchanged.
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def values_cte(name, columns, rows):
    """(`name(columns) AS (VALUES ...)` SQL, params) for a WITH clause; `rows` not empty."""
    assert rows, "a VALUES table needs at least one row"
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    sql = f"{name}({', '.join(columns)}) AS (VALUES {', '.join([placeholder] * len(rows))})"
    return sql, [_adapt(value) for row in rows for value in row]


def compiled(queryset):
    """(SQL, params) of a queryset, for use as a subquery in hand-written SQL."""
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def fetch(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
