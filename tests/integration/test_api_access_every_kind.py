"""Every kind of client against every resource the API serves: the organisations that may see
a person's care (the referring practice, the service, their commissioning area) read it; a
client of another practice, another service or another area is told it does not exist (404,
as for an id never issued), finds nothing by searching, and the refusal is in the audit
trail."""

import pytest

from pathway.audit.models import AuditAction, AuditEvent
from pathway.proms.actions import record_questionnaire
from pathway.proms.models import QuestionnaireResponse
from tests.api_clients import access_token, fhir_get, make_client
from tests.audit_context import TEST_CONTEXT
from tests.factories import AreaFactory, PracticeFactory, ServiceFactory
from tests.integration.test_api_letters import discharge_same_day

SEARCHED = (
    "Patient",
    "EpisodeOfCare",
    "ServiceRequest",
    "Appointment",
    "QuestionnaireResponse",
    "Observation",
    "DocumentReference",
)


@pytest.fixture
def ids_by_type(episode, ttp):
    """A person's care with a record of every type: assessed, a PHQ-9, discharged the same
    day (so a letter): {resource type: the id of one of its records}."""
    record_questionnaire(
        episode=episode,
        timepoint="baseline",
        instrument="phq9",
        answers={"items": [1] * 9},
        source="clinician",
        by=ttp,
        context=TEST_CONTEXT,
    )
    discharge_same_day(episode, ttp)
    response = QuestionnaireResponse.objects.get(episode=episode)
    return {
        "Patient": str(episode.patient.public_id),
        "EpisodeOfCare": str(episode.public_id),
        "ServiceRequest": str(episode.referral.public_id),
        "Appointment": str(episode.appointments.first().public_id),
        "QuestionnaireResponse": str(response.public_id),
        "Observation": f"{response.public_id}-phq9-total",
        "DocumentReference": str(episode.public_id),
        "Binary": str(episode.public_id),
        # The referral's own answers and its STarT Back score, served from the referral.
        "QuestionnaireResponse (referral)": str(episode.referral.public_id),
        "Observation (STarT Back)": f"{episode.referral.public_id}-startback-total",
    }


@pytest.fixture
def clients(practice, service):
    read_all = "system/*.read"
    return {
        "own": [
            make_client(practice, scopes=read_all),
            make_client(service, scopes=read_all),
            make_client(practice.area, scopes=read_all),
        ],
        "other": [
            make_client(PracticeFactory(area=practice.area), scopes=read_all),
            make_client(ServiceFactory(area=practice.area), scopes=read_all),
            make_client(AreaFactory(), scopes=read_all),
        ],
    }


@pytest.mark.parametrize(
    "record",
    [*SEARCHED, "Binary", "QuestionnaireResponse (referral)", "Observation (STarT Back)"],
)
def test_each_client_kind_sees_its_own_and_is_refused_anothers(
    client, clients, ids_by_type, record
):
    record_id = ids_by_type[record]
    resource_type = record.partition(" ")[0]
    path = f"{resource_type}/{record_id}"
    headers = {"Accept": "application/fhir+json"}

    for api_client in clients["own"]:
        token = access_token(client, api_client)
        response = client.get(
            f"/fhir/R4/{path}", headers={**headers, "Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200, (api_client.name, response.content[:200])
        assert response.json()["id"] == record_id

    for api_client in clients["other"]:
        token = access_token(client, api_client)
        response = client.get(
            f"/fhir/R4/{path}", headers={**headers, "Authorization": f"Bearer {token}"}
        )
        assert (response.status_code, response.json()["resourceType"]) == (
            404,
            "OperationOutcome",
        )
        refused = AuditEvent.objects.get(action=AuditAction.REFUSED, organisation=api_client.name)
        assert (refused.object_type, refused.object_id) == (f"fhir:{resource_type}", record_id)


@pytest.mark.parametrize("resource_type", SEARCHED)
def test_a_search_by_another_organisation_finds_nothing(
    client, clients, ids_by_type, resource_type
):
    for api_client in clients["other"]:
        token = access_token(client, api_client)
        assert fhir_get(client, resource_type, token).json()["total"] == 0, api_client.name
    for api_client in clients["own"]:
        token = access_token(client, api_client)
        found = {
            e["resource"]["id"] for e in fhir_get(client, resource_type, token).json()["entry"]
        }
        assert {
            record_id
            for record, record_id in ids_by_type.items()
            if record.startswith(resource_type)
        } <= found
