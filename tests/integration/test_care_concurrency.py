"""Two TTPs deciding the same triage at the same moment record one decision; two booking
one clinician at the same time book one appointment."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from pathway.care import actions
from pathway.care.models import Appointment, TriageDecision
from tests.audit_context import TEST_CONTEXT
from tests.factories import TTPFactory
from tests.slots import past_slot

pytestmark = pytest.mark.postgres


def test_simultaneous_triage_decisions_give_one(transactional_db, make_episode, ttp, service):
    episode = make_episode()
    appointment = actions.book_appointment(
        context=TEST_CONTEXT,
        episode=episode,
        kind="first_assessment",
        clinician=ttp,
        mode="telephone",
        by=ttp,
        starts_at=past_slot(),
        recording_past=True,
    )
    actions.record_attendance(
        context=TEST_CONTEXT, appointment=appointment, outcome="attended", by=ttp
    )
    colleague = TTPFactory(service=service)
    barrier = threading.Barrier(2)
    results = []

    def decide(clinician, outcome):
        barrier.wait()
        try:
            actions.record_triage_decision(
                context=TEST_CONTEXT,
                episode=episode,
                outcome=outcome,
                symptom_duration="lt_3",
                planned_sessions=4 if outcome == "core_therapy" else None,
                by=clinician,
            )
            results.append("saved")
        except actions.CareRefused as refusal:
            results.append(str(refusal))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(ttp, "core_therapy")),
        threading.Thread(target=decide, args=(colleague, "cppp")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results) == sorted(
        ["saved", "A triage decision has already been recorded for this episode."]
    )
    assert TriageDecision.objects.count() == 1


def test_two_ttps_booking_one_clinician_at_one_time_give_one_appointment(
    transactional_db, make_episode, ttp, service
):
    """Each booking would read "no clash" before the other writes, unless bookings for a
    clinician are taken one at a time (the lock on the clinician's row; today the episode
    lock's join also locks the service row, which serialises them too). Checked with a sleep
    after the clash query and both locks removed: both bookings then succeed. Three rounds,
    so a missing lock shows even when the threads do not overlap every time."""
    colleague = TTPFactory(service=service)
    first = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(days=3)
    for round_ in range(3):
        starts_at = first + datetime.timedelta(hours=round_)
        results = _book_at_once(
            [(make_episode(), ttp), (make_episode(), colleague)], clinician=ttp, at=starts_at
        )
        assert results.count("booked") == 1, results
        assert any("already has an appointment" in result for result in results)
    assert Appointment.objects.filter(clinician=ttp).count() == 3


def _book_at_once(bookings, *, clinician, at):
    barrier = threading.Barrier(len(bookings))
    results = []

    def book(episode, by):
        barrier.wait()
        try:
            actions.book_appointment(
                context=TEST_CONTEXT,
                episode=episode,
                kind="first_assessment",
                starts_at=at,
                clinician=clinician,
                mode="telephone",
                by=by,
            )
            results.append("booked")
        except actions.CareRefused as refusal:
            results.append(str(refusal))
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=booking) for booking in bookings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
