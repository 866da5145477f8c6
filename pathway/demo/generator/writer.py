"""Writing generated rows fast: COPY on PostgreSQL, executemany on SQLite.

Rows arrive as dicts of column (attname) -> Python value, with explicit ids, and are buffered per
table; `flush` writes every buffer in foreign-key order. The generator sets every timestamp
itself (a referral made in 2017 was created in 2017), so rows do not go through bulk_create,
whose auto_now_add fields would stamp them all with today.
"""

import json
import queue
import threading

from django.db import connection, models, transaction

from pathway.accounts.models import User
from pathway.care.models import (
    Appointment,
    CPPPReferral,
    Episode,
    EpisodeTransition,
    OnwardReferral,
    TherapySession,
    TriageDecision,
)
from pathway.messaging.models import OutboundMessage
from pathway.organisations.models import CommissioningArea, GPPractice, ProviderService
from pathway.patients.models import Patient
from pathway.proms.models import PatientLink, PromTimepoint, QuestionnaireResponse, SafetyAlert
from pathway.referrals.models import Referral

# Parents before children, so that SQLite (immediate foreign keys in some builds) and readers
# of a half-loaded database both see consistent rows.
MODELS = (
    CommissioningArea,
    GPPractice,
    ProviderService,
    User,
    Patient,
    Referral,
    Episode,
    EpisodeTransition,
    Appointment,
    TriageDecision,
    TherapySession,
    CPPPReferral,
    OnwardReferral,
    PromTimepoint,
    PatientLink,
    OutboundMessage,
    QuestionnaireResponse,
    SafetyAlert,
)
# What a region's care is written into (the rest is its organisations and staff).
CARE_MODELS = MODELS[MODELS.index(Patient) :]


class _Table:
    def __init__(self, model):
        self.model = model
        self.name = model._meta.db_table
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.attnames = [f.attname for f in self.fields]
        self.json_indexes = [
            index for index, f in enumerate(self.fields) if isinstance(f, models.JSONField)
        ]
        self.rows = []
        self.written = 0


class RowWriter:
    """Buffers rows per model and writes them with the fastest path the database has.

    On PostgreSQL, outside a transaction, `flush` hands the chunk to a background thread with
    its own connection, which COPYs and commits it while the next chunk is generated: the
    database's work (parsing, indexes, constraint checks) overlaps Python's.
    """

    def __init__(self, *, background=None):
        self.tables = {model: _Table(model) for model in MODELS}
        self.postgres = connection.vendor == "postgresql"
        if background is None:
            background = self.postgres and not connection.in_atomic_block
        self._queue = None
        # Bulk-load session settings only for a real load (its own connection and
        # transactions); inside a caller's transaction, such as a test's, every check stays on.
        self.bulk = background
        if background:
            self._queue = queue.Queue(maxsize=2)
            self._error = None
            self._thread = threading.Thread(target=self._work, name="copy-writer", daemon=True)
            self._thread.start()

    def add(self, model, row):
        self.tables[model].rows.append(row)

    def next_ids(self):
        """The first free id of each table, so generated rows never collide with existing ones."""
        return {
            model: (model.objects.aggregate(top=models.Max("id"))["top"] or 0) + 1
            for model in MODELS
        }

    def flush(self):
        """Write (or hand over) everything buffered, as one transaction."""
        chunk = [(table, table.rows) for table in self.tables.values() if table.rows]
        for table, rows in chunk:
            table.written += len(rows)
            table.rows = []
        if self._queue is not None:
            self._raise_if_failed()
            self._queue.put(chunk)
        else:
            self._write(chunk)

    def finish(self):
        """Wait for the background writer; raise what it raised."""
        if self._queue is not None:
            self._queue.put(None)
            self._thread.join()
            self._queue = None
            self._raise_if_failed()

    def _raise_if_failed(self):
        if self._error is not None:
            raise self._error

    def _work(self):
        try:
            while (chunk := self._queue.get()) is not None:
                if self._error is None:
                    self._write(chunk)
        except Exception as error:  # handed to the main thread, which raises it
            self._error = error
            while self._queue.get() is not None:  # let the producer finish putting
                pass
        finally:
            connection.close()

    def _write(self, chunk):
        if self.bulk and not getattr(connection, "_generator_session", False):
            self._tune_session()
        with transaction.atomic():
            for table, rows in chunk:
                rows = self._complete(table, rows)
                (self._copy if self.postgres else self._insert)(table, rows)

    def counts(self):
        return {table.model: table.written for table in self.tables.values()}

    @staticmethod
    def _complete(table, rows):
        """Rows with every column: a column the generator does not know (a field added since)
        takes the field's default, or NULL."""
        missing = [f for f in table.fields if f.attname not in rows[0]]
        for field in missing:
            if not (field.has_default() or field.null):
                raise ValueError(f"The generator gives no value for {table.name}.{field.column}")
        for row in rows if missing else ():
            for field in missing:
                row[field.attname] = field.get_default() if field.has_default() else None
        return rows

    @staticmethod
    def _values(table, row):
        values = [row[attname] for attname in table.attnames]
        for index in table.json_indexes:
            if values[index] is not None:
                values[index] = json.dumps(values[index])
        return values

    def _copy(self, table, rows):
        # Every column is named and every row must give each one (a KeyError otherwise).
        columns = ", ".join(f'"{column}"' for column in table.columns)
        statement = f'COPY "{table.name}" ({columns}) FROM STDIN'
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(self._values(table, row))

    def _insert(self, table, rows):
        placeholders = ", ".join(["%s"] * len(table.columns))
        columns = ", ".join(f'"{c}"' for c in table.columns)
        prepared = [
            [field.get_db_prep_save(row[field.attname], connection) for field in table.fields]
            for row in rows
        ]
        with connection.cursor() as cursor:
            cursor.executemany(
                # Table and column names come from the models, never from input.
                f'INSERT INTO "{table.name}" ({columns}) VALUES ({placeholders})',  # noqa: S608  # nosec B608
                prepared,
            )

    @staticmethod
    def _tune_session():
        """Bulk-load settings for this connection (the writer thread's own).

        Foreign-key checks are row triggers that cost more than the COPY itself; a superuser
        (the bench database's owner) may switch them off for the session, because the ids
        written are consistent by construction. The generator's tests prove that: they write
        inside the test's transaction, where the checks stay on and Django checks every
        deferred constraint before rolling back. Elsewhere the checks stay on and the load is
        just slower.
        """
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if cursor.fetchone()[0]:
                cursor.execute("SET session_replication_role = replica")
        connection._generator_session = True

    def vacuum_analyze(self, models):
        """Fresh planner statistics (and the visibility map) for every table written, as
        autovacuum would give them some minutes later: straight after a bulk load the planner
        still believes the tables empty and picks plans that are slow at the large size."""
        if not self.postgres or connection.in_atomic_block:
            return  # SQLite plans without statistics; VACUUM cannot run inside a transaction
        with connection.cursor() as cursor:
            for model in models:
                # Table names come from the models, never from input.
                cursor.execute(f'VACUUM (ANALYZE) "{model._meta.db_table}"')

    def reset_sequences(self):
        """After rows with explicit ids, the next id PostgreSQL hands out must be above them."""
        if not self.postgres:
            return  # SQLite's AUTOINCREMENT follows the largest id inserted
        with connection.cursor() as cursor:
            for table in self.tables.values():
                # Table names come from the models, never from input.
                name = table.name
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "  # noqa: S608  # nosec B608
                    f'COALESCE((SELECT MAX(id) FROM "{name}"), 1))'
                )
