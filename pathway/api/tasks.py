"""Celery tasks of the API: thin, keyed by primary key, safe to run twice."""

import logging

from celery import shared_task

from pathway.api.bulk_export import upkeep, writing
from pathway.messaging.publishing import BROKER_ERRORS

logger = logging.getLogger(__name__)


@shared_task
def run_bulk_export(export_id):
    """Write a bulk export's files. A second delivery finds the job claimed (or done) and does
    nothing; a delivery after its worker died takes the stalled job over."""
    return writing.run_export(export_id)


@shared_task
def sweep_bulk_exports():
    """The beat job: delete exports past their retention time, and queue again those whose
    task was lost."""
    deleted = upkeep.delete_expired_exports()
    lost = upkeep.lost_export_ids()
    for export_id in lost:
        if not queue_bulk_export(export_id):
            break  # the broker is down: the next sweep tries again
    return {"deleted": deleted, "queued_again": len(lost)}


def queue_bulk_export(export_id):
    """Queue the export's task; False (logged) when the broker cannot be reached, and the
    sweep queues it again. Without a broker (local development) it runs here and now."""
    try:
        run_bulk_export.delay(export_id)
    except BROKER_ERRORS as error:
        logger.warning(
            "broker unavailable: bulk export %s not queued (%s); the sweep will queue it again",
            export_id,
            type(error).__name__,
        )
        return False
    return True
