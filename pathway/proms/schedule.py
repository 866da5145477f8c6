"""The questionnaire schedule of an episode, and the messages that invite to it.

Every time point and every message is a database row with its due date, created up front by
these actions, so nothing depends on a long countdown in a queue: the beat sweep sends what is
due (pathway.messaging.tasks). Unique keys make creating the same row twice impossible.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from pathway.audit.actions import record_audit_event
from pathway.audit.models import AuditAction
from pathway.messaging.actions import channels_for, send_soon
from pathway.messaging.models import MessageKind, MessageState, OutboundMessage
from pathway.proms.models import PromTimepoint, Timepoint, TimepointState

AFTER_DISCHARGE = {Timepoint.MONTH_6: 182, Timepoint.MONTH_12: 365}


def _days(days):
    return datetime.timedelta(days=days)


def schedule_timepoint(*, episode, timepoint, due_at, episode_is_new=False):
    """The time point (once) with its invitation and reminders on the person's channel.

    `episode_is_new` says the episode was created in this same transaction, so it can have no
    time point yet: a plain insert then does what get_or_create's look-up and savepoint would,
    and the unique key on (episode, time point) still refuses a second one.
    """
    now = timezone.now()
    values = {
        "due_at": due_at,
        "expires_at": due_at + _days(settings.PROM_LINK_EXPIRY_DAYS),
        "state": TimepointState.OPEN if due_at <= now else TimepointState.SCHEDULED,
    }
    if episode_is_new:
        entry = PromTimepoint.objects.create(episode=episode, timepoint=timepoint, **values)
    else:
        entry, created = PromTimepoint.objects.get_or_create(
            episode=episode, timepoint=timepoint, defaults=values
        )
        if not created:
            return entry
    channels = channels_for(episode.patient)
    if not channels or episode.patient.prom_opt_out_at:
        return entry
    attempts = [("invitation", 0)] + [
        (f"reminder_{number}", days) for number, days in enumerate(settings.PROM_REMINDER_DAYS, 1)
    ]
    # One insert for the invitation and its reminders. The time point was created just now,
    # so no message can hold these keys yet; ignore_conflicts keeps the unique key the guard.
    OutboundMessage.objects.bulk_create(
        [
            OutboundMessage(
                key=f"prom:{entry.pk}:{attempt}:{channels[0]}",
                patient=episode.patient,
                episode=episode,
                prom_timepoint=entry,
                kind=MessageKind.PROM_INVITATION if days == 0 else MessageKind.PROM_REMINDER,
                channel=channels[0],
                due_at=due_at + _days(days),
            )
            for attempt, days in attempts
        ],
        ignore_conflicts=True,
    )
    if due_at <= now:
        send_soon()
    return entry


def schedule_baseline(*, episode, episode_is_new=False):
    return schedule_timepoint(
        episode=episode,
        timepoint=Timepoint.BASELINE,
        due_at=timezone.now(),
        episode_is_new=episode_is_new,
    )


def schedule_after_discharge(*, episode):
    """Discharge questionnaires now; 6 and 12 months after the discharge date."""
    discharged = episode.discharged_at or timezone.now()
    schedule_timepoint(episode=episode, timepoint=Timepoint.DISCHARGE, due_at=discharged)
    for timepoint, days in AFTER_DISCHARGE.items():
        schedule_timepoint(episode=episode, timepoint=timepoint, due_at=discharged + _days(days))


def cancel_after_discharge(*, episode):
    """A re-opened episode is no longer discharged: stop its discharge and follow-up asks."""
    entries = PromTimepoint.objects.filter(
        episode=episode,
        timepoint__in=[Timepoint.DISCHARGE, *AFTER_DISCHARGE],
        state__in=[TimepointState.SCHEDULED, TimepointState.OPEN],
    )
    OutboundMessage.objects.filter(prom_timepoint__in=entries, state=MessageState.PENDING).update(
        state=MessageState.CANCELLED, last_error="Episode re-opened"
    )
    # Deleting would lose history; a cancelled entry also frees nothing that is unique.
    entries.update(state=TimepointState.CANCELLED)


@transaction.atomic
def opt_out(*, patient):
    """No more questionnaire messages for this person, from now."""
    if patient.prom_opt_out_at is None:
        patient.prom_opt_out_at = timezone.now()
        patient.save(update_fields=["prom_opt_out_at"])
        # The person acted themselves, from their link: no staff user.
        record_audit_event(user=None, action=AuditAction.UPDATE, obj=patient, patient=patient)
    OutboundMessage.objects.filter(
        patient=patient,
        state=MessageState.PENDING,
        kind__in=[MessageKind.PROM_INVITATION, MessageKind.PROM_REMINDER],
    ).update(state=MessageState.CANCELLED, last_error="The person opted out")


def open_due_timepoints(now=None):
    """Scheduled time points whose day has come are open for answers."""
    now = now or timezone.now()
    return PromTimepoint.objects.filter(state=TimepointState.SCHEDULED, due_at__lte=now).update(
        state=TimepointState.OPEN
    )


def record_non_response(now=None):
    """A time point not completed by its expiry is recorded as not responded: that is data."""
    now = now or timezone.now()
    expired = PromTimepoint.objects.filter(
        state__in=[TimepointState.OPEN, TimepointState.SCHEDULED], expires_at__lte=now
    )
    OutboundMessage.objects.filter(prom_timepoint__in=expired, state=MessageState.PENDING).update(
        state=MessageState.CANCELLED, last_error="The time point expired"
    )
    return expired.update(state=TimepointState.NOT_RESPONDED)
