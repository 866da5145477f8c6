"""The public self-referral journey: no sign-in, plain forms, POST then redirect then GET.

One page per step; progress is kept in the server-side session (journey.py), never in the URL.
Each ending is recorded by the same action as the GP's referral (referrals.actions.
record_referral), with the same rules: a red flag stops it at once (recorded, no episode), so
does not being eligible, and a complete self-referral opens an episode awaiting triage.
"""

from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from pathway.accounts.scoping import OrganisationScope
from pathway.audit.actions import record_events
from pathway.audit.context import Channel, web_context
from pathway.audit.models import AuditAction
from pathway.clinical.red_flags import EMERGENCY, GP_SAME_DAY, SEE_GP_TODAY
from pathway.clinical.referral_rules import EXCLUSIONS_BY_CODE
from pathway.clinical.self_referral import PATIENT_ADVICE, PATIENT_EXCLUSION_ADVICE
from pathway.messaging.actions import queue_referral_received
from pathway.organisations.models import GPPractice, ProviderService
from pathway.patients import pds
from pathway.patients.models import Patient
from pathway.proms.links import create_link, usable_timepoint
from pathway.proms.models import PromTimepoint, Timepoint
from pathway.referrals.actions import ReferralRefused, record_referral
from pathway.referrals.assessment import assess
from pathway.referrals.models import ReferralOutcome
from pathway.selfreferral import journey, throttle
from pathway.selfreferral.forms import (
    AboutPainForm,
    ContactForm,
    EligibilityForm,
    IdentityByNameForm,
    IdentityForm,
    QuestionsForm,
    RedFlagsForm,
)

# Said for every identity that cannot be used, whatever the reason: nothing about any record.
NOT_MATCHED = (
    "We could not confirm your details. Check your NHS number, date of birth and postcode "
    "are as your GP surgery has them, and try again."
)
# The national record did not answer: nothing about anyone is known, and nothing is said.
UNAVAILABLE = (
    "We cannot check your details just now. Try again in a few minutes, or contact your GP surgery."
)
SLOWED = "Please wait a minute before you try again."
REFUSED = (
    "You have tried too many times. For your security you cannot try again for a while. "
    "Contact your GP surgery if you need help with your back or neck pain."
)
LOOKUP_OBJECT_TYPE = "demographics lookup"


def _service(code):
    return get_object_or_404(ProviderService, code=code, accepts_self_referral=True)


def _context(request):
    return web_context(request, Channel.SELF_REFERRAL)


def _render(request, template, service, status=200, **context):
    context = {"service": service, **context}
    return render(request, f"selfreferral/{template}", context, status=status)


def _journey_or_restart(request, service, step):
    """(state, None) while the journey is alive and has reached `step`; else (None, the
    response to send)."""
    state, timed_out = journey.current(request.session, service)
    if state is not None:
        earlier = journey.first_unanswered_step(state, step)
        if earlier:
            return None, redirect(f"selfreferral:{earlier}", code=service.code)
        return state, None
    if request.session.get(journey.FINISHED_KEY):
        # Already ended (the back button, a second click): show how, never "nothing was sent".
        return None, redirect("selfreferral:finished", code=service.code)
    if timed_out or request.method == "POST":
        minutes = settings.SESSION_IDLE_MINUTES
        return None, _render(request, "timed_out.html", service, idle_minutes=minutes)
    return None, redirect("selfreferral:start", code=service.code)


@require_GET
@never_cache
def start(request, code):
    service = _service(code)
    return _render(request, "start.html", service)


@never_cache
def identity(request, code):
    """Who you are, by NHS number (with date of birth and postcode)."""
    return _identity(request, code, IdentityForm, "identity.html")


@never_cache
def identity_by_name(request, code):
    """Who you are, for someone who does not know their NHS number: name, date of birth and
    postcode, searched for on the national record."""
    return _identity(request, code, IdentityByNameForm, "identity_by_name.html")


