"""A submission writes without looking again; a race it loses is retried once, and finds the
winner's rows (record_referral)."""

import datetime
import threading

import pytest
from django.db import connection
from django.http import QueryDict
from django.test import Client, RequestFactory
from django.urls import reverse

from pathway.audit.models import AuditAction, AuditEvent
from pathway.organisations.models import GPPractice, ProviderService
from pathway.patients.models import Patient
from pathway.referrals.actions import record_referral
from pathway.referrals.assessment import assess
from pathway.referrals.decision import decide
from pathway.referrals.forms import ReferralForm
from pathway.referrals.models import Referral
from tests.factories import PatientFactory
from tests.referral_data import referral_post

NEW_NHS_NUMBER = "9990000018"


def _checked_submission(gp, data):
    """What the view holds just before it records: the form, its assessment and decision."""
    query = QueryDict(mutable=True)
    query.update(data)
    practice = gp.practice
    services = list(ProviderService.objects.filter(area_id=practice.area_id))
    form = ReferralForm(
        query,
        practices=GPPractice.objects.filter(area_id=practice.area_id),
        services=ProviderService.objects.filter(area_id=practice.area_id),
    )
    assessment = assess(form, user=gp, services=services)
    decision = decide(form, assessment, services)
    assert decision is not None, form.errors
    request = RequestFactory().post(reverse("referrals:new"))
    request.user = gp
    return {"request": request, "form": form, "assessment": assessment, "decision": decision}


@pytest.mark.django_db
def test_person_added_after_the_check_is_updated_not_duplicated(gp, practice, service):
    submission = _checked_submission(gp, referral_post(practice=practice))
    assert submission["assessment"].patient is None
    # Another GP's referral of the same person committed between the check and the insert.
    added = PatientFactory(
        nhs_number=NEW_NHS_NUMBER,
        registered_practice=practice,
        date_of_birth=datetime.date(1971, 3, 14),  # as on the form: the same person
    )

    referral = record_referral(**submission)

    assert Patient.objects.get() == added == referral.patient
    assert referral.patient.given_name == "Ruth"
    patient_events = AuditEvent.objects.filter(object_type="patients.patient")
    assert list(patient_events.values_list("action", flat=True)) == [AuditAction.UPDATE]
    # Nothing of the failed first attempt is left: one event per record written.
    assert AuditEvent.objects.filter(object_type="referrals.referral").count() == 1
    assert AuditEvent.objects.filter(object_type="care.episode").count() == 1


@pytest.mark.django_db
def test_twin_submission_after_the_check_returns_the_first_referral(gp, practice, service):
    data = referral_post(practice=practice)
    twin = _checked_submission(gp, data)
    first = record_referral(**_checked_submission(gp, data))

    again = record_referral(**twin)

    assert again == first
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
