"""System checks for sending: a lease shorter than a provider call would resend messages, and
a kind of message with nothing to say could not be sent."""

from django.conf import settings
from django.core import checks

from pathway.messaging import renderers
from pathway.messaging.models import MessageKind

# GOV.UK Notify's client is given 10 s (providers.send_sms); email uses EMAIL_TIMEOUT.
NOTIFY_TIMEOUT_SECONDS = 10


@checks.register(checks.Tags.compatibility, deploy=True)
def check_sending_lease(app_configs=None, **kwargs):
    """MESSAGE_STUCK_MINUTES is a sending worker's lease: if a provider call can outlast it, the
    sweep hands the message to another worker while the first is still sending it."""
    lease = settings.MESSAGE_STUCK_MINUTES * 60
    longest_call = max(settings.EMAIL_TIMEOUT or 0, NOTIFY_TIMEOUT_SECONDS)
    if lease >= 6 * longest_call:
        return []
    return [
        checks.Warning(
            f"MESSAGE_STUCK_MINUTES ({settings.MESSAGE_STUCK_MINUTES}) is too short a lease for "
            f"provider calls of up to {longest_call} s: messages may be sent twice.",
            hint="Use at least one minute (the default is 10).",
            id="messaging.W001",
        )
    ]


@checks.register(checks.Tags.compatibility)
def check_every_kind_has_renderer(app_configs=None, **kwargs):
    return [
        checks.Error(
            f"Messages of kind {kind!r} have no renderer: they would fail at every send.",
            hint="Register one in the AppConfig.ready of the app that queues them.",
            id="messaging.E001",
        )
        for kind in renderers.kinds_without_renderer(MessageKind.values)
    ]