def _identity(request, code, form_class, template):
    service = _service(code)
    form = form_class(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return _render(request, template, service, form=form)
    typed = form.cleaned_data
    number = typed.get("nhs_number", "")
    verdict = throttle.verdict(request, number)
    if verdict != throttle.ALLOWED:
        form.add_error(None, SLOWED if verdict == throttle.SLOWED else REFUSED)
        return _render(request, template, service, status=429, form=form)
    throttle.count_check(request, number)
    lookup = _look_up(typed)
    if lookup.nhs_number and not number:
        # Found by name: that person's number is limited too, and is refused once it is spent.
        if throttle.verdict(request, lookup.nhs_number) == throttle.REFUSED:
            form.add_error(None, REFUSED)
            return _render(request, template, service, status=429, form=form)
        throttle.count_check(request, lookup.nhs_number)
    _audit_lookup(request, lookup)
    person, practice = _confirmed_person(lookup, typed)
    if person is None:
        form.add_error(
            None, UNAVAILABLE if lookup.outcome == pds.Outcome.UNAVAILABLE else NOT_MATCHED
        )
        return _render(request, template, service, form=form)
    # A new session key once the person is known: one fixed beforehand is of no use.
    request.session.cycle_key()
    journey.begin(request.session, service, person, practice)
    return redirect("selfreferral:about_pain", code=service.code)


def _look_up(typed):
    if typed.get("nhs_number"):
        return pds.find_person(typed["nhs_number"])
    return pds.search_person(
        given_name=typed["given_name"],
        family_name=typed["family_name"],
        date_of_birth=typed["date_of_birth"],
        postcode=typed["postcode"],
    )


def _audit_lookup(request, lookup):
    """Asking the national record is a read of a person's details, matched or not."""
    known = (
        Patient.objects.filter(nhs_number=lookup.nhs_number).first() if lookup.nhs_number else None
    )
    record_events(
        by=journey.SELF_REFERRER,
        context=_context(request),
        actions=[(AuditAction.VIEW, lookup, known)],
        object_type=LOOKUP_OBJECT_TYPE,
    )


def _confirmed_person(lookup, typed):
    """(pds.Person, GPPractice) when the national record has this person with the date of
    birth, postcode (and name, when given) typed, and a practice we know; else (None, None),
    whatever the reason."""
    person = lookup.person if lookup.found else None
    if (
        person is None
        or person.date_of_birth != typed["date_of_birth"]
        or _compact(person.postcode) != _compact(typed["postcode"])
        or "family_name" in typed
        and _compact(person.family_name) != _compact(typed["family_name"])
        or not person.sex
    ):
        return None, None
    practice = GPPractice.objects.filter(ods_code=person.practice_ods_code).first()
    if practice is None:
        return None, None
    return person, practice


def _compact(text):
    return "".join(text.split()).upper()


def _step(step, form_class, then, form_kwargs=lambda state: {}):
    """One page of the journey: its form, shown again with its errors until it is valid; then
    `then(request, service, state, form)` answers with what comes next."""

    @never_cache
    def view(request, code):
        service = _service(code)
        state, response = _journey_or_restart(request, service, step)
        if response:
            return response
        form = form_class(request.POST or None, **form_kwargs(state))
        if request.method != "POST" or not form.is_valid():
            return _render(request, f"{step}.html", service, form=form)
        return then(request, service, state, form)

    view.__name__ = step
    return view


def _keep_and_go_to(next_step):
    """A step that only keeps its answers and goes on."""

    def then(request, service, state, form):
        journey.save(request.session, state, **form.answers())
        return redirect(f"selfreferral:{next_step}", code=service.code)

    return then


def _after_red_flags(request, service, state, form):
    """Safety netting first: any flag ends the journey at once, recorded, with what to do now."""
    journey.save(request.session, state, red_flags=form.answers())
    if any(form.answers().values()):
        return _record_and_finish(request, service, state)
    return redirect("selfreferral:eligibility", code=service.code)


def _after_eligibility(request, service, state, form):
    journey.save(request.session, state, exclusions=form.answers())
    answers = journey.answers_of(state)
    # The same rules as the GP's form: the service's exclusions, and local registration.
    scope = OrganisationScope.of_practice(answers.patient.registered_practice.pk)
    assessment = assess(answers, scope=scope, services=[service])
    if assessment.exclusions or assessment.exclusion_problem:
        return _record_and_finish(request, service, state)
    return redirect("selfreferral:questions", code=service.code)


def _after_contact(request, service, state, form):
    return _record_and_finish(request, service, state, contact=form.contact())


about_pain = _step("about_pain", AboutPainForm, _keep_and_go_to("red_flags"))
red_flags = _step("red_flags", RedFlagsForm, _after_red_flags)
eligibility = _step(
    "eligibility",
    EligibilityForm,
    _after_eligibility,
    form_kwargs=lambda state: {"sex": state["person"]["sex"]},
)
questions = _step("questions", QuestionsForm, _keep_and_go_to("contact"))
contact = _step("contact", ContactForm, _after_contact)


def _record_and_finish(request, service, state, contact=None):
    answers = journey.answers_of(state, contact=contact)
    try:
        referral = record_referral(
            answers=answers,
            services=[service],
            by=journey.SELF_REFERRER,
            context=_context(request),
            referring_practice=answers.patient.registered_practice,
        )
    except ReferralRefused as refused:
        # Nothing was recorded: an open episode for this problem, or a question the online
        # journey cannot answer (such as why care should re-open so soon).
        open_episode = any(name is None for name, _message in refused.problems)
        request.session.pop(journey.SESSION_KEY, None)
        template = "already_open.html" if open_episode else "cannot_refer.html"
        return _render(request, template, service)
    if referral.outcome == ReferralOutcome.REFERRED:
        # Idempotent by the episode: a second click queues nothing more.
        queue_referral_received(episode=referral.episode)
    journey.finish(request.session, referral)
    return redirect("selfreferral:finished", code=service.code)


@require_GET
@never_cache
def finished(request, code):
    service = _service(code)
    done = request.session.get(journey.FINISHED_KEY)
    if not done:
        return redirect("selfreferral:start", code=service.code)
    if done["outcome"] == ReferralOutcome.REDIRECTED:
        route = SEE_GP_TODAY if done["red_flag_action"] == GP_SAME_DAY else EMERGENCY
        heading, advice = PATIENT_ADVICE[route]
        return _render(
            request,
            "stop.html",
            service,
            heading=heading,
            advice=advice,
            emergency=route == EMERGENCY,
        )
    if done["outcome"] == ReferralOutcome.EXCLUDED:
        reasons = [
            (EXCLUSIONS_BY_CODE[code], PATIENT_EXCLUSION_ADVICE[code])
            for code in done["exclusions"]
        ]
        return _render(request, "not_eligible.html", service, reasons=reasons)
    return _render(request, "confirmation.html", service)


@require_POST
def baseline_questionnaires(request, code):
    """Straight on from the confirmation to the baseline questionnaires, in the same sitting:
    a new secure link to this referral's baseline, opened here as the emailed one would be
    (the person confirms their date of birth, then answers inside the baseline's window)."""
    service = _service(code)
    done = request.session.get(journey.FINISHED_KEY) or {}
    baseline = (
        PromTimepoint.objects.filter(
            episode__referral__public_id=done.get("referral"),
            episode__referral__outcome=ReferralOutcome.REFERRED,
            timepoint=Timepoint.BASELINE,
        )
        .select_related("episode__patient")
        .first()
    )
    if baseline is None or not usable_timepoint(baseline):
        return redirect("selfreferral:finished", code=service.code)
    token, _link = create_link(timepoint=baseline)
    return redirect("proms:open_link", token=token)
