"""Fixtures for tests that act as the application's least-privilege PostgreSQL role, what
query-count tests must allow for the audit trail's hash chain, and the bulk export tests'
data and clients (tests/bulk_exports.py)."""

import io
import secrets

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from psycopg import sql

from tests.bulk_exports import area_client, eager_tasks, export_region  # noqa: F401

# The audit trail's hash chain (issue 15) adds no query on PostgreSQL, whose trigger reads the
# chain's head inside the insert, and on SQLite one per audit insert, where the head is read in
# Python first: never one per row.
AUDIT_CHAIN_QUERIES = 0 if settings.USING_POSTGRES else 1


def owner_sql(statement, params=None):
    """Run SQL on Django's own connection: the test database's owner."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def app_role(transactional_db):
    """A fresh role with the application's grants; dropped afterwards (roles are cluster-wide,
    so the name is random: other test databases share the cluster)."""
    role = f"pathway_app_test_{secrets.token_hex(4)}"
    owner_sql(f'CREATE ROLE "{role}" NOLOGIN')
    call_command("grant_app_role", role, stdout=io.StringIO())
    yield role
    owner_sql(f'DROP OWNED BY "{role}"')
    owner_sql(f'DROP ROLE "{role}"')


@pytest.fixture
def as_app_role(app_role):
    """A separate connection to the test database acting as the application's role."""
    settings_dict = connection.settings_dict
    params = {
        "dbname": settings_dict["NAME"],
        "user": settings_dict["USER"],
        "password": settings_dict["PASSWORD"],
        "host": settings_dict["HOST"],
        "port": settings_dict["PORT"],
    }
    with psycopg.connect(
        autocommit=True, **{k: v for k, v in params.items() if v not in (None, "")}
    ) as app_connection:
        app_connection.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(app_role)))
        yield app_connection
