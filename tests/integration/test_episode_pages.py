import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from pathway.audit.models import AuditEvent
from pathway.care import actions
from pathway.care.models import Appointment, EpisodeState
from tests.audit_context import TEST_CONTEXT
from tests.factories import TTPFactory
from tests.slots import past_slot

pytestmark = pytest.mark.django_db

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture
def ttp_client(client, ttp):
    client.force_login(ttp)
    return client


def url(name, episode):
    return reverse(f"care:{name}", args=[episode.public_id])


def booking(date=TOMORROW, **changes):
    data = {
        "date_day": date.day,
        "date_month": date.month,
        "date_year": date.year,
        "time": "09:30",
        "length_minutes": "30",
        "mode": "telephone",
        "location": "",
    }
    data.update(changes)
    return data


def attended_first_assessment(episode, ttp):
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
    return appointment


def test_episode_page_shows_the_referral_and_the_next_step_and_is_audited(ttp_client, ttp, episode):
    page = ttp_client.get(url("episode", episode)).content.decode()

    assert "Awaiting triage" in page
    assert "Book a first assessment" in page
    assert (
        AuditEvent.objects.filter(action="view", object_type="care.episode", user=ttp).count() == 1
    )


def test_booking_through_the_page_books_the_first_assessment(ttp_client, ttp, episode):
    response = ttp_client.post(url("book", episode), booking(clinician=ttp.pk))

    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert (appointment.kind, appointment.clinician, appointment.mode) == (
        "first_assessment",
        ttp,
        "telephone",
    )
    assert timezone.localtime(appointment.starts_at).time() == datetime.time(9, 30)


def test_booking_errors_are_shown_by_the_field_and_typed_values_kept(ttp_client, ttp, episode):
    response = ttp_client.post(
        url("book", episode), booking(clinician=ttp.pk, time="25:99", mode="in_person")
    )

    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter a time like 09:30" in page
    assert "Enter the clinic location" in page
    assert 'value="25:99"' in page
    assert not Appointment.objects.exists()


def test_booking_year_9999_is_refused_beside_the_date_and_nothing_is_saved(
    ttp_client, ttp, episode
):
    response = ttp_client.post(
        url("book", episode), booking(datetime.date(9999, 6, 1), clinician=ttp.pk)
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Date must be on or before" in page
    assert 'name="date_year" type="text" inputmode="numeric" value="9999"' in page
    assert not Appointment.objects.exists()


def test_booking_in_the_past_needs_recording_a_past_appointment_ticked(ttp_client, ttp, episode):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    refused = ttp_client.post(url("book", episode), booking(yesterday, clinician=ttp.pk))
    assert "recording a past appointment" in refused.content.decode()
    assert not Appointment.objects.exists()

    recorded = ttp_client.post(
        url("book", episode), booking(yesterday, clinician=ttp.pk, recording_past="on")
    )
    assert recorded.status_code == 302
    assert Appointment.objects.get().starts_at.date() == yesterday


def test_a_clash_is_refused_naming_the_other_appointment(ttp_client, ttp, make_episode):
    first, second = make_episode(), make_episode()
    ttp_client.post(url("book", first), booking(clinician=ttp.pk))

    response = ttp_client.post(url("book", second), booking(clinician=ttp.pk, time="09:45"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "already has an appointment from 09:30 to 10:00" in page
    assert Appointment.objects.count() == 1
    assert 'value="09:45"' in page


def test_a_refused_step_shows_the_reason_in_the_error_summary(ttp_client, ttp, episode):
    attended_first_assessment(episode, ttp)
    actions.record_triage_decision(
        context=TEST_CONTEXT,
        episode=episode,
        outcome="same_day_discharge",
        symptom_duration="lt_3",
        by=ttp,
    )

    response = ttp_client.post(url("book", episode), booking(clinician=ttp.pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "in treatment" in page


def test_recording_a_dna_through_the_page_sends_the_episode_back(ttp_client, ttp, episode):
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

    ttp_client.post(reverse("care:outcome", args=[appointment.pk]), {"outcome": "did_not_attend"})

    episode.refresh_from_db()
    assert episode.state == EpisodeState.AWAITING_TRIAGE


def test_triage_page_records_core_therapy(ttp_client, ttp, episode):
    attended_first_assessment(episode, ttp)

    response = ttp_client.post(
        url("triage", episode),
        {
            "outcome": "core_therapy",
            "symptom_duration": "3_to_6",
            "planned_sessions": "4",
            "assessment_notes": "Mechanical low back pain",
        },
    )

    episode.refresh_from_db()
    assert response.status_code == 302
    assert episode.state == EpisodeState.IN_TREATMENT
    assert episode.triage.planned_sessions == 4


def test_triage_page_needs_planned_sessions_for_core_therapy(ttp_client, ttp, episode):
    attended_first_assessment(episode, ttp)

    response = ttp_client.post(
        url("triage", episode),
        {
            "outcome": "core_therapy",
            "symptom_duration": "3_to_6",
            "assessment_notes": "Typed notes",
        },
    )

    page = response.content.decode()
    assert "Enter how many sessions are planned" in page
    assert "Typed notes" in page


def test_discharge_letter_shows_the_outcome_to_the_referring_gp(client, gp, ttp, episode):
    attended_first_assessment(episode, ttp)
    actions.record_triage_decision(
        context=TEST_CONTEXT,
        episode=episode,
        outcome="same_day_discharge",
        symptom_duration="lt_3",
        by=ttp,
    )
    client.force_login(gp)

    page = client.get(url("discharge_letter", episode)).content.decode()

    assert "Same-day discharge with advice" in page


def test_ttp_of_another_service_gets_not_found(client, episode, other_service):
    client.force_login(TTPFactory(service=other_service))

    for name in ("episode", "book", "triage", "discharge", "reopen"):
        assert client.get(url(name, episode)).status_code == 404, name


def test_gp_cannot_open_the_ttp_steps(client, gp, episode):
    client.force_login(gp)

    assert client.get(url("book", episode)).status_code == 403
    assert client.get(url("episode", episode)).status_code == 403


def test_outcome_page_offers_session_details_only_in_core_therapy(ttp_client, ttp, episode):
    first = actions.book_appointment(
        context=TEST_CONTEXT,
        episode=episode,
        kind="first_assessment",
        clinician=ttp,
        mode="telephone",
        by=ttp,
        starts_at=past_slot(),
        recording_past=True,
    )
    first_page = ttp_client.get(reverse("care:outcome", args=[first.pk])).content.decode()
    actions.record_attendance(context=TEST_CONTEXT, appointment=first, outcome="attended", by=ttp)
    actions.record_triage_decision(
        context=TEST_CONTEXT,
        episode=episode,
        outcome="core_therapy",
        symptom_duration="lt_3",
        planned_sessions=3,
        by=ttp,
    )
    follow_up = actions.book_appointment(
        context=TEST_CONTEXT,
        episode=episode,
        kind="follow_up",
        clinician=ttp,
        mode="telephone",
        by=ttp,
        starts_at=past_slot(),
        recording_past=True,
    )

    follow_up_page = ttp_client.get(reverse("care:outcome", args=[follow_up.pk])).content.decode()

    assert "Did not attend" in first_page and "Manual therapy" not in first_page
    assert "Manual therapy" in follow_up_page
