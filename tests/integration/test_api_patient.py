"""GET /fhir/R4/Patient/<id> and GET /fhir/R4/Patient?identifier=...: UK Core's shape, every
resource valid against the FHIR R4B models, and each person shown written to the audit trail
as the client that asked."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.patient import Patient as FhirPatient

from pathway.audit.models import AuditAction, AuditEvent
from pathway.patients.models import Patient
from tests.api_clients import CLIENT_USER_AGENT, access_token, fhir_get, make_client
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

NHS = "https://fhir.nhs.uk/Id/nhs-number"
ODS = "https://fhir.nhs.uk/Id/ods-organization-code"


@pytest.fixture
def api_client(practice):
    return make_client(practice, name="Riverside GP system")


@pytest.fixture
def token(client, api_client):
    return access_token(client, api_client)


def read(client, token, patient):
    response = fhir_get(client, f"Patient/{patient.public_id}", token)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    return FhirPatient.model_validate_json(response.content)


def search(client, token, **params):
    response = fhir_get(client, "Patient", token, **params)
    assert response.status_code == 200, response.content
    bundle = Bundle.model_validate_json(response.content)
    for entry in bundle.entry or []:
        FhirPatient.model_validate(entry.resource.model_dump())
    return bundle


def test_a_patient_reads_in_the_shape_of_uk_core(client, token, practice):
    patient = PatientFactory(
        registered_practice=practice,
        nhs_number="9990000018",
        given_name="Alice",
        family_name="Armstrong",
        date_of_birth=datetime.date(1971, 3, 14),
        sex="female",
        postcode="NE1 4LP",
    )

    resource = read(client, token, patient)

    assert resource.id == str(patient.public_id)
    assert [(i.system, i.value) for i in resource.identifier] == [(NHS, "9990000018")]
    assert (resource.name[0].family, resource.name[0].given) == ("Armstrong", ["Alice"])
    assert (resource.gender, str(resource.birthDate)) == ("female", "1971-03-14")
    assert resource.address[0].postalCode == "NE1 4LP"
    gp = resource.generalPractitioner[0]
    assert (gp.identifier.system, gp.identifier.value) == (ODS, practice.ods_code)
    assert resource.meta.lastUpdated is not None


def test_contact_details_go_out_only_with_consent(client, token, practice):
    consenting = PatientFactory(
        registered_practice=practice, consents_to_contact=True, mobile="07700900123"
    )
    not_consenting = PatientFactory(
        registered_practice=practice, consents_to_contact=False, mobile="07700900456"
    )

    telecom = read(client, token, consenting).telecom
    assert {(t.system, t.value) for t in telecom} == {
        ("phone", "07700900123"),
        ("email", consenting.email),
    }
    assert read(client, token, not_consenting).telecom is None


def test_the_nhs_number_is_never_the_id(client, token, patient):
    response = fhir_get(client, f"Patient/{patient.nhs_number}", token)

    assert response.status_code == 404


def test_a_search_by_nhs_number_returns_a_searchset(client, token, patient, practice):
    PatientFactory(registered_practice=practice)

    bundle = search(client, token, identifier=f"{NHS}|{patient.nhs_number}")

    assert (bundle.type, bundle.total) == ("searchset", 1)
    entry = bundle.entry[0]
    assert entry.fullUrl == f"{settings.SITE_URL}/fhir/R4/Patient/{patient.public_id}"
    assert entry.search.mode == "match"
    assert entry.resource.id == str(patient.public_id)
    assert bundle.link[0].relation == "self"


def test_the_nhs_number_alone_finds_the_patient_and_another_system_does_not(client, token, patient):
    alone = search(client, token, identifier=patient.nhs_number)
    other = search(client, token, identifier=f"https://example.org/ids|{patient.nhs_number}")
    unknown = search(client, token, identifier=f"{NHS}|9990000026")

    assert [entry.resource.id for entry in alone.entry] == [str(patient.public_id)]
    assert (other.total, other.entry, unknown.total) == (0, None, 0)


def test_a_search_by_last_updated(client, token, practice):
    before = PatientFactory(registered_practice=practice)
    Patient.objects.filter(pk=before.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=3)
    )
    recent = PatientFactory(registered_practice=practice)
    since = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()

    newer = search(client, token, _lastUpdated=f"gt{since}")
    older = search(client, token, _lastUpdated=f"lt{since}")
    day = search(client, token, _lastUpdated=timezone.localdate().isoformat())

    assert [entry.resource.id for entry in newer.entry] == [str(recent.public_id)]
    assert [entry.resource.id for entry in older.entry] == [str(before.public_id)]
    assert [entry.resource.id for entry in day.entry] == [str(recent.public_id)]


def test_last_updated_given_twice_is_a_range(client, token, practice):
    ages = {}
    for days in (1, 5, 9):
        patient = PatientFactory(registered_practice=practice)
        ages[days] = patient
        Patient.objects.filter(pk=patient.pk).update(
            updated_at=timezone.now() - datetime.timedelta(days=days)
        )
    today = timezone.localdate()
    since, until = today - datetime.timedelta(days=7), today - datetime.timedelta(days=3)

    between = search(client, token, _lastUpdated=[f"ge{since}", f"le{until}"])
    not_on = search(client, token, _lastUpdated=f"ne{today - datetime.timedelta(days=5)}")

    assert [entry.resource.id for entry in between.entry] == [str(ages[5].public_id)]
    assert {entry.resource.id for entry in not_on.entry} == {
        str(ages[1].public_id),
        str(ages[9].public_id),
    }


def test_last_updated_takes_a_date_time_with_a_zone(client, token, patient):
    moment = patient.updated_at.astimezone(datetime.UTC)
    second = moment.replace(microsecond=0)

    at = search(client, token, _lastUpdated=f"ge{second:%Y-%m-%dT%H:%M:%S}Z")
    after = search(client, token, _lastUpdated=f"gt{second:%Y-%m-%dT%H:%M:%S}+00:00")

    assert at.total == 1
    assert after.total == 0


def test_pages_follow_next_links_to_every_match(client, token, practice):
    everyone = {str(PatientFactory(registered_practice=practice).public_id) for _ in range(5)}

    seen, bundle = [], search(client, token, _count="2")
    while True:
        seen += [entry.resource.id for entry in bundle.entry]
        links = {link.relation: link.url for link in bundle.link}
        if "next" not in links:
            break
        path = links["next"].removeprefix(settings.SITE_URL)
        response = client.get(path, headers={"Authorization": f"Bearer {token}"})
        bundle = Bundle.model_validate_json(response.content)

    assert len(seen) == 5 and set(seen) == everyone
    assert bundle.total == 5


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"name": "Armstrong"}, "not-supported"),
        ({"identifier:exact": "9990000018"}, "not-supported"),
        ({"_count": "0"}, "invalid"),
        ({"_count": "1000"}, "invalid"),
        ({"_count": "two"}, "invalid"),
        ({"_lastUpdated": "yesterday"}, "invalid"),
        ({"_lastUpdated": "ap2026-01-01"}, "invalid"),
        ({"_lastUpdated": "2026-13-01"}, "invalid"),
        ({"_lastUpdated": "9999-12-31T23:59:59.999999+00:00"}, "invalid"),
        ({"_lastUpdated": "9999"}, "invalid"),
        ({"_page": "not-a-page"}, "invalid"),
        ({"identifier": "999\x000000018"}, "invalid"),
        ({"_format": "xml"}, "not-supported"),
    ],
)
def test_a_bad_search_is_a_4xx_outcome(client, token, patient, params, code):
    response = fhir_get(client, "Patient", token, **params)

    assert 400 <= response.status_code < 500
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == code


def test_a_read_is_audited_as_the_client(client, token, patient, api_client):
    already = AuditEvent.objects.count()

    read(client, token, patient)

    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == already + 1
    assert (event.action, event.patient_id) == (AuditAction.VIEW, patient.pk)
    assert (event.role, event.organisation, event.user) == ("api client", api_client.name, None)
    assert (event.channel, event.ip_address) == ("api", "127.0.0.1")
    assert event.user_agent == CLIENT_USER_AGENT
    assert (event.object_type, event.object_id) == ("patients.patient", str(patient.pk))


def test_a_search_audits_each_person_returned_and_no_one_else(client, token, practice):
    shown = [PatientFactory(registered_practice=practice) for _ in range(3)]
    PatientFactory()  # another practice's: not found, so not shown
    already = AuditEvent.objects.values_list("id", flat=True).order_by("-id").first()

    search(client, token, _count="2")

    events = AuditEvent.objects.filter(id__gt=already)
    assert events.count() == 2
    assert {event.patient_id for event in events} <= {patient.pk for patient in shown}
    assert {(event.role, event.channel) for event in events} == {("api client", "api")}


def test_a_refused_read_writes_no_view(client, token):
    already = AuditEvent.objects.count()

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
        fhir_get(client, "Patient", token)
    fhir_get(client, "Patient", token, identifier=PatientFactory().nhs_number)

    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()
    assert AuditEvent.objects.count() == already


def test_a_zone_offset_whose_plus_was_not_encoded_is_read_as_meant(client, token, practice):
    # Some clients (fhirpy among them) send "+01:00" unencoded; it arrives as " 01:00".
    recent = PatientFactory(registered_practice=practice)
    hour_ago = timezone.now() - datetime.timedelta(hours=1)
    raw = f"gt{hour_ago:%Y-%m-%dT%H:%M:%S}+00:00"

    response = client.get(
        f"/fhir/R4/Patient?_lastUpdated={raw}", headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 200, response.content
    assert [e["resource"]["id"] for e in response.json()["entry"]] == [str(recent.public_id)]
