"""The audit trail is tamper-evident: every event is a link in a hash chain, and
`manage.py verify_audit` finds the first broken link after a row is edited, deleted or
inserted by someone who got around the append-only rules (the table's owner, who can switch
the trigger off).

The chain is placed by a PostgreSQL trigger, so the tampering, app-role and concurrency tests
need PostgreSQL; the others also run on SQLite, where the chain is placed in Python.
"""

import datetime
import hashlib
import io
import threading
import zoneinfo
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import RequestFactory

from pathway.audit import chain
from pathway.audit.actions import record_event
from pathway.audit.context import AuditContext, Channel
from pathway.audit.models import AuditAction, AuditEvent
from pathway.audit.reads import record_views
from pathway.audit.tasks import log_audit_chain_heads
from tests.audit_context import TEST_CONTEXT
from tests.integration.conftest import owner_sql

# Stored as written, as NULL, and normalised (IPv6 in its short form): each must hash as stored.
IP_ADDRESSES = ["127.0.0.1", None, "2001:DB8:0:0::1", "::ffff:192.0.2.1", ""]


def _write_events(patient, user=None, count=5):
    """Events one by one, with and without a user and an address, then a list view's bulk
    insert: every way the service writes."""
    events = [
        record_event(
            by=user if number % 2 else None,
            context=AuditContext(
                channel=Channel.TEST, ip_address=IP_ADDRESSES[number % len(IP_ADDRESSES)] or None
            ),
            action=AuditAction.VIEW,
            obj=patient,
            patient=patient,
        )
        for number in range(count)
    ]
    request = RequestFactory().get("/ttp/")
    request.user = user or SimpleNamespace(is_authenticated=False)
    events += record_views(request=request, objects_and_patient_ids=[(patient, patient.pk)] * 3)
    return events


