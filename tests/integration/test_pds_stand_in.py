"""The stand-in for PDS in local development (pathway.patients.pds_stand_in): PDS's shape, for
synthetic people of the 999 test range only, and only while settings.PDS_STAND_IN is on."""

import datetime
import json

import pytest
from django.urls import reverse
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient as FHIRPatient

from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def stand_in(client, number):
    return client.get(reverse("pds_stand_in_patient", args=[number]))


def test_the_stand_in_serves_its_synthetic_people_as_pds_patients(client):
    response = stand_in(client, "9990100004")

    assert response["Content-Type"] == "application/fhir+json"
    patient = FHIRPatient.model_validate_json(response.content)
    assert (patient.id, patient.name[0].family, patient.birthDate) == (
        "9990100004",
        "Reid",
        datetime.date(1974, 2, 11),
    )
    assert patient.generalPractitioner[0].identifier.value == "A99001"


def test_the_stand_in_answers_a_superseded_number_with_the_current_record(client):
    assert json.loads(stand_in(client, "9990100047").content)["id"] == "9990100055"


def test_the_stand_in_strips_a_restricted_record(client):
    resource = json.loads(stand_in(client, "9990100039").content)

    assert resource["meta"]["security"][0]["code"] == "R"
    assert "address" not in resource and "generalPractitioner" not in resource


def test_the_stand_in_serves_the_demo_people_of_the_database(client, practice):
    PatientFactory(nhs_number="9990000018", given_name="Alice", registered_practice=practice)

    patient = FHIRPatient.model_validate_json(stand_in(client, "9990000018").content)

    assert patient.name[0].given == ["Alice"]
    assert patient.generalPractitioner[0].identifier.value == practice.ods_code


@pytest.mark.parametrize(
    ("number", "status", "code"),
    [
        ("9990100063", 404, "RESOURCE_NOT_FOUND"),
        ("9434765919", 404, "RESOURCE_NOT_FOUND"),  # valid, but outside the 999 test range
        ("9990100005", 400, "INVALID_RESOURCE_ID"),
    ],
)
def test_the_stand_in_answers_others_as_pds_does(client, number, status, code):
    response = stand_in(client, number)

    outcome = OperationOutcome.model_validate_json(response.content)
    assert response.status_code == status
    assert outcome.issue[0].details.coding[0].code == code


def test_the_stand_in_serves_a_real_patient_number_of_the_database_to_nobody(client, practice):
    PatientFactory(nhs_number="9434765919", registered_practice=practice)

    assert stand_in(client, "9434765919").status_code == 404


def test_the_stand_in_is_gone_when_turned_off(client, settings):
    settings.PDS_STAND_IN = False

    assert stand_in(client, "9990100004").status_code == 404
