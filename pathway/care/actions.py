"""The TTP's working day: every change to an episode of care goes through these actions.

Each action locks the episode row, checks the lifecycle table (pathway.care.lifecycle) and the
service's rules (pathway.clinical), writes its records and an audit event in one transaction,
and raises CareRefused (nothing saved) with a message for the clinician when the step is not
allowed.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from pathway.audit.actions import record_audit_event
from pathway.audit.models import AuditAction
from pathway.care import lifecycle
from pathway.care.models import (
    LONGEST_APPOINTMENT_MINUTES,
    SHORTEST_APPOINTMENT_MINUTES,
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
from pathway.care.retention import retain_until_for
from pathway.clinical import dates
from pathway.clinical.did_not_attend import propose_discharge
from pathway.messaging.actions import queue_appointment_notice
from pathway.proms.schedule import (
    cancel_after_discharge,
    close_baseline_at_contact,
    schedule_after_discharge,
)

CareRefused = lifecycle.IllegalTransition
DEFAULT_APPOINTMENT_MINUTES = 30


def _locked(episode):
    return (
        Episode.objects.select_for_update().select_related("service", "patient").get(pk=episode.pk)
    )


def _audit(by, obj, episode, ip_address, action=AuditAction.UPDATE):
    record_audit_event(
        user=by, action=action, obj=obj, patient=episode.patient, ip_address=ip_address
    )


def _move(episode, transition, *, by, reason="", discharge_reason="", ip_address=None):
    """Apply a lifecycle transition to a locked episode and log it."""
    step = lifecycle.transition(transition, episode.state)
    reason = reason.strip()
    if step.needs_reason and not reason:
        raise CareRefused(f"Give a reason to {step.label.lower()}.")
    if step.target == lifecycle.DISCHARGED:
        if discharge_reason not in DischargeReason.values:
            raise CareRefused("Choose the reason for discharge.")
        episode.discharged_at = timezone.now()
        episode.discharge_reason = discharge_reason
        episode.retain_until = retain_until_for(episode.discharged_at)
    elif step.source == lifecycle.DISCHARGED:
        # Care is open again: the retention clock starts afresh at the next discharge.
        episode.discharged_at = None
        episode.discharge_reason = ""
        episode.retain_until = None
    from_state = episode.state
    episode.state = step.target
    episode.save(
        update_fields=[
            "state",
            "discharged_at",
            "discharge_reason",
            "retain_until",
            "clock_started_on",
        ]
    )
    EpisodeTransition.objects.create(
        episode=episode,
        name=step.name,
        from_state=from_state,
        to_state=step.target,
        by=by,
        reason=reason,
    )
    _audit(by, episode, episode, ip_address)
    if step.target == lifecycle.DISCHARGED:
        schedule_after_discharge(episode=episode)
    elif step.source == lifecycle.DISCHARGED:
        cancel_after_discharge(episode=episode)
    return episode


@transaction.atomic
def move_episode(*, episode, transition, by, reason="", discharge_reason="", ip_address=None):
    """Apply a named lifecycle transition; CareRefused (nothing saved) if not allowed."""
    return _move(
        _locked(episode),
        transition,
        by=by,
        reason=reason,
        discharge_reason=discharge_reason,
        ip_address=ip_address,
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
    ip_address=None,
):
    """Book an appointment, or record one that has already happened (`recording_past`).

    A booking is in the future and within BOOKING_HORIZON_DAYS; one clinician never has two
    appointments at once (bookings for a clinician are taken one at a time, under a lock on
    their row, so two TTPs booking the same slot cannot both succeed).
    """
    episode = _locked(episode)
    if mode == AppointmentMode.IN_PERSON and not location.strip():
        raise CareRefused("Give the clinic location for an in-person appointment.")
    if not SHORTEST_APPOINTMENT_MINUTES <= length_minutes <= LONGEST_APPOINTMENT_MINUTES:
        raise CareRefused(
            f"An appointment lasts from {SHORTEST_APPOINTMENT_MINUTES} minutes to "
            f"{LONGEST_APPOINTMENT_MINUTES // 60} hours."
        )
    problem = dates.appointment_time_problem(
        starts_at,
        timezone.now(),
        horizon_days=settings.BOOKING_HORIZON_DAYS,
        recording_past=recording_past,
        referred_at=episode.referred_at,
    )
    if problem:
        raise CareRefused(problem)
    _refuse_clash(clinician, starts_at, length_minutes)
    if kind == AppointmentKind.FIRST_ASSESSMENT:
        # Only possible while awaiting triage: the lifecycle refuses it in any other state.
        _move(episode, "book_first_assessment", by=by, ip_address=ip_address)
    elif episode.state != EpisodeState.IN_TREATMENT:
        raise CareRefused(
            "Follow-up appointments can only be booked while the person is in treatment; "
            f"the episode is {episode.get_state_display().lower()}."
        )
    if episode.lead_clinician_id is None:
        episode.lead_clinician = clinician
        episode.save(update_fields=["lead_clinician"])
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
    _audit(by, appointment, episode, ip_address, action=AuditAction.CREATE)
    if not recording_past:
        queue_appointment_notice(appointment=appointment)
    return appointment


def _refuse_clash(clinician, starts_at, length_minutes):
    """CareRefused naming the clinician's other appointment at that time, if there is one."""
    type(clinician).objects.select_for_update().filter(pk=clinician.pk).first()
    clash = next(iter(Appointment.objects.overlapping(clinician, starts_at, length_minutes)), None)
    if clash:
        local = timezone.localtime(clash.starts_at)
        raise CareRefused(
            f"{clinician.get_full_name()} already has an appointment from {local:%H:%M} to "
            f"{timezone.localtime(clash.ends_at):%H:%M} on {local:%-d %B %Y} "
            f"({clash.get_kind_display().lower()}). Choose another time or clinician."
        )


