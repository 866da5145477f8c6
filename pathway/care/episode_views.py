"""The TTP's episode page and the steps taken from it."""

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from pathway.accounts.models import Role
from pathway.audit.context import web_context
from pathway.audit.models import AuditAction
from pathway.audit.reads import record_request_event, record_view
from pathway.care import actions, forms, lifecycle
from pathway.care.letters import records as letters
from pathway.care.letters.pdf import render_pdf
from pathway.care.models import (
    Appointment,
    AppointmentKind,
    CPPPReferral,
    Episode,
    EpisodeState,
    TriageDecision,
    TriageOutcome,
)
from pathway.clinical import nhs_number
from pathway.core.permissions import role_required
from pathway.proms.queries import responses_by_timepoint, timepoints_open_for_recording


def _get_episode_for_user(request, public_id):
    episodes = Episode.objects.visible_to(request.user).select_related(
        "patient",
        "patient__registered_practice",
        "service",
        "referral",
        # What the TTP is shown about the referral (referrals/includes/ttp_notices.html).
        "referral__red_flags_judged_by",
        "referral__other_open_episode__service",
        "lead_clinician",
        "previous_episode",
    )
    return get_object_or_404(episodes, public_id=public_id)


def _get_appointment_for_user(request, pk):
    appointments = Appointment.objects.visible_to(request.user).select_related(
        "episode", "episode__patient", "episode__service", "clinician"
    )
    return get_object_or_404(appointments, pk=pk)


def _take_step(request, episode, form, perform, *, title, button, success, description=""):
    """Show the step's form; on a valid POST perform the action, or show why it was refused.

    A refusal (CareRefused) keeps everything typed and puts the reason in the error summary.
    """
    if request.method == "POST" and form.is_valid():
        try:
            perform(form.cleaned_data)
        except actions.CareRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, success)
            return redirect("care:episode", public_id=episode.public_id)
    # The form page shows who the step is for: a read of their record (a step taken is
    # audited by its action instead).
    record_view(request=request, obj=episode, patient=episode.patient)
    context = {
        "episode": episode,
        "form": form,
        "title": title,
        "button": button,
        "description": description,
    }
    return render(request, "care/step.html", context)


def _acting(request, action, **values):
    """`action`, taken by the signed-in user through this request, with `values` and the form's
    answers (its field names are the action's arguments)."""
    return lambda answers: action(
        by=request.user, context=web_context(request), **values, **answers
    )


def _with_answers(request, episode, action):
    """Perform `action` on the episode with the form's answers."""
    return _acting(request, action, episode=episode)


def _episode_page(episode, user):
    """What the episode page shows: the care so far and which steps can be taken now."""
    appointments = list(
        episode.appointments.select_related("clinician", "outcome_recorded_by").order_by(
            "starts_at"
        )
    )
    triage = TriageDecision.objects.filter(episode=episode).select_related("decided_by").first()
    first_attended = any(
        a.kind == AppointmentKind.FIRST_ASSESSMENT and a.outcome == "attended" for a in appointments
    )
    return {
        "episode": episode,
        "nhs_number": nhs_number.format(episode.patient.nhs_number),
        "days_waiting": (timezone.localdate() - episode.clock_started_on).days,
        "appointments": appointments,
        "triage": triage,
        "sessions": list(episode.sessions.all()),
        "cppp": CPPPReferral.objects.filter(episode=episode).first(),
        "onward_referrals": list(episode.onward_referrals.all()),
        "transitions": list(episode.transitions.select_related("by")),
        "responses": responses_by_timepoint(episode),
        # Questionnaires are recorded only inside their windows (pathway.proms.windows).
        "recordable_timepoints": timepoints_open_for_recording(episode),
        "can_triage": first_attended
        and triage is None
        and episode.state == EpisodeState.ASSESSMENT_BOOKED,
        "can_book": episode.state in {EpisodeState.AWAITING_TRIAGE, EpisodeState.IN_TREATMENT},
        "open_alerts": list(episode.safety_alerts.open()),
        "is_ttp": user.effective_role == Role.TTP,
    }


@role_required(Role.TTP, Role.MANAGER)
@transaction.atomic
def episode_detail(request, public_id):
    episode = _get_episode_for_user(request, public_id)
    record_view(request=request, obj=episode, patient=episode.patient)
    return render(request, "care/episode.html", _episode_page(episode, request.user))


@role_required(Role.TTP)
def book(request, public_id):
    episode = _get_episode_for_user(request, public_id)
    first = episode.state == EpisodeState.AWAITING_TRIAGE
    kind = AppointmentKind.FIRST_ASSESSMENT if first else AppointmentKind.FOLLOW_UP
    form = forms.BookingForm(
        request.POST or None,
        service=episode.service,
        referred_at=episode.referred_at,
        initial={"clinician": request.user},
    )

    book_it = _acting(request, actions.book_appointment, episode=episode, kind=kind)
    return _take_step(
        request,
        episode,
        form,
        lambda _answers: book_it(form.appointment()),
        title=f"Book a {AppointmentKind(kind).label.lower()}",
        button="Book appointment",
        success="Appointment booked. The person has been sent a message if they agreed to "
        "contact; print the letter from the appointment list otherwise.",
    )


def _in_core_therapy(appointment):
    """A follow-up of someone triaged to core therapy: the session's content is recorded."""
    return (
        appointment.kind == AppointmentKind.FOLLOW_UP
        and TriageDecision.objects.filter(
            episode=appointment.episode, outcome=TriageOutcome.CORE_THERAPY
        ).exists()
    )


