"""Sending one message, and sweeping the outbox for what is due.

The row is claimed (pending -> sending) by one atomic UPDATE before any provider is called, so
two workers, two beats or a task delivered twice can never both send it. Each claim carries a
new `claim_token`: the worker's lease on the row. A worker that dies while sending leaves the
row in `sending`; after MESSAGE_STUCK_MINUTES the sweep takes it back (pending, token cleared)
and it is tried again. A worker that was merely slow finds out: just before calling the
provider it re-checks its token in one atomic UPDATE (which also restarts the lease), and its
final state write only touches the row while the token is still its own.

A worker that dies after the provider accepted a message but before the row says `sent` leaves
a message whose outcome is unknown. What happens on the next try depends on the provider:
- GOV.UK Notify can be asked. Every try after the first looks the text up by our reference
  (the row's key) before sending; if Notify already has it, the row is recorded as sent and
  nothing is sent again. If Notify cannot be asked, the text waits (retried with backoff).
- SMTP cannot be asked, so email stays at-least-once: the email is sent again and may arrive
  twice. Only a row in `sending` when its worker died can be sent again, and each worker
  process sends one message at a time, so a crash duplicates at most one email per worker
  process (docs/operations.md). Rows merely queued were never handed to the server.
Two narrower windows remain, for both providers:
- a provider call that outlasts MESSAGE_STUCK_MINUTES (provider timeouts are 10 s, the lease
  minutes) can be overtaken by a resend; the slow worker logs that it may have sent twice;
- leases are compared with each worker's clock, so hosts must keep time (NTP).
Failures are retried with backoff through `due_at` (no countdown tasks), then marked failed,
which managers see; a failed email or text falls back to the person's other channel.
"""

import datetime
import logging
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from pathway.messaging import renderers
from pathway.messaging.actions import channels_for
from pathway.messaging.models import Channel, MessageState, OutboundMessage
from pathway.messaging.providers import DeliveryFailed, send_email, send_sms, sms_accepted_at

logger = logging.getLogger(__name__)


