"""Demo care made through the TTP's actions, with appointments spread over past weeks."""

import datetime

from django.utils import timezone

from pathway.audit.context import DEMO_CONTEXT
from pathway.care import actions
from pathway.care.models import Appointment
from pathway.proms.actions import record_questionnaire


def _at(days, hour=10, minute=0):
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def book(episode, ttp, *, days, kind="first_assessment"):
    """Book an appointment `days` from today; a negative `days` records a past one."""
    # The clinician's first free half hour that day from 09:00, as a TTP would choose.
    starts_at = Appointment.objects.first_free_start(ttp, _at(days, 9))
    return actions.book_appointment(
        context=DEMO_CONTEXT,
        episode=episode,
        kind=kind,
        starts_at=starts_at,
        clinician=ttp,
        mode="in_person",
        location="Molineux Street Clinic, Newcastle",
        recording_past=starts_at < timezone.now(),
        by=ttp,
    )


def attend(appointment, ttp, outcome="attended", **kwargs):
    return actions.record_attendance(
        context=DEMO_CONTEXT, appointment=appointment, outcome=outcome, by=ttp, **kwargs
    )


def assess_and_triage(episode, ttp, *, days, outcome, **kwargs):
    attend(book(episode, ttp, days=days), ttp)
    if outcome == "core_therapy":
        kwargs.setdefault("planned_sessions", 6)
    return actions.record_triage_decision(
        context=DEMO_CONTEXT,
        episode=episode,
        outcome=outcome,
        symptom_duration=episode.referral.symptom_duration,
        assessment_notes="Demo assessment: mechanical back pain, no neurological deficit.",
        by=ttp,
        **kwargs,
    )


def therapy_sessions(episode, ttp, *, days):
    for day in days:
        attend(
            book(episode, ttp, days=day, kind="follow_up"),
            ttp,
            session_components=["education", "exercise"],
        )


def questionnaires(
    episode, ttp, timepoint, *, pain, odi_sections, eq5d_state, vas, gad7, phq9, days=None
):
    """A set of questionnaires recorded with the person, scored by the clinical core: now,
    or (days) on the day of an appointment in the demo's past (answered_on)."""
    answers = {
        "pain_nrs": {"pain": pain},
        "odi": {"sections": odi_sections},
        "eq5d5l": {"state": eq5d_state, "vas": vas},
        "gad7": {"items": gad7},
        "phq9": {"items": phq9},
    }
    _record_all(episode, ttp, timepoint, answers)
    if days is not None:
        answered_on(episode, timepoint, _at(days) + datetime.timedelta(minutes=20))


def answered_on(episode, timepoint, when):
    """The demo's history happens today through the real actions, which stamp answers now;
    this dates a time point's answers at the appointment they belong to, inside its window."""
    from pathway.proms.models import PromTimepoint, QuestionnaireResponse

    QuestionnaireResponse.objects.filter(episode=episode, timepoint=timepoint).update(
        completed_at=when
    )
    PromTimepoint.objects.filter(
        episode=episode, timepoint=timepoint, completed_at__isnull=False
    ).update(completed_at=when)


def move_discharge_back(episode, *, days):
    """The discharge, its follow-up time points (windows, answers, pending messages) happened
    `days` earlier; the sweep then opens what is due and closes what has passed. How the demo
    records 6- and 12-month answers inside their windows on the day it is loaded."""
    from django.db.models import F

    from pathway.care.models import Episode
    from pathway.messaging.models import OutboundMessage
    from pathway.proms.models import PromTimepoint, QuestionnaireResponse
    from pathway.proms.schedule import open_due_timepoints, record_non_response

    shift = datetime.timedelta(days=days)
    follow_ups = ["discharge", "month_6", "month_12"]
    Episode.objects.filter(pk=episode.pk).update(discharged_at=F("discharged_at") - shift)
    entries = PromTimepoint.objects.filter(episode=episode, timepoint__in=follow_ups)
    entries.update(
        due_at=F("due_at") - shift,
        opens_at=F("opens_at") - shift,
        closes_at=F("closes_at") - shift,
        completed_at=F("completed_at") - shift,
    )
    QuestionnaireResponse.objects.filter(episode=episode, timepoint__in=follow_ups).update(
        completed_at=F("completed_at") - shift
    )
    OutboundMessage.objects.filter(prom_timepoint__in=entries, state="pending").update(
        due_at=F("due_at") - shift
    )
    open_due_timepoints()
    record_non_response()


