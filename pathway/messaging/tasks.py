"""Celery tasks: thin, keyed by primary key, safe to run twice (pathway.messaging.sending)."""

import logging

from celery import shared_task
from django.db import transaction

from pathway.messaging import sending
from pathway.messaging.publishing import publish_each

SWEEP_BATCH = 5000
# Messages per queued send task. One broker round trip per message would cap the sweep at a
# few hundred a second; a chunk keeps it in the thousands, and each message in a chunk is still
# claimed on its own, so a chunk delivered twice sends nothing twice.
SEND_CHUNK = 50

logger = logging.getLogger(__name__)


@shared_task
def send_messages(message_ids):
    """Deliver each message in turn. One message's unexpected error does not stop the rest:
    that row stays pending and the sweep queues it again after MESSAGE_STUCK_MINUTES."""
    for message_id in message_ids:
        try:
            sending.deliver(message_id)
        except Exception:  # logged by id only; the row is retried
            logger.exception("sending message %s failed; the sweep will retry it", message_id)


@shared_task
def sweep_outbox(limit=SWEEP_BATCH):
    """The beat job: recover stuck sends and queue every due message. Running it twice at once
    is harmless: sending claims each row once."""
    sending.requeue_stuck()
    ids = sending.due_message_ids(limit)
    transaction.on_commit(lambda: _queue_sends(ids))
    return len(ids)


def _queue_sends(ids):
    # The rows were marked queued; those whose task never reached the broker are unmarked, so
    # the next sweep queues them at once instead of after MESSAGE_STUCK_MINUTES.
    chunks = [ids[start : start + SEND_CHUNK] for start in range(0, len(ids), SEND_CHUNK)]
    unpublished = publish_each(send_messages, chunks)
    if unpublished:
        sending.release([message_id for chunk in unpublished for message_id in chunk])
