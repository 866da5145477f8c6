"""Bulk Data export ($export): an area's or a service's client kicks off an export, polls its
status URL and downloads NDJSON files of exactly the records it may see, each a valid FHIR R4
resource; nobody else reads them, and what the server does not do is refused with a 400.
Cancelling, failures, the beat and the audit trail: test_api_export_lifecycle.py."""

import datetime
import uuid

import pytest
from django.conf import settings
from django.utils import timezone
from fhir.resources.R4B.operationoutcome import OperationOutcome

from pathway.api.bulk_export import writing
from pathway.api.catalogue import KINDS
from pathway.api.models import BulkExport, BulkExportPart
from pathway.patients.models import Patient
from pathway.proms.actions import record_questionnaire
from tests.api_clients import access_token, bearer, make_client
from tests.audit_context import TEST_CONTEXT
from tests.bulk_exports import (
    STATUS_PREFIX,
    export_of,
    kick_off,
    manifest_of,
    outcome,
    resources_in,
)
from tests.factories import PatientFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]


# --- Kick-off, status and files ---------------------------------------------------------------


def test_the_kick_off_is_accepted_with_the_status_url(client, area_client, export_region):
    token = access_token(client, area_client)

    response = kick_off(client, token)

    assert response.status_code == 202
    assert response["Content-Location"].startswith(STATUS_PREFIX)
    uuid.UUID(response["Content-Location"].removeprefix(STATUS_PREFIX))  # opaque
    OperationOutcome.model_validate_json(response.content)


def test_the_complete_export_answers_the_manifest(
    client, area_client, export_region, django_capture_on_commit_callbacks
):
    token = access_token(client, area_client)
    kicked, status_path = export_of(client, token, django_capture_on_commit_callbacks)

    status = client.get(status_path, headers=bearer(token))

    body = status.json()
    export = BulkExport.objects.get()
    assert (status.status_code, status["Content-Type"]) == (200, "application/json")
    assert status["Expires"]
    assert body["request"] == f"{settings.SITE_URL}/fhir/R4/$export"
    assert body["requiresAccessToken"] is True
    assert body["error"] == []
    assert datetime.datetime.fromisoformat(body["transactionTime"]) == export.transaction_time
    # A file for each type with something to export (here no outcome questionnaire was
    # answered, but the referrals' answers and STarT Back scores are there).
    scope = area_client.organisation_scope()
    assert [output["type"] for output in body["output"]] == [
        kind.type for kind in KINDS if any(source.rows(scope).exists() for source in kind.sources)
    ]
    assert {"QuestionnaireResponse", "Observation"} <= {o["type"] for o in body["output"]}


def test_every_line_is_a_valid_resource_and_the_counts_are_what_the_client_sees(
    client, area_client, export_region, django_capture_on_commit_callbacks
):
    token = access_token(client, area_client)

    manifest = manifest_of(client, token, django_capture_on_commit_callbacks)

    found = resources_in(client, token, manifest)
    scope = area_client.organisation_scope()
    for kind in KINDS:
        expected = {
            resource.id
            for source in kind.sources
            for row in source.rows(scope)
            for resource in source.resources_of_row(row)
        }
        assert {resource.id for resource in found.get(kind.type, [])} == expected, kind.type
    assert len(found["EpisodeOfCare"]) == 2  # both services are the area's
    outsider = export_region["outsider"]
    assert str(outsider.public_id) not in {resource.id for resource in found["EpisodeOfCare"]}
    assert str(outsider.patient.public_id) not in {resource.id for resource in found["Patient"]}


def test_a_service_client_exports_only_its_own_services_records(
    client, service, export_region, django_capture_on_commit_callbacks
):
    token = access_token(client, make_client(service, scopes="system/*.read"))

    found = resources_in(
        client, token, manifest_of(client, token, django_capture_on_commit_callbacks)
    )

    episode = export_region["episode"]
    assert [resource.id for resource in found["EpisodeOfCare"]] == [str(episode.public_id)]
    assert [resource.id for resource in found["Patient"]] == [str(episode.patient.public_id)]
    assert len(found["Appointment"]) == 1


def test_type_limits_the_export_to_the_types_named(
    client, area_client, export_region, django_capture_on_commit_callbacks
):
    token = access_token(client, area_client)

    manifest = manifest_of(
        client, token, django_capture_on_commit_callbacks, _type="Appointment,Patient"
    )

    assert [output["type"] for output in manifest["output"]] == ["Patient", "Appointment"]


def test_since_exports_only_what_changed_after_it(
    client, area_client, practice, django_capture_on_commit_callbacks
):
    earlier, later = PatientFactory.create_batch(2, registered_practice=practice)
    two_days_ago = timezone.now() - datetime.timedelta(days=2)
    Patient.objects.filter(pk=earlier.pk).update(updated_at=two_days_ago)
    token = access_token(client, area_client)
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()

    manifest = manifest_of(
        client, token, django_capture_on_commit_callbacks, _type="Patient", _since=since
    )

    found = resources_in(client, token, manifest)
    assert [resource.id for resource in found["Patient"]] == [str(later.public_id)]


def test_what_changes_after_the_transaction_time_waits_for_the_next_export(
    client, area_client, practice, django_capture_on_commit_callbacks
):
    patient = PatientFactory(registered_practice=practice)
    in_an_hour = timezone.now() + datetime.timedelta(hours=1)
    Patient.objects.filter(pk=patient.pk).update(updated_at=in_an_hour)
    token = access_token(client, area_client)

    manifest = manifest_of(client, token, django_capture_on_commit_callbacks, _type="Patient")

    assert manifest["output"] == []  # no file for a type with nothing in it


