"""The audit trail becomes hash chains (`pathway/audit/chain.py`).

1. Every event already written is hashed into chain 0, in sequence-number order, so an
   existing deployment verifies from its first event. On PostgreSQL the table is locked
   against inserts first (a web process of the previous release may still be writing), and the
   append-only trigger is switched off for this transaction only: these are the only UPDATEs
   the trail will ever see, and they add hashes, changing nothing an event says.
2. A unique (chain, position): two writers that read the same head fail, never fork.
3. On PostgreSQL, a BEFORE INSERT trigger places every new row in a chain. The hash it
   computes must be byte for byte `chain.event_hash`; tests/integration/test_audit_chain.py
   checks they agree. Both are frozen: a new format needs a new version, not an edit.

The backfill imports `chain.event_hash` rather than copying it, because it is frozen anyway
and two copies could drift.
"""

from django.db import migrations, models

from pathway.audit.chain import GENESIS, event_hash

TABLE = "audit_auditevent"
BATCH = 1000

# The table is named literally: SQL is never built from values here.
CREATE_TRIGGER = """
CREATE OR REPLACE FUNCTION audit_chain_field(value text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce(length(value)::text || ':' || value, '-') $$;

-- chain.event_hash in SQL. format('%s', inet) is the address as it is read back (no /32),
-- but '' for NULL, hence the CASE.
CREATE OR REPLACE FUNCTION audit_event_hash(previous_hash text, e audit_auditevent) RETURNS text
LANGUAGE sql STABLE AS $$
SELECT encode(sha256(convert_to(
    'v1|' || previous_hash || '|' || concat_ws(',',
        audit_chain_field(to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')),
        audit_chain_field(e.user_id::text),
        audit_chain_field(e.role),
        audit_chain_field(e.organisation),
        audit_chain_field(e.patient_id::text),
        audit_chain_field(e.action),
        audit_chain_field(e.object_type),
        audit_chain_field(e.object_id),
        audit_chain_field(CASE WHEN e.ip_address IS NOT NULL THEN format('%s', e.ip_address) END)
    ), 'UTF8')), 'hex')
$$;

-- One chain per transaction, held by an advisory lock until it ends: the chain's head read
-- here is then the newest (READ COMMITTED takes a fresh snapshot after the lock is granted),
-- and nobody else appends to it meanwhile. A busy chain is skipped for a free one, so
-- concurrent writers queue only when all 16 are held.
CREATE OR REPLACE FUNCTION audit_event_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    chains CONSTANT integer := 16;  -- chain.CHAINS
    lock_space CONSTANT integer := 1096107092;  -- 'AUDT': keeps clear of other advisory locks
    held text := current_setting('pathway.audit_chain', true);
    first integer := pg_backend_pid() % chains;
    claimed integer;
    head record;
BEGIN
    -- The chain this transaction took for an earlier event (the lock is re-entrant).
    IF held ~ '^[0-9]{1,4}$' THEN
        IF held::integer < chains AND pg_try_advisory_xact_lock(lock_space, held::integer) THEN
            claimed := held::integer;
        END IF;
    END IF;
    IF claimed IS NULL THEN
        FOR step IN 0 .. chains - 1 LOOP
            IF pg_try_advisory_xact_lock(lock_space, (first + step) % chains) THEN
                claimed := (first + step) % chains;
                EXIT;
            END IF;
        END LOOP;
        IF claimed IS NULL THEN
            PERFORM pg_advisory_xact_lock(lock_space, first);
            claimed := first;
        END IF;
        PERFORM set_config('pathway.audit_chain', claimed::text, true);
    END IF;
    SELECT e.position, e.hash INTO head
        FROM audit_auditevent e WHERE e.chain = claimed ORDER BY e.position DESC LIMIT 1;
    NEW.chain := claimed;
    NEW.position := coalesce(head.position, 0) + 1;
    NEW.previous_hash := coalesce(head.hash, repeat('0', 64));
    NEW.hash := audit_event_hash(NEW.previous_hash, NEW);
    RETURN NEW;
END;
$$;

CREATE TRIGGER audit_event_chain
    BEFORE INSERT ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_chain();
"""

DROP_TRIGGER = f"""
DROP TRIGGER IF EXISTS audit_event_chain ON {TABLE};
DROP FUNCTION IF EXISTS audit_event_chain();
DROP FUNCTION IF EXISTS audit_event_hash(text, {TABLE});
DROP FUNCTION IF EXISTS audit_chain_field(text);
"""


def hash_existing_events(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    on_postgresql = schema_editor.connection.vendor == "postgresql"
    if on_postgresql:
        # SHARE ROW EXCLUSIVE: inserts wait for this migration, then meet the new trigger.
        schema_editor.execute(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE")
        schema_editor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_event_append_only")
    position, previous, last_id = 0, GENESIS, 0
    while batch := list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:BATCH]):
        for event in batch:
            position += 1
            event.chain, event.position, event.previous_hash = 0, position, previous
            event.hash = previous = event_hash(previous, event)
        AuditEvent.objects.bulk_update(batch, ["chain", "position", "previous_hash", "hash"])
        last_id = batch[-1].id
    if on_postgresql:
        schema_editor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER audit_event_append_only")


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # params=None: the SQL holds literal % signs (format), not placeholders.
        schema_editor.execute(CREATE_TRIGGER, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_hash_chain_fields")]

    operations = [
        # Backwards, the hashes stay: harmless, and the append-only trigger forbids removing them.
        migrations.RunPython(hash_existing_events, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                fields=("chain", "position"), name="audit_chain_position"
            ),
        ),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
