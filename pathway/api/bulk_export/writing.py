"""The work of an export, as the worker does it (pathway.api.tasks.run_bulk_export).

Rows are read with one streaming query per type (`.iterator()`), and written a chunk at a
time: CHUNK resources are built with the kind's resource(), stored as one part of an NDJSON
file, and audited as exported in one insert, all in one transaction. Memory holds one chunk
whatever the size of the export, and every line stored has its audit event.

A run claims the job (the next attempt) and checks at every chunk that the job is still its
own: a cancelled job (deleted) or one another run took over stops it. A run whose worker died
is taken over after STALLED without a chunk (pathway.api.bulk_export.upkeep), starting again.
"""

import datetime
import itertools
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from pathway.api.acting import client_actor
from pathway.api.catalogue import KINDS_BY_TYPE
from pathway.api.models import BulkExport, BulkExportFile, BulkExportPart
from pathway.audit.actions import record_events
from pathway.audit.context import AuditContext, Channel
from pathway.audit.models import AuditAction

logger = logging.getLogger(__name__)

# Resources built, stored and audited together. A chunk takes well under a second, so a running
# job silent for STALLED has lost its worker.
CHUNK = 500
STALLED = datetime.timedelta(minutes=10)
FAILED_MESSAGE = "The export stopped with an error on the server. Start a new export."


def retention():
    return datetime.timedelta(hours=settings.BULK_EXPORT_RETENTION_HOURS)


def run_export(export_id):
    """Write the export's files, unless it is done, gone or another run has it. Returns the
    state it left the job in, or None when there was nothing for this run to do."""
    export = _claim(export_id)
    if export is None:
        return None
    try:
        written = _write(export)
    except Exception as error:
        # The class only: a message could quote a record's values, and logs hold no patient data.
        logger.error("bulk export %s failed: %s", export_id, type(error).__name__)
        return _fail(export)
    if not written:
        return None  # cancelled, or taken over by another run
    return _complete(export)


def _claim(export_id):
    now = timezone.now()
    with transaction.atomic():
        export = (
            BulkExport.objects.select_for_update(of=("self",))
            .select_related("client")
            .filter(pk=export_id)
            .filter(Q(state=BulkExport.State.QUEUED) | stalled(now))
            .first()
        )
        if export is None:
            return None
        # What an earlier run that died had written: this run writes it all again.
        BulkExportFile.objects.filter(export=export).delete()
        export.state = BulkExport.State.RUNNING
        export.attempt += 1
        export.transaction_time = export.heartbeat_at = now
        export.progress = "Started"
        export.save(
            update_fields=["state", "attempt", "transaction_time", "heartbeat_at", "progress"]
        )
    return export


def stalled(now):
    """A running job whose worker has written nothing for STALLED: it died."""
    return Q(state=BulkExport.State.RUNNING, heartbeat_at__lt=now - STALLED)


def _write(export):
    """Every requested type's files; False if the job stopped being this run's on the way."""
    scope = export.client.organisation_scope()
    by = client_actor(export.client)
    # The export is the client's request, carried out later: its events name the request's
    # channel, address and user agent.
    context = AuditContext(
        channel=Channel.API, ip_address=export.ip_address, user_agent=export.user_agent
    )
    types, written = export.type_list, 0
    for position, type_name in enumerate(types, start=1):
        kind = KINDS_BY_TYPE[type_name]
        file = None
        for number, rows in _chunks(_changed_rows(kind, scope, export)):
            resources = [
                resource for source, row in rows for resource in source.resources_of_row(row)
            ]
            lines = "".join(resource.model_dump_json() + "\n" for resource in resources)
            with transaction.atomic():
                progress = f"{type_name} ({position} of {len(types)}): {written} resources written"
                if not _still_ours(export, progress):
                    return False
                if file is None or file.number != number:
                    file = BulkExportFile.objects.create(
                        export=export, resource_type=type_name, number=number
                    )
                BulkExportPart.objects.create(file=file, ndjson=lines)
                BulkExportFile.objects.filter(pk=file.pk).update(count=F("count") + len(resources))
                record_events(
                    by=by,
                    context=context,
                    actions=[
                        (AuditAction.EXPORT, row, source.patient(row)) for source, row in rows
                    ],
                )
            written += len(resources)
    return True


def _changed_rows(kind, scope, export):
    """(source, row) of each row of `kind`'s sources the client's organisation sees, as they
    were at the transaction time: changed after _since (if given) and not after the transaction
    time, so that exports each asking _since the last one's transactionTime miss nothing and
    repeat nothing."""
    for source in kind.sources:
        field = source.changed_field
        rows = source.rows(scope).filter(**{f"{field}__lte": export.transaction_time})
        if export.since is not None:
            rows = rows.filter(**{f"{field}__gt": export.since})
        yield from ((source, row) for row in rows.order_by("pk").iterator(chunk_size=CHUNK))


def _chunks(rows):
    """(file number, list of rows) for each chunk: at most CHUNK rows, never across the
    boundary of a file of BULK_EXPORT_FILE_LINES."""
    lines = settings.BULK_EXPORT_FILE_LINES

    def place(numbered):
        index = numbered[0]
        return index // lines, index % lines // CHUNK

    for (file_index, _), numbered in itertools.groupby(enumerate(rows), key=place):
        yield file_index + 1, [row for _, row in numbered]


def _still_ours(export, progress):
    # The update locks the job's row until the chunk commits: a cancellation (a delete) waits
    # for it, then finds the chunk to delete; this run finds the job gone at its next chunk.
    return bool(_this_run(export).update(progress=progress[:100], heartbeat_at=timezone.now()))


def _this_run(export):
    return BulkExport.objects.filter(
        pk=export.pk, attempt=export.attempt, state=BulkExport.State.RUNNING
    )


def _complete(export):
    now = timezone.now()
    done = _this_run(export).update(
        state=BulkExport.State.COMPLETE,
        progress="",
        finished_at=now,
        expires_at=now + retention(),
    )
    return BulkExport.State.COMPLETE if done else None


def _fail(export):
    now = timezone.now()
    with transaction.atomic():
        failed = _this_run(export).update(
            state=BulkExport.State.FAILED,
            progress="",
            error=FAILED_MESSAGE,
            finished_at=now,
            expires_at=now + retention(),
        )
        if failed:
            # Part of an export is no use to anyone: its files go now.
            BulkExportFile.objects.filter(export_id=export.pk).delete()
    return BulkExport.State.FAILED if failed else None