def test_a_large_type_is_split_into_files_of_the_set_number_of_lines(
    client, area_client, practice, settings, monkeypatch, django_capture_on_commit_callbacks
):
    PatientFactory.create_batch(5, registered_practice=practice)
    settings.BULK_EXPORT_FILE_LINES = 2
    monkeypatch.setattr(writing, "CHUNK", 1)  # several parts to a file, read back in order
    token = access_token(client, area_client)

    manifest = manifest_of(client, token, django_capture_on_commit_callbacks, _type="Patient")

    assert [output["count"] for output in manifest["output"]] == [2, 2, 1]
    assert [output["url"].rsplit("/", 1)[1] for output in manifest["output"]] == [
        "Patient-1.ndjson",
        "Patient-2.ndjson",
        "Patient-3.ndjson",
    ]
    ids = [resource.id for resource in resources_in(client, token, manifest)["Patient"]]
    assert len(set(ids)) == 5
    assert BulkExportPart.objects.count() == 5


def test_while_it_runs_the_status_is_202_with_progress(client, area_client, export_region):
    token = access_token(client, area_client)
    # No commit in a test's transaction: the task has not run yet.
    status_path = kick_off(client, token)["Content-Location"].removeprefix(settings.SITE_URL)

    status = client.get(status_path, headers=bearer(token))

    assert status.status_code == 202
    assert status["X-Progress"] == "Queued"
    assert int(status["Retry-After"]) > 0


# --- Who may export, and what is refused ------------------------------------------------------


def test_another_client_cannot_read_the_status_nor_the_files(
    client, area_client, practice, export_region, django_capture_on_commit_callbacks
):
    token = access_token(client, area_client)
    _, status_path = export_of(client, token, django_capture_on_commit_callbacks)
    file_url = client.get(status_path, headers=bearer(token)).json()["output"][0]["url"]
    # Even a client of the same area: an export is its own client's.
    other = access_token(client, make_client(practice.area, scopes="system/*.read"))

    status = client.get(status_path, headers=bearer(other))
    file = client.get(file_url.removeprefix(settings.SITE_URL), headers=bearer(other))
    cancel = client.delete(status_path, headers=bearer(other))

    for response in (status, file, cancel):
        outcome(response, 404, "not-found")
    assert BulkExport.objects.filter(state=BulkExport.State.COMPLETE).exists()


def test_a_practice_client_is_refused(client, practice):
    token = access_token(client, make_client(practice, scopes="system/*.read"))

    assert "GP practice" in outcome(kick_off(client, token), 403, "forbidden")
    assert not BulkExport.objects.exists()


def test_a_token_without_every_read_scope_is_refused(client, service):
    token = access_token(client, make_client(service, scopes="system/Patient.read"))

    assert "system/*.read" in outcome(kick_off(client, token), 403, "forbidden")


def test_without_prefer_respond_async_the_kick_off_is_refused(client, area_client):
    token = access_token(client, area_client)

    assert "respond-async" in outcome(kick_off(client, token, prefer=None), 400, "invalid")
    assert not BulkExport.objects.exists()


@pytest.mark.parametrize(
    "types", ["DocumentReference", "Patient,DocumentReference", ",", "Questionnaire"]
)
def test_a_type_not_exported_is_refused(client, area_client, types):
    token = access_token(client, area_client)

    assert "_type" in outcome(kick_off(client, token, _type=types), 400, "not-supported")


@pytest.mark.parametrize(
    "since", ["2026-12-01", "2026-12-01T09:00:00", "2026-12-01T09:00Z", "yesterday", "\x00"]
)
def test_a_since_that_is_not_an_instant_is_refused(client, area_client, since):
    token = access_token(client, area_client)

    assert "instant" in outcome(kick_off(client, token, _since=since), 400, "invalid")


def test_output_formats_other_than_ndjson_are_refused(client, area_client):
    token = access_token(client, area_client)

    response = kick_off(client, token, _outputFormat="text/csv")

    assert "ndjson" in outcome(response, 400, "not-supported")


def test_an_unsupported_parameter_is_refused_unless_handling_is_lenient(client, area_client):
    token = access_token(client, area_client)

    strict = kick_off(client, token, _typeFilter="Patient?gender=female")
    lenient = kick_off(
        client, token, "respond-async, handling=lenient", _typeFilter="Patient?gender=female"
    )

    assert "_typeFilter" in outcome(strict, 400, "not-supported")
    assert lenient.status_code == 202
    warning = OperationOutcome.model_validate_json(lenient.content).issue[0]
    assert (warning.severity, warning.code) == ("warning", "not-supported")


def test_a_second_export_waits_for_the_first(client, area_client, export_region):
    token = access_token(client, area_client)
    kick_off(client, token)  # queued: its task runs when the test's transaction would commit

    second = kick_off(client, token)

    assert "under way" in outcome(second, 429, "throttled")
    assert second["Retry-After"]


def test_scores_are_exported_one_observation_a_line(
    client, area_client, booked_episode, ttp, django_capture_on_commit_callbacks
):
    record_questionnaire(
        episode=booked_episode,
        timepoint="baseline",
        instrument="phq9",
        answers={"items": [1] * 9},
        source="clinician",
        by=ttp,
        context=TEST_CONTEXT,
    )
    token = access_token(client, area_client)

    manifest = manifest_of(
        client, token, django_capture_on_commit_callbacks, _type="QuestionnaireResponse,Observation"
    )

    found = resources_in(client, token, manifest)
    counts = {output["type"]: output["count"] for output in manifest["output"]}
    # The PHQ-9 and the referral's own answers; the PHQ-9 total and the STarT Back scores.
    assert counts == {"QuestionnaireResponse": 2, "Observation": 3}
    assert len(found["Observation"]) == 3
    assert "http://loinc.org" in {
        coding.system for observation in found["Observation"] for coding in observation.code.coding
    }
