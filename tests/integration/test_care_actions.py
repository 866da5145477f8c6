import datetime

import pytest
from django.db import IntegrityError
from django.utils import timezone

from pathway.care import actions
from pathway.care.models import (
    Appointment,
    CPPPReferral,
    EpisodeState,
    EpisodeTransition,
    OnwardReferral,
    TriageDecision,
)
from pathway.messaging.models import OutboundMessage
from tests.audit_context import TEST_CONTEXT
from tests.factories import TTPFactory
from tests.slots import past_slot

pytestmark = pytest.mark.django_db

PAST = timezone.now() - datetime.timedelta(hours=2)


def book(episode, ttp, kind="first_assessment", starts_at=None):
    starts_at = starts_at or past_slot()
    return actions.book_appointment(
        context=TEST_CONTEXT,
        episode=episode,
        kind=kind,
        starts_at=starts_at,
        clinician=ttp,
        mode="telephone",
        by=ttp,
        recording_past=starts_at < timezone.now(),
    )


def assess(episode, ttp):
    appointment = book(episode, ttp)
    actions.record_attendance(
        context=TEST_CONTEXT, appointment=appointment, outcome="attended", by=ttp
    )
    return appointment


def triage(episode, ttp, outcome="core_therapy", **kwargs):
    kwargs.setdefault("planned_sessions", 6 if outcome == "core_therapy" else None)
    return actions.record_triage_decision(
        context=TEST_CONTEXT,
        episode=episode,
        outcome=outcome,
        symptom_duration="3_to_6",
        by=ttp,
        **kwargs,
    )


def reload(episode):
    episode.refresh_from_db()
    return episode


def test_booking_a_first_assessment_moves_the_episode_and_queues_a_message(episode, ttp):
    appointment = book(episode, ttp, starts_at=timezone.now() + datetime.timedelta(days=2))

    assert reload(episode).state == EpisodeState.ASSESSMENT_BOOKED
    assert episode.lead_clinician == ttp
    message = OutboundMessage.objects.get(kind="appointment_booked")
    assert message.key == f"appointment:{appointment.pk}:booked"
    assert (message.channel, message.state) == ("email", "pending")


def _at(hours_from_now, minutes=0):
    base = timezone.now().replace(minute=0, second=0, microsecond=0)
    return base + datetime.timedelta(hours=hours_from_now, minutes=minutes)


def test_one_clinician_cannot_have_two_appointments_at_once(make_episode, ttp):
    book(make_episode(), ttp, starts_at=_at(48))

    with pytest.raises(actions.CareRefused, match=r"already has an appointment from"):
        book(make_episode(), ttp, starts_at=_at(48))
    with pytest.raises(actions.CareRefused, match=r"first assessment"):
        book(make_episode(), ttp, starts_at=_at(48, minutes=29))
    with pytest.raises(actions.CareRefused):
        book(make_episode(), ttp, starts_at=_at(47, minutes=31))
    assert Appointment.objects.count() == 1


def test_back_to_back_appointments_and_other_clinicians_do_not_clash(make_episode, ttp, service):
    colleague = TTPFactory(service=service)
    book(make_episode(), ttp, starts_at=_at(48))

    book(make_episode(), ttp, starts_at=_at(48, minutes=30))
    book(make_episode(), ttp, starts_at=_at(47, minutes=30))
    book(make_episode(), colleague, starts_at=_at(48))

    assert Appointment.objects.count() == 4


def test_a_cancelled_appointment_frees_its_time(make_episode, ttp):
    cancelled = book(make_episode(), ttp, starts_at=_at(48))
    Appointment.objects.filter(pk=cancelled.pk).update(
        outcome="cancelled_by_patient", outcome_recorded_by=ttp, outcome_recorded_at=_at(0)
    )

    book(make_episode(), ttp, starts_at=_at(48))

    assert Appointment.objects.count() == 2


