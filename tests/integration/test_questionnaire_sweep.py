"""The questionnaires' own beat job, apart from the outbox's: time points open and close by the
clock, and a duty clinician's alert email that did not go is sent."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from pathway.celery import app
from pathway.messaging import sending
from pathway.messaging.models import OutboundMessage
from pathway.proms import tasks
from pathway.proms.actions import record_questionnaire
from pathway.proms.models import SafetyAlert
from tests.audit_context import TEST_CONTEXT
from tests.integration.test_prom_schedule import discharged

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def published(monkeypatch):
    """What the sweep hands the broker once its transaction commits: (task, arguments)."""
    calls = []

    def publish_each(task, arguments):
        calls.append((task, list(arguments)))
        return []

    monkeypatch.setattr(tasks, "publish_each", publish_each)
    return calls


def test_the_beat_runs_both_sweeps_at_the_same_interval():
    schedule = app.conf.beat_schedule

    assert schedule["sweep-outbox"]["task"] == "pathway.messaging.tasks.sweep_outbox"
    assert schedule["sweep-questionnaires"]["task"] == tasks.sweep_questionnaires.name
    assert schedule["sweep-questionnaires"]["schedule"] == settings.SWEEP_INTERVAL_SECONDS
    assert schedule["sweep-outbox"]["schedule"] == settings.SWEEP_INTERVAL_SECONDS


def test_the_sweep_opens_due_time_points_and_records_those_closed_unanswered(
    episode, ttp, published, django_capture_on_commit_callbacks
):
    episode = discharged(episode, ttp)
    entries = {entry.timepoint: entry for entry in episode.prom_timepoints.all()}
    entries["month_6"].opens_at = timezone.now() - MINUTE
    entries["month_6"].save(update_fields=["opens_at"])
    entries["discharge"].closes_at = timezone.now() - MINUTE
    entries["discharge"].save(update_fields=["closes_at"])

    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.sweep_questionnaires()

    states = dict(episode.prom_timepoints.values_list("timepoint", "state"))
    assert (states["month_6"], states["month_12"]) == ("open", "scheduled")
    assert states["discharge"] == "not_responded"
    assert result == {"opened": 1, "not_responded": 1, "alerts_to_email": 0}
    assert published == [(tasks.email_duty_clinician, [])]


def test_the_sweep_emails_the_duty_clinician_about_alerts_whose_email_did_not_go(
    make_episode, ttp, published, django_capture_on_commit_callbacks
):
    def alert(minutes_ago):
        response = record_questionnaire(
            context=TEST_CONTEXT,
            episode=make_episode(),
            timepoint="baseline",
            instrument="phq9",
            answers={"items": [0] * 8 + [1]},
            source="clinician",
            by=ttp,
        )
        raised = SafetyAlert.objects.filter(response=response)
        raised.update(raised_at=timezone.now() - minutes_ago * MINUTE)
        return raised.get()

    missed = alert(minutes_ago=10)
    alert(minutes_ago=0)  # its own email is still on its way: the action asked for it
    emailed = alert(minutes_ago=10)
    SafetyAlert.objects.filter(pk=emailed.pk).update(duty_emailed_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.sweep_questionnaires()

    assert published == [(tasks.email_duty_clinician, [missed.pk])]
    assert result["alerts_to_email"] == 1


def test_an_invitation_due_as_its_window_opens_is_sent_before_the_questionnaire_sweep(
    episode, ttp, settings
):
    """Both sweeps run every minute, in no fixed order: the outbox's may find the invitation
    due while its time point is still scheduled. The invitation opens it and is sent."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    episode = discharged(episode, ttp)
    six_months = episode.prom_timepoints.get(timepoint="month_6")
    six_months.opens_at = timezone.now() - MINUTE
    six_months.save(update_fields=["opens_at"])
    invitation = OutboundMessage.objects.get(prom_timepoint=six_months, kind="prom_invitation")
    OutboundMessage.objects.filter(pk=invitation.pk).update(due_at=six_months.opens_at)

    assert sending.deliver(invitation.pk) == "sent"

    six_months.refresh_from_db()
    assert six_months.state == "open"
    [email] = mail.outbox
    assert "/q/" in email.body
    assert six_months.links.count() == 1
