"""The services that deliver messages: Django's email framework, and GOV.UK Notify for SMS."""

import smtplib

from django.conf import settings
from django.core.mail import send_mail


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
    if not (settings.NOTIFY_API_KEY and settings.NOTIFY_SMS_TEMPLATE_ID):
        raise DeliveryFailed("No text message provider is configured")
    from notifications_python_client.errors import APIError
    from notifications_python_client.notifications import NotificationsAPIClient

    client = NotificationsAPIClient(
        settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL, timeout=10
    )
    try:
        client.send_sms_notification(
            phone_number=to,
            template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
            personalisation={"body": body},
            reference=reference,
        )
    except APIError as error:
        # The client reports network failures as an APIError without a response.
        if getattr(error, "response", None) is None:
            cause = type(error.__cause__).__name__ if error.__cause__ else "no response"
            raise DeliveryFailed(f"Notify could not be reached: {cause}") from error
        raise DeliveryFailed(
            f"Notify refused the text message (HTTP {error.status_code})"
        ) from error
