"""Demo care made through the TTP's actions, with appointments spread over past weeks."""

import datetime

from django.utils import timezone

from pathway.care import actions
from pathway.proms.actions import record_questionnaire


def _at(days, hour=10):
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def book(episode, ttp, *, days, kind="first_assessment"):
    """Book an appointment `days` from today (negative: in the past)."""
    return actions.book_appointment(
        episode=episode,
        kind=kind,
        starts_at=_at(days),
        clinician=ttp,
        mode="in_person",
        location="Molineux Street Clinic, Newcastle",
        by=ttp,
    )


def attend(appointment, ttp, outcome="attended", **kwargs):
    return actions.record_attendance(appointment=appointment, outcome=outcome, by=ttp, **kwargs)


def assess_and_triage(episode, ttp, *, days, outcome, **kwargs):
    attend(book(episode, ttp, days=days), ttp)
    if outcome == "core_therapy":
        kwargs.setdefault("planned_sessions", 6)
    return actions.record_triage_decision(
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


def questionnaires(episode, ttp, timepoint, *, pain, odi_sections, eq5d_state, vas, gad7, phq9):
    """A set of questionnaires recorded with the person, scored by the clinical core."""
    answers = {
        "pain_nrs": {"pain": pain},
        "odi": {"sections": odi_sections},
        "eq5d5l": {"state": eq5d_state, "vas": vas},
        "gad7": {"items": gad7},
        "phq9": {"items": phq9},
    }
    for instrument, given in answers.items():
        record_questionnaire(
            episode=episode,
            timepoint=timepoint,
            instrument=instrument,
            answers=given,
            source="clinician",
            by=ttp,
        )
