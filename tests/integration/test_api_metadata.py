"""GET /fhir/R4/metadata: a public CapabilityStatement, valid against the FHIR R4B models, that
lists what the API implements and nothing else, because both come from one registry."""

import datetime

import pytest
from django.conf import settings
from django.urls import get_resolver
from django.utils import timezone
from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from pathway.proms.actions import record_questionnaire
from tests.api_clients import access_token, fhir_get, make_client
from tests.audit_context import TEST_CONTEXT
from tests.integration.test_api_letters import discharge_same_day

pytestmark = pytest.mark.django_db

OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"


@pytest.fixture
def statement(client):
    response = client.get("/fhir/R4/metadata")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    return CapabilityStatement.model_validate_json(response.content)


def test_the_statement_is_public_and_valid(statement):
    assert (statement.status, statement.kind, statement.fhirVersion) == (
        "active",
        "instance",
        "4.0.1",
    )
    assert statement.implementation.url == f"{settings.SITE_URL}/fhir/R4"
    assert statement.format == ["application/fhir+json", "json"]


def test_the_statement_names_the_oauth2_token_url(statement):
    security = statement.rest[0].security
    token_urls = [
        inner.valueUri
        for extension in security.extension
        if extension.url == OAUTH_URIS
        for inner in extension.extension
        if inner.url == "token"
    ]

    assert token_urls == [f"{settings.SITE_URL}/oauth2/token"]
    assert security.service[0].coding[0].code == "OAuth"


def test_the_statement_lists_exactly_what_is_implemented(statement):
    listed = {
        resource.type: (
            {interaction.code for interaction in resource.interaction},
            {(param.name, param.type) for param in resource.searchParam or []},
        )
        for resource in statement.rest[0].resource
    }

    read_and_search = {"read", "search-type"}
    clinical = {("patient", "reference"), ("status", "token"), ("_lastUpdated", "date")}
    assert listed == {
        "Patient": (read_and_search, {("identifier", "token"), ("_lastUpdated", "date")}),
        "EpisodeOfCare": (read_and_search, clinical | {("date", "date")}),
        "ServiceRequest": (read_and_search, clinical),
        "Appointment": (read_and_search, clinical | {("date", "date")}),
        "DocumentReference": (read_and_search, clinical | {("date", "date")}),
        "Binary": ({"read"}, set()),
        "QuestionnaireResponse": (
            read_and_search,
            {
                ("patient", "reference"),
                ("questionnaire", "reference"),
                ("authored", "date"),
                ("_lastUpdated", "date"),
            },
        ),
        "Observation": (
            read_and_search,
            {
                ("patient", "reference"),
                ("code", "token"),
                ("date", "date"),
                ("_lastUpdated", "date"),
            },
        ),
        "Questionnaire": ({"read"}, set()),
        "CodeSystem": ({"read"}, set()),
    }
    assert [interaction.code for interaction in statement.rest[0].interaction] == ["transaction"]
    assert [
        (operation.name, operation.definition) for operation in statement.rest[0].operation
    ] == [("export", "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export")]


def test_every_listed_interaction_has_its_url_and_no_other_fhir_url_exists(statement):
    names = {
        name
        for name in get_resolver().namespace_dict["api"][1].reverse_dict
        if isinstance(name, str)
    }
    listed = {
        f"{resource.type}-{'search' if interaction.code == 'search-type' else 'read'}"
        for resource in statement.rest[0].resource
        for interaction in resource.interaction
    }
    # A system interaction is at the base, with and without its slash.
    listed |= {
        f"{interaction.code}{suffix}"
        for interaction in statement.rest[0].interaction
        for suffix in ("", "-no-slash")
    }
    # An asynchronous operation: its kick-off, its status URL and its files.
    listed |= {
        f"{operation.name}{suffix}"
        for operation in statement.rest[0].operation
        for suffix in ("", "-status", "-file")
    }

    assert names == listed | {"metadata", "token", "unknown"}


def test_every_listed_search_parameter_works(client, statement, practice, episode, ttp):
    # One PHQ-9 (a QuestionnaireResponse, and its one score, an Observation), then discharged
    # the same day, so the one episode has a record of every type: its letter too.
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
    patient = episode.patient
    token = access_token(client, make_client(practice, scopes="system/*.read"))
    examples = {
        "identifier": patient.nhs_number,
        "_lastUpdated": f"le{timezone.now() + datetime.timedelta(days=1):%Y-%m-%d}",
        "patient": f"Patient/{patient.public_id}",
        "status": {
            "EpisodeOfCare": "finished",
            "ServiceRequest": "completed",
            "Appointment": "fulfilled",
            "DocumentReference": "current",
        },
        "date": f"ge{timezone.localdate() - datetime.timedelta(days=1)}",
        "authored": f"ge{timezone.localdate() - datetime.timedelta(days=1)}",
        "questionnaire": "https://pathway.example.nhs.uk/fhir/Questionnaire/phq9",
        "code": "http://loinc.org|44261-6",
    }

    for resource in statement.rest[0].resource:
        for parameter in resource.searchParam or []:
            example = examples[parameter.name]
            if isinstance(example, dict):
                example = example[resource.type]
            response = fhir_get(client, resource.type, token, **{parameter.name: example})
            assert response.status_code == 200, (parameter.name, response.content)
            assert response.json()["total"] == expected_total(resource.type, parameter.name)


def expected_total(resource_type, parameter):
    """The records of the type that a parameter finding the one episode's finds: the referral's
    answers are a QuestionnaireResponse too, and its two STarT Back scores Observations."""
    if parameter in ("questionnaire", "code"):  # the PHQ-9's, as asked
        return 1
    return {"QuestionnaireResponse": 2, "Observation": 3}.get(resource_type, 1)


def test_what_is_not_listed_answers_with_an_outcome(client, practice, patient):
    token = access_token(client, make_client(practice, scopes="system/*.read system/*.write"))

    unknown_type = fhir_get(client, "Condition", token)
    create = client.post(
        "/fhir/R4/Patient",
        "{}",
        content_type="application/fhir+json",
        headers={"Authorization": f"Bearer {token}"},
    )
    delete = client.delete(
        f"/fhir/R4/Patient/{patient.public_id}", headers={"Authorization": f"Bearer {token}"}
    )

    assert (unknown_type.status_code, unknown_type.json()["issue"][0]["code"]) == (
        404,
        "not-supported",
    )
    assert (create.status_code, create["Allow"]) == (405, "GET")
    assert (delete.status_code, delete.json()["resourceType"]) == (405, "OperationOutcome")