def test_a_longer_appointment_blocks_the_time_it_takes(make_episode, ttp):
    actions.book_appointment(
        context=TEST_CONTEXT,
        episode=make_episode(),
        kind="first_assessment",
        starts_at=_at(48),
        clinician=ttp,
        mode="telephone",
        length_minutes=90,
        by=ttp,
    )

    with pytest.raises(actions.CareRefused, match="to .* on"):
        book(make_episode(), ttp, starts_at=_at(49))


@pytest.mark.parametrize(
    ("starts_at", "recording_past", "message"),
    [
        (lambda: timezone.now() - datetime.timedelta(minutes=5), False, "must be in the future"),
        (lambda: timezone.now() + datetime.timedelta(days=2), True, "must be in the past"),
        (lambda: timezone.now() + datetime.timedelta(days=366), False, "no more than 365 days"),
        (lambda: timezone.now() - datetime.timedelta(days=366), True, "more than 365 days ago"),
        (
            lambda: datetime.datetime(9999, 6, 1, 9, tzinfo=datetime.UTC),
            False,
            "no more than 365 days",
        ),
    ],
)
def test_implausible_appointment_times_are_refused(
    episode, ttp, starts_at, recording_past, message
):
    with pytest.raises(actions.CareRefused, match=message):
        actions.book_appointment(
            context=TEST_CONTEXT,
            episode=episode,
            kind="first_assessment",
            starts_at=starts_at(),
            clinician=ttp,
            mode="telephone",
            recording_past=recording_past,
            by=ttp,
        )

    assert not Appointment.objects.exists()
    assert reload(episode).state == EpisodeState.AWAITING_TRIAGE


def test_recording_a_past_appointment_sends_no_booking_message(episode, ttp):
    book(episode, ttp)

    assert not OutboundMessage.objects.filter(kind="appointment_booked").exists()


def test_in_person_booking_needs_a_location(episode, ttp):
    with pytest.raises(actions.CareRefused, match="location"):
        actions.book_appointment(
            context=TEST_CONTEXT,
            episode=episode,
            kind="first_assessment",
            starts_at=past_slot(),
            clinician=ttp,
            mode="in_person",
            by=ttp,
            recording_past=True,
        )

    assert reload(episode).state == EpisodeState.AWAITING_TRIAGE


def test_follow_up_cannot_be_booked_before_treatment(episode, ttp):
    with pytest.raises(actions.CareRefused, match="in treatment"):
        book(episode, ttp, kind="follow_up")


def test_nothing_can_be_booked_on_a_discharged_episode(episode, ttp):
    assess(episode, ttp)
    triage(episode, ttp, outcome="same_day_discharge")

    with pytest.raises(actions.CareRefused):
        book(episode, ttp)
    with pytest.raises(actions.CareRefused):
        book(episode, ttp, kind="follow_up")
    assert reload(episode).appointments.count() == 1


def test_first_dna_sends_the_episode_back_and_restarts_the_clock(episode, ttp):
    appointment = book(episode, ttp, starts_at=timezone.now() - datetime.timedelta(days=3))
    type(episode).objects.filter(pk=episode.pk).update(
        clock_started_on=timezone.localdate() - datetime.timedelta(days=20)
    )

    actions.record_attendance(
        context=TEST_CONTEXT, appointment=appointment, outcome="did_not_attend", by=ttp
    )

    episode = reload(episode)
    assert episode.state == EpisodeState.AWAITING_TRIAGE
    assert episode.clock_started_on == timezone.localdate(appointment.starts_at)
    assert episode.transitions.last().name == "first_appointment_missed"


def test_second_first_appointment_dna_proposes_discharge(episode, ttp):
    for _ in range(2):
        actions.record_attendance(
            context=TEST_CONTEXT, appointment=book(episode, ttp), outcome="did_not_attend", by=ttp
        )

    assert reload(episode).state == EpisodeState.DISCHARGE_PROPOSED


