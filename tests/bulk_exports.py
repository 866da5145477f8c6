"""What a bulk export's tests share: the data, the clients, and what an analyst's tool does
(kick off, poll, download). tests/integration/conftest.py makes the fixtures available.

Tasks run eagerly (`eager_tasks`), as under `make run`: when the kick-off's transaction
commits, the export is written before the 202 goes back, and the status URL then answers the
manifest. A test's transaction never commits: `export_of` runs the commit's callbacks."""

import pytest
from django.conf import settings
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.operationoutcome import OperationOutcome

from pathway.celery import app
from pathway.demo.referrals import refer
from tests.api_clients import bearer, make_client
from tests.factories import GPFactory, PatientFactory, ServiceFactory

STATUS_PREFIX = f"{settings.SITE_URL}/fhir/R4/$export-status/"


@pytest.fixture
def eager_tasks():
    """Tasks run in this process as their transaction commits, as without a broker."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def export_region(booked_episode, service, gp, ttp):
    """Service A's booked episode, a person of the same practice referred to service B, and
    someone of another area referred there, whom no client here may see."""
    other_service = ServiceFactory(area=service.area)
    elsewhere = refer(
        gp=gp, patient=PatientFactory(registered_practice=gp.practice), service=other_service
    ).episode
    far_gp = GPFactory()
    outsider = refer(
        gp=far_gp,
        patient=PatientFactory(registered_practice=far_gp.practice),
        service=ServiceFactory(area=far_gp.practice.area),
    ).episode
    return {"episode": booked_episode, "elsewhere": elsewhere, "outsider": outsider}


@pytest.fixture
def area_client(practice):
    return make_client(practice.area, scopes="system/*.read")


def kick_off(http, token, prefer="respond-async", **params):
    headers = {**bearer(token), "Accept": "application/fhir+json"}
    if prefer:
        headers["Prefer"] = prefer
    return http.get("/fhir/R4/$export", params, headers=headers)


def export_of(http, token, django_capture_on_commit_callbacks, **params):
    """Kick off an export; (the kick-off's answer, the status URL's path)."""
    with django_capture_on_commit_callbacks(execute=True):
        response = kick_off(http, token, **params)
    assert response.status_code == 202, response.content
    return response, response["Content-Location"].removeprefix(settings.SITE_URL)


def manifest_of(http, token, django_capture_on_commit_callbacks, **params):
    _, status_path = export_of(http, token, django_capture_on_commit_callbacks, **params)
    status = http.get(status_path, headers=bearer(token))
    assert status.status_code == 200, status.content
    return status.json()


def download(http, token, url):
    response = http.get(url.removeprefix(settings.SITE_URL), headers=bearer(token))
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/fhir+ndjson"
    return b"".join(response.streaming_content).decode()


def resources_in(http, token, manifest):
    """type -> the resources of every file of that type, each parsed by its R4B model."""
    found = {}
    for output in manifest["output"]:
        lines = download(http, token, output["url"]).splitlines()
        assert len(lines) == output["count"]
        model = get_fhir_model_class(output["type"])
        found.setdefault(output["type"], []).extend(
            model.model_validate_json(line) for line in lines
        )
    return found


def outcome(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    issue = OperationOutcome.model_validate_json(response.content).issue[0]
    assert (issue.severity, issue.code) == ("error", code)
    return issue.diagnostics
