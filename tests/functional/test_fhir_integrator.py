"""An integrator's first day, with a stock FHIR client library (fhirpy) against the running
service, exactly as docs/api.md tells them: register, sign an assertion, get a token, post a
referral Bundle, then read back what it made, the questionnaires and scores, the discharge
letter's PDF, and (as a commissioner's analyst) a bulk export's NDJSON. Nothing here knows the
service's internals; the test sets up the organisations a deployment would already have, and
plays the service's clinician with the domain's own actions."""

import copy
import datetime
import json
import time

import pytest
import requests
from fhir.resources.R4B import get_fhir_model_class
from fhirpy import SyncFHIRClient
from fhirpy.base.exceptions import OperationOutcome as OutcomeRaised
from fhirpy.base.exceptions import ResourceNotFound

from pathway.proms.actions import record_questionnaire
from tests.api_clients import ASSERTION_TYPE, assertion, make_client
from tests.audit_context import TEST_CONTEXT
from tests.bulk_exports import eager_tasks  # noqa: F401 - a fixture: tasks run as under make run
from tests.factories import GPFactory, PracticeFactory, ServiceFactory, TTPFactory
from tests.fhir_referrals import NHS_NUMBER, PRACTICE_CODE, SERVICE_CODE, example_bundle
from tests.integration.test_api_letters import discharge_same_day

pytestmark = pytest.mark.django_db(transaction=True)

SCORE = "https://pathway.example.nhs.uk/fhir/CodeSystem/score"


@pytest.fixture
def service_base(live_server, settings):
    # The service's public address is the live server's: the token URL is the assertion's aud.
    settings.SITE_URL = live_server.url
    return f"{live_server.url}/fhir/R4"


@pytest.fixture
def organisations():
    practice = PracticeFactory(ods_code=PRACTICE_CODE)
    GPFactory(practice=practice)
    service = ServiceFactory(area=practice.area, code=SERVICE_CODE)
    return practice, service


