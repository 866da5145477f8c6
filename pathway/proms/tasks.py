from celery import shared_task

from pathway.proms import alerts


@shared_task(bind=True, max_retries=5)
def email_duty_clinician(self, alert_id):
    """Email the service's duty clinician about a new safety alert, once."""
    try:
        return alerts.email_duty_clinician(alert_id)
    except alerts.DeliveryFailed as failure:
        raise self.retry(exc=failure, countdown=60 * 2**self.request.retries) from failure
