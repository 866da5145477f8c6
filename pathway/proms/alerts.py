"""The same-day email to the duty clinician. It says only that an alert is waiting, and where."""

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from pathway.messaging.providers import DeliveryFailed, send_email
from pathway.proms.models import SafetyAlert

__all__ = ["DeliveryFailed", "email_duty_clinician", "unemailed_alert_ids"]


def email_duty_clinician(alert_id):
    # Claimed first, so two runs of the task send one email; released again if sending fails.
    claimed = SafetyAlert.objects.filter(pk=alert_id, duty_emailed_at__isnull=True).update(
        duty_emailed_at=timezone.now()
    )
    if not claimed:
        return "already emailed"
    alert = SafetyAlert.objects.select_related("episode__service").get(pk=alert_id)
    address = alert.episode.service.duty_clinician_email
    if not address:
        return "no duty address"
    url = f"{settings.SITE_URL.rstrip('/')}{reverse('safety_alerts:list')}"
    try:
        send_email(
            to=address,
            subject="Safety alert: a questionnaire answer needs a clinician today",
            body=f"A patient's questionnaire answer (PHQ-9 question 9) needs a clinician to "
            f"contact them today. Open the safety alerts list to see who and to acknowledge "
            f"it:\n\n{url}\n",
        )
    except DeliveryFailed:
        SafetyAlert.objects.filter(pk=alert_id).update(duty_emailed_at=None)
        raise
    return "emailed"


def unemailed_alert_ids(older_than_minutes=5):
    cutoff = timezone.now() - timezone.timedelta(minutes=older_than_minutes)
    return list(
        SafetyAlert.objects.filter(
            Q(duty_emailed_at__isnull=True) & Q(raised_at__lt=cutoff)
        ).values_list("pk", flat=True)
    )
