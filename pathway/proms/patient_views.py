"""The person's own questionnaires, from the link in their invitation. No staff sign-in.

The token is only ever in the first URL (/q/<token>/), which at once swaps it for the link's
primary key in a fresh session and redirects to token-free pages, so the token cannot leak
through the address bar, history, a page or a Referer header. Every way a link or session can
fail, including too many guesses from one address (pathway.proms.throttle), gives the same
page with the same status, so nobody can tell an expired link from one that never existed.
That status is 200 because Django logs every 4xx response with its path, which here holds the
token; nothing here logs the token or a URL that holds it. One exception: a real link whose
time point's window has closed says so kindly (pathway.proms.windows), naming nobody.

Answering and stopping messages both need the person's date of birth first. Each page shown
after it is a read of the person's record, audited as their own (pathway.proms.patient_audit).
"""

import functools

from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt

from pathway.audit.context import PATIENT
from pathway.clinical import InvalidAnswers
from pathway.clinical.questionnaires import INSTRUMENTS
from pathway.proms.actions import TimepointClosed, outstanding_instruments, record_patient_answers
from pathway.proms.links import CLOSED, USABLE, check_date_of_birth, find_link, link_status
from pathway.proms.models import GuessKind, PatientLink, QuestionnaireResponse
from pathway.proms.patient_audit import patient_link_context, record_patient_page_view
from pathway.proms.patient_forms import DateOfBirthForm, PatientQuestionnaireForm
from pathway.proms.schedule import opt_out
from pathway.proms.scoring import score_answers
from pathway.proms.throttle import is_blocked, record_failure
from pathway.proms.timepoints import instruments_for

SESSION_LINK = "prom_link"
SESSION_VERIFIED = "prom_link_verified"
# Where confirming the date of birth leads: to stopping messages instead of the questionnaires.
SESSION_NEXT = "prom_link_next"
NEXT_STOP = "stop"
MINUTES_PER_QUESTIONNAIRE = 2

# Plain-English help shown above each questionnaire, in the service's own words (the licensed
# questionnaires' wording is not ours to ship).
PATIENT_HELP = {
    "pain_nrs": "Think about your back or neck pain today. Choose the number that fits best.",
    "odi": "These questions ask how your back or neck pain affects your everyday life. "
    "In each section, choose the one answer that describes you best today.",
    "eq5d5l": "These questions ask about your health today. Choose one answer to each "
    "question, then rate your health today as a number from 0 to 100.",
    "gad7": "Choose one answer to each question. There are no right or wrong answers.",
    "phq9": "Choose one answer to each question. There are no right or wrong answers.",
    "gsos": "Choose the answer that fits best.",
    "fft": "Choose the answer that fits best. You can also tell us why, if you want to.",
    "readiness": "Choose the number that fits best.",
}


def private_page(view):
    """Send no Referer from these pages (unless the view chose a policy) and keep them out
    of every cache."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response["Cache-Control"] = "no-store"
        return response

    return wrapped


def _render(request, template, context=None):
    # base.html looks up form.errors. Without a `form`, Django's template debug log would
    # print the whole context, and with it the request's path: the token.
    return render(request, template, {"form": None, **(context or {})})


def _render_form_page(request, template, context):
    response = render(request, template, context)
    # Under no-referrer a browser sends "Origin: null" with this page's form, which Django's
    # CSRF check refuses. This page's URL holds no token, and same-origin sends no Referer to
    # other sites.
    response["Referrer-Policy"] = "same-origin"
    return response


def _link_not_working(request):
    # One page for every failure: it names no service and no person.
    return _render(request, "proms/patient/link_not_working.html")


def _closed(request, *, unsaved_urgent_answer=False):
    # Names no service and no person either: only a real link's holder sees it.
    context = {"unsaved_urgent_answer": unsaved_urgent_answer}
    return _render(request, "proms/patient/closed.html", context)


def _not_usable(request, link):
    """The page for a link that cannot take answers now: closed kindly, or not working."""
    if link_status(link) == CLOSED:
        return _closed(request)
    return _link_not_working(request)


def _session_link(request, *, verified):
    """The link this session continued from (and confirmed, when `verified`), or None."""
    pk = request.session.get(SESSION_LINK)
    if pk is None or (verified and request.session.get(SESSION_VERIFIED) != pk):
        return None
    links = PatientLink.objects.select_related(
        "timepoint__episode__patient", "timepoint__episode__service"
    )
    return links.filter(pk=pk).first()


def _needs_urgent_help(timepoint):
    """True when the person's PHQ-9 item 9 answer at this time point was above 0."""
    phq9 = QuestionnaireResponse.objects.filter(
        episode_id=timepoint.episode_id, timepoint=timepoint.timepoint, instrument="phq9"
    ).first()
    return bool(phq9 and phq9.scores.get("self_harm_flag"))


