"""The person's own questionnaire pages are reads of their record (issue 15, item 5): each one
they see after confirming their date of birth writes an audit event, as staff page views do,
naming no staff user and the questionnaire link they used."""

import pytest
from django.test import Client

from pathway.audit.models import AuditEvent
from pathway.proms.timepoints import instruments_for
from tests.integration.test_patient_link import answer, continue_and_confirm, new_link

pytestmark = pytest.mark.django_db

ADDRESS = "192.0.2.7"


def views_of(patient):
    return AuditEvent.objects.filter(action="view", patient=patient)


def test_each_questionnaire_page_the_person_sees_is_audited(episode):
    client = Client(REMOTE_ADDR=ADDRESS)
    token = new_link(episode)
    continue_and_confirm(client, token)
    link_pk = str(episode.prom_timepoints.get(timepoint="baseline").links.get().pk)

    client.get("/q/questionnaire/pain_nrs/")
    client.get("/q/questionnaire/pain_nrs/")

    views = views_of(episode.patient)
    assert views.count() == 2
    assert {(e.user, e.object_type, e.object_id, e.ip_address) for e in views} == {
        (None, "proms.patientlink", link_pk, ADDRESS)
    }


def test_the_thank_you_page_is_audited_too(episode):
    client = Client(REMOTE_ADDR=ADDRESS)
    continue_and_confirm(client, new_link(episode))
    for instrument in instruments_for("baseline"):
        answer(client, instrument)
    before = views_of(episode.patient).count()

    page = client.get("/q/complete/")

    assert "Thank you" in page.content.decode()
    assert views_of(episode.patient).count() == before + 1


def test_pages_before_the_date_of_birth_write_no_view(episode):
    # Mail scanners open links: nothing about the person is shown before the date of birth.
    client = Client(REMOTE_ADDR=ADDRESS)
    token = new_link(episode)

    client.get(f"/q/{token}/")
    client.get("/q/start/")
    client.get("/q/confirm/")

    assert not views_of(episode.patient).exists()
