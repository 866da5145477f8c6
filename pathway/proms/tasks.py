from celery import shared_task
from django.db import transaction

from pathway.messaging.publishing import publish_each
from pathway.proms import alerts, schedule


@shared_task(bind=True, max_retries=5)
def email_duty_clinician(self, alert_id):
    """Email the service's duty clinician about a new safety alert, once."""
    try:
        return alerts.email_duty_clinician(alert_id)
    except alerts.DeliveryFailed as failure:
        raise self.retry(exc=failure, countdown=60 * 2**self.request.retries) from failure


@shared_task
def sweep_questionnaires():
    """The beat job of the questionnaires: open time points whose window has opened, record
    those whose window closed unanswered, and email the duty clinician about any alert whose
    email did not go. Running it twice at once is harmless: each step moves only rows still due,
    and each alert's email is claimed once."""
    opened = schedule.open_due_timepoints()
    closed = schedule.record_non_response()
    unemailed = alerts.unemailed_alert_ids()
    # Unsent alerts stay unsent in the database, so the next sweep retries them anyway.
    transaction.on_commit(lambda: publish_each(email_duty_clinician, unemailed))
    return {"opened": opened, "not_responded": closed, "alerts_to_email": len(unemailed)}
