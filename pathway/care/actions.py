"""The TTP's working day: every change to an episode of care goes through these actions.

Each action locks the episode row, checks the lifecycle table (pathway.care.lifecycle) and the
service's rules (pathway.clinical), writes its records and an audit event in one transaction,
and raises CareRefused (nothing saved) with a message for the clinician when the step is not
allowed.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from pathway.audit.actions import record_event
from pathway.audit.context import actor_name, staff_user
from pathway.audit.models import AuditAction
from pathway.care import lifecycle
from pathway.care.attendance import apply_dna_policy
from pathway.care.booking import refuse_unbookable
from pathway.care.models import (
    Appointment,
    AppointmentKind,
    AppointmentMode,
    AppointmentOutcome,
    CPPPOutcome,
    CPPPReferral,
    DischargeReason,
    Episode,
    EpisodeState,
    EpisodeTransition,
    OnwardReferral,
    TherapySession,
    TriageDecision,
    TriageOutcome,
)
from pathway.care.transitions import CareRefused, audit, locked, move
from pathway.messaging.actions import queue_appointment_notice
from pathway.proms.schedule import close_baseline_at_contact, schedule_baseline

DEFAULT_APPOINTMENT_MINUTES = 30


# No savepoint of its own: inside a referral's transaction, a failure here undoes it all.
@transaction.atomic(savepoint=False)
def open_episode(*, referral, by, context):
    """The episode of care a referral opens, awaiting triage, with its first transition (the
    lifecycle table's "refer") and its baseline questionnaires. The referral's own rows are
    the referrals app's; the episode and what hangs off it are care's."""
    now = timezone.now()
    step = lifecycle.transition("refer", lifecycle.NOT_OPEN)
    episode = Episode.objects.create(
        patient=referral.patient,
        service=referral.service,
        referral=referral,
        body_part=referral.body_part,
        priority=referral.priority,
        state=step.target,
        referred_at=now,
        clock_started_on=timezone.localdate(now),
        previous_episode=referral.previous_episode,
        return_kind=referral.return_kind,
    )
    EpisodeTransition.objects.create(
        episode=episode,
        name=step.name,
        from_state=step.source,
        to_state=step.target,
        by=staff_user(by),
        by_name=actor_name(by),
    )
    record_event(
        by=by, context=context, action=AuditAction.CREATE, obj=episode, patient=referral.patient
    )
    schedule_baseline(episode=episode)
    return episode


@transaction.atomic
def move_episode(*, episode, transition, by, reason="", discharge_reason="", context):
    """Apply a named lifecycle transition; CareRefused (nothing saved) if not allowed."""
    return move(
        locked(episode),
        transition,
        by=by,
        reason=reason,
        discharge_reason=discharge_reason,
        context=context,
    )


# --- Appointments ----------------------------------------------------------------------------


@transaction.atomic
def book_appointment(
    *,
    episode,
    kind,
    starts_at,
    clinician,
    mode,
    location="",
    length_minutes=DEFAULT_APPOINTMENT_MINUTES,
    recording_past=False,
    by,
    context,
):
    """Book an appointment, or record one that has already happened (`recording_past`).

    A booking is in the future and within BOOKING_HORIZON_DAYS; one clinician never has two
    appointments at once (bookings for a clinician are taken one at a time, under a lock on
    their row, so two TTPs booking the same slot cannot both succeed).
    """
    episode = locked(episode)
    refuse_unbookable(
        episode=episode,
        starts_at=starts_at,
        clinician=clinician,
        mode=mode,
        location=location,
        length_minutes=length_minutes,
        recording_past=recording_past,
    )
    if kind == AppointmentKind.FIRST_ASSESSMENT:
        # Only possible while awaiting triage: the lifecycle refuses it in any other state.
        move(episode, "book_first_assessment", by=by, context=context)
    elif episode.state != EpisodeState.IN_TREATMENT:
        raise CareRefused(
            "Follow-up appointments can only be booked while the person is in treatment; "
            f"the episode is {episode.get_state_display().lower()}."
        )
    if episode.lead_clinician_id is None:
        episode.lead_clinician = clinician
        episode.save(update_fields=["lead_clinician", "updated_at"])
    appointment = Appointment.objects.create(
        episode=episode,
        kind=kind,
        starts_at=starts_at,
        clinician=clinician,
        mode=mode,
        location=location.strip() if mode == AppointmentMode.IN_PERSON else "",
        length_minutes=length_minutes,
        booked_by=by,
    )
    audit(by, appointment, episode, context, action=AuditAction.CREATE)
    if not recording_past:
        queue_appointment_notice(appointment=appointment)
    return appointment


@transaction.atomic
def record_attendance(
    *,
    appointment,
    outcome,
    by,
    dna_exception_reason="",
    session_components=(),
    session_notes="",
    context,
):
    """Record what happened at an appointment, and apply the did-not-attend policy.

    A first-assessment DNA sends the episode back to be rebooked and restarts the waiting
    clock; reaching the service's DNA limit, or any DNA once treatment has started, proposes
    discharge to the GP, unless the clinician records an exception (a vulnerable patient).
    """
    episode = locked(appointment.episode)
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.outcome:
        raise CareRefused(
            f"This appointment is already recorded as {appointment.get_outcome_display().lower()}."
        )
    if outcome not in AppointmentOutcome.values:
        raise CareRefused("Choose what happened at the appointment.")
    if appointment.starts_at > timezone.now() and outcome in {
        AppointmentOutcome.ATTENDED,
        AppointmentOutcome.DID_NOT_ATTEND,
    }:
        raise CareRefused("This appointment has not happened yet: it can only be cancelled.")
    appointment.outcome = outcome
    appointment.outcome_recorded_by = by
    appointment.outcome_recorded_at = timezone.now()
    appointment.dna_exception_reason = dna_exception_reason.strip()
    appointment.save()
    audit(by, appointment, episode, context)
    if outcome == AppointmentOutcome.ATTENDED:
        # Care has started: the baseline questionnaires' window may end here (proms.windows).
        close_baseline_at_contact(episode=episode, appointment=appointment)

    first = appointment.kind == AppointmentKind.FIRST_ASSESSMENT
    if outcome == AppointmentOutcome.DID_NOT_ATTEND:
        apply_dna_policy(episode, appointment, first=first, by=by, context=context)
    elif first and outcome != AppointmentOutcome.ATTENDED:
        move(
            episode,
            "first_appointment_missed",
            by=by,
            reason=appointment.get_outcome_display(),
            context=context,
        )
    elif outcome == AppointmentOutcome.ATTENDED and not first and session_components:
        _record_session(episode, appointment, session_components, session_notes, by=by)
    return appointment


def _record_session(episode, appointment, components, notes, *, by):
    if episode.triage.outcome != TriageOutcome.CORE_THERAPY:
        raise CareRefused("Therapy sessions are recorded for people in core therapy.")
    used = episode.sessions.count()
    cap = min(episode.triage.planned_sessions, episode.service.rules.max_therapy_sessions)
    if used >= cap:
        raise CareRefused(
            f"All {cap} planned sessions are used: discharge, or plan more sessions (the "
            f"service allows up to {episode.service.rules.max_therapy_sessions})."
        )
    return TherapySession.objects.create(
        episode=episode,
        appointment=appointment,
        number=used + 1,
        components=list(components),
        notes=notes.strip(),
        recorded_by=by,
    )


# --- Triage ------------------------------------------------------------------------------------


@transaction.atomic
def record_triage_decision(
    *,
    episode,
    outcome,
    symptom_duration,
    assessment_notes="",
    planned_sessions=None,
    onward_destination="",
    onward_reason="",
    onward_sent_on=None,
    by,
    context,
):
    """The TTP's decision at the first assessment. Two TTPs at once: the second is refused."""
    episode = locked(episode)
    if TriageDecision.objects.filter(episode=episode).exists():
        raise CareRefused("A triage decision has already been recorded for this episode.")
    assessment = (
        episode.appointments.filter(
            kind=AppointmentKind.FIRST_ASSESSMENT, outcome=AppointmentOutcome.ATTENDED
        )
        .order_by("-starts_at")
        .first()
    )
    if assessment is None or episode.state != EpisodeState.ASSESSMENT_BOOKED:
        raise CareRefused("Record that the person attended their first assessment first.")
    if outcome == TriageOutcome.CORE_THERAPY:
        cap = episode.service.rules.max_therapy_sessions
        if not planned_sessions or not 1 <= planned_sessions <= cap:
            raise CareRefused(f"Plan between 1 and {cap} sessions of core therapy.")
    else:
        planned_sessions = None
    if outcome == TriageOutcome.ONWARD_REFERRAL and not (
        onward_destination and onward_reason.strip() and onward_sent_on
    ):
        raise CareRefused("Give the destination, reason and date sent of the onward referral.")
    try:
        with transaction.atomic():
            decision = TriageDecision.objects.create(
                episode=episode,
                appointment=assessment,
                outcome=outcome,
                symptom_duration=symptom_duration,
                assessment_notes=assessment_notes.strip(),
                planned_sessions=planned_sessions,
                decided_by=by,
            )
    except IntegrityError:
        raise CareRefused("A triage decision has already been recorded for this episode.") from None
    audit(by, decision, episode, context, action=AuditAction.CREATE)
    if outcome in {TriageOutcome.CORE_THERAPY, TriageOutcome.CPPP}:
        move(episode, "start_treatment", by=by, context=context)
        if outcome == TriageOutcome.CPPP:
            CPPPReferral.objects.create(episode=episode, invited_by=by)
    elif outcome == TriageOutcome.SAME_DAY_DISCHARGE:
        move(
            episode,
            "discharge_at_assessment",
            by=by,
            discharge_reason=DischargeReason.SAME_DAY,
            context=context,
        )
    else:
        _record_onward(episode, onward_destination, onward_reason, onward_sent_on, by=by)
        move(
            episode,
            "discharge_at_assessment",
            by=by,
            discharge_reason=DischargeReason.REFERRED_ON,
            context=context,
        )
    return decision


def _record_onward(episode, destination, reason, sent_on, *, by):
    if sent_on > timezone.localdate():
        raise CareRefused("The date the onward referral was sent cannot be in the future.")
    return OnwardReferral.objects.create(
        episode=episode,
        destination=destination,
        reason=reason.strip(),
        sent_on=sent_on,
        recorded_by=by,
    )


@transaction.atomic
def record_cppp_outcome(*, episode, outcome, decline_reason="", by, context):
    episode = locked(episode)
    cppp = CPPPReferral.objects.select_for_update().filter(episode=episode).first()
    if cppp is None:
        raise CareRefused("This person was not invited to the CPPP.")
    if cppp.outcome:
        raise CareRefused(f"The CPPP outcome is already recorded ({cppp.get_outcome_display()}).")
    if outcome == CPPPOutcome.DECLINED and not decline_reason:
        raise CareRefused("Choose why the person declined the CPPP.")
    cppp.outcome = outcome
    cppp.decline_reason = decline_reason if outcome == CPPPOutcome.DECLINED else ""
    cppp.outcome_recorded_by = by
    cppp.outcome_recorded_at = timezone.now()
    cppp.save()
    audit(by, cppp, episode, context)
    return cppp


# --- Discharge, exceptions and re-opening -----------------------------------------------------


@transaction.atomic
def discharge_episode(
    *,
    episode,
    reason,
    by,
    onward_destination="",
    onward_reason="",
    onward_sent_on=None,
    context,
):
    """Discharge from treatment, or confirm a proposed discharge."""
    episode = locked(episode)
    transition = (
        "confirm_discharge" if episode.state == EpisodeState.DISCHARGE_PROPOSED else "discharge"
    )
    if reason == DischargeReason.REFERRED_ON:
        if not (onward_destination and onward_reason.strip() and onward_sent_on):
            raise CareRefused("Give the destination, reason and date of the onward referral.")
        lifecycle.transition(transition, episode.state)  # refuse before writing anything
        _record_onward(episode, onward_destination, onward_reason, onward_sent_on, by=by)
    return move(episode, transition, by=by, discharge_reason=reason, context=context)


@transaction.atomic
def record_dna_exception(*, episode, reason, by, context):
    """Keep a person whose discharge was proposed after DNAs (for example a vulnerable patient)."""
    episode = locked(episode)
    treated = TriageDecision.objects.filter(episode=episode).exists()
    transition = "exception_in_treatment" if treated else "exception_before_treatment"
    return move(episode, transition, by=by, reason=reason, context=context)


@transaction.atomic
def reopen_episode(*, episode, reason, by, context):
    return move(locked(episode), "reopen", by=by, reason=reason, context=context)
