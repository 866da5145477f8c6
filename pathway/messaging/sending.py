"""Sending one message exactly once, and sweeping the outbox for what is due.

The row is claimed (pending -> sending) by one atomic UPDATE before any provider is called, so
two workers, two beats or a task delivered twice can never both send it. A worker that dies
while sending leaves the row in `sending`; the sweep puts it back after MESSAGE_STUCK_MINUTES.
Failures are retried with backoff through `due_at` (no countdown tasks), then marked failed,
which managers see; a failed email or text falls back to the person's other channel.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from pathway.messaging.actions import channels_for
from pathway.messaging.models import Channel, MessageKind, MessageState, OutboundMessage
from pathway.messaging.providers import DeliveryFailed, send_email, send_sms
from pathway.proms.links import create_link, link_url, usable_timepoint

logger = logging.getLogger(__name__)

PROM_KINDS = {MessageKind.PROM_INVITATION, MessageKind.PROM_REMINDER}


def claim(message_id):
    """Pending and due -> sending, for exactly one caller. Returns the message or None."""
    now = timezone.now()
    claimed = OutboundMessage.objects.filter(
        pk=message_id, state=MessageState.PENDING, due_at__lte=now
    ).update(state=MessageState.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return None
    return OutboundMessage.objects.select_related(
        "patient", "episode__service", "prom_timepoint__episode__patient"
    ).get(pk=message_id)


def reason_not_to_send(message):
    patient = message.patient
    if patient.deceased:
        return "The person has died"
    if message.kind in PROM_KINDS:
        if patient.prom_opt_out_at:
            return "The person opted out"
        if not usable_timepoint(message.prom_timepoint):
            return "The questionnaires are no longer open"
    return None


def compose(message):
    """(subject, body): the service's name and a link, never clinical details or identifiers."""
    service = message.episode.service
    context = {"service": service, "message": message, "url": None}
    if message.kind in PROM_KINDS:
        token, _ = create_link(timepoint=message.prom_timepoint)
        context["url"] = link_url(token)
    body = render_to_string(f"messaging/{message.kind}.txt", context).strip()
    return f"{service.name}: a message about your care", body


def deliver(message_id):
    """Send one message if it is still due and wanted. Safe to call any number of times."""
    message = claim(message_id)
    if message is None:
        return "not claimed"
    reason = reason_not_to_send(message)
    if reason:
        _finish(message, MessageState.CANCELLED, reason)
        return "cancelled"
    with transaction.atomic():
        subject, body = compose(message)
    try:
        if message.channel == Channel.EMAIL:
            send_email(to=message.patient.email, subject=subject, body=body)
        else:
            send_sms(to=message.patient.mobile, body=body, reference=message.key)
    except DeliveryFailed as failure:
        return _failed(message, str(failure))
    _finish(message, MessageState.SENT, "", sent_at=timezone.now())
    logger.info("message %s sent by %s", message.pk, message.channel)
    return "sent"


def _finish(message, state, error, **fields):
    # Only this claim's row: if the sweep put it back and another worker claimed it since,
    # claimed_at differs and this (slow) worker's result is not written over the other's.
    OutboundMessage.objects.filter(
        pk=message.pk, state=MessageState.SENDING, claimed_at=message.claimed_at
    ).update(state=state, last_error=error[:300], **fields)


def _failed(message, error):
    logger.warning("message %s not delivered (try %s): %s", message.pk, message.attempts, error)
    if message.attempts < settings.MESSAGE_MAX_ATTEMPTS:
        backoff = datetime.timedelta(minutes=2**message.attempts)
        _finish(message, MessageState.PENDING, error, due_at=timezone.now() + backoff)
        return "retrying"
    _finish(message, MessageState.FAILED, error)
    _fall_back(message)
    return "failed"


def _fall_back(message):
    """Try the person's other consented channel once, with its own key."""
    other = [c for c in channels_for(message.patient) if c != message.channel]
    if not other or message.key.endswith(":fallback"):
        return None
    fallback, _ = OutboundMessage.objects.get_or_create(
        key=f"{message.key.rsplit(':', 1)[0]}:{other[0]}:fallback",
        defaults={
            "patient": message.patient,
            "episode": message.episode,
            "prom_timepoint": message.prom_timepoint,
            "kind": message.kind,
            "channel": other[0],
            "due_at": timezone.now(),
        },
    )
    return fallback


def requeue_stuck(now=None):
    """Messages left in `sending` by a worker that died go back to be sent."""
    cutoff = (now or timezone.now()) - datetime.timedelta(minutes=settings.MESSAGE_STUCK_MINUTES)
    return OutboundMessage.objects.filter(state=MessageState.SENDING, claimed_at__lt=cutoff).update(
        state=MessageState.PENDING
    )


def due_message_ids(limit, now=None):
    """Due rows not queued in the last few minutes, marked as queued now: under a backlog the
    sweep does not add the same row to the queue every minute."""
    now = now or timezone.now()
    recently = now - datetime.timedelta(minutes=settings.MESSAGE_STUCK_MINUTES)
    due = OutboundMessage.objects.filter(
        Q(state=MessageState.PENDING)
        & Q(due_at__lte=now)
        & (Q(queued_at__isnull=True) | Q(queued_at__lt=recently))
    )
    ids = list(due.order_by("due_at").values_list("pk", flat=True)[:limit])
    OutboundMessage.objects.filter(pk__in=ids).update(queued_at=now)
    return ids
