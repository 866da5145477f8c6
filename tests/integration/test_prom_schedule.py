import datetime

import pytest
from django.core import mail
from django.utils import timezone

from pathway.audit.context import PATIENT
from pathway.care import actions
from pathway.messaging import sending
from pathway.messaging.models import OutboundMessage
from pathway.proms import schedule
from pathway.proms.actions import acknowledge_alert, record_questionnaire
from pathway.proms.alerts import email_duty_clinician
from pathway.proms.models import PromTimepoint, SafetyAlert
from tests.audit_context import TEST_CONTEXT
from tests.slots import past_slot

pytestmark = pytest.mark.django_db


def discharged(episode, ttp):
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
    actions.record_triage_decision(
        context=TEST_CONTEXT,
        episode=episode,
        outcome="same_day_discharge",
        symptom_duration="lt_3",
        by=ttp,
    )
    episode.refresh_from_db()
    return episode


def prom_messages(episode, timepoint):
    return OutboundMessage.objects.filter(
        prom_timepoint__episode=episode, prom_timepoint__timepoint=timepoint
    ).order_by("due_at")


def test_referral_schedules_the_baseline_with_an_invitation_and_two_reminders(episode):
    baseline = episode.prom_timepoints.get()

    messages = prom_messages(episode, "baseline")
    assert (baseline.timepoint, baseline.state) == ("baseline", "open")
    # Open from the referral until care starts (pathway.proms.windows): no end date yet.
    episode.refresh_from_db()
    assert (baseline.opens_at, baseline.closes_at) == (episode.referred_at, None)
    assert [m.kind for m in messages] == ["prom_invitation", "prom_reminder", "prom_reminder"]
    assert [(m.due_at - baseline.due_at).days for m in messages] == [0, 7, 14]


def test_discharge_schedules_discharge_six_and_twelve_months_exactly_once(episode, ttp):
    episode = discharged(episode, ttp)
    schedule.schedule_after_discharge(episode=episode)  # a second call changes nothing

    entries = {t.timepoint: t for t in episode.prom_timepoints.all()}
    assert set(entries) == {"baseline", "discharge", "month_6", "month_12"}
    assert (entries["month_6"].due_at - episode.discharged_at).days == 182
    assert (entries["month_12"].due_at - episode.discharged_at).days == 365
    assert entries["month_6"].state == "scheduled"
    assert prom_messages(episode, "month_6").filter(kind="prom_invitation").count() == 1


def test_reopening_cancels_the_discharge_and_follow_up_questionnaires(episode, ttp):
    episode = discharged(episode, ttp)

    actions.reopen_episode(context=TEST_CONTEXT, episode=episode, reason="Flare-up", by=ttp)

    states = dict(episode.prom_timepoints.values_list("timepoint", "state"))
    assert states["month_6"] == states["month_12"] == states["discharge"] == "cancelled"
    assert not prom_messages(episode, "month_6").filter(state="pending").exists()


def test_opting_out_cancels_pending_questionnaire_messages_at_once(episode):
    schedule.opt_out(patient=episode.patient, by=PATIENT, context=TEST_CONTEXT)

    assert episode.patient.prom_opt_out_at is not None
    assert set(prom_messages(episode, "baseline").values_list("state", flat=True)) == {"cancelled"}


def test_time_points_open_when_due_and_record_non_response_when_their_window_closes(episode, ttp):
    episode = discharged(episode, ttp)
    six_months = episode.prom_timepoints.get(timepoint="month_6")
    later = six_months.due_at + datetime.timedelta(minutes=1)

    schedule.open_due_timepoints(now=later)
    assert PromTimepoint.objects.get(pk=six_months.pk).state == "open"

    schedule.record_non_response(now=six_months.closes_at + datetime.timedelta(minutes=1))
    assert PromTimepoint.objects.get(pk=six_months.pk).state == "not_responded"
    assert not prom_messages(episode, "month_6").filter(state="pending").exists()


def test_no_messages_without_consent(make_episode, gp):
    from tests.factories import PatientFactory

    patient = PatientFactory(consents_to_contact=False, registered_practice=gp.practice)
    episode = make_episode(patient=patient, answers={"consents_to_contact": False})

    assert episode.prom_timepoints.exists()
    assert not OutboundMessage.objects.filter(patient=patient).exists()


def test_preferred_channel_is_used_first(make_episode, gp):
    from tests.factories import PatientFactory

    patient = PatientFactory(
        mobile="07700900982", preferred_channel="sms", registered_practice=gp.practice
    )
    make_episode(patient=patient)

    assert set(
        OutboundMessage.objects.filter(patient=patient).values_list("channel", flat=True)
    ) == {"sms"}


def test_a_message_is_claimed_by_one_caller_only(episode):
    invitation = prom_messages(episode, "baseline").first()

    first = sending.claim(invitation.pk)
    second = sending.claim(invitation.pk)

    assert first is not None and second is None
    assert OutboundMessage.objects.get(pk=invitation.pk).attempts == 1