def _resource(bundle, resource_type):
    return next(
        entry["resource"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == resource_type
    )


def token_for(api_client, live_server):
    """What docs/api.md shows: a signed assertion swapped for a bearer token."""
    response = requests.post(
        f"{live_server.url}/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion(api_client.client_id),
        },
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["access_token"]


def validated(resource):
    """The resource as the FHIR models read it: a failure here is a resource that does not
    validate."""
    data = resource.serialize() if hasattr(resource, "serialize") else resource
    return get_fhir_model_class(data["resourceType"]).model_validate(data)


def test_a_gp_system_refers_and_reads_back_with_a_stock_fhir_client(
    live_server, service_base, organisations
):
    practice, service = organisations
    gp_system = make_client(
        practice, scopes="system/ServiceRequest.write system/*.read", name="Quayside EMIS"
    )
    fhir = SyncFHIRClient(service_base, authorization=f"Bearer {token_for(gp_system, live_server)}")

    statement = fhir.execute("metadata", method="get")
    referral = fhir.execute("", method="post", data=example_bundle())
    by_number = {"patient:identifier": f"https://fhir.nhs.uk/Id/nhs-number|{NHS_NUMBER}"}
    episodes = fhir.resources("EpisodeOfCare").search(**by_number).fetch_all()
    requests_made = fhir.resources("ServiceRequest").search(**by_number).fetch_all()
    patient = fhir.reference(
        "Patient", episodes[0]["patient"]["reference"].split("/")[1]
    ).to_resource()

    assert statement["resourceType"] == "CapabilityStatement"
    assert referral["type"] == "transaction-response"
    assert [e["status"] for e in episodes] == ["waitlist"]
    assert episodes[0]["managingOrganization"]["identifier"]["value"] == service.code
    assert [r["status"] for r in requests_made] == ["active"]
    assert patient["identifier"][0]["value"] == NHS_NUMBER
    for resource in [*episodes, *requests_made, patient]:
        validated(resource)


def test_the_same_client_library_sees_refusals_as_operation_outcomes(
    live_server, service_base, organisations
):
    practice, _service = organisations
    gp_system = make_client(practice, scopes="system/ServiceRequest.write system/*.read")
    fhir = SyncFHIRClient(service_base, authorization=f"Bearer {token_for(gp_system, live_server)}")
    bundle = copy.deepcopy(example_bundle())
    _resource(bundle, "Patient")["identifier"][0]["value"] = "9990000019"  # fails modulus 11

    with pytest.raises(OutcomeRaised) as refused:
        fhir.execute("", method="post", data=bundle)
    with pytest.raises(ResourceNotFound) as unknown:
        fhir.reference("EpisodeOfCare", "00000000-0000-0000-0000-000000000000").to_resource()

    assert "NHS number" in str(refused.value)
    assert "no such EpisodeOfCare" in str(unknown.value)


def test_what_the_service_did_comes_back_to_the_gp_and_the_commissioner(
    live_server,
    service_base,
    organisations,
    eager_tasks,  # noqa: F811
):
    practice, service = organisations
    gp_system = make_client(
        practice, scopes="system/ServiceRequest.write system/*.read", name="Quayside EMIS"
    )
    fhir = SyncFHIRClient(service_base, authorization=f"Bearer {token_for(gp_system, live_server)}")
    # The GP system's last poll, a second before the referral: to the second, as systems
    # send it (gt a second means from the next whole second).
    a_second_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=1)
    started = a_second_ago.replace(microsecond=0).isoformat()
    fhir.execute("", method="post", data=example_bundle())
    _the_service_sees_and_discharges(service)

    by_number = {"patient:identifier": f"https://fhir.nhs.uk/Id/nhs-number|{NHS_NUMBER}"}
    responses = fhir.resources("QuestionnaireResponse").search(**by_number).fetch_all()
    phq9 = fhir.resources("Observation").search(code="http://loinc.org|44261-6").fetch_all()
    startback = (
        fhir.resources("Observation")
        .search(code=f"{SCORE}|startback-total", **by_number)
        .fetch_all()
    )
    letters = fhir.resources("DocumentReference").search(_lastUpdated=f"gt{started}").fetch_all()
    pdf = requests.get(
        letters[0]["content"][0]["attachment"]["url"],
        headers={"Authorization": fhir.authorization, "Accept": "application/pdf"},
        timeout=30,
    )

    # The GP's own answers first (the referral came first), then the PHQ-9.
    assert [r["questionnaire"].split("|")[0].rsplit("/", 1)[1] for r in responses] == [
        "back-pain-referral",
        "phq9",
    ]
    assert [o["valueInteger"] for o in phq9] == [9]
    # The example agrees with items 1, 2, 5 and 6 and is very much bothered (item 9): 5 of 9,
    # 3 of them psychosocial, medium risk.
    assert [(o["valueInteger"], o["interpretation"][0]["text"]) for o in startback] == [
        (5, "Medium risk")
    ]
    assert [letter["status"] for letter in letters] == ["current"]
    assert (pdf.status_code, pdf.content[:5]) == (200, b"%PDF-")
    for resource in [*responses, *phq9, *startback, *letters]:
        validated(resource)

    analyst = make_client(practice.area, scopes="system/*.read", name="ICB analytics")
    exported = bulk_export(service_base, token_for(analyst, live_server))
    assert {line["resourceType"] for line in exported} >= {
        "Patient",
        "EpisodeOfCare",
        "ServiceRequest",
        "Appointment",
        "QuestionnaireResponse",
        "Observation",
    }


def _the_service_sees_and_discharges(service):
    from pathway.care.models import Episode

    ttp = TTPFactory(service=service)
    episode = Episode.objects.get(service=service)
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


def bulk_export(base, bearer_token):
    """What a bulk data client does: kick off, poll the status URL, read every file. Every
    line is a resource that validates."""
    headers = {"Authorization": f"Bearer {bearer_token}", "Accept": "application/fhir+json"}
    kicked = requests.get(
        f"{base}/$export", headers={**headers, "Prefer": "respond-async"}, timeout=30
    )
    assert kicked.status_code == 202, kicked.text
    for _ in range(50):
        status = requests.get(kicked.headers["Content-Location"], headers=headers, timeout=30)
        if status.status_code == 200:
            break
        assert status.status_code == 202, status.text
        time.sleep(min(float(status.headers.get("Retry-After", "1")), 1))
    lines = []
    for output in status.json()["output"]:
        ndjson = requests.get(output["url"], headers=headers, timeout=30)
        assert ndjson.headers["Content-Type"] == "application/fhir+ndjson"
        lines += [json.loads(line) for line in ndjson.text.splitlines()]
    for line in lines:
        validated(line)
    return lines
