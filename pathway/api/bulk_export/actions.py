"""Starting and cancelling a client's bulk export."""

from django.db import transaction
from django.utils import timezone

from pathway.api.bulk_export.writing import retention
from pathway.api.models import BulkExport
from pathway.api.tasks import queue_bulk_export
from pathway.audit.actions import record_event
from pathway.audit.models import AuditAction


@transaction.atomic
def start_export(*, client, export_request, request_url, by, context):
    """A new export for `client` of what `export_request` (pathway.api.bulk_export.kick_off)
    asks, its task queued once this commits. The request itself is audited as an export by
    the client; each record is audited as it is written."""
    export = BulkExport.objects.create(
        client=client,
        types=",".join(export_request.types),
        since=export_request.since,
        request_url=request_url,
        # If it never runs, it goes as a finished one would.
        expires_at=timezone.now() + retention(),
        ip_address=context.ip_address,
        user_agent=context.user_agent,
    )
    record_event(by=by, context=context, action=AuditAction.EXPORT, obj=export)
    transaction.on_commit(lambda: queue_bulk_export(export.pk), robust=True)
    return export


def cancel_export(export):
    """Cancel a queued or running export, or delete a finished one's files: the job and its
    files go at once. A running task finds its job gone at its next chunk and stops."""
    BulkExport.objects.filter(pk=export.pk).delete()