def _flags_self_harm(instrument, answers):
    """Whether answers that could not be saved reported thoughts of self-harm."""
    try:
        scores, _headline = score_answers(instrument, answers)
    except InvalidAnswers:
        return False
    return bool(scores.get("self_harm_flag"))


def _posted_self_harm(request, instrument):
    """Whether a questionnaire posted to a closed time point reported thoughts of self-harm,
    even with other questions left blank (PHQ-9 item 9, the clinical core's self-harm item)."""
    if instrument not in INSTRUMENTS:
        return False
    form = PatientQuestionnaireForm(request.POST, instrument=INSTRUMENTS[instrument])
    if form.is_valid():
        return _flags_self_harm(instrument, form.answers())
    if instrument != "phq9":
        return False
    item_9 = form.cleaned_data.get(INSTRUMENTS["phq9"].items[8].code)
    return item_9 not in (None, "") and int(item_9) > 0


# Old emails' links and any POST from a page opened before a release land here, with or
# without /stop/: every method does the same. The token is the proof, so there is nothing for a
# forged cross-site request to gain, and Django's CSRF rejection would log the path (the token).
@private_page
@csrf_exempt
def open_link(request, token, _rest=None):
    """Swap the token for a session at once, so the token leaves the address bar and history
    and no later page, form or Referer can hold it."""
    if is_blocked(request, GuessKind.TOKEN):
        return _link_not_working(request)
    link = find_link(token)
    if link is None:
        record_failure(request, GuessKind.TOKEN)
        return _link_not_working(request)
    # A fresh session key, holding only the link's primary key: never the token. Mail scanners
    # that open links get a session and nothing else: no answer, opt-out or count changes.
    request.session.cycle_key()
    request.session[SESSION_LINK] = link.pk
    request.session.pop(SESSION_VERIFIED, None)
    request.session.pop(SESSION_NEXT, None)
    return redirect("proms:start")


@private_page
def start(request):
    link = _session_link(request, verified=False)
    if link_status(link) != USABLE:
        return _not_usable(request, link)
    timepoint = link.timepoint
    context = {
        "service": timepoint.episode.service,
        "minutes": MINUTES_PER_QUESTIONNAIRE * len(outstanding_instruments(timepoint)),
    }
    return _render_form_page(request, "proms/patient/start.html", context)


@private_page
def stop(request):
    """Stopping messages needs the same date of birth as answering (the same attempt limits and
    throttling: it goes through `confirm`), then a page saying what stopping means, whose
    button POSTs here. A GET never opts anyone out."""
    link = _session_link(request, verified=False)
    if link_status(link) != USABLE:
        return _not_usable(request, link)
    if request.session.get(SESSION_VERIFIED) != link.pk:
        request.session[SESSION_NEXT] = NEXT_STOP
        return redirect("proms:confirm")
    service = link.timepoint.episode.service
    if request.method == "POST":
        # Audited by the action, as the person's own act from this link.
        opt_out(
            patient=link.timepoint.episode.patient,
            link=link,
            by=PATIENT,
            context=patient_link_context(request),
        )
        return _render(request, "proms/patient/stopped.html", {"service": service})
    record_patient_page_view(request, link)
    return _render_form_page(request, "proms/patient/stop.html", {"service": service})