def test_second_dna_with_an_exception_keeps_the_person_waiting(episode, ttp):
    actions.record_attendance(
        context=TEST_CONTEXT, appointment=book(episode, ttp), outcome="did_not_attend", by=ttp
    )

    actions.record_attendance(
        context=TEST_CONTEXT,
        appointment=book(episode, ttp),
        outcome="did_not_attend",
        by=ttp,
        dna_exception_reason="Vulnerable: carer was in hospital",
    )

    episode = reload(episode)
    assert episode.state == EpisodeState.AWAITING_TRIAGE
    assert "Vulnerable" in episode.transitions.last().reason


def test_dna_after_treatment_started_proposes_discharge(episode, ttp):
    assess(episode, ttp)
    triage(episode, ttp)
    follow_up = book(episode, ttp, kind="follow_up")

    actions.record_attendance(
        context=TEST_CONTEXT, appointment=follow_up, outcome="did_not_attend", by=ttp
    )

    assert reload(episode).state == EpisodeState.DISCHARGE_PROPOSED


def test_proposed_discharge_is_confirmed_with_the_dna_reason(episode, ttp):
    for _ in range(2):
        actions.record_attendance(
            context=TEST_CONTEXT, appointment=book(episode, ttp), outcome="did_not_attend", by=ttp
        )

    actions.discharge_episode(
        context=TEST_CONTEXT, episode=episode, reason="did_not_attend", by=ttp
    )

    episode = reload(episode)
    assert (episode.state, episode.discharge_reason) == ("discharged", "did_not_attend")
    assert episode.referral.status == "Discharged: did not attend"


def test_exception_after_proposed_discharge_needs_a_reason(episode, ttp):
    for _ in range(2):
        actions.record_attendance(
            context=TEST_CONTEXT, appointment=book(episode, ttp), outcome="did_not_attend", by=ttp
        )

    with pytest.raises(actions.CareRefused, match="reason"):
        actions.record_dna_exception(context=TEST_CONTEXT, episode=episode, reason="  ", by=ttp)
    actions.record_dna_exception(
        context=TEST_CONTEXT, episode=episode, reason="Vulnerable adult", by=ttp
    )

    assert reload(episode).state == EpisodeState.AWAITING_TRIAGE


def test_an_appointment_outcome_cannot_be_recorded_twice(episode, ttp):
    appointment = assess(episode, ttp)

    with pytest.raises(actions.CareRefused, match="already recorded"):
        actions.record_attendance(
            context=TEST_CONTEXT, appointment=appointment, outcome="did_not_attend", by=ttp
        )


def test_a_future_appointment_can_be_cancelled_but_not_attended(episode, ttp):
    future = book(episode, ttp, starts_at=timezone.now() + datetime.timedelta(days=2))

    with pytest.raises(actions.CareRefused, match="not happened yet"):
        actions.record_attendance(
            context=TEST_CONTEXT, appointment=future, outcome="attended", by=ttp
        )
    actions.record_attendance(
        context=TEST_CONTEXT, appointment=future, outcome="cancelled_by_patient", by=ttp
    )

    assert reload(episode).state == EpisodeState.AWAITING_TRIAGE


def test_triage_needs_an_attended_first_assessment(episode, ttp):
    book(episode, ttp)

    with pytest.raises(actions.CareRefused, match="attended"):
        triage(episode, ttp)
    assert not TriageDecision.objects.exists()


@pytest.mark.parametrize(
    ("outcome", "state", "discharge_reason"),
    [
        ("same_day_discharge", "discharged", "same_day"),
        ("core_therapy", "in_treatment", ""),
        ("cppp", "in_treatment", ""),
    ],
)
def test_triage_outcome_sets_the_state(episode, ttp, outcome, state, discharge_reason):
    assess(episode, ttp)

    triage(episode, ttp, outcome=outcome)

    episode = reload(episode)
    assert (episode.state, episode.discharge_reason) == (state, discharge_reason)
    assert CPPPReferral.objects.filter(episode=episode).exists() == (outcome == "cppp")


def test_onward_referral_is_recorded_and_discharges_referred_on(episode, ttp):
    assess(episode, ttp)

    triage(
        episode,
        ttp,
        outcome="onward_referral",
        onward_destination="mri",
        onward_reason="Progressive radicular pain",
        onward_sent_on=timezone.localdate(),
    )

    onward = OnwardReferral.objects.get()
    assert (onward.destination, onward.recorded_by) == ("mri", ttp)
    assert reload(episode).discharge_reason == "referred_on"


