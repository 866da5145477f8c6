"""The services that deliver messages: Django's email framework, and GOV.UK Notify for SMS."""

import datetime
import smtplib

from django.conf import settings
from django.core.mail import send_mail

# Notify accepts a request only if its token was issued within 30 seconds of Notify's clock, so
# Notify's times and ours agree to about that; a minute's allowance covers it.
NOTIFY_CLOCK_ALLOWANCE = datetime.timedelta(minutes=1)
# Notify's word for a text it accepted but never passed to a phone network: send it again.
NOTIFY_NOT_SENT = "technical-failure"


class DeliveryFailed(Exception):
    """The provider did not accept the message; the text is safe to store (no patient data)."""


def send_email(*, to, subject, body):
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)
    except (smtplib.SMTPException, OSError) as error:
        # The reply code only: the server's reply text can contain the address.
        code = getattr(error, "smtp_code", None)
        detail = f" (SMTP {code})" if code else ""
        raise DeliveryFailed(f"Email not accepted: {type(error).__name__}{detail}") from error


def send_sms(*, to, body, reference):
    """Through GOV.UK Notify's official client: a template whose only field is ((body))."""
    from notifications_python_client.errors import APIError

    client = _notify_client()
    try:
        client.send_sms_notification(
            phone_number=to,
            template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
            personalisation={"body": body},
            reference=reference,
        )
    except APIError as error:
        raise _notify_failure(error, "Notify refused the text message") from error


def sms_accepted_at(*, reference, since):
    """When Notify accepted a text message sent with our `reference` at or after `since`, or
    None if it holds none.

    Asked before sending again a text whose earlier try may have reached Notify (its worker died
    mid-send, or the call ended without an answer). Notify keeps what it accepted for 7 days
    and finds it by the reference we gave (GET /v2/notifications?reference=...). Texts from
    before `since`, the message's creation, belong to another message: references are row
    keys, which a database restored from backup hands out again. Raises DeliveryFailed when
    Notify cannot be asked, so a text whose fate is unknown is not sent again meanwhile.
    """
    from notifications_python_client.errors import APIError

    client = _notify_client()
    try:
        # One page (Notify's newest 250) is enough: a reference names one message.
        page = client.get_all_notifications(template_type="sms", reference=reference)
    except APIError as error:
        raise _notify_failure(error, "Notify refused the look-up of an earlier try") from error
    earliest = since - NOTIFY_CLOCK_ALLOWANCE
    accepted = [
        datetime.datetime.fromisoformat(notification["created_at"])
        for notification in page.get("notifications", [])
        if notification.get("reference") == reference
        and notification.get("status") != NOTIFY_NOT_SENT
    ]
    accepted = [moment for moment in accepted if moment >= earliest]
    return min(accepted) if accepted else None


def _notify_client():
    if not (settings.NOTIFY_API_KEY and settings.NOTIFY_SMS_TEMPLATE_ID):
        raise DeliveryFailed("No text message provider is configured")
    from notifications_python_client.notifications import NotificationsAPIClient

    return NotificationsAPIClient(
        settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL, timeout=10
    )


def _notify_failure(error, refused):
    """A DeliveryFailed for the official client's APIError, without the request's content."""
    # The client reports network failures as an APIError without a response.
    if getattr(error, "response", None) is None:
        cause = type(error.__cause__).__name__ if error.__cause__ else "no response"
        return DeliveryFailed(f"Notify could not be reached: {cause}")
    return DeliveryFailed(f"{refused} (HTTP {error.status_code})")
