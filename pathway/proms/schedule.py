"""The questionnaire schedule of an episode, and the messages that invite to it.

Every time point and every message is a database row with its due date, created up front by
these actions, so nothing depends on a long countdown in a queue: the beat sweep sends what is
due (pathway.messaging.tasks). Unique keys make creating the same row twice impossible.

Each time point has a window in which answers belong to it (pathway.proms.windows): the
invitation goes when it opens, and it closes either at its end date (the sweep records it as not
answered in time) or, for the baseline, at the event that ends it (close_baseline).
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from pathway.audit.actions import record_event
from pathway.audit.models import AuditAction
from pathway.messaging.actions import channels_for, send_soon
from pathway.messaging.models import MessageKind, MessageState, OutboundMessage
from pathway.proms import windows
from pathway.proms.models import PromTimepoint, QuestionnaireStop, Timepoint, TimepointState

AFTER_DISCHARGE = {Timepoint.MONTH_6: 182, Timepoint.MONTH_12: 365}


def _days(days):
    return datetime.timedelta(days=days)


def schedule_timepoint(*, episode, timepoint, due_at, opens_at, closes_at):
    """The time point (once), open from `opens_at` until `closes_at` (None: until an event
    closes it), with its invitation when it opens and reminders after, on the person's channel.
    Scheduling it again returns the one already there."""
    existing = PromTimepoint.objects.filter(episode=episode, timepoint=timepoint).first()
    if existing is not None:
        return existing
    return _create_timepoint(
        episode=episode, timepoint=timepoint, due_at=due_at, opens_at=opens_at, closes_at=closes_at
    )


def _create_timepoint(*, episode, timepoint, due_at, opens_at, closes_at):
    now = timezone.now()
    entry = PromTimepoint.objects.create(
        episode=episode,
        timepoint=timepoint,
        due_at=due_at,
        opens_at=opens_at,
        closes_at=closes_at,
        state=TimepointState.OPEN if opens_at <= now else TimepointState.SCHEDULED,
    )
    if episode.patient.prom_opt_out_at is None:
        # The time point was created just now, so no message can hold these keys yet.
        _queue_invitations(entry, episode.patient, now=now)
    return entry


def _queue_invitations(entry, patient, *, now, key_suffix=""):
    """The invitation when the window opens (or now, for one that opened in the past) and its
    reminders, on the person's first consented channel, in one insert; ignore_conflicts keeps
    the unique key the guard against writing them twice."""
    channels = channels_for(patient)
    if not channels:
        return
    invite_at = max(entry.opens_at, now)
    attempts = [("invitation", 0)] + [
        (f"reminder_{number}", days) for number, days in enumerate(settings.PROM_REMINDER_DAYS, 1)
    ]
    OutboundMessage.objects.bulk_create(
        [
            OutboundMessage(
                key=f"prom:{entry.pk}:{attempt}:{channels[0]}{key_suffix}",
                patient=patient,
                episode_id=entry.episode_id,
                prom_timepoint=entry,
                kind=MessageKind.PROM_INVITATION if days == 0 else MessageKind.PROM_REMINDER,
                channel=channels[0],
                due_at=invite_at + _days(days),
            )
            for attempt, days in attempts
            # A reminder due after the window has closed would only open a closed link.
            if entry.closes_at is None or invite_at + _days(days) < entry.closes_at
        ],
        ignore_conflicts=True,
    )
    if invite_at <= now:
        send_soon()


def schedule_baseline(*, episode):
    """Baseline, for an episode just opened: due now, open from the referral until the first
    treatment contact or discharge closes it (close_baseline). Scheduled once, as the episode
    opens; the unique key on (episode, time point) refuses a second."""
    now = timezone.now()
    return _create_timepoint(
        episode=episode,
        timepoint=Timepoint.BASELINE,
        due_at=now,
        opens_at=min(episode.referred_at, now),
        closes_at=None,
    )


def schedule_after_discharge(*, episode):
    """Discharge closes the baseline; discharge questionnaires now; 6 and 12 months after the
    discharge date, each in its window."""
    discharged = episode.discharged_at or timezone.now()
    close_baseline(episode=episode, at=discharged)
    for timepoint, days in [(Timepoint.DISCHARGE, 0), *AFTER_DISCHARGE.items()]:
        due_at = discharged + _days(days)
        opens_at, closes_at = windows.follow_up_window(timepoint, due_at)
        schedule_timepoint(
            episode=episode,
            timepoint=timepoint,
            due_at=due_at,
            opens_at=opens_at,
            closes_at=closes_at,
        )


@transaction.atomic
def close_baseline(*, episode, at):
    """The baseline window ends at `at`: the first treatment contact, or discharge, whichever
    comes first (a later event changes nothing). Waiting, it is now not answered in time, and
    its reminders stop; completed before `at`, it stays completed. Answers given from `at` on
    are not baseline answers (QuestionnaireResponse.objects.in_window)."""
    entry = (
        PromTimepoint.objects.select_for_update()
        .filter(episode=episode, timepoint=Timepoint.BASELINE, closes_at__isnull=True)
        .first()
    )
    if entry is None:
        return None
    entry.closes_at = at
    completed_late = (
        entry.state == TimepointState.COMPLETED
        and entry.completed_at is not None
        and entry.completed_at >= at
    )
    if entry.state in (TimepointState.SCHEDULED, TimepointState.OPEN) or completed_late:
        entry.state = TimepointState.NOT_RESPONDED
        _cancel_pending(entry, "The baseline closed: care has started")
    entry.save(update_fields=["closes_at", "state"])
    return entry


def close_baseline_at_contact(*, episode, appointment):
    """An attended appointment closes the baseline when it is the contact that ends it
    (PROM_BASELINE_CLOSES_AT), at the time the appointment started."""
    if windows.contact_closes_baseline(is_first_assessment=appointment.is_first_assessment):
        close_baseline(episode=episode, at=min(appointment.starts_at, timezone.now()))


def _cancel_pending(entry, reason):
    OutboundMessage.objects.filter(prom_timepoint=entry, state=MessageState.PENDING).update(
        state=MessageState.CANCELLED, last_error=reason
    )


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
def opt_out(*, patient, by, context, link=None):
    """No more questionnaire messages for this person, from now. `link`: the person did it
    themselves from this questionnaire link (after confirming their date of birth)."""
    if patient.prom_opt_out_at is None:
        patient.prom_opt_out_at = timezone.now()
        patient.save(update_fields=["prom_opt_out_at", "updated_at"])
        # From a link, the event names the act and the link the person used.
        record_event(
            by=by,
            context=context,
            action=AuditAction.UPDATE,
            obj=QuestionnaireStop(pk=link.pk) if link else patient,
            patient=patient,
        )
    OutboundMessage.objects.filter(
        patient=patient,
        state=MessageState.PENDING,
        kind__in=[MessageKind.PROM_INVITATION, MessageKind.PROM_REMINDER],
    ).update(state=MessageState.CANCELLED, last_error="The person opted out")


@transaction.atomic
def restart_messages(*, patient, by, context):
    """A clinician starts the person's questionnaire messages again, at the person's request:
    each time point still waiting for answers is sent a new invitation and reminders (the old
    ones were cancelled when the person stopped them). Returns how many time points."""
    patient = type(patient).objects.select_for_update().get(pk=patient.pk)
    if patient.prom_opt_out_at is None:
        return 0  # already receiving them (a second click changes nothing)
    stopped_at = patient.prom_opt_out_at
    patient.prom_opt_out_at = None
    patient.save(update_fields=["prom_opt_out_at", "updated_at"])
    record_event(by=by, context=context, action=AuditAction.UPDATE, obj=patient, patient=patient)
    now = timezone.now()
    waiting = PromTimepoint.objects.filter(
        episode__patient=patient,
        state__in=[TimepointState.SCHEDULED, TimepointState.OPEN],
    ).exclude(closes_at__lte=now)
    for entry in waiting:
        # A new key per restart: the cancelled messages keep theirs.
        _queue_invitations(
            entry, patient, now=now, key_suffix=f":restart{int(stopped_at.timestamp())}"
        )
    return len(waiting)


def _due_to_open(now):
    return PromTimepoint.objects.filter(state=TimepointState.SCHEDULED, opens_at__lte=now)


def open_due_timepoints(now=None):
    """Scheduled time points whose window has opened are open for answers."""
    return _due_to_open(now or timezone.now()).update(state=TimepointState.OPEN)


def open_if_due(entry, now=None):
    """One time point, opened if its window has opened: what open_due_timepoints would do at
    its next run. No query unless the entry in hand is scheduled and due."""
    now = now or timezone.now()
    if entry.state != TimepointState.SCHEDULED or entry.opens_at > now:
        return
    if _due_to_open(now).filter(pk=entry.pk).update(state=TimepointState.OPEN):
        entry.state = TimepointState.OPEN
    else:  # changed meanwhile (opened by the sweep, or cancelled): take its state as it is
        entry.refresh_from_db(fields=["state"])


def record_non_response(now=None):
    """A time point not completed by the end of its window is recorded as not answered in time:
    that is data (the reports' response rates). Its pending messages are cancelled."""
    now = now or timezone.now()
    expired = PromTimepoint.objects.filter(
        state__in=[TimepointState.OPEN, TimepointState.SCHEDULED], closes_at__lte=now
    )
    OutboundMessage.objects.filter(prom_timepoint__in=expired, state=MessageState.PENDING).update(
        state=MessageState.CANCELLED, last_error="The time point closed"
    )
    return expired.update(state=TimepointState.NOT_RESPONDED)