def test_onward_referral_needs_its_details(episode, ttp):
    assess(episode, ttp)

    with pytest.raises(actions.CareRefused, match="destination"):
        triage(episode, ttp, outcome="onward_referral")
    assert reload(episode).state == EpisodeState.ASSESSMENT_BOOKED


def test_core_therapy_sessions_are_counted_and_capped(episode, ttp, service):
    assess(episode, ttp)
    triage(episode, ttp, planned_sessions=2)

    for _ in range(2):
        actions.record_attendance(
            context=TEST_CONTEXT,
            appointment=book(episode, ttp, kind="follow_up"),
            outcome="attended",
            by=ttp,
            session_components=["exercise"],
        )
    with pytest.raises(actions.CareRefused, match="All 2 planned sessions"):
        actions.record_attendance(
            context=TEST_CONTEXT,
            appointment=book(episode, ttp, kind="follow_up"),
            outcome="attended",
            by=ttp,
            session_components=["exercise"],
        )

    assert list(episode.sessions.values_list("number", flat=True)) == [1, 2]


def test_planned_sessions_above_the_service_cap_are_refused(episode, ttp, service):
    assess(episode, ttp)

    with pytest.raises(actions.CareRefused, match="between 1 and 8"):
        triage(episode, ttp, planned_sessions=9)


def test_cppp_decline_needs_a_reason_and_is_recorded_once(episode, ttp):
    assess(episode, ttp)
    triage(episode, ttp, outcome="cppp")

    with pytest.raises(actions.CareRefused, match="why"):
        actions.record_cppp_outcome(
            context=TEST_CONTEXT, episode=episode, outcome="declined", by=ttp
        )
    actions.record_cppp_outcome(
        context=TEST_CONTEXT, episode=episode, outcome="declined", decline_reason="work", by=ttp
    )
    with pytest.raises(actions.CareRefused, match="already recorded"):
        actions.record_cppp_outcome(context=TEST_CONTEXT, episode=episode, outcome="joined", by=ttp)

    assert CPPPReferral.objects.get().decline_reason == "work"


def test_discharging_twice_is_refused(episode, ttp):
    assess(episode, ttp)
    triage(episode, ttp)
    actions.discharge_episode(
        context=TEST_CONTEXT, episode=episode, reason="treatment_complete", by=ttp
    )

    with pytest.raises(actions.CareRefused, match="discharged"):
        actions.discharge_episode(
            context=TEST_CONTEXT, episode=episode, reason="treatment_complete", by=ttp
        )
    assert EpisodeTransition.objects.filter(name="discharge").count() == 1


def test_reopening_needs_a_reason_and_clears_the_discharge(episode, ttp):
    assess(episode, ttp)
    triage(episode, ttp)
    actions.discharge_episode(
        context=TEST_CONTEXT, episode=episode, reason="treatment_complete", by=ttp
    )

    with pytest.raises(actions.CareRefused, match="reason"):
        actions.reopen_episode(context=TEST_CONTEXT, episode=episode, reason="", by=ttp)
    actions.reopen_episode(
        context=TEST_CONTEXT, episode=episode, reason="Flare-up a week later", by=ttp
    )

    episode = reload(episode)
    assert (episode.state, episode.discharged_at, episode.discharge_reason) == (
        "in_treatment",
        None,
        "",
    )


def test_database_refuses_a_second_triage_decision(episode, ttp):
    appointment = assess(episode, ttp)
    triage(episode, ttp)

    with pytest.raises(IntegrityError):
        TriageDecision.objects.create(
            episode=episode,
            appointment=appointment,
            outcome="cppp",
            symptom_duration="lt_3",
            decided_by=ttp,
        )


def test_database_refuses_a_discharged_state_without_a_reason(episode):
    episode.state = "discharged"

    with pytest.raises(IntegrityError):
        episode.save()