@role_required(Role.TTP)
def appointment_outcome(request, pk):
    appointment = _get_appointment_for_user(request, pk)
    episode = appointment.episode
    form = forms.OutcomeForm(request.POST or None)

    if not _in_core_therapy(appointment):
        del form.fields["session_components"], form.fields["session_notes"]
    return _take_step(
        request,
        episode,
        form,
        _acting(request, actions.record_attendance, appointment=appointment),
        title=f"Record the {appointment.get_kind_display().lower()} on "
        f"{timezone.localtime(appointment.starts_at):%-d %B %Y at %H:%M}",
        button="Save",
        success="Appointment outcome saved.",
        description="A missed first assessment goes back to be rebooked and restarts the "
        "waiting clock. Reaching the service's limit of missed first appointments, or missing "
        "an appointment once treatment has started, proposes discharge to the GP unless you "
        "record an exception.",
    )


@role_required(Role.TTP)
def triage(request, public_id):
    episode = _get_episode_for_user(request, public_id)
    max_sessions = episode.service.rules.max_therapy_sessions
    form = forms.TriageForm(
        request.POST or None,
        max_sessions=max_sessions,
        initial={"symptom_duration": episode.referral.symptom_duration},
    )

    return _take_step(
        request,
        episode,
        form,
        _with_answers(request, episode, actions.record_triage_decision),
        title="Triage decision",
        button="Save decision",
        success="Triage decision saved.",
    )


@role_required(Role.TTP)
def cppp_outcome(request, public_id):
    episode = _get_episode_for_user(request, public_id)
    form = forms.CPPPOutcomeForm(request.POST or None)

    return _take_step(
        request,
        episode,
        form,
        _with_answers(request, episode, actions.record_cppp_outcome),
        title="CPPP: joined or declined",
        button="Save",
        success="CPPP outcome saved.",
    )


@role_required(Role.TTP)
def discharge(request, public_id):
    episode = _get_episode_for_user(request, public_id)
    initial = {}
    if episode.state == EpisodeState.DISCHARGE_PROPOSED:
        initial["reason"] = "did_not_attend"
    form = forms.DischargeForm(request.POST or None, initial=initial)

    return _take_step(
        request,
        episode,
        form,
        _with_answers(request, episode, actions.discharge_episode),
        title="Discharge",
        button="Discharge",
        success="Discharged. The GP letter is ready to send from the episode page.",
    )


@role_required(Role.TTP)
def dna_exception(request, public_id):
    episode = _get_episode_for_user(request, public_id)
    form = forms.ReasonForm(request.POST or None)
    form.fields["reason"].label = "Why should this person not be discharged?"

    return _take_step(
        request,
        episode,
        form,
        _with_answers(request, episode, actions.record_dna_exception),
        title="Record an exception to the DNA policy",
        button="Keep the person under our care",
        success="Exception recorded.",
        description="For example a vulnerable patient. The episode goes back to be rebooked, "
        "or continues treatment.",
    )


@role_required(Role.TTP)
def reopen(request, public_id):
    episode = _get_episode_for_user(request, public_id)
    form = forms.ReasonForm(request.POST or None)
    form.fields["reason"].label = "Why does care need to re-open?"

    return _take_step(
        request,
        episode,
        form,
        _with_answers(request, episode, actions.reopen_episode),
        title="Re-open the episode",
        button="Re-open",
        success="Episode re-opened.",
    )


@role_required(Role.TTP)
@transaction.atomic
def appointment_letter(request, pk):
    appointment = _get_appointment_for_user(request, pk)
    record_view(request=request, obj=appointment, patient=appointment.episode.patient)
    return render(request, "care/appointment_letter.html", {"appointment": appointment})


@role_required(Role.TTP, Role.GP, Role.MANAGER)
@transaction.atomic
def discharge_letter(request, public_id):
    episode = _get_episode_for_user(request, public_id)
    if episode.state != lifecycle.DISCHARGED:
        return render(request, "care/not_discharged.html", {"episode": episode}, status=409)
    record_view(request=request, obj=episode, patient=episode.patient)
    context = {
        "episode": episode,
        "nhs_number": nhs_number.format(episode.patient.nhs_number),
        "triage": TriageDecision.objects.filter(episode=episode).first(),
        "sessions": episode.sessions.count(),
        "onward_referrals": list(episode.onward_referrals.all()),
        "responses": responses_by_timepoint(episode),
        # Questionnaires are recorded only inside their windows (pathway.proms.windows).
        "recordable_timepoints": timepoints_open_for_recording(episode),
    }
    return render(request, "care/discharge_letter.html", context)


@role_required(Role.TTP, Role.GP, Role.MANAGER)
@transaction.atomic
def discharge_letter_pdf(request, public_id):
    """The discharge letter as the PDF a GP system downloads from the API: the same bytes."""
    episode = _get_episode_for_user(request, public_id)
    if episode.state != lifecycle.DISCHARGED:
        return render(request, "care/not_discharged.html", {"episode": episode}, status=409)
    episode = letters.letter_episode(Episode.objects.all(), pk=episode.pk)
    pdf = render_pdf(letters.discharge_letter(episode))
    record_request_event(
        request=request,
        action=AuditAction.EXPORT,
        obj=episode,
        patient=episode.patient,
        object_type="discharge letter",
    )
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": f'attachment; filename="discharge-letter-{public_id}.pdf"',
        },
    )
