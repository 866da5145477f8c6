"""Two TTPs deciding the same triage at the same moment record one decision."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from pathway.care import actions
from pathway.care.models import TriageDecision
from tests.factories import TTPFactory

pytestmark = pytest.mark.postgres


def test_simultaneous_triage_decisions_give_one(transactional_db, make_episode, ttp, service):
    episode = make_episode()
    appointment = actions.book_appointment(
        episode=episode,
        kind="first_assessment",
        clinician=ttp,
        mode="telephone",
        by=ttp,
        starts_at=timezone.now() - datetime.timedelta(hours=1),
    )
    actions.record_attendance(appointment=appointment, outcome="attended", by=ttp)
    colleague = TTPFactory(service=service)
    barrier = threading.Barrier(2)
    results = []

    def decide(clinician, outcome):
        barrier.wait()
        try:
            actions.record_triage_decision(
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
