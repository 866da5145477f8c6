"""The did-not-attend policy applied to an episode (the rule itself: clinical.did_not_attend)."""

from django.utils import timezone

from pathway.care.models import AppointmentKind, AppointmentOutcome, EpisodeState
from pathway.care.transitions import move
from pathway.clinical.did_not_attend import propose_discharge


def apply_dna_policy(episode, appointment, *, first, by, context):
    first_dnas = episode.appointments.filter(
        kind=AppointmentKind.FIRST_ASSESSMENT, outcome=AppointmentOutcome.DID_NOT_ATTEND
    ).count()
    later_dnas = 0 if first else 1
    proposed = propose_discharge(
        first_appointment_dnas=first_dnas,
        dnas_after_treatment_started=later_dnas,
        rules=episode.service.rules,
    )
    exception = appointment.dna_exception_reason
    if first:
        if proposed and not exception:
            move(episode, "propose_discharge_before_treatment", by=by, context=context)
        else:
            # The clock restarts from the missed first appointment.
            episode.clock_started_on = timezone.localdate(appointment.starts_at)
            reason = f"Exception: {exception}" if exception else "Did not attend: rebook"
            move(episode, "first_appointment_missed", by=by, reason=reason, context=context)
    elif proposed and not exception and episode.state == EpisodeState.IN_TREATMENT:
        move(episode, "propose_discharge_in_treatment", by=by, context=context)