def outcome_cohort(*, gp, ttp, service, patients, rng):
    """People treated about 14 months ago, with scores at baseline, discharge, 6 and 12 months
    that improve by amounts like the evaluation's (pain -2.6, ODI -16 at discharge), each
    recorded inside its time point's window."""
    from pathway.demo.referrals import refer

    for number, patient in enumerate(patients):
        outcome = "cppp" if number % 4 == 3 else "core_therapy"
        risk = ["medium", "high", "low"][number % 3]
        episode = refer(gp=gp, patient=patient, risk=risk, service=service, days_ago=440).episode
        assess_and_triage(episode, ttp, days=-430, outcome=outcome)
        pain, odi, vas = rng.randint(5, 9), rng.randint(30, 60), rng.randint(35, 60)
        scores = {
            "baseline": (pain, odi, vas),
            "discharge": (pain - rng.randint(1, 4), odi - rng.randint(8, 24), vas + 15),
            "month_6": (pain - rng.randint(1, 4), odi - rng.randint(6, 22), vas + 12),
            "month_12": (pain - rng.randint(0, 4), odi - rng.randint(4, 22), vas + 10),
        }
        # Baseline at the assessment, before the first treatment session closes its window.
        _cohort_answers(episode, ttp, "baseline", scores["baseline"], rng)
        answered_on(episode, "baseline", _at(-430) + datetime.timedelta(minutes=20))
        if outcome == "cppp":
            actions.record_cppp_outcome(
                context=DEMO_CONTEXT, episode=episode, outcome="joined", by=ttp
            )
        if outcome == "core_therapy":
            therapy_sessions(episode, ttp, days=[-420, -410])
        actions.discharge_episode(
            context=DEMO_CONTEXT, episode=episode, reason="treatment_complete", by=ttp
        )
        # Each follow-up is recorded on its day: the discharge moves back to open the next.
        for timepoint, days_to_next in (("discharge", 182), ("month_6", 183), ("month_12", 35)):
            _cohort_answers(episode, ttp, timepoint, scores[timepoint], rng)
            move_discharge_back(episode, days=days_to_next)


def _cohort_answers(episode, ttp, timepoint, scores, rng):
    pain_now, odi_now, vas_now = scores
    answers = {
        "pain_nrs": {"pain": max(pain_now, 0)},
        "odi": {"sections": _odi_sections(max(odi_now, 0))},
        "eq5d5l": {"state": _eq5d_state(pain_now), "vas": min(vas_now, 100)},
        "gad7": {"items": [min(3, max(0, pain_now // 3 - k % 2)) for k in range(7)]},
        "phq9": {"items": [min(3, max(0, pain_now // 3 - k % 2)) for k in range(8)] + [0]},
    }
    if timepoint != "baseline":
        answers["gsos"] = {
            "answer": rng.choice(["completely_better", "a_lot_better", "moderately_better", "same"])
        }
    _record_all(episode, ttp, timepoint, answers)


def _odi_sections(percent):
    """Ten ODI section scores (0-5) adding up to about the given percentage."""
    total = round(percent / 2)
    return [total // 10 + (1 if k < total % 10 else 0) for k in range(10)]


def _eq5d_state(pain):
    level = 1 + min(4, max(0, pain // 2))
    return f"{max(1, level - 1)}{max(1, level - 2)}{level - 1 or 1}{level}{max(1, level - 2)}"


def _record_all(episode, ttp, timepoint, answers):
    """Record each questionnaire of `answers` ({instrument: answers}) with the person."""
    for instrument, given in answers.items():
        record_questionnaire(
            episode=episode,
            timepoint=timepoint,
            instrument=instrument,
            answers=given,
            source="clinician",
            by=ttp,
            context=DEMO_CONTEXT,
        )