@transaction.atomic
def record_attendance(
    *,
    appointment,
    outcome,
    by,
    dna_exception_reason="",
    session_components=(),
    session_notes="",
    ip_address=None,
):
    """Record what happened at an appointment, and apply the did-not-attend policy.

    A first-assessment DNA sends the episode back to be rebooked and restarts the waiting
    clock; reaching the service's DNA limit, or any DNA once treatment has started, proposes
    discharge to the GP, unless the clinician records an exception (a vulnerable patient).
    """
    episode = _locked(appointment.episode)
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
    _audit(by, appointment, episode, ip_address)
    if outcome == AppointmentOutcome.ATTENDED:
        # Care has started: the baseline questionnaires' window may end here (proms.windows).
        close_baseline_at_contact(episode=episode, appointment=appointment)

    first = appointment.kind == AppointmentKind.FIRST_ASSESSMENT
    if outcome == AppointmentOutcome.DID_NOT_ATTEND:
        _apply_dna_policy(episode, appointment, first=first, by=by, ip_address=ip_address)
    elif first and outcome != AppointmentOutcome.ATTENDED:
        _move(
            episode,
            "first_appointment_missed",
            by=by,
            reason=appointment.get_outcome_display(),
            ip_address=ip_address,
        )
    elif outcome == AppointmentOutcome.ATTENDED and not first and session_components:
        _record_session(episode, appointment, session_components, session_notes, by=by)
    return appointment


def _apply_dna_policy(episode, appointment, *, first, by, ip_address):
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
            _move(episode, "propose_discharge_before_treatment", by=by, ip_address=ip_address)
        else:
            # The clock restarts from the missed first appointment.
            episode.clock_started_on = timezone.localdate(appointment.starts_at)
            reason = f"Exception: {exception}" if exception else "Did not attend: rebook"
            _move(episode, "first_appointment_missed", by=by, reason=reason, ip_address=ip_address)
    elif proposed and not exception and episode.state == EpisodeState.IN_TREATMENT:
        _move(episode, "propose_discharge_in_treatment", by=by, ip_address=ip_address)


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
    ip_address=None,
):
    """The TTP's decision at the first assessment. Two TTPs at once: the second is refused."""
    episode = _locked(episode)
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
    _audit(by, decision, episode, ip_address, action=AuditAction.CREATE)
    if outcome in {TriageOutcome.CORE_THERAPY, TriageOutcome.CPPP}:
        _move(episode, "start_treatment", by=by, ip_address=ip_address)
        if outcome == TriageOutcome.CPPP:
            CPPPReferral.objects.create(episode=episode, invited_by=by)
    elif outcome == TriageOutcome.SAME_DAY_DISCHARGE:
        _move(
            episode,
            "discharge_at_assessment",
            by=by,
            discharge_reason=DischargeReason.SAME_DAY,
            ip_address=ip_address,
        )
    else:
        _record_onward(episode, onward_destination, onward_reason, onward_sent_on, by=by)
        _move(
            episode,
            "discharge_at_assessment",
            by=by,
            discharge_reason=DischargeReason.REFERRED_ON,
            ip_address=ip_address,
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
def record_cppp_outcome(*, episode, outcome, decline_reason="", by, ip_address=None):
    episode = _locked(episode)
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
    _audit(by, cppp, episode, ip_address)
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
    ip_address=None,
):
    """Discharge from treatment, or confirm a proposed discharge."""
    episode = _locked(episode)
    transition = (
        "confirm_discharge" if episode.state == EpisodeState.DISCHARGE_PROPOSED else "discharge"
    )
    if reason == DischargeReason.REFERRED_ON:
        if not (onward_destination and onward_reason.strip() and onward_sent_on):
            raise CareRefused("Give the destination, reason and date of the onward referral.")
        lifecycle.transition(transition, episode.state)  # refuse before writing anything
        _record_onward(episode, onward_destination, onward_reason, onward_sent_on, by=by)
    return _move(episode, transition, by=by, discharge_reason=reason, ip_address=ip_address)


@transaction.atomic
def record_dna_exception(*, episode, reason, by, ip_address=None):
    """Keep a person whose discharge was proposed after DNAs (for example a vulnerable patient)."""
    episode = _locked(episode)
    treated = TriageDecision.objects.filter(episode=episode).exists()
    transition = "exception_in_treatment" if treated else "exception_before_treatment"
    return _move(episode, transition, by=by, reason=reason, ip_address=ip_address)


@transaction.atomic
def reopen_episode(*, episode, reason, by, ip_address=None):
    return _move(_locked(episode), "reopen", by=by, reason=reason, ip_address=ip_address)
