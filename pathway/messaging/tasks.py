"""Celery tasks: thin, keyed by primary key, safe to run twice (pathway.messaging.sending)."""

from celery import shared_task
from django.db import transaction

from pathway.messaging import sending
from pathway.proms import alerts, schedule
from pathway.proms.tasks import email_duty_clinician

SWEEP_BATCH = 5000


@shared_task
def send_message(message_id):
    return sending.deliver(message_id)


@shared_task
def sweep_outbox(limit=SWEEP_BATCH):
    """The beat job: open due time points, record non-response, recover stuck sends, and queue
    every due message. Running it twice at once is harmless: sending claims each row once."""
    schedule.open_due_timepoints()
    schedule.record_non_response()
    sending.requeue_stuck()
    ids = sending.due_message_ids(limit)
    unemailed = alerts.unemailed_alert_ids()
    transaction.on_commit(lambda: [send_message.delay(message_id) for message_id in ids])
    transaction.on_commit(lambda: [email_duty_clinician.delay(pk) for pk in unemailed])
    return len(ids)