def _verify():
    """(exit status, stdout, stderr) of manage.py verify_audit."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    except CommandError as error:  # manage.py exits with its returncode
        return error.returncode, out.getvalue(), f"{err.getvalue()}{error}"
    return 0, out.getvalue(), err.getvalue()


def _switch_triggers_off():
    """As the owner: the append-only and chain triggers off, until the test's transaction
    rolls back. Deferred foreign-key checks are run first: ALTER TABLE refuses while any wait.
    SQLite has neither trigger: anyone with the file can do what follows."""
    if connection.vendor != "postgresql":
        return
    owner_sql("SET CONSTRAINTS ALL IMMEDIATE")
    owner_sql("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")


def _rows():
    return list(AuditEvent.objects.order_by("chain", "position"))


# --- An intact trail ---------------------------------------------------------------------


@pytest.mark.django_db
def test_every_event_written_is_a_link_after_the_one_before(patient, ttp):
    events = _write_events(patient, ttp)

    rows = _rows()
    assert [row.id for row in rows] == [event.id for event in events]
    assert {row.chain for row in rows} == {rows[0].chain}  # one transaction, one chain
    assert [row.position for row in rows] == list(range(1, len(rows) + 1))
    assert rows[0].previous_hash == chain.GENESIS
    for before, row in zip(rows, rows[1:], strict=False):
        assert row.previous_hash == before.hash
    # The database's hash (the trigger, on PostgreSQL) is the verifier's, byte for byte.
    assert all(row.hash == chain.event_hash(row.previous_hash, row) for row in rows)


@pytest.mark.django_db
def test_the_insert_returns_the_events_place_in_its_chain(patient, ttp):
    events = _write_events(patient, ttp)

    stored = {row.id: (row.chain, row.position, row.hash) for row in _rows()}
    assert {event.id: (event.chain, event.position, event.hash) for event in events} == stored


@pytest.mark.django_db
def test_verify_audit_summarises_an_intact_trail_and_prints_the_heads(patient, ttp):
    _write_events(patient, ttp)
    head = _rows()[-1]

    status, out, err = _verify()

    assert status == 0, err
    assert "Audit trail intact: 8 events in 1 chain(s)." in out
    assert f"head {head.chain}:{head.position}:{head.hash}" in out


@pytest.mark.django_db
def test_verify_audit_on_an_empty_trail_is_intact():
    status, out, _ = _verify()

    assert status == 0
    assert "Audit trail intact: 0 events in 0 chain(s)." in out


def test_the_hash_format_is_frozen():
    # Every deployed event was hashed this way: a change here breaks their verification. The
    # time is in UTC to the microsecond; each value is length-prefixed; NULL is "-".
    event = SimpleNamespace(
        at=datetime.datetime(2026, 6, 2, 4, 4, 5, 6, tzinfo=zoneinfo.ZoneInfo("Europe/London")),
        user_id=7,
        role="ttp",
        organisation="Tyneside MSK",
        patient_id=None,
        action="view",
        object_type="care.episode",
        object_id="12",
        ip_address="127.0.0.1",
    )

    content = (
        "26:2026-06-02T03:04:05.000006,1:7,3:ttp,12:Tyneside MSK,-,4:view,12:care.episode,"
        "2:12,9:127.0.0.1"
    )

    assert chain.event_hash(chain.GENESIS, event) == (
        hashlib.sha256(f"v1|{chain.GENESIS}|{content}".encode()).hexdigest()
    )


# --- Anchors: what the chain alone cannot see ----------------------------------------------


@pytest.mark.django_db
def test_the_daily_task_logs_each_chains_head(patient, caplog):
    _write_events(patient)
    head = _rows()[-1]

    with caplog.at_level("INFO", logger="pathway.audit.tasks"):
        heads = log_audit_chain_heads()

    assert heads == [f"{head.chain}:{head.position}:{head.hash}"]
    assert f"Audit chain heads: {heads[0]}" in caplog.text


@pytest.mark.django_db
def test_an_anchor_still_in_the_trail_verifies(patient):
    _write_events(patient)
    anchor = log_audit_chain_heads()[0]
    _write_events(patient)

    call_command("verify_audit", "--anchor", anchor, stdout=io.StringIO())


@pytest.mark.django_db
def test_a_tail_cut_off_is_found_by_its_anchor(patient):
    _write_events(patient)
    anchor = log_audit_chain_heads()[0]
    _switch_triggers_off()
    owner_sql("DELETE FROM audit_auditevent WHERE id = (SELECT max(id) FROM audit_auditevent)")
    assert _verify()[0] == 0  # what is left is a consistent chain

    with pytest.raises(CommandError, match="tampered with"):
        call_command("verify_audit", "--anchor", anchor, stderr=(err := io.StringIO()))
    assert "has no event at position 8: the trail was cut short" in err.getvalue()


# --- Tampering by the owner ----------------------------------------------------------------
# Each test runs in a transaction that is rolled back, so the triggers come back on. Those
# not marked postgres also run on SQLite, whose chain is placed in Python.


@pytest.fixture
def trail(db, patient, ttp):
    """Eight events in one chain, then the append-only and chain triggers switched off, as
    only the owner can."""
    _write_events(patient, ttp)
    _switch_triggers_off()
    return _rows()


def test_an_edited_event_is_the_broken_link(trail):
    edited = trail[3]
    owner_sql("UPDATE audit_auditevent SET action = 'export' WHERE id = %s", [edited.id])

    status, _, err = _verify()

    assert status == 1
    assert f"position 4, event #{edited.id}: its content does not match its hash" in err


@pytest.mark.postgres
def test_an_edited_and_rehashed_event_breaks_the_next_link(trail):
    edited, following = trail[3], trail[4]
    owner_sql("UPDATE audit_auditevent SET organisation = 'Elsewhere' WHERE id = %s", [edited.id])
    owner_sql(
        "UPDATE audit_auditevent e SET hash = audit_event_hash(e.previous_hash, e) WHERE id = %s",
        [edited.id],
    )

    status, _, err = _verify()

    assert status == 1
    assert f"event #{following.id}: it does not follow event #{edited.id}" in err
    assert "changed and re-hashed" in err


def test_a_deleted_event_is_missing_before_the_next(trail):
    deleted, following = trail[2], trail[3]
    owner_sql("DELETE FROM audit_auditevent WHERE id = %s", [deleted.id])

    status, _, err = _verify()

    assert status == 1
    assert f"event #{following.id}: positions 3 to 3 are missing" in err


def test_a_deleted_first_event_is_missing(trail):
    owner_sql("DELETE FROM audit_auditevent WHERE id = %s", [trail[0].id])

    status, _, err = _verify()

    assert status == 1
    assert f"event #{trail[1].id}: the events before it in its chain are missing" in err


@pytest.mark.postgres
def test_a_forged_event_inserted_into_history_is_found(trail, patient):
    # The careful forger: room made at position 3, a row that links to position 2 and hashes
    # correctly. The real event that was at position 3 no longer follows its predecessor.
    before, displaced = trail[1], trail[2]
    chain_number = before.chain
    # Two steps: one shift by 1 would collide with the unique (chain, position) mid-update.
    owner_sql(
        "UPDATE audit_auditevent SET position = position + 1000 WHERE chain = %s AND position > 2",
        [chain_number],
    )
    owner_sql(
        "UPDATE audit_auditevent SET position = position - 999 "
        "WHERE chain = %s AND position > 1000",
        [chain_number],
    )
    owner_sql(
        "INSERT INTO audit_auditevent (at, role, organisation, action, object_type, object_id, "
        "patient_id, chain, position, previous_hash, hash) VALUES (now() - interval '1 day', "
        "'ttp', 'Test service', 'view', 'patients.patient', %s, %s, %s, 3, %s, '')",
        [str(patient.pk), patient.pk, chain_number, before.hash],
    )
    owner_sql(
        "UPDATE audit_auditevent e SET hash = audit_event_hash(e.previous_hash, e) "
        "WHERE chain = %s AND position = 3",
        [chain_number],
    )

    status, _, err = _verify()

    assert status == 1
    assert (
        f"position 4, event #{displaced.id}: it claims to follow event #{before.id} "
        "(position 2)" in err
    )
    assert "the events at positions 3 to 3 were inserted" in err


def test_a_forged_event_written_around_the_chain_is_found(trail):
    # The hasty forger: a row added with the chain trigger off carries no valid hash.
    owner_sql(
        "INSERT INTO audit_auditevent (at, role, organisation, action, object_type, object_id) "
        "VALUES (CURRENT_TIMESTAMP, 'ttp', 'Test service', 'view', 'patients.patient', '1')"
    )

    status, _, err = _verify()

    assert status == 1
    assert "written around the chain" in err


def test_an_event_moved_to_a_chain_the_database_never_writes_is_found(trail):
    owner_sql("UPDATE audit_auditevent SET chain = 99 WHERE id = %s", [trail[-1].id])

    status, _, err = _verify()

    assert status == 1
    assert "the database never writes to chain 99" in err


# --- The application's role ----------------------------------------------------------------


@pytest.mark.postgres
def test_app_role_cannot_place_an_event_in_history(as_app_role, patient):
    # Whatever chain, position and hash an INSERT names, the trigger puts the row at the end
    # of a chain: the role can add events (as the service does), never place one in the past.
    record_event(
        by=None, context=TEST_CONTEXT, action=AuditAction.VIEW, obj=patient, patient=patient
    )
    first = AuditEvent.objects.get()
    as_app_role.execute(
        "INSERT INTO audit_auditevent (at, role, organisation, action, object_type, object_id, "
        "chain, position, previous_hash, hash) VALUES (now() - interval '1 year', 'ttp', "
        "'Test service', 'export', 'patients.patient', '1', %s, 1, %s, 'forged')",
        [first.chain, chain.GENESIS],
    )

    forged = AuditEvent.objects.exclude(pk=first.pk).get()
    assert forged.hash != "forged"
    # At the end of the chain its connection took (another connection, maybe another chain).
    expected_previous = first.hash if forged.chain == first.chain else chain.GENESIS
    assert forged.previous_hash == expected_previous
    assert AuditEvent.objects.get(pk=first.pk).hash == first.hash
    # Which is why an append is the one thing the chain cannot tell from the service's own.
    assert _verify()[0] == 0


@pytest.mark.postgres
def test_app_role_cannot_switch_the_chain_trigger_off(as_app_role):
    from psycopg import errors

    with pytest.raises(errors.InsufficientPrivilege, match="must be owner"):
        as_app_role.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_chain")


# --- Concurrent writers --------------------------------------------------------------------

WRITERS, ROUNDS = 8, 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_writers_at_once_leave_intact_chains(patient):
    """Eight threads, each its own connection, write transactions of four events (one alone,
    three in a bulk insert) at once, holding each transaction open a moment so they overlap."""
    start, failures = threading.Barrier(WRITERS), []

    def write(writer):
        try:
            start.wait()
            for round_ in range(ROUNDS):
                with transaction.atomic():
                    event = AuditEvent(
                        action=AuditAction.VIEW,
                        object_type="test.writer",
                        object_id=f"{writer}-{round_}",
                        patient_id=patient.pk,
                    )
                    event.save()
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_sleep(0.02)")
                    AuditEvent.objects.bulk_create(
                        AuditEvent(
                            action=AuditAction.VIEW,
                            object_type="test.writer",
                            object_id=f"{writer}-{round_}",
                            patient_id=patient.pk,
                        )
                        for _ in range(3)
                    )
        except Exception as error:  # reported below: a thread's exception is otherwise lost
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(number,)) for number in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    result = chain.verify()
    assert result.intact, result.broken
    assert result.events == WRITERS * ROUNDS * 4
    # Spread over several chains, not queued behind one...
    assert len(result.heads) > 1
    # ...and each transaction's four events are consecutive in one chain.
    for object_id in {f"{w}-{r}" for w in range(WRITERS) for r in range(ROUNDS)}:
        places = list(
            AuditEvent.objects.filter(object_id=object_id)
            .order_by("position")
            .values_list("chain", "position")
        )
        assert len({number for number, _ in places}) == 1, places
        positions = [position for _, position in places]
        assert positions == list(range(positions[0], positions[0] + 4)), places


# --- The migration -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_hashes_events_written_before_it():
    """A deployment's existing events become chain 0, in sequence-number order, and verify."""
    before = [("audit", "0002_append_only_trigger")]
    executor = MigrationExecutor(connection)
    latest = [key for key in executor.loader.graph.leaf_nodes() if key[0] == "audit"]
    executor.migrate(before)
    try:
        old_event = executor.loader.project_state(before).apps.get_model("audit", "AuditEvent")
        old_event.objects.bulk_create(
            old_event(action="view", object_type="test.old", object_id=str(number), role="gp")
            for number in range(5)
        )
        old_ids = sorted(old_event.objects.values_list("id", flat=True))
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)

    assert [(row.id, row.chain, row.position) for row in _rows()] == [
        (event_id, 0, position) for position, event_id in enumerate(old_ids, start=1)
    ]
    assert _verify()[0] == 0