@private_page
def confirm(request):
    link = _session_link(request, verified=False)
    if link_status(link) != USABLE:
        return _not_usable(request, link)
    if is_blocked(request, GuessKind.DATE_OF_BIRTH):
        return _link_not_working(request)
    form = DateOfBirthForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        date_of_birth = form.cleaned_data["date_of_birth"]
        if check_date_of_birth(timepoint=link.timepoint, date_of_birth=date_of_birth):
            request.session.cycle_key()
            request.session[SESSION_VERIFIED] = link.pk
            if request.session.pop(SESSION_NEXT, None) == NEXT_STOP:
                return redirect("proms:stop")
            return redirect("proms:questionnaire")
        record_failure(request, GuessKind.DATE_OF_BIRTH)
        link.timepoint.refresh_from_db()
        if link_status(link) != USABLE:
            return _not_usable(request, link)
        form.add_error("date_of_birth", "The date of birth does not match our records")
    context = {"form": form, "stopping": request.session.get(SESSION_NEXT) == NEXT_STOP}
    return _render_form_page(request, "proms/patient/confirm.html", context)


@private_page
def next_questionnaire(request):
    link = _session_link(request, verified=True)
    if link is None:
        return _link_not_working(request)
    outstanding = outstanding_instruments(link.timepoint)
    if not outstanding:
        # The last answer completes the time point, which closes the link: say thank you.
        return redirect("proms:complete")
    if link_status(link) != USABLE:
        return _not_usable(request, link)
    return redirect("proms:answer", instrument=outstanding[0])


@private_page
def answer(request, instrument):
    link = _session_link(request, verified=True)
    if link is None:
        return _link_not_working(request)
    status = link_status(link)
    if status == CLOSED and request.method == "POST":
        # The page was opened before the window closed: these answers are not taken. If they
        # reported thoughts of self-harm the person is shown where to get help now (no alert
        # can be raised for an answer not taken).
        return _closed(request, unsaved_urgent_answer=_posted_self_harm(request, instrument))
    if status != USABLE:
        return _not_usable(request, link)
    timepoint = link.timepoint
    if instrument not in outstanding_instruments(timepoint):
        # Answered already, or not one of this time point's questionnaires.
        return redirect("proms:questionnaire")
    form = PatientQuestionnaireForm(
        request.POST if request.method == "POST" else None, instrument=INSTRUMENTS[instrument]
    )
    if request.method == "POST" and form.is_valid():
        saved = _save_answers(request, link, instrument, form)
        if saved is not None:
            return saved
    return _questionnaire_page(request, link, instrument, form)


def _save_answers(request, link, instrument, form):
    """Where to go once the answers are saved (or cannot be any more); None, with the reason
    on the form, when they were refused."""
    timepoint = link.timepoint
    try:
        record_patient_answers(
            timepoint=timepoint,
            instrument=instrument,
            answers=form.answers(),
            context=patient_link_context(request),
        )
    except InvalidAnswers as refusal:
        form.add_answers_error(str(refusal))
        return None
    except (TimepointClosed, IntegrityError):
        # Answered in another tab or window, or the window closed meanwhile (as above).
        timepoint.refresh_from_db()
        if link_status(link) == CLOSED:
            urgent = _flags_self_harm(instrument, form.answers())
            return _closed(request, unsaved_urgent_answer=urgent)
    return redirect("proms:questionnaire")


def _questionnaire_page(request, link, instrument, form):
    timepoint = link.timepoint
    codes = instruments_for(timepoint.timepoint)
    context = {
        "form": form,
        "instrument": form.instrument,
        "help": PATIENT_HELP.get(instrument, ""),
        "position": codes.index(instrument) + 1,
        "count": len(codes),
        "urgent_help": _needs_urgent_help(timepoint),
    }
    record_patient_page_view(request, link)
    return _render_form_page(request, "proms/patient/questionnaire.html", context)


@private_page
def complete(request):
    link = _session_link(request, verified=True)
    if link is None:
        return _link_not_working(request)
    if outstanding_instruments(link.timepoint):
        if link_status(link) != USABLE:
            return _not_usable(request, link)
        return redirect("proms:questionnaire")
    context = {
        "service": link.timepoint.episode.service,
        "urgent_help": _needs_urgent_help(link.timepoint),
    }
    record_patient_page_view(request, link)
    return _render(request, "proms/patient/complete.html", context)
