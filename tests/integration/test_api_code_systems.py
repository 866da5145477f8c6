"""Every code system of the service's own that a served resource names is published at its
canonical address's end (CodeSystem/<name>), so a client can look up any code it is sent."""

import json

import pytest
from fhir.resources.R4B.codesystem import CodeSystem

from pathway.api.code_systems import CODE_SYSTEMS
from pathway.api.referrals.systems import CANONICAL_BASE
from tests.api_clients import access_token, fhir_get, make_client
from tests.fhir_referrals import example_bundle

pytestmark = pytest.mark.django_db
OWN = f"{CANONICAL_BASE}/CodeSystem/"


def own_systems(document):
    """Every `system` under the service's canonical base, anywhere in a JSON document."""
    found = set()

    def walk(value):
        if isinstance(value, dict):
            system = value.get("system")
            if isinstance(system, str) and system.startswith(OWN):
                found.add(system)
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(document)
    return found


@pytest.mark.parametrize("name", sorted(CODE_SYSTEMS))
def test_each_code_system_is_published_and_valid(client, name):
    response = client.get(f"/fhir/R4/CodeSystem/{name}")

    code_system = CodeSystem.model_validate_json(response.content)
    assert (response.status_code, code_system.url) == (200, f"{OWN}{name}")
    assert code_system.concept


def test_every_own_system_the_api_sends_resolves(client, practice, service, gp_post_referral):
    token = access_token(client, make_client(practice, scopes="system/*.read"))
    documents = [
        json.loads(client.get("/fhir/R4/Questionnaire/back-pain-referral").content),
        gp_post_referral,
        *(
            entry["resource"]
            for resource_type in ("EpisodeOfCare", "ServiceRequest", "Appointment")
            for entry in fhir_get(client, resource_type, token).json().get("entry", [])
        ),
    ]

    systems = set().union(*(own_systems(document) for document in documents))

    assert systems, "the documents name no code system of the service's own"
    assert {system.removeprefix(OWN) for system in systems} <= set(CODE_SYSTEMS)


@pytest.fixture
def gp_post_referral(client, practice, service):
    """The answer to a referral a GP system posts (its outcome's codes)."""
    from tests.fhir_referrals import PRACTICE_CODE, SERVICE_CODE

    practice.ods_code, service.code = PRACTICE_CODE, SERVICE_CODE
    practice.save()
    service.save()
    token = access_token(client, make_client(practice, scopes="system/ServiceRequest.write"))
    response = client.post(
        "/fhir/R4/",
        json.dumps(example_bundle()),
        content_type="application/fhir+json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.content
    return response.json()
