"""Questionnaires a TTP records with the person on an episode, at baseline or at discharge,
inside the time point's window (pathway.proms.windows) like the person's own answers. The
episode is care's; the questionnaires are recorded by pathway.proms.actions."""

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from pathway.accounts.models import Role
from pathway.audit.context import web_context
from pathway.audit.reads import record_view
from pathway.care.models import Episode
from pathway.clinical import InvalidAnswers, nhs_number
from pathway.core.permissions import role_required
from pathway.proms.actions import TimepointClosed, record_questionnaire
from pathway.proms.forms import QuestionnaireForm
from pathway.proms.models import (
    PromTimepoint,
    QuestionnaireResponse,
    ResponseSource,
    Timepoint,
    TimepointState,
)
from pathway.proms.queries import RECORDABLE_TIMEPOINTS, timepoints_open_for_recording
from pathway.proms.schedule import restart_messages
from pathway.proms.timepoints import instruments_for
from pathway.proms.windows import accepts_answers, not_open_reason

SAFETY_WARNING = (
    "PHQ-9 item 9 was answered above \u201cnot at all\u201d: a safety alert has been raised. "
    "Ask the person about their safety today, before they leave. If they are in immediate "
    "danger call 999; otherwise make sure they know to call NHS 111, or Samaritans on 116 123, "
    "at any time."
)


class _NothingSaved(Exception):
    """Raised inside the saving transaction to roll every questionnaire back."""


def _get_episode_for_user(request, public_id):
    episodes = Episode.objects.visible_to(request.user).select_related("patient")
    return get_object_or_404(episodes, public_id=public_id)


def _chosen_timepoint(request, episode):
    """The time point asked for, or the first one open for recording now (else baseline)."""
    timepoint = request.GET.get("timepoint") or next(
        iter(timepoints_open_for_recording(episode)), Timepoint.BASELINE
    )
    if timepoint not in RECORDABLE_TIMEPOINTS:
        raise Http404("Questionnaires can be recorded at baseline or discharge")
    return Timepoint(timepoint)


def _closed_reason(episode, timepoint):
    """Why this time point's questionnaires cannot be recorded now (its window), or None when
    they can (or are all recorded: the form says so)."""
    entry = PromTimepoint.objects.filter(episode=episode, timepoint=timepoint).first()
    if entry is not None and (accepts_answers(entry) or entry.state == TimepointState.COMPLETED):
        return None
    return not_open_reason(entry, timepoint)


def _recorded(episode, timepoint):
    responses = QuestionnaireResponse.objects.filter(episode=episode, timepoint=timepoint)
    return {response.instrument: response for response in responses}


def _save(request, episode, timepoint, form):
    """Record every completed questionnaire, or none: the list saved, or None with the
    reasons added to the form."""
    try:
        with transaction.atomic():
            saved = []
            for instrument, answers in form.completed_answers().items():
                try:
                    saved.append(
                        record_questionnaire(
                            episode=episode,
                            timepoint=timepoint,
                            instrument=instrument,
                            answers=answers,
                            source=ResponseSource.CLINICIAN,
                            by=request.user,
                            context=web_context(request),
                        )
                    )
                except InvalidAnswers as refusal:
                    # Keep going so every questionnaire's problem is shown at once.
                    form.add_instrument_error(instrument, str(refusal))
            if not form.is_valid():
                raise _NothingSaved
    except _NothingSaved:
        return None
    except TimepointClosed as closed:
        # The window closed (or never opened): the same answers cannot belong to it.
        form.add_error(None, str(closed))
        return None
    except IntegrityError:
        # Someone else recorded one of these questionnaires after this page was checked.
        form.add_error(
            None,
            "Some of these questionnaires were recorded by someone else while you were typing, "
            "so nothing was saved. Check what is recorded now and save the others again",
        )
        return None
    return saved


def _say_what_was_recorded(request, timepoint, form, saved):
    if any(response.scores.get("self_harm_flag") for response in saved):
        messages.warning(request, SAFETY_WARNING)
    names = ", ".join(form.short_name(response.instrument) for response in saved)
    messages.success(request, f"{timepoint.label} questionnaires recorded: {names}")


@role_required(Role.TTP)
@transaction.atomic
def record_questionnaires(request, public_id):
    episode = _get_episode_for_user(request, public_id)
    timepoint = _chosen_timepoint(request, episode)
    form = QuestionnaireForm(
        request.POST if request.method == "POST" else None,
        instruments=instruments_for(timepoint),
        recorded=_recorded(episode, timepoint),
        timepoint_label=timepoint.label,
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(request, episode, timepoint, form)
        if saved is not None:
            _say_what_was_recorded(request, timepoint, form, saved)
            return redirect("care:episode", public_id=episode.public_id)
        # What is recorded may have changed under us: show it as it is now.
        form.refresh_recorded(_recorded(episode, timepoint))

    record_view(request=request, obj=episode, patient=episode.patient)
    context = {
        "episode": episode,
        "nhs_number": nhs_number.format(episode.patient.nhs_number),
        "form": form,
        "timepoint": timepoint,
        "other_timepoints": [t for t in RECORDABLE_TIMEPOINTS if t != timepoint],
        "all_recorded": all(section.recorded for section in form.sections),
        "closed_reason": _closed_reason(episode, timepoint),
    }
    return render(request, "care/record_questionnaires.html", context)


@require_POST
@role_required(Role.TTP)
@transaction.atomic
def restart_questionnaire_messages(request, public_id):
    """The person stopped their questionnaire messages and asks for them again: the stop page
    tells them to ask their clinician."""
    episode = _get_episode_for_user(request, public_id)
    restart_messages(patient=episode.patient, by=request.user, context=web_context(request))
    messages.success(
        request,
        "Questionnaire messages started again: the person is sent the questionnaires that are "
        "still open, and later ones when they are due.",
    )
    return redirect("care:episode", public_id=episode.public_id)
