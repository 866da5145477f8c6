"""The service under faults: Redis stopped or emptied, a worker killed, PostgreSQL restarted, two
beats started by mistake.

Everything is real and runs as separate processes: gunicorn, Celery workers and beats, an SMTP
server on loopback (tests/smtp.py), and a private redis-server or PostgreSQL cluster of the
test's own (tests/fault_services.py) that the test stops and restarts; never the shared ones.
The processes sweep the outbox every second and count a send as lost after a few seconds
(SWEEP_INTERVAL_SECONDS, MESSAGE_STUCK_MINUTES), so recovery is seen within a test.
Each test ends by counting the mail every person received: exactly one of each message.
"""

import datetime
import logging
import re
import subprocess
import sys
import threading
import uuid

import kombu
import psycopg
import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from pathway.messaging.models import Channel, MessageKind, MessageState, OutboundMessage
from tests.fault_services import (
    Browser,
    database_url,
    private_postgres,
    private_redis,
    service_processes,
    wait_until,
)
from tests.notify_fake import running_fake_notify
from tests.smtp import running_smtp_server

# The lease of a sending worker, and the time after which a queued send is taken as lost.
STUCK_MINUTES = 0.1  # six seconds
LINK = re.compile(r"/q/([A-Za-z0-9_-]{20,100})/")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DATE_OF_BIRTH = {
    "date_of_birth_day": "15",
    "date_of_birth_month": "6",
    "date_of_birth_year": "1970",
}


@pytest.fixture
def smtp():
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def quiet_broker(transactional_db):
    """Tasks this process publishes while the test builds its data (the sweep a referral asks
    for) go to a queue of their own in the shared Redis, removed afterwards: only the test's
    own processes, on the private Redis, may send anything."""
    from pathway.celery import app

    queue = f"test-faults-{uuid.uuid4().hex}"
    default_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        yield
    finally:
        app.conf.task_default_queue = default_queue
        redis.Redis.from_url(django_settings.REDIS_URL).delete(queue)


