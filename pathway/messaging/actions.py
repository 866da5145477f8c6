"""Putting messages for patients in the outbox. Sending them is the messaging tasks' job."""

from django.db import transaction
from django.utils import timezone

from pathway.messaging.models import Channel, MessageKind, OutboundMessage


def channels_for(patient):
    """The channels a person agreed to be contacted on, their preferred one first."""
    if not patient.consents_to_contact or patient.deceased:
        return []
    channels = []
    if patient.email:
        channels.append(Channel.EMAIL)
    if patient.mobile:
        channels.append(Channel.SMS)
    return sorted(channels, key=lambda channel: channel != patient.preferred_channel)


def queue_appointment_notice(*, appointment):
    """Tell the person they have a new appointment, on their first consented channel.

    Without consent or contact details nothing is queued: the letter page is printed instead.
    """
    return _queue_now(
        key=f"appointment:{appointment.pk}:booked",
        episode=appointment.episode,
        kind=MessageKind.APPOINTMENT_BOOKED,
    )


def queue_referral_received(*, episode):
    """Tell a person who referred themselves that the service has their referral and what
    happens next, on their first consented channel; nothing clinical. Once per episode."""
    return _queue_now(
        key=f"episode:{episode.pk}:referral_received",
        episode=episode,
        kind=MessageKind.REFERRAL_RECEIVED,
    )


def _queue_now(*, key, episode, kind):
    """A message due now on the person's first consented channel, once for `key` (None if
    they gave no consent or no contact details)."""
    channels = channels_for(episode.patient)
    if not channels:
        return None
    message, _ = OutboundMessage.objects.get_or_create(
        key=key,
        defaults={
            "patient": episode.patient,
            "episode": episode,
            "kind": kind,
            "channel": channels[0],
            "due_at": timezone.now(),
        },
    )
    send_soon()
    return message


def send_soon():
    """Sweep the outbox once this transaction commits, instead of waiting for the beat."""
    from pathway.messaging.publishing import publish
    from pathway.messaging.tasks import sweep_outbox

    # If the broker is down the page still answers (publish logs and gives up quickly): the
    # message is already in the outbox and the beat's sweep sends it once Redis is back.
    # robust as well, so no other error of publishing can undo a saved page either.
    transaction.on_commit(lambda: publish(sweep_outbox), robust=True)
