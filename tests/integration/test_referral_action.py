"""record_referral takes plain values: the web form, the demo loader and this test all call it
with a ReferralAnswers, who did it and an audit context, and never a request or a form."""

import dataclasses
import datetime

import pytest
from django.urls import reverse

from pathway.audit.context import DEMO_CONTEXT, AuditContext, Channel
from pathway.audit.models import AuditEvent
from pathway.care.models import EpisodeState
from pathway.demo.referrals import complete_answers, refer
from pathway.referrals.actions import NO_SERVICE_OFFERED, ReferralRefused, record_referral
from pathway.referrals.answers import with_answers
from pathway.referrals.models import Referral, ReferralOutcome
from tests.audit_context import TEST_CONTEXT
from tests.factories import PatientFactory
from tests.referral_data import referral_post

pytestmark = pytest.mark.django_db


def _person(practice, **details):
    return PatientFactory.build(
        registered_practice=practice, date_of_birth=datetime.date(1971, 3, 14), **details
    )


def test_a_referral_recorded_from_plain_answers_opens_an_episode(gp, practice, service):
    answers = complete_answers(_person(practice, nhs_number="9990000018"), risk="high")

    referral = record_referral(answers=answers, services=[service], by=gp, context=TEST_CONTEXT)

    assert referral.outcome == ReferralOutcome.REFERRED
    assert (referral.startback_risk, referral.priority) == ("high", "standard")
    episode = referral.episode
    assert episode.state == EpisodeState.AWAITING_TRIAGE
    assert list(episode.transitions.values_list("name", "from_state", "by")) == [
        ("refer", "", gp.pk)
    ]
    assert episode.prom_timepoints.filter(timepoint="baseline").exists()
    channels = set(AuditEvent.objects.values_list("object_type", "channel"))
    assert channels == {
        ("patients.patient", "test"),
        ("referrals.referral", "test"),
        ("care.episode", "test"),
    }


def test_the_same_rules_refuse_incomplete_answers_and_nothing_is_saved(gp, practice, service):
    answers = with_answers(
        complete_answers(_person(practice, nhs_number="9990000018")),
        startback_3=None,
        urgency_severe_sleep_disturbance=True,
        priority_override="standard",
    )
    answers = dataclasses.replace(answers, body_part=None)

    with pytest.raises(ReferralRefused) as refused:
        record_referral(answers=answers, services=[service], by=gp, context=TEST_CONTEXT)

    problems = dict(refused.value.problems)
    assert problems["body_part"] == "Select back or neck"
    assert problems["priority_override_reason"] == "Say why you are changing the priority"
    assert Referral.objects.count() == 0 and AuditEvent.objects.count() == 0


def test_a_cauda_equina_flag_stops_the_referral_whatever_else_is_missing(gp, practice, service):
    answers = with_answers(
        complete_answers(_person(practice, nhs_number="9990000018")),
        red_flag_bilateral_sciatica=True,
        startback_1=None,
    )

    referral = record_referral(answers=answers, services=[service], by=gp, context=TEST_CONTEXT)

    assert referral.outcome == ReferralOutcome.REDIRECTED
    assert not hasattr(referral, "episode") or referral.episode is None


def test_web_form_demo_and_direct_call_record_the_same_referral(gp, practice, service, client):
    client.force_login(gp)
    reason = {"low_risk_referral_reason": "The person asked for physiotherapy"}
    client.post(
        reverse("referrals:new"), referral_post(practice=practice, startback="low", **reason)
    )
    by_form = Referral.objects.get()
    demo_patient = PatientFactory(registered_practice=practice, nhs_number="9990000034")
    by_demo = refer(gp=gp, patient=demo_patient, risk="low", service=service)
    direct = record_referral(
        answers=complete_answers(_person(practice, nhs_number="9990000026"), risk="low"),
        services=[service],
        by=gp,
        context=AuditContext(channel=Channel.API),
    )

    recorded = [
        (r.outcome, r.startback_total, r.startback_risk, r.priority, r.recommendation)
        for r in (by_form, by_demo, direct)
    ]
    assert len(set(recorded)) == 1, recorded
    channels = {
        referral.pk: AuditEvent.objects.get(
            object_type="referrals.referral", object_id=str(referral.pk)
        ).channel
        for referral in (by_form, by_demo, direct)
    }
    assert channels == {by_form.pk: "web", by_demo.pk: DEMO_CONTEXT.channel, direct.pk: "api"}


def test_the_same_submission_key_twice_returns_the_first_referral(gp, practice, service):
    answers = complete_answers(_person(practice, nhs_number="9990000018"))

    first = record_referral(answers=answers, services=[service], by=gp, context=TEST_CONTEXT)
    again = record_referral(answers=answers, services=[service], by=gp, context=TEST_CONTEXT)

    assert again == first and Referral.objects.count() == 1


def test_no_service_offered_is_refused_and_nothing_is_saved(gp, practice):
    answers = complete_answers(_person(practice, nhs_number="9990000018"))

    with pytest.raises(ReferralRefused) as refused:
        record_referral(answers=answers, services=[], by=gp, context=TEST_CONTEXT)

    assert dict(refused.value.problems) == {"service": NO_SERVICE_OFFERED}
    assert Referral.objects.count() == 0
