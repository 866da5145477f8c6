"""The backup in docs/operations.md restores: pg_dump -Fc of a database holding the demo data,
pg_restore into a new database, and every table, sequence and trigger comes back the same
(issue 8, part 9).

Uses the PostgreSQL client programs (/usr/bin/pg_dump, pg_restore, createdb, dropdb; version
15, as the server) against the test database, so it runs only with DATABASE_URL on PostgreSQL.
"""

import shutil
import subprocess
import uuid
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from psycopg import sql

from tests.services import subprocess_environment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# Tables whose whole content is compared row by row, not only counted: the clinical record and
# the audit trail, the two things a restore must never change.
CHECKSUMMED = (
    "patients_patient",
    "referrals_referral",
    "care_episode",
    "care_episodetransition",
    "proms_questionnaireresponse",
    "audit_auditevent",
)


def _client_environment(settings_dict):
    """libpq's variables for the client programs: the password never appears in `ps`."""
    values = {
        "PGHOST": settings_dict.get("HOST") or "127.0.0.1",
        "PGPORT": str(settings_dict.get("PORT") or 5432),
        "PGUSER": settings_dict.get("USER") or "",
        "PGPASSWORD": settings_dict.get("PASSWORD") or "",
    }
    return subprocess_environment(**{key: value for key, value in values.items() if value})


def _run(program, *args, env):
    executable = shutil.which(program, path="/usr/bin:/usr/lib/postgresql/15/bin") or program
    result = subprocess.run(
        [executable, *args], env=env, capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode == 0, f"{program} failed: {result.stderr}"
    return result


def _snapshot(db):
    """Row counts of every table, sequence positions, triggers and checksums of key tables,
    as `db`'s transaction sees them."""
    tables = [
        name
        for (name,) in db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    ]
    counts = {
        table: db.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        ).fetchone()[0]
        for table in tables
    }
    checksums = {
        table: db.execute(
            sql.SQL(
                "SELECT md5(string_agg(t::text, '|' ORDER BY t.id)), "
                "md5(string_agg(t.id::text, ',' ORDER BY t.id)) FROM {} AS t"
            ).format(sql.Identifier(table))
        ).fetchone()
        for table in CHECKSUMMED
    }
    # Sequences are not transactional, so their positions are compared with the ids they
    # must stay ahead of, not with each other: a restored sequence behind its table's largest
    # id would hand out an id twice.
    sequences = {}
    for name, table, column in db.execute(
        "SELECT s.relname, t.relname, a.attname FROM pg_class s "
        "JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i') "
        "JOIN pg_class t ON t.oid = d.refobjid "
        "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid "
        "WHERE s.relkind = 'S'"
    ).fetchall():
        (largest,) = db.execute(
            sql.SQL("SELECT max({}) FROM {}").format(sql.Identifier(column), sql.Identifier(table))
        ).fetchone()
        (position,) = db.execute(
            sql.SQL("SELECT last_value FROM {}").format(sql.Identifier(name))
        ).fetchone()
        sequences[name] = largest is None or position >= largest
    triggers = sorted(
        db.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal"
        ).fetchall()
    )
    return {
        "counts": counts,
        "checksums": checksums,
        "sequences": sequences,
        "triggers": triggers,
    }


def _conninfo(settings_dict, name):
    env = _client_environment(settings_dict)
    return psycopg.conninfo.make_conninfo(
        host=env["PGHOST"],
        port=env["PGPORT"],
        user=env.get("PGUSER"),
        password=env.get("PGPASSWORD"),
        dbname=name,
    )


def test_backup_with_pg_dump_restores_every_row_into_a_new_database(tmp_path):
    call_command("load_demo", stdout=StringIO())
    settings_dict = connection.settings_dict
    source = settings_dict["NAME"]
    restored = f"{source}_restore_{uuid.uuid4().hex[:8]}"
    env = _client_environment(settings_dict)
    dump = tmp_path / "pathway.dump"

    # Backups are taken while the service runs (the journeys' worker may still be sending
    # demo invitations now): the dump and the counts it is compared with read one snapshot.
    with psycopg.connect(_conninfo(settings_dict, source)) as live:
        live.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        (snapshot_id,) = live.execute("SELECT pg_export_snapshot()").fetchone()
        _run(
            "pg_dump",
            "--format=custom",
            f"--snapshot={snapshot_id}",
            f"--file={dump}",
            f"--dbname={source}",
            env=env,
        )
        before = _snapshot(live)
        live.rollback()
    _run("createdb", restored, env=env)
    try:
        _run(
            "pg_restore",
            "--exit-on-error",
            "--no-owner",
            f"--dbname={restored}",
            str(dump),
            env=env,
        )
        with psycopg.connect(_conninfo(settings_dict, restored), autocommit=True) as copy:
            after = _snapshot(copy)
    finally:
        _run("dropdb", "--if-exists", restored, env=env)

    # The demo data reached the dump: a restore of an empty database would prove nothing.
    assert before["counts"]["care_episode"] > 10
    assert before["counts"]["audit_auditevent"] > 0
    assert before["counts"]["proms_questionnaireresponse"] > 0
    assert after["counts"] == before["counts"]
    assert after["checksums"] == before["checksums"]
    assert after["sequences"].keys() == before["sequences"].keys()
    assert all(after["sequences"].values()), f"behind their ids: {after['sequences']}"
    assert after["triggers"] == before["triggers"]
