"""What the beat does for exports (pathway.api.tasks.sweep_bulk_exports): delete those past
their time, and find those whose task was lost, to queue again."""

from django.db.models import Q
from django.utils import timezone

from pathway.api.bulk_export.writing import STALLED, stalled
from pathway.api.models import BulkExport


def delete_expired_exports(now=None):
    """Delete every export past `expires_at` (BULK_EXPORT_RETENTION_HOURS after it finished,
    or after it was asked for if it never did), files and all. Returns how many."""
    expired = BulkExport.objects.filter(expires_at__lte=now or timezone.now())
    # The parts (the NDJSON) are deleted by their files' ids, never loaded.
    _total, by_model = expired.delete()
    return by_model.get(BulkExport._meta.label, 0)


def lost_export_ids(now=None):
    """Exports whose task never reached a worker (the broker was down), or whose worker died:
    queued, or running without a chunk, for STALLED. Queuing one twice is harmless: a run
    claims the job only if it is still queued or stalled."""
    now = now or timezone.now()
    lost = BulkExport.objects.filter(
        Q(state=BulkExport.State.QUEUED, created_at__lt=now - STALLED) | stalled(now)
    )
    return list(lost.values_list("pk", flat=True))
