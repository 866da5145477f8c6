"""Every FHIR call needs a working bearer token with the right scope; a client sees only its
own organisation's records (another's answer exactly as one that does not exist), and is rate
limited. Every refusal is an OperationOutcome."""

import datetime
import uuid

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import timezone
from fhir.resources.R4B.operationoutcome import OperationOutcome

from pathway.api.actions import revoke_api_client
from pathway.demo.referrals import refer
from tests.api_clients import (
    access_token,
    assertion,
    bearer,
    fhir_get,
    make_client,
    post_token,
    token_form,
)
from tests.audit_context import TEST_CONTEXT
from tests.factories import GPFactory, PatientFactory, PracticeFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def outcome(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    issue = OperationOutcome.model_validate_json(response.content).issue[0]
    assert (issue.severity, issue.code) == ("error", code)
    return issue.diagnostics


@pytest.fixture
def practice_client(practice):
    return make_client(practice)


@pytest.fixture
def token(client, practice_client):
    return access_token(client, practice_client)


def test_a_call_without_a_token_is_401_with_an_outcome(client, patient):
    response = client.get(f"/fhir/R4/Patient/{patient.public_id}")

    assert "Authorization: Bearer" in outcome(response, 401, "login")
    assert response["WWW-Authenticate"] == 'Bearer realm="fhir"'


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer ", ""])
def test_a_garbage_token_is_401(client, patient, header):
    response = client.get(
        f"/fhir/R4/Patient/{patient.public_id}", headers={"Authorization": header}
    )

    outcome(response, 401, "login")


def test_an_expired_token_is_401(client, patient, token):
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=10, seconds=1)):
        response = fhir_get(client, f"Patient/{patient.public_id}", token)

    assert "expired" in outcome(response, 401, "login")
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_a_token_stops_working_when_its_client_is_revoked(client, patient, practice_client, token):
    assert fhir_get(client, f"Patient/{patient.public_id}", token).status_code == 200

    revoke_api_client(client=practice_client, by=None, context=TEST_CONTEXT)

    outcome(fhir_get(client, f"Patient/{patient.public_id}", token), 401, "login")


def test_a_token_without_the_scope_is_403(client, practice, patient):
    writer = make_client(practice, scopes="system/ServiceRequest.write system/Observation.read")
    token = access_token(client, writer)

    response = fhir_get(client, f"Patient/{patient.public_id}", token)

    assert "system/Patient.read" in outcome(response, 403, "forbidden")
    assert 'error="insufficient_scope"' in response["WWW-Authenticate"]


def test_a_token_narrowed_at_issue_keeps_only_its_scopes(client, practice, patient):
    both = make_client(practice, scopes="system/Patient.read system/Observation.read")
    token = access_token(client, both)
    narrow = post_token(
        client, token_form(assertion(both.client_id), scope="system/Observation.read")
    ).json()["access_token"]

    assert fhir_get(client, f"Patient/{patient.public_id}", token).status_code == 200
    outcome(fhir_get(client, f"Patient/{patient.public_id}", narrow), 403, "forbidden")


def test_a_wildcard_read_scope_reads_patients(client, practice, patient):
    token = access_token(client, make_client(practice, scopes="system/*.read"))

    assert fhir_get(client, f"Patient/{patient.public_id}", token).status_code == 200


# --- Each kind of client, against its own and another organisation's patients ---------------


@pytest.fixture
def organisations(practice, service, make_episode):
    """A patient referred from `practice` to `service`, and one of another practice and
    service in another area: each kind of client sees the first and not the second."""
    ours = make_episode().patient
    elsewhere = PracticeFactory()
    theirs = PatientFactory(registered_practice=elsewhere)
    refer(
        gp=GPFactory(practice=elsewhere),
        patient=theirs,
        service=ServiceFactory(area=elsewhere.area),
    )
    return {
        "practice": practice,
        "service": service,
        "area": practice.area,
        "ours": ours,
        "theirs": theirs,
    }


@pytest.mark.parametrize("kind", ["practice", "service", "area"])
def test_each_kind_of_client_reads_its_own_patient(client, organisations, kind):
    token = access_token(client, make_client(organisations[kind]))

    response = fhir_get(client, f"Patient/{organisations['ours'].public_id}", token)

    assert response.status_code == 200


@pytest.mark.parametrize("kind", ["practice", "service", "area"])
def test_another_organisations_patient_is_404_as_if_it_did_not_exist(client, organisations, kind):
    token = access_token(client, make_client(organisations[kind]))

    theirs = fhir_get(client, f"Patient/{organisations['theirs'].public_id}", token)
    nobody = fhir_get(client, f"Patient/{uuid.uuid4()}", token)

    outcome(theirs, 404, "not-found")
    assert theirs.content == nobody.content


@pytest.mark.parametrize("kind", ["practice", "service", "area"])
def test_a_search_finds_no_patient_of_another_organisation(client, organisations, kind):
    token = access_token(client, make_client(organisations[kind]))
    theirs = organisations["theirs"].nhs_number

    response = fhir_get(client, "Patient", token, identifier=theirs)

    assert response.json()["total"] == 0


def test_a_service_sees_only_the_patients_referred_to_it(client, practice, patient, make_episode):
    referred = make_episode().patient
    token = access_token(client, make_client(ServiceFactory(area=practice.area)))
    own_token = access_token(client, make_client(referred.episodes.get().service))

    assert fhir_get(client, f"Patient/{referred.public_id}", token).status_code == 404
    assert fhir_get(client, f"Patient/{patient.public_id}", own_token).status_code == 404
    assert fhir_get(client, f"Patient/{referred.public_id}", own_token).status_code == 200


def test_a_malformed_id_is_404(client, token):
    outcome(fhir_get(client, "Patient/9990000018", token), 404, "not-found")


# --- The rate limit ---------------------------------------------------------------------------


@override_settings(API_REQUESTS_PER_MINUTE=3)
def test_a_client_over_its_rate_limit_gets_429_until_the_next_minute(client, patient, token):
    start = timezone.now().replace(second=10, microsecond=0) + datetime.timedelta(minutes=1)
    url = f"Patient/{patient.public_id}"
    with time_machine.travel(start, tick=False):
        answers = [fhir_get(client, url, token).status_code for _ in range(3)]
        over = fhir_get(client, url, token)
    with time_machine.travel(start + datetime.timedelta(minutes=1), tick=False):
        later = fhir_get(client, url, token)

    assert answers == [200, 200, 200]
    outcome(over, 429, "throttled")
    assert over["Retry-After"] == "50"
    assert later.status_code == 200


@override_settings(API_REQUESTS_PER_MINUTE=1)
def test_the_rate_limit_is_per_client(client, practice, patient, token):
    other_token = access_token(client, make_client(practice))

    assert fhir_get(client, f"Patient/{patient.public_id}", token).status_code == 200
    assert fhir_get(client, f"Patient/{patient.public_id}", other_token).status_code == 200
    assert fhir_get(client, f"Patient/{patient.public_id}", token).status_code == 429


def test_the_api_needs_no_csrf_token(patient, practice_client):
    strict = Client(enforce_csrf_checks=True)
    token = access_token(strict, practice_client)

    assert (
        strict.get(f"/fhir/R4/Patient/{patient.public_id}", headers=bearer(token)).status_code
        == 200
    )
