"""The discharge letter's values, read from the record: which episodes have a letter, when each
letter last changed, and the DischargeLetter of one episode.

A letter is made from the record whenever it is asked for. What it says can change after the
discharge in two ways the episode's own updated_at does not see: questionnaires answered in
the discharge window (up to 28 days later) and a CPPP outcome recorded later. So a letter's
last change (`letter_changed_at`, the API's lastUpdated) is the latest of the three, and a GP
system polling for changed letters is given the letter again when its scores arrive.
Corrections to names and details held elsewhere (the person's, the practice's, the service's)
show in the next download but do not move that time: see docs/api.md.
"""

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from pathway.care.choices import AppointmentOutcome, DischargeReason, EpisodeState
from pathway.care.letters.content import DischargeLetter, OnwardReferral, Score
from pathway.care.models import CPPPReferral, TriageDecision
from pathway.clinical import nhs_number
from pathway.proms.models import QuestionnaireResponse, Timepoint
from pathway.proms.queries import group_by_timepoint

# The scores' words are the pages' (templates/proms/scores_summary.html), defined once.
from pathway.proms.templatetags.proms import summarise

LETTER_TIMEPOINTS = (Timepoint.BASELINE, Timepoint.DISCHARGE)
# The Friends and Family Test is feedback on the service, not a clinical score, and its
# comment was written to the service: it stays out of the GP's letter.
NOT_IN_LETTER = ("fft",)


def _letter_responses():
    # Only answers given inside their time point's window, as the reports count them: an
    # answer after discharge is not a baseline (pathway.proms.windows).
    return (
        QuestionnaireResponse.objects.in_window()
        .filter(timepoint__in=LETTER_TIMEPOINTS)
        .exclude(instrument__in=NOT_IN_LETTER)
    )


def with_letters(episodes):
    """The discharged episodes among `episodes` (each has a letter), with `letter_changed_at`:
    when its letter last changed."""
    last_answer = (
        _letter_responses()
        .filter(episode=OuterRef("pk"))
        .order_by("-completed_at")
        .values("completed_at")[:1]
    )
    cppp_outcome = CPPPReferral.objects.filter(episode=OuterRef("pk")).values("outcome_recorded_at")
    # Coalesce each: outside PostgreSQL, GREATEST with a NULL is NULL.
    return episodes.filter(state=EpisodeState.DISCHARGED).annotate(
        letter_changed_at=Greatest(
            "updated_at",
            Coalesce(Subquery(last_answer), "updated_at"),
            Coalesce(Subquery(cppp_outcome), "updated_at"),
        )
    )


def letter_episode(episodes, **lookup):
    """The discharged episode of `episodes` matching `lookup`, as discharge_letter() needs it,
    or None."""
    return (
        with_letters(episodes)
        .select_related("patient", "service", "referral__practice", "lead_clinician")
        .filter(**lookup)
        .first()
    )


def discharge_letter(episode):
    """The DischargeLetter of a discharged episode from with_letters() (its letter_changed_at
    is part of the letter), its patient, referral (and practice), service and lead clinician
    selected."""
    patient, referral = episode.patient, episode.referral
    triage = TriageDecision.objects.filter(episode=episode).first()
    changed_on = timezone.localdate(episode.letter_changed_at)
    discharged_on = timezone.localdate(episode.discharged_at)
    return DischargeLetter(
        service_name=episode.service.name,
        service_phone=episode.service.phone,
        # The practice that referred: the episode's practice, which the letter goes back to
        # and whose staff and systems may see it (EpisodeQuerySet's scope).
        practice_name=referral.practice.name,
        practice_ods_code=referral.practice.ods_code,
        patient_name=patient.full_name,
        nhs_number=nhs_number.format(patient.nhs_number),
        date_of_birth=patient.date_of_birth,
        body_part=episode.get_body_part_display(),
        referred_on=timezone.localdate(episode.referred_at),
        startback_risk=referral.startback_risk,
        first_seen_on=_first_seen_on(episode),
        discharged_on=discharged_on,
        discharge_reason=episode.get_discharge_reason_display(),
        did_not_attend=episode.discharge_reason == DischargeReason.DID_NOT_ATTEND,
        triage_outcome=triage.get_outcome_display() if triage else "",
        sessions_attended=episode.sessions.count(),
        sessions_planned=triage.planned_sessions if triage else None,
        cppp=_cppp(episode),
        onward_referrals=tuple(
            OnwardReferral(onward.get_destination_display(), onward.sent_on, onward.reason)
            for onward in episode.onward_referrals.order_by("sent_on", "id")
        ),
        scores=_scores(episode),
        lead_clinician=episode.lead_clinician.get_full_name() if episode.lead_clinician_id else "",
        written_at=episode.discharged_at,
        updated_on=changed_on if changed_on > discharged_on else None,
    )


def _first_seen_on(episode):
    attended = (
        episode.appointments.filter(outcome=AppointmentOutcome.ATTENDED)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    return timezone.localdate(attended) if attended else None


def _cppp(episode):
    cppp = CPPPReferral.objects.filter(episode=episode).first()
    if cppp is None:
        return ""
    if not cppp.outcome:
        return "invited, no answer recorded"
    if cppp.decline_reason:
        return f"declined ({cppp.get_decline_reason_display().lower()})"
    return cppp.get_outcome_display().lower()


def _scores(episode):
    """A Score for each questionnaire answered at either time point: baseline order first."""
    by_timepoint = group_by_timepoint(_letter_responses().filter(episode=episode))
    at_start = by_timepoint.get(Timepoint.BASELINE, {})
    at_discharge = by_timepoint.get(Timepoint.DISCHARGE, {})
    instruments = list(dict.fromkeys([*at_start, *at_discharge]))
    scores = []
    for instrument in instruments:
        start, end = at_start.get(instrument), at_discharge.get(instrument)
        title = summarise(start or end).title
        scores.append(Score(title, _words(start), _words(end)))
    return tuple(scores)


def _words(response):
    if response is None:
        return ""
    summary = summarise(response)
    words = summary.score + (f"\n{summary.meaning}" if summary.meaning else "")
    if summary.self_harm_flag:
        words += "\nItem 9 (thoughts of self-harm) answered above 0"
    return words
