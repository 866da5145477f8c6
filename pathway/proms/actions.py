"""Recording completed questionnaires, and raising safety alerts from them."""

from django.db import transaction
from django.utils import timezone

from pathway.audit.actions import record_event
from pathway.audit.context import PATIENT, staff_user
from pathway.audit.models import AuditAction
from pathway.clinical import InvalidAnswers
from pathway.messaging.models import MessageState, OutboundMessage
from pathway.proms.models import (
    PromTimepoint,
    QuestionnaireResponse,
    ResponseSource,
    SafetyAlert,
    TimepointState,
)
from pathway.proms.scoring import score_answers
from pathway.proms.tasks import email_duty_clinician
from pathway.proms.timepoints import instruments_for
from pathway.proms.windows import accepts_answers, not_open_reason


@transaction.atomic
def record_questionnaire(*, episode, timepoint, instrument, answers, source, by, context):
    """Score with the clinical core and store answers and scores together.

    Only inside the time point's window (pathway.proms.windows), whoever records them: else
    TimepointClosed, saying why, and nothing saved. Raises InvalidAnswers (nothing saved) for
    incomplete or impossible answers. A PHQ-9 item 9 answer above "not at all" raises a safety
    alert in the same transaction, so an alert always names the time point it was answered in.
    """
    # Locked, so the window cannot close between this check and the insert.
    entry = (
        PromTimepoint.objects.select_for_update()
        .filter(episode=episode, timepoint=timepoint)
        .first()
    )
    if entry is None or not accepts_answers(entry):
        raise TimepointClosed(not_open_reason(entry, timepoint))
    scores, headline = score_answers(instrument, answers)
    response = QuestionnaireResponse.objects.create(
        episode=episode,
        timepoint=timepoint,
        instrument=instrument,
        answers=answers,
        scores=scores,
        score=headline,
        completed_at=timezone.now(),
        source=source,
        recorded_by=staff_user(by),
    )
    record_event(
        by=by, context=context, action=AuditAction.CREATE, obj=response, patient=episode.patient
    )
    _complete_if_all_answered(episode, timepoint)
    if scores.get("self_harm_flag"):
        alert = SafetyAlert.objects.create(episode=episode, response=response)
        # robust: a broker outage must not undo the alert; the beat sweep retries the email.
        transaction.on_commit(lambda: email_duty_clinician.delay(alert.pk), robust=True)
    return response


@transaction.atomic
def acknowledge_alert(*, alert, note, by, context):
    """A clinician has contacted the person (or tried) and says what happened."""
    alert = (
        SafetyAlert.objects.select_for_update().select_related("episode__patient").get(pk=alert.pk)
    )
    if alert.acknowledged_at:
        raise AlertAlreadyAcknowledged("This alert has already been acknowledged.")
    if not note.strip():
        raise InvalidAnswers("Say what you did about this alert")
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = by
    alert.acknowledgement_note = note.strip()
    alert.save()
    record_event(
        by=by, context=context, action=AuditAction.UPDATE, obj=alert, patient=alert.episode.patient
    )
    return alert


class AlertAlreadyAcknowledged(Exception):
    pass


class TimepointClosed(Exception):
    """The time point is not open for answers now (not yet open, completed, its window closed,
    or cancelled): nothing more can be recorded. The message says which, for staff."""


def outstanding_instruments(timepoint):
    """The questionnaires of this time point the person has not answered yet, in order."""
    answered = set(
        QuestionnaireResponse.objects.filter(
            episode_id=timepoint.episode_id, timepoint=timepoint.timepoint
        ).values_list("instrument", flat=True)
    )
    return [code for code in instruments_for(timepoint.timepoint) if code not in answered]


@transaction.atomic
def record_patient_answers(*, timepoint, instrument, answers, context):
    """The person's own answers to one questionnaire, saved at once so they can stop and come
    back. After the last one the time point is completed and its reminders stop.

    Raises InvalidAnswers (nothing saved) or TimepointClosed (already completed, its window
    closed, or this questionnaire already answered: a second submission never makes a second
    response).
    """
    entry = PromTimepoint.objects.select_for_update().select_related("episode__patient")
    entry = entry.get(pk=timepoint.pk)
    if not accepts_answers(entry):
        raise TimepointClosed("This questionnaire link is no longer open.")
    if instrument not in outstanding_instruments(entry):
        raise TimepointClosed("This questionnaire has already been answered.")
    return record_questionnaire(
        episode=entry.episode,
        timepoint=entry.timepoint,
        instrument=instrument,
        answers=answers,
        source=ResponseSource.PATIENT,
        by=PATIENT,
        context=context,
    )


def _complete_if_all_answered(episode, timepoint):
    """Once every questionnaire of a scheduled time point is in, whoever recorded them, the
    time point is complete and its reminders stop."""
    entry = PromTimepoint.objects.filter(
        episode=episode, timepoint=timepoint, state=TimepointState.OPEN
    ).first()
    if entry is None or outstanding_instruments(entry):
        return
    entry.state = TimepointState.COMPLETED
    entry.completed_at = timezone.now()
    entry.save(update_fields=["state", "completed_at"])
    OutboundMessage.objects.filter(prom_timepoint=entry, state=MessageState.PENDING).update(
        state=MessageState.CANCELLED, last_error="Completed"
    )