def environment(redis_server, smtp, database=None, **extra):
    return {
        "DATABASE_URL": database or database_url(connection.settings_dict),
        "REDIS_URL": redis_server.url(),
        "EMAIL_URL": smtp.email_url,
        "SWEEP_INTERVAL_SECONDS": "1",
        "MESSAGE_STUCK_MINUTES": str(STUCK_MINUTES),
        "DEBUG": "true",
        "MFA_REQUIRED": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def people_with_invitations(make_episode, practice, count, **patient_fields):
    """`count` people, each with an episode whose baseline invitation is due now."""
    from tests.factories import PatientFactory

    people = []
    for _ in range(count):
        fields = {"email": f"person-{uuid.uuid4().hex[:12]}@example.com", **patient_fields}
        patient = PatientFactory(registered_practice=practice, **fields)
        episode = make_episode(patient=patient)
        people.append((patient, episode.messages.get(kind=MessageKind.PROM_INVITATION)))
    return people


def states(messages):
    return set(
        OutboundMessage.objects.filter(pk__in=[m.pk for m in messages]).values_list(
            "state", flat=True
        )
    )


def all_sent(messages):
    return states(messages) == {MessageState.SENT}


def mails_per_person(smtp, patients):
    return [len(smtp.handler.to(patient.email)) for patient in patients]


def form_post(session, url, data, referer=None):
    """Post a form as a browser does: with the CSRF token of the page it was on."""
    page = session.get(referer or url)
    assert page.status_code == 200, page.status_code
    token = CSRF.search(page.text).group(1)
    return session.post(url, {"csrfmiddlewaretoken": token, **data})


def sign_in(base, user):
    from tests.factories import TEST_PASSWORD

    session = Browser()
    response = form_post(
        session, f"{base}/sign-in/", {"username": user.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 200 and "/sign-in/" not in response.url, response.url
    return session


# --- Redis stopped ----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
def test_pages_answer_while_redis_is_down_and_what_fell_due_is_sent_when_it_returns(
    quiet_broker, smtp, make_episode, practice, ttp
):
    [(patient, invitation)] = people_with_invitations(make_episode, practice, 1)
    episode = invitation.episode
    reminder = episode.messages.filter(kind=MessageKind.PROM_REMINDER).order_by("due_at").first()

    with private_redis() as broker, service_processes(**environment(broker, smtp)) as services:
        services.worker()
        services.beat()
        base = services.web()
        wait_until(lambda: all_sent([invitation]), "the invitation to be sent", 90)
        token = LINK.search(smtp.handler.to(patient.email)[0].body).group(1)

        broker.stop()

        # The first reminder falls due, and the outbox is swept (by hand, as the beat cannot
        # reach the worker): it cannot queue anything, so it leaves the rows for a later sweep.
        OutboundMessage.objects.filter(pk=reminder.pk).update(due_at=timezone.now())
        sweep = subprocess.Popen(
            [sys.executable, "manage.py", "sweep_outbox"],
            env=services.environment_for_subprocess(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )

        # Staff: the sign-in page, a list, and booking an appointment (which queues a message).
        assert Browser().get(f"{base}/sign-in/").status_code == 200
        staff = sign_in(base, ttp)
        assert staff.get(f"{base}/ttp/").status_code == 200
        episode_url = f"{base}/ttp/episodes/{episode.public_id}/"
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        booked = form_post(
            staff,
            f"{episode_url}book/",
            {
                "date_day": tomorrow.day,
                "date_month": tomorrow.month,
                "date_year": tomorrow.year,
                "time": "09:30",
                "clinician": ttp.pk,
                "mode": "telephone",
                "location": "",
            },
        )
        assert booked.status_code == 200 and booked.url.rstrip("/") == episode_url.rstrip("/")
        notice = OutboundMessage.objects.get(episode=episode, kind=MessageKind.APPOINTMENT_BOOKED)
        # The patient: the link from their invitation, their date of birth, one questionnaire.
        person = Browser()
        assert person.get(f"{base}/q/{token}/").status_code == 200
        confirmed = form_post(person, f"{base}/q/confirm/", DATE_OF_BIRTH)
        assert confirmed.status_code == 200 and confirmed.url.endswith("/q/questionnaire/pain_nrs/")
        answered = form_post(person, confirmed.url, {"pain_nrs": "6"})
        assert answered.status_code == 200 and answered.url.endswith("/q/questionnaire/odi/")
        assert episode.questionnaire_responses.count() == 1

        output = sweep.communicate(timeout=60)[0].decode()
        assert sweep.returncode == 0, output[-2000:]
        assert "broker unavailable" in output
        assert states([reminder, notice]) == {MessageState.PENDING}
        assert not OutboundMessage.objects.filter(
            pk__in=[reminder.pk, notice.pk], queued_at__isnull=False
        ).exists()

        broker.start()
        wait_until(lambda: all_sent([reminder, notice]), "the sends after Redis returned", 60)
        # Nobody restarted anything, and the web said why it queued nothing, naming nobody.
        assert services.all_running()
        logs = services.all_logs()
        assert "broker unavailable: pathway.messaging.tasks.sweep_outbox not queued" in logs
        for identifier in (patient.email, patient.family_name, patient.nhs_number):
            assert identifier not in logs

    # The invitation, the reminder and the appointment notice: each once, and nothing else.
    assert len(smtp.handler.to(patient.email)) == 3
    assert len(smtp.handler.received) == 3


# --- Redis restarted empty --------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
def test_sends_lost_with_an_emptied_redis_are_queued_again_and_sent_once(
    quiet_broker, smtp, make_episode, practice
):
    from pathway.messaging.sending import due_message_ids
    from pathway.messaging.tasks import send_messages

    people = people_with_invitations(make_episode, practice, 5)
    invitations = [invitation for _, invitation in people]

    with private_redis() as broker, service_processes(**environment(broker, smtp)) as services:
        # What the sweep does, with no worker running yet: mark each due invitation queued and
        # publish its send to the (private) broker.
        with kombu.Connection(broker.url()) as to_broker:
            for message_id in due_message_ids(limit=100):
                send_messages.apply_async(args=[[message_id]], connection=to_broker, queue="celery")
        assert broker.client().llen("celery") == len(invitations)
        assert not OutboundMessage.objects.filter(
            pk__in=[m.pk for m in invitations], queued_at__isnull=True
        ).exists()

        broker.restart_empty()  # the queued sends are gone

        services.worker()
        services.beat()
        wait_until(lambda: all_sent(invitations), "every invitation to be sent", 90)

    assert mails_per_person(smtp, [patient for patient, _ in people]) == [1] * len(people)
    assert len(smtp.handler.received) == len(people)
    assert set(
        OutboundMessage.objects.filter(pk__in=[m.pk for m in invitations]).values_list(
            "attempts", flat=True
        )
    ) == {1}


# --- A worker killed mid-batch ----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
def test_worker_killed_mid_batch_leaves_every_message_sent_once(
    quiet_broker, smtp, make_episode, practice
):
    people = people_with_invitations(make_episode, practice, 6)
    invitations = [invitation for _, invitation in people]
    smtp.handler.stall_next(1, seconds=30)

    with private_redis() as broker, service_processes(**environment(broker, smtp)) as services:
        first = services.worker()
        services.beat()
        assert smtp.handler.stalled.wait(timeout=90), "the worker never reached DATA"
        assert (
            OutboundMessage.objects.filter(
                pk__in=[m.pk for m in invitations], state=MessageState.SENDING
            ).count()
            == 1
        )

        services.kill(first)
        services.worker()
        wait_until(lambda: all_sent(invitations), "every invitation to be sent", 90)

    assert mails_per_person(smtp, [patient for patient, _ in people]) == [1] * len(people)
    [abandoned] = smtp.handler.abandoned
    [killed_send] = OutboundMessage.objects.filter(pk__in=[m.pk for m in invitations], attempts=2)
    assert abandoned.rcpt_tos == (killed_send.patient.email,)


@pytest.mark.postgres
@pytest.mark.redis
def test_prefork_worker_killed_mid_batch_sends_no_text_twice_and_resends_only_emails_in_flight(
    quiet_broker, smtp, make_episode, practice
):
    """The Procfile's worker (a prefork pool of two processes) is killed with SIGKILL while one
    process waits for Notify's answer to a text Notify has already taken, and the other for
    the SMTP server's answer to an email. Texts: none lost, none twice (the resend asks Notify
    first). Emails: none lost; more than one only for an email that was in flight."""
    texted = people_with_invitations(
        make_episode, practice, 6, email="", mobile="07700900123", preferred_channel="sms"
    )
    emailed = people_with_invitations(make_episode, practice, 6)
    texts = [invitation for _, invitation in texted]
    emails = [invitation for _, invitation in emailed]
    assert {m.channel for m in texts} == {Channel.SMS}
    # The emails fall due once a text is with Notify, so a later sweep queues them as a chunk
    # of their own, which the pool's second process takes while the first waits on Notify.
    email_rows = OutboundMessage.objects.filter(pk__in=[m.pk for m in emails])
    email_rows.update(due_at=timezone.now() + datetime.timedelta(days=1))

    with (
        running_fake_notify() as notify,
        private_redis() as broker,
        service_processes(**environment(broker, smtp, **notify.environment())) as services,
    ):
        notify.hold_next(1, seconds=60)  # takes the first text, answers too late
        smtp.handler.stall_next(1, seconds=60)  # holds the first email's reply
        pool = services.worker(pool="prefork")
        services.beat()
        assert notify.held.wait(timeout=90), "no text reached Notify"
        email_rows.update(due_at=timezone.now())
        # Within the 10 s our Notify client waits for an answer (pathway.messaging.providers).
        assert smtp.handler.stalled.wait(timeout=8), "no email reached the SMTP server"
        in_flight = OutboundMessage.objects.filter(
            pk__in=[m.pk for m in texts + emails], state=MessageState.SENDING
        )
        in_flight_channels = sorted(in_flight.values_list("channel", flat=True))
        assert in_flight_channels == [Channel.EMAIL, Channel.SMS]
        [text_in_flight] = in_flight.filter(channel=Channel.SMS)

        services.kill_group(pool)
        services.worker(pool="prefork")
        wait_until(lambda: all_sent(texts + emails), "every message to be sent", 90)

    # Through Notify: every text exactly once. The one Notify took as its worker died was
    # looked up by its reference and recorded as sent, not sent again.
    assert [len(notify.accepted_with_reference(m.key)) for m in texts] == [1] * len(texts)
    assert [text_in_flight.key] in [lookup.get("reference") for lookup in notify.lookups]
    text_in_flight.refresh_from_db()
    assert text_in_flight.attempts == 2
    # Over SMTP: every email arrived; a second copy only of an email that was in flight.
    received = mails_per_person(smtp, [patient for patient, _ in emailed])
    assert min(received) == 1
    assert sum(received) - len(emails) <= in_flight_channels.count(Channel.EMAIL)


# --- PostgreSQL restarted ---------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
def test_web_and_worker_recover_from_a_postgresql_restart_by_themselves(
    quiet_broker, smtp, make_episode, practice, ttp
):
    (first_patient, first), (second_patient, second) = people_with_invitations(
        make_episode, practice, 2
    )
    # The second invitation is made due only after the restart.
    OutboundMessage.objects.filter(pk=second.pk).update(
        due_at=timezone.now() + datetime.timedelta(days=1)
    )

    with private_postgres() as cluster, private_redis() as broker:
        database = cluster.copy_database(database_url(connection.settings_dict), "pathway_fault")

        def state_of(message):
            with psycopg.connect(database) as db:
                return db.execute(
                    "select state from messaging_outboundmessage where id = %s", [message.pk]
                ).fetchone()[0]

        env = environment(broker, smtp, database=database)
        with service_processes(**env) as services:
            base = services.web()
            services.worker()
            services.beat()
            staff = sign_in(base, ttp)
            wait_until(lambda: state_of(first) == MessageState.SENT, "the first invitation", 90)

            cluster.restart()

            assert Browser().get(f"{base}/sign-in/").status_code == 200
            assert staff.get(f"{base}/ttp/").status_code == 200
            with psycopg.connect(database) as db:
                db.execute(
                    "update messaging_outboundmessage set due_at = now() where id = %s",
                    [second.pk],
                )
            wait_until(lambda: state_of(second) == MessageState.SENT, "the second invitation", 60)
            assert services.all_running()  # recovered without a restart of their own

    assert mails_per_person(smtp, [first_patient, second_patient]) == [1, 1]


# --- Two beats --------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
def test_two_beats_started_by_mistake_send_nothing_twice(
    quiet_broker, smtp, make_episode, practice
):
    people = people_with_invitations(make_episode, practice, 4)
    invitations = [invitation for _, invitation in people]
    reminders = [
        invitation.episode.messages.filter(kind=MessageKind.PROM_REMINDER).first()
        for invitation in invitations
    ]

    with (
        private_redis() as broker,
        service_processes(**environment(broker, smtp)) as services,
    ):
        beats = [services.beat("first", "INFO"), services.beat("second", "INFO")]
        services.worker()
        services.worker()
        wait_until(lambda: all_sent(invitations), "every invitation to be sent", 90)
        # Reminders falling due one after another while both beats sweep.
        for index, reminder in enumerate(reminders):
            due = timezone.now() + datetime.timedelta(seconds=1 + index)
            OutboundMessage.objects.filter(pk=reminder.pk).update(due_at=due)
        wait_until(lambda: all_sent(reminders), "every reminder to be sent", 60)
        # Both beats were sweeping all along.
        for beat in beats:
            assert beat.poll() is None
            assert services.log(beat).count("Sending due task sweep-outbox") >= 3

    assert mails_per_person(smtp, [patient for patient, _ in people]) == [2] * len(people)
    assert len(smtp.handler.received) == len(invitations) + len(reminders)


# --- A slow worker and its lease (in this process) --------------------------------------------


def later(settings):
    return timezone.now() + datetime.timedelta(minutes=settings.MESSAGE_STUCK_MINUTES + 1)


@pytest.fixture
def smtp_settings(smtp, settings):
    smtp.use_in(settings)
    return smtp


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_slow_worker_whose_claim_was_taken_back_does_not_send(
    quiet_broker, smtp_settings, make_episode, practice, settings
):
    from pathway.messaging.sending import claim, deliver, requeue_stuck, send_claimed

    [(patient, invitation)] = people_with_invitations(make_episode, practice, 1)
    slow = claim(invitation.pk)  # this worker then stalls before calling the provider
    assert requeue_stuck(now=later(settings)) == 1

    assert send_claimed(slow) == "claim lost"  # before anyone else took it: nothing sent
    assert smtp_settings.handler.received == []
    assert deliver(invitation.pk) == "sent"
    assert send_claimed(slow) == "claim lost"  # and after: still nothing more

    assert mails_per_person(smtp_settings, [patient]) == [1]
    invitation.refresh_from_db()
    assert (invitation.state, invitation.attempts) == (MessageState.SENT, 2)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_send_that_outlasted_its_lease_is_recorded_and_not_resent(
    quiet_broker, smtp_settings, make_episode, practice, settings
):
    from pathway.messaging.sending import deliver, requeue_stuck

    [(patient, invitation)] = people_with_invitations(make_episode, practice, 1)
    smtp_settings.handler.stall_next(1, seconds=2)
    results = []
    slow = threading.Thread(target=lambda: results.append(_deliver_in_thread(invitation.pk)))
    slow.start()
    assert smtp_settings.handler.stalled.wait(timeout=10)
    assert requeue_stuck(now=later(settings)) == 1  # the provider call outlasts the lease
    slow.join(timeout=30)

    assert results == ["sent"]
    assert deliver(invitation.pk) == "not claimed"
    assert mails_per_person(smtp_settings, [patient]) == [1]
    invitation.refresh_from_db()
    assert invitation.state == MessageState.SENT


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_send_overtaken_by_a_resend_is_the_logged_at_least_once_window(
    quiet_broker, smtp_settings, make_episode, practice, settings, caplog
):
    """The residual the docstring of pathway.messaging.sending admits: a provider call that
    outlasts the lease and is overtaken by a resend reaches the person twice, and says so."""
    from pathway.messaging.sending import deliver, requeue_stuck

    [(patient, invitation)] = people_with_invitations(make_episode, practice, 1)
    smtp_settings.handler.stall_next(1, seconds=2)
    results = []
    slow = threading.Thread(target=lambda: results.append(_deliver_in_thread(invitation.pk)))
    slow.start()
    assert smtp_settings.handler.stalled.wait(timeout=10)
    assert requeue_stuck(now=later(settings)) == 1
    with caplog.at_level(logging.WARNING, logger="pathway.messaging.sending"):
        assert deliver(invitation.pk) == "sent"
        slow.join(timeout=30)

    assert results == ["sent"]
    assert mails_per_person(smtp_settings, [patient]) == [2]
    warnings = [
        record.getMessage()
        for record in caplog.records
        if record.name == "pathway.messaging.sending" and record.levelno == logging.WARNING
    ]
    # The sweep's note that it took the row back, then the slow worker's.
    [taken_back, overtaken] = warnings
    assert "1 emails (sent again: each may arrive twice)" in taken_back
    assert "may have been sent twice" in overtaken
    assert patient.email not in overtaken


def _deliver_in_thread(message_id):
    from pathway.messaging.sending import deliver

    try:
        return deliver(message_id)
    finally:
        connection.close()


# --- The deploy check on the lease ------------------------------------------------------------


def test_default_sending_lease_passes_the_deploy_check(settings):
    from pathway.messaging.checks import check_sending_lease

    settings.MESSAGE_STUCK_MINUTES = 10

    assert check_sending_lease() == []


def test_sending_lease_shorter_than_a_provider_call_is_a_deploy_warning(settings):
    from pathway.messaging.checks import check_sending_lease

    settings.MESSAGE_STUCK_MINUTES = STUCK_MINUTES  # what these tests use on purpose

    [warning] = check_sending_lease()

    assert warning.id == "messaging.W001"