def test_delivery_sends_the_link_and_no_patient_details(episode, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    invitation = prom_messages(episode, "baseline").first()

    assert sending.deliver(invitation.pk) == "sent"
    assert sending.deliver(invitation.pk) == "not claimed"

    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "/q/" in body
    patient = episode.patient
    for detail in (patient.family_name, patient.nhs_number, str(patient.date_of_birth.year)):
        assert detail not in body
    assert OutboundMessage.objects.get(pk=invitation.pk).state == "sent"


def test_reminders_are_not_sent_after_completion(episode, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    PromTimepoint.objects.filter(episode=episode).update(state="completed")
    invitation = prom_messages(episode, "baseline").first()

    assert sending.deliver(invitation.pk) == "cancelled"
    assert mail.outbox == []


def test_stuck_sending_messages_are_put_back(episode, settings):
    settings.MESSAGE_STUCK_MINUTES = 10
    invitation = prom_messages(episode, "baseline").first()
    sending.claim(invitation.pk)

    assert sending.requeue_stuck(now=timezone.now() + datetime.timedelta(minutes=5)) == 0
    assert sending.requeue_stuck(now=timezone.now() + datetime.timedelta(minutes=11)) == 1
    assert OutboundMessage.objects.get(pk=invitation.pk).state == "pending"


def test_phq9_item_9_alert_is_emailed_to_the_duty_clinician_once(episode, ttp, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = record_questionnaire(
        context=TEST_CONTEXT,
        episode=episode,
        timepoint="baseline",
        instrument="phq9",
        answers={"items": [0] * 8 + [1]},
        source="clinician",
        by=ttp,
    )
    alert = SafetyAlert.objects.get(response=response)

    assert email_duty_clinician(alert.pk) == "emailed"
    assert email_duty_clinician(alert.pk) == "already emailed"

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [episode.service.duty_clinician_email]
    assert episode.patient.family_name not in mail.outbox[0].body


def test_alert_stays_open_until_acknowledged_with_a_note(client, episode, ttp):
    response = record_questionnaire(
        context=TEST_CONTEXT,
        episode=episode,
        timepoint="baseline",
        instrument="phq9",
        answers={"items": [0] * 8 + [2]},
        source="clinician",
        by=ttp,
    )
    alert = SafetyAlert.objects.get(response=response)
    client.force_login(ttp)

    page = client.get("/ttp/alerts/").content.decode()
    refused = client.post(f"/ttp/alerts/{alert.pk}/acknowledge/", {"note": ""})
    accepted = client.post(f"/ttp/alerts/{alert.pk}/acknowledge/", {"note": "Spoke to them"})

    assert episode.patient.full_name in page
    assert "Say what you did about this alert" in refused.content.decode()
    assert accepted.status_code == 302
    alert.refresh_from_db()
    assert (alert.acknowledged_by, alert.acknowledgement_note) == (ttp, "Spoke to them")
    assert episode.patient.full_name not in client.get("/ttp/alerts/").content.decode()
    with pytest.raises(Exception, match="already been acknowledged"):
        acknowledge_alert(context=TEST_CONTEXT, alert=alert, note="again", by=ttp)


def test_alerts_of_another_service_are_not_found(client, episode, ttp, other_service):
    from tests.factories import TTPFactory

    response = record_questionnaire(
        context=TEST_CONTEXT,
        episode=episode,
        timepoint="baseline",
        instrument="phq9",
        answers={"items": [0] * 8 + [3]},
        source="clinician",
        by=ttp,
    )
    alert = SafetyAlert.objects.get(response=response)
    client.force_login(TTPFactory(service=other_service))

    assert episode.patient.full_name not in client.get("/ttp/alerts/").content.decode()
    assert client.post(f"/ttp/alerts/{alert.pk}/acknowledge/", {"note": "x"}).status_code == 404


def test_a_full_set_recorded_by_the_clinician_completes_the_time_point(episode, ttp):
    answers = {
        "pain_nrs": {"pain": 6},
        "odi": {"sections": [2] * 10},
        "eq5d5l": {"state": "21341", "vas": 60},
        "gad7": {"items": [1] * 7},
        "phq9": {"items": [1] * 8 + [0]},
    }
    for instrument, given in answers.items():
        record_questionnaire(
            context=TEST_CONTEXT,
            episode=episode,
            timepoint="baseline",
            instrument=instrument,
            answers=given,
            source="clinician",
            by=ttp,
        )

    baseline = episode.prom_timepoints.get(timepoint="baseline")
    assert baseline.state == "completed"
    assert not prom_messages(episode, "baseline").filter(state="pending").exists()


def test_six_and_twelve_month_invitations_are_sent_once_when_their_day_comes(
    episode, ttp, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MESSAGE_STUCK_MINUTES = 0  # every sweep may queue again: delivery must still be once
    episode = discharged(episode, ttp)
    OutboundMessage.objects.filter(prom_timepoint__timepoint__in=["baseline", "discharge"]).update(
        state="cancelled"
    )

    def sweep(days_later):
        now = episode.discharged_at + datetime.timedelta(days=days_later, minutes=1)
        schedule.open_due_timepoints(now=now)
        schedule.record_non_response(now=now)
        OutboundMessage.objects.filter(state="pending", due_at__lte=now).update(
            due_at=timezone.now()  # "moving the clock": what was due by then is due now
        )
        for message_id in sending.due_message_ids(100):
            sending.deliver(message_id)

    for days_later in (182, 182, 183, 365, 365):
        sweep(days_later)

    invitations = OutboundMessage.objects.filter(kind="prom_invitation", state="sent")
    assert sorted(invitations.values_list("prom_timepoint__timepoint", flat=True)) == [
        "month_12",
        "month_6",
    ]
    assert len([m for m in mail.outbox if "/q/" in m.body]) == 2
