"""Stopping questionnaire messages from a link (issue 15, item 3): it stops every follow-up,
the PHQ-9 mood questions included, so it needs the same date of birth as answering, with the
same limits; the person is told what it means first; it is audited as their own act; and a
clinician sees it and can start the messages again."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from pathway.audit.models import AuditEvent
from pathway.messaging.models import MessageState, OutboundMessage
from pathway.proms.models import PromTimepoint
from tests.integration.test_patient_link import DATE_OF_BIRTH, NOT_WORKING, new_link
from tests.integration.test_patient_link_guessing import WRONG_DATE_OF_BIRTH, client_at

pytestmark = pytest.mark.django_db


def opted_out(episode):
    episode.patient.refresh_from_db()
    return episode.patient.prom_opt_out_at is not None


def test_stopping_without_the_date_of_birth_stops_nothing(client, episode):
    token = new_link(episode)
    client.get(f"/q/{token}/")

    response = client.post("/q/stop/")

    assert response.status_code == 302
    assert response["Location"] == "/q/confirm/"
    assert not opted_out(episode)
    pending = OutboundMessage.objects.filter(patient=episode.patient, state=MessageState.PENDING)
    assert pending.exists()


def test_stopping_asks_for_the_date_of_birth_then_says_what_stopping_means(client, episode):
    token = new_link(episode)
    client.get(f"/q/{token}/")

    confirm_page = client.get(client.get("/q/stop/")["Location"]).content.decode()
    confirmed = client.post("/q/confirm/", DATE_OF_BIRTH)
    explained = client.get(confirmed["Location"]).content.decode()

    assert "before you stop your questionnaire messages" in confirm_page
    assert confirmed["Location"] == "/q/stop/"
    for words in (
        "any more questionnaires or reminders",
        "questions about your mood",
        "does not affect your care",
        "ask your clinician",
        "116 123",
    ):
        assert words in explained
    assert not opted_out(episode)  # only the button on that page stops them

    stopped = client.post("/q/stop/").content.decode()

    assert "Questionnaire messages stopped" in stopped
    assert "they can start the messages again" in stopped
    assert opted_out(episode)


def test_wrong_dates_of_birth_lock_stopping_as_they_lock_answering(client, episode):
    token = new_link(episode)
    client.get(f"/q/{token}/")
    client.get("/q/stop/")

    for _ in range(settings.PROM_DATE_OF_BIRTH_ATTEMPTS):
        client.post("/q/confirm/", WRONG_DATE_OF_BIRTH)
    after_limit = client.post("/q/confirm/", DATE_OF_BIRTH)
    stop = client.post("/q/stop/")

    assert PromTimepoint.objects.get(episode=episode).date_of_birth_failures == (
        settings.PROM_DATE_OF_BIRTH_ATTEMPTS
    )
    assert NOT_WORKING in after_limit.content.decode()
    assert NOT_WORKING in stop.content.decode()
    assert not opted_out(episode)


def test_wrong_dates_of_birth_from_one_address_block_stopping_too(settings, make_episode):
    settings.PROM_DATE_OF_BIRTH_GUESSES_PER_IP = 2
    first, second = make_episode(), make_episode()
    guesser = client_at("203.0.113.7")
    guesser.get(f"/q/{new_link(first)}/")
    guesser.post("/q/confirm/", WRONG_DATE_OF_BIRTH)
    guesser.post("/q/confirm/", WRONG_DATE_OF_BIRTH)

    guesser.get(f"/q/{new_link(second)}/")
    guesser.get("/q/stop/")
    confirmed = guesser.post("/q/confirm/", DATE_OF_BIRTH)
    guesser.post("/q/stop/")

    assert NOT_WORKING in confirmed.content.decode()
    assert not opted_out(second)


def test_stopping_is_audited_as_the_persons_own_act_from_their_link(episode):
    client = Client(REMOTE_ADDR="192.0.2.9")
    token = new_link(episode)
    client.get(f"/q/{token}/")
    client.get("/q/stop/")
    client.post("/q/confirm/", DATE_OF_BIRTH)

    client.post("/q/stop/")

    link = PromTimepoint.objects.get(episode=episode).links.get()
    event = AuditEvent.objects.get(object_type="proms.questionnairestop")
    assert (event.action, event.user, event.patient, event.object_id, event.ip_address) == (
        "update",
        None,
        episode.patient,
        str(link.pk),
        "192.0.2.9",
    )


def test_the_clinician_sees_messages_stopped_and_can_start_them_again(client, episode, ttp):
    token = new_link(episode)
    person = Client()
    person.get(f"/q/{token}/")
    person.get("/q/stop/")
    person.post("/q/confirm/", DATE_OF_BIRTH)
    person.post("/q/stop/")
    client.force_login(ttp)
    episode_url = reverse("care:episode", args=[episode.public_id])

    page = client.get(episode_url).content.decode()
    restarted = client.post(
        reverse("care:restart_questionnaire_messages", args=[episode.public_id])
    )

    assert 'data-testid="messages-stopped"' in page
    assert "PHQ-9 mood questions" in page
    assert restarted["Location"] == episode_url
    assert not opted_out(episode)
    invitation = OutboundMessage.objects.get(
        patient=episode.patient, kind="prom_invitation", state=MessageState.PENDING
    )
    assert ":restart" in invitation.key
    event = AuditEvent.objects.filter(action="update", user=ttp).get()
    assert (event.object_type, event.patient) == ("patients.patient", episode.patient)
    assert 'data-testid="messages-stopped"' not in client.get(episode_url).content.decode()
