"""A submission writes without looking again; a race it loses is retried once, and finds the
winner's rows (record_referral)."""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from pathway.audit.models import AuditAction, AuditEvent
from pathway.demo.referrals import complete_answers
from pathway.organisations.models import GPPractice
from pathway.patients.models import Patient
from pathway.referrals import actions
from pathway.referrals.actions import record_referral
from pathway.referrals.models import Referral
from tests.audit_context import TEST_CONTEXT
from tests.factories import PatientFactory
from tests.referral_data import referral_post

NEW_NHS_NUMBER = "9990000018"


def _new_person(practice):
    """Answers for someone the service has never seen (an unsaved Patient gives the details)."""
    person = PatientFactory.build(
        nhs_number=NEW_NHS_NUMBER,
        registered_practice=practice,
        date_of_birth=datetime.date(1971, 3, 14),
        given_name="Ruth",
    )
    return complete_answers(person)


def _between_check_and_insert(monkeypatch, happen):
    """Make `happen` commit just after the rules have looked, before the first insert: the
    moment another request's transaction could win the race."""
    assess = actions.assess
    calls = []

    def assess_then_race(*args, **kwargs):
        assessment = assess(*args, **kwargs)
        calls.append(assessment)
        if len(calls) == 1:
            happen()
        return assessment

    monkeypatch.setattr(actions, "assess", assess_then_race)
    return calls


@pytest.mark.django_db
def test_person_added_after_the_check_is_updated_not_duplicated(gp, practice, service, monkeypatch):
    answers = _new_person(practice)
    added = []
    checks = _between_check_and_insert(
        monkeypatch,
        # Another GP's referral of the same person, born the same day, committed meanwhile.
        lambda: added.append(
            PatientFactory(
                nhs_number=NEW_NHS_NUMBER,
                registered_practice=practice,
                date_of_birth=datetime.date(1971, 3, 14),
                given_name="Earlier",
            )
        ),
    )

    referral = record_referral(answers=answers, services=[service], by=gp, context=TEST_CONTEXT)

    assert checks[0].patient is None and checks[-1].patient == added[0]
    assert Patient.objects.get() == added[0] == referral.patient
    assert referral.patient.given_name == "Ruth"
    patient_events = AuditEvent.objects.filter(object_type="patients.patient")
    assert list(patient_events.values_list("action", flat=True)) == [AuditAction.UPDATE]
    # Nothing of the failed first attempt is left: one event per record written.
    assert AuditEvent.objects.filter(object_type="referrals.referral").count() == 1
    assert AuditEvent.objects.filter(object_type="care.episode").count() == 1


@pytest.mark.django_db
def test_twin_submission_after_the_check_returns_the_first_referral(
    gp, practice, service, monkeypatch
):
    answers = _new_person(practice)
    first = []
    _between_check_and_insert(
        monkeypatch,
        lambda: first.append(
            record_referral(answers=answers, services=[service], by=gp, context=TEST_CONTEXT)
        ),
    )

    again = record_referral(answers=answers, services=[service], by=gp, context=TEST_CONTEXT)

    assert again == first[0]
    assert Referral.objects.count() == 1
    assert Patient.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="referrals.referral").count() == 1


@pytest.mark.postgres
def test_two_referrals_of_a_new_person_at_once_make_one_patient(
    transactional_db, gp, practice, service
):
    barrier = threading.Barrier(2)
    statuses = []

    def submit(key):
        client = Client()
        client.force_login(gp)
        data = referral_post(practice=practice, submission_key=key)
        barrier.wait()
        try:
            statuses.append(client.post(reverse("referrals:new"), data).status_code)
        finally:
            connection.close()

    keys = ("00000000-0000-4000-8000-00000000000a", "00000000-0000-4000-8000-00000000000b")
    threads = [threading.Thread(target=submit, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # The second may be told the person already has an open episode (200) if it was checked
    # after the first committed; it must never fail, and never make a second patient.
    assert sorted(statuses) in ([200, 302], [302, 302])
    assert Patient.objects.filter(nhs_number=NEW_NHS_NUMBER).count() == 1
    assert Referral.objects.count() == statuses.count(302)


@pytest.mark.django_db
def test_someone_elses_record_with_another_date_of_birth_is_not_overwritten(
    gp, practice, service, client
):
    # Registered at a practice this GP cannot see, born on another day: the assessment does not
    # match them, so the NHS number typed is probably wrong, not a new person.
    elsewhere = GPPractice.objects.create(
        ods_code="B99999", name="Elsewhere Surgery", area=practice.area
    )
    other = PatientFactory(
        nhs_number=NEW_NHS_NUMBER,
        registered_practice=elsewhere,
        date_of_birth=datetime.date(1980, 1, 1),  # the form says 14 March 1971
    )
    before = Patient.objects.values().get(pk=other.pk)
    data = referral_post(practice=practice)
    client.force_login(gp)

    response = client.post(reverse("referrals:new"), data, secure=True)

    assert response.status_code == 200
    assert "does not match our record for this NHS number" in response.content.decode()
    assert Patient.objects.values().get(pk=other.pk) == before
    assert Referral.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="referrals.referral").exists()
