"""Bulk Data export ($export) over its life: cancelled by DELETE, failed on the server, run
twice, lost by the broker or its worker, deleted by the beat after its retention time; and the
audit trail of the request and of every record exported."""

import dataclasses
import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from pathway.api import tasks
from pathway.api.bulk_export import writing
from pathway.api.catalogue import KINDS_BY_TYPE, PATIENT
from pathway.api.models import BulkExport, BulkExportFile, BulkExportPart
from pathway.audit.models import AuditAction, AuditEvent
from pathway.celery import app
from tests.api_clients import access_token, bearer, make_client
from tests.bulk_exports import (
    export_of,
    kick_off,
    manifest_of,
    outcome,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]


# --- Cancelling, failing, and what the beat does ----------------------------------------------


def test_delete_cancels_the_export_and_its_files(
    client, area_client, export_region, django_capture_on_commit_callbacks
):
    token = access_token(client, area_client)
    _, status_path = export_of(client, token, django_capture_on_commit_callbacks)

    cancelled = client.delete(status_path, headers=bearer(token))

    assert cancelled.status_code == 202
    assert not BulkExportFile.objects.exists() and not BulkExportPart.objects.exists()
    outcome(client.get(status_path, headers=bearer(token)), 404, "not-found")


def test_a_failed_export_answers_an_outcome_and_keeps_no_files(
    client, area_client, export_region, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(row):
        raise ValueError("a resource that cannot be built")

    appointment = dataclasses.replace(KINDS_BY_TYPE["Appointment"], resource=broken)
    kinds = {**KINDS_BY_TYPE, "Appointment": appointment}
    monkeypatch.setattr(writing, "KINDS_BY_TYPE", kinds)
    token = access_token(client, area_client)
    _, status_path = export_of(client, token, django_capture_on_commit_callbacks)

    status = client.get(status_path, headers=bearer(token))

    assert "Start a new export" in outcome(status, 500, "exception")
    assert BulkExport.objects.get().state == BulkExport.State.FAILED
    assert not BulkExportFile.objects.exists()


def test_the_task_run_twice_writes_the_export_once(
    client, area_client, export_region, django_capture_on_commit_callbacks
):
    token = access_token(client, area_client)
    export_of(client, token, django_capture_on_commit_callbacks)
    export = BulkExport.objects.get()
    files = list(BulkExportFile.objects.values_list("pk", "count"))

    assert tasks.run_bulk_export(export.pk) is None

    assert list(BulkExportFile.objects.values_list("pk", "count")) == files


def test_the_beat_sweeps_exports():
    entry = app.conf.beat_schedule["sweep-bulk-exports"]

    assert entry["task"] == tasks.sweep_bulk_exports.name


def test_the_sweep_deletes_exports_past_their_retention_time_with_their_files(
    client, area_client, service, export_region, django_capture_on_commit_callbacks
):
    token = access_token(client, area_client)
    export_of(client, token, django_capture_on_commit_callbacks)
    fresh_token = access_token(client, make_client(service, scopes="system/*.read"))
    export_of(client, fresh_token, django_capture_on_commit_callbacks)
    old, fresh = BulkExport.objects.order_by("pk")
    hours = settings.BULK_EXPORT_RETENTION_HOURS
    assert fresh.expires_at - fresh.finished_at == datetime.timedelta(hours=hours)
    BulkExport.objects.filter(pk=old.pk).update(expires_at=timezone.now())

    result = tasks.sweep_bulk_exports()

    assert result == {"deleted": 1, "queued_again": 0}
    assert list(BulkExport.objects.all()) == [fresh]
    assert set(BulkExportFile.objects.values_list("export", flat=True)) == {fresh.pk}
    assert (
        BulkExportPart.objects.filter(file__export=fresh).count() == BulkExportPart.objects.count()
    )


def test_the_sweep_runs_an_export_whose_task_was_lost(client, area_client, export_region):
    token = access_token(client, area_client)
    kick_off(client, token)  # its task never runs: the commit never comes
    lost = timezone.now() - writing.STALLED - datetime.timedelta(minutes=1)
    BulkExport.objects.update(created_at=lost)

    result = tasks.sweep_bulk_exports()

    assert result["queued_again"] == 1
    assert BulkExport.objects.get().state == BulkExport.State.COMPLETE


def test_an_export_whose_worker_died_is_taken_over_and_written_once(
    client, area_client, export_region, django_capture_on_commit_callbacks
):
    token = access_token(client, area_client)
    export_of(client, token, django_capture_on_commit_callbacks, _type="Patient")
    silent = timezone.now() - writing.STALLED - datetime.timedelta(minutes=1)
    # As if the worker died after writing: still running, and silent since.
    BulkExport.objects.update(state=BulkExport.State.RUNNING, heartbeat_at=silent)

    tasks.sweep_bulk_exports()

    export = BulkExport.objects.get()
    assert (export.state, export.attempt) == (BulkExport.State.COMPLETE, 2)
    assert (
        BulkExportFile.objects.get().count == PATIENT.rows(area_client.organisation_scope()).count()
    )


# --- The audit trail --------------------------------------------------------------------------


def test_the_request_and_every_record_exported_are_audited(
    client, area_client, export_region, django_capture_on_commit_callbacks
):
    token = access_token(client, area_client)

    manifest = manifest_of(client, token, django_capture_on_commit_callbacks)

    exports = AuditEvent.objects.filter(action=AuditAction.EXPORT, organisation=area_client.name)
    request = exports.get(object_type="api.bulkexport")
    records = exports.exclude(object_type="api.bulkexport")
    assert (request.role, request.channel, request.patient_id) == ("api client", "api", None)
    # One event for each record of each type: a referral is a ServiceRequest, its answers a
    # QuestionnaireResponse, and its two STarT Back scores Observations (one record, one event).
    counts = {output["type"]: output["count"] for output in manifest["output"]}
    assert counts["Observation"] == 2 * counts["ServiceRequest"]
    assert records.count() == sum(counts.values()) - counts["Observation"] // 2
    assert set(records.values_list("channel", flat=True)) == {"api"}
    assert set(records.values_list("patient_id", flat=True)) == {
        export_region["episode"].patient_id,
        export_region["elsewhere"].patient_id,
    }
    by_type = {}
    for object_type in records.values_list("object_type", flat=True):
        by_type[object_type] = by_type.get(object_type, 0) + 1
    assert by_type == {
        "patients.patient": 2,
        "care.episode": 2,
        "referrals.referral": 6,
        "care.appointment": 1,
    }


def test_no_file_is_served_before_the_export_is_complete(client, area_client, export_region):
    token = access_token(client, area_client)
    status_path = kick_off(client, token)["Content-Location"].removeprefix(settings.SITE_URL)
    file_path = status_path.replace("$export-status", "$export-file") + "/Patient-1.ndjson"

    outcome(client.get(file_path, headers=bearer(token)), 404, "not-found")