def claim(message_id):
    """Pending and due -> sending, for exactly one caller, with a new lease token.
    Returns the message (holding its token) or None."""
    now = timezone.now()
    token = uuid.uuid4()
    claimed = OutboundMessage.objects.filter(
        pk=message_id, state=MessageState.PENDING, due_at__lte=now
    ).update(
        state=MessageState.SENDING, claimed_at=now, claim_token=token, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    return (
        OutboundMessage.objects.select_related(
            "patient", "episode__service", *renderers.related_fields()
        )
        .filter(pk=message_id, claim_token=token)
        .first()
    )


def _holding(message):
    """This worker's claim on the row: still sending, under the token it claimed with."""
    return OutboundMessage.objects.filter(
        pk=message.pk, state=MessageState.SENDING, claim_token=message.claim_token
    )


def still_claimed(message):
    """Re-check the lease just before the provider is called, and restart it: one atomic
    UPDATE, so a sweep that takes the row back either happens before (and this worker does not
    send) or after (and the lease counts from now)."""
    now = timezone.now()
    renewed = _holding(message).update(claimed_at=now)
    message.claimed_at = now
    return renewed == 1


def reason_not_to_send(message):
    if message.patient.deceased:
        return "The person has died"
    return renderers.renderer_for(message.kind).reason_not_to_send(message)


def compose(message):
    """(subject, body): the service's name and a link, never clinical details or identifiers."""
    renderer = renderers.renderer_for(message.kind)
    service = message.episode.service
    context = {"service": service, "message": message, **renderer.context(message)}
    body = render_to_string(renderer.template, context).strip()
    return f"{service.name}: a message about your care", body


def deliver(message_id):
    """Send one message if it is still due and wanted. Safe to call any number of times."""
    message = claim(message_id)
    if message is None:
        return "not claimed"
    return send_claimed(message)


def send_claimed(message):
    """The rest of `deliver`, for a message this worker claimed (possibly a while ago)."""
    if message.channel == Channel.SMS and message.attempts > 1:
        # An earlier try may have reached Notify (its worker died mid-send, or the answer was
        # lost): ask before sending again. Asked first, so that the row says what happened even
        # if the person opted out since.
        try:
            accepted_at = sms_accepted_at(reference=message.key, since=message.created_at)
        except DeliveryFailed as failure:
            return _failed(message, str(failure))
        if accepted_at:
            _record_sent(message, sent_at=accepted_at)
            logger.info("message %s: Notify had it from an earlier try; not sent again", message.pk)
            return "already sent"
    reason = reason_not_to_send(message)
    if reason:
        _finish(message, MessageState.CANCELLED, reason)
        return "cancelled"
    with transaction.atomic():
        subject, body = compose(message)
    if not still_claimed(message):
        logger.warning("message %s: claim lapsed before sending; left to its new claim", message.pk)
        return "claim lost"
    try:
        if message.channel == Channel.EMAIL:
            send_email(to=message.patient.email, subject=subject, body=body)
        else:
            send_sms(to=message.patient.mobile, body=body, reference=message.key)
    except DeliveryFailed as failure:
        return _failed(message, str(failure))
    _record_sent(message)
    logger.info("message %s sent by %s", message.pk, message.channel)
    return "sent"


def _record_sent(message, sent_at=None):
    # The provider accepted it, so the row says sent if this claim still holds it, or if the
    # sweep took it back meanwhile but nobody has claimed it again (that would be a resend).
    recorded = OutboundMessage.objects.filter(
        Q(pk=message.pk)
        & (
            Q(state=MessageState.SENDING, claim_token=message.claim_token)
            | Q(state=MessageState.PENDING)
        )
    ).update(
        state=MessageState.SENT,
        last_error="",
        sent_at=sent_at or timezone.now(),
        claim_token=None,
    )
    if not recorded:
        logger.warning(
            "message %s was sent after its claim lapsed and was taken again: "
            "it may have been sent twice",
            message.pk,
        )


def _finish(message, state, error, **fields):
    # Only this claim's row: if the sweep put it back and another worker claimed it since,
    # the token differs and this (slow) worker's result is not written over the other's.
    return _holding(message).update(state=state, last_error=error[:300], claim_token=None, **fields)


def _failed(message, error):
    logger.warning("message %s not delivered (try %s): %s", message.pk, message.attempts, error)
    if message.attempts < settings.MESSAGE_MAX_ATTEMPTS:
        backoff = datetime.timedelta(minutes=2**message.attempts)
        _finish(message, MessageState.PENDING, error, due_at=timezone.now() + backoff)
        return "retrying"
    if _finish(message, MessageState.FAILED, error):
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
    """Messages left in `sending` by a worker that died go back to be sent. Clearing the token
    ends the old lease: a worker that was only slow can no longer send or write the row.
    Their next try asks Notify first (texts) or sends again (emails): see the module's doc."""
    cutoff = (now or timezone.now()) - datetime.timedelta(minutes=settings.MESSAGE_STUCK_MINUTES)
    stuck = OutboundMessage.objects.filter(state=MessageState.SENDING, claimed_at__lt=cutoff)
    taken_back = {
        channel: stuck.filter(channel=channel).update(
            state=MessageState.PENDING, claim_token=None, queued_at=None
        )
        for channel in Channel.values
    }
    if any(taken_back.values()):
        logger.warning(
            "messages taken back from a worker that died or stalled while sending them: %s "
            "emails (sent again: each may arrive twice), %s texts (checked with Notify first)",
            taken_back[Channel.EMAIL],
            taken_back[Channel.SMS],
        )
    return sum(taken_back.values())


def due_message_ids(limit, now=None):
    """Due rows whose send task is not known to be on the queue, marked as queued now.

    `queued_at` is when the last task for the row was published. A row still pending
    MESSAGE_STUCK_MINUTES later lost its task (Redis restarted empty, a worker killed before
    acknowledging it) or waits behind a backlog: it is queued again, which is harmless because
    sending claims the row. Without that window the sweep would add every waiting row to the
    queue every minute under a backlog. Rows whose publishing failed, or taken back from a
    stuck worker, have no `queued_at` and are queued at the next sweep."""
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


def release(message_ids):
    """Rows whose task could not be published: the next sweep queues them at once."""
    return OutboundMessage.objects.filter(pk__in=message_ids).update(queued_at=None)
