"""The export's three addresses, as the Bulk Data IG's asynchronous pattern has them: the
kick-off (202 and a status URL), the status URL (202 while running, the manifest when done,
DELETE to cancel) and each file's URL. Only the client that asked sees its export: to any
other client it is not found, exactly as one that does not exist."""

import re
import uuid

from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.http import http_date
from fhir.resources.R4B.operationoutcome import OperationOutcome

from pathway.api.acting import api_context, client_actor
from pathway.api.bulk_export.actions import cancel_export, start_export
from pathway.api.bulk_export.kick_off import read_kick_off
from pathway.api.catalogue import KINDS
from pathway.api.models import BulkExport, BulkExportPart
from pathway.api.responses import FhirError, fhir_response, service_url

NDJSON = "application/fhir+ndjson"
# Seconds a client is asked to wait between polls of a running export.
POLL_SECONDS = 5
NOT_STORED = {"Cache-Control": "no-store"}
_FILE_NAME = re.compile(r"^(?P<type>[A-Za-z]+)-(?P<number>[1-9]\d{0,8})\.ndjson$")


def kick_off(request, client):
    if client.practice_id:
        raise FhirError(
            403,
            "forbidden",
            "Bulk export is for a commissioning area's or a service's client. A GP "
            "practice's client reads its patients by search.",
            client=client,
        )
    export_request = read_kick_off(request, [kind.type for kind in KINDS])
    running = client.bulk_exports.filter(
        state__in=[BulkExport.State.QUEUED, BulkExport.State.RUNNING]
    )
    if running.exists():
        # One at a time per client, as the IG suggests: an export reads every row it may see.
        raise FhirError(
            429,
            "throttled",
            "This client has an export under way: wait for it (or cancel it) first.",
            headers={"Retry-After": str(POLL_SECONDS)},
        )
    export = start_export(
        client=client,
        export_request=export_request,
        request_url=service_url(request.get_full_path()),
        by=client_actor(client),
        context=api_context(request),
    )
    headers = {"Content-Location": _status_url(export)}
    issues = [
        _issue("warning", "not-supported", f"{name} is not supported: ignored (handling=lenient).")
        for name in export_request.ignored
    ] or [_issue("information", "informational", "Export started: poll Content-Location.")]
    return fhir_response(_outcome(issues), status=202, headers=headers)


def export_status(request, client, public_id):
    export = _export_of(client, public_id)
    if request.method == "DELETE":
        cancel_export(export)
        message = "The export is cancelled and its files deleted."
        return fhir_response(
            _outcome([_issue("information", "informational", message)]), status=202
        )
    if export.state == BulkExport.State.FAILED:
        raise FhirError(500, "exception", export.error)
    if export.state != BulkExport.State.COMPLETE:
        return HttpResponse(
            status=202,
            headers={
                "X-Progress": export.progress or "Queued",
                "Retry-After": str(POLL_SECONDS),
                **NOT_STORED,
            },
        )
    return JsonResponse(
        manifest(export),
        headers={"Expires": http_date(export.expires_at.timestamp()), **NOT_STORED},
    )


def export_file(request, client, public_id, file_name):
    export = _export_of(client, public_id)
    match = _FILE_NAME.match(file_name)
    file = (
        export.files.filter(resource_type=match["type"], number=int(match["number"])).first()
        if match and export.state == BulkExport.State.COMPLETE
        else None
    )
    if file is None:
        raise FhirError(404, "not-found", f"This export has no file {file_name}.", client=client)
    part_ids = list(file.parts.order_by("pk").values_list("pk", flat=True))
    return StreamingHttpResponse(_contents(part_ids), content_type=NDJSON, headers=NOT_STORED)


def manifest(export):
    """The complete status's body: every file with its type, URL and number of resources."""
    return {
        "transactionTime": export.transaction_time.isoformat(),
        "request": export.request_url,
        # The files are read with the same bearer token as the API itself.
        "requiresAccessToken": True,
        "output": [
            {"type": file.resource_type, "url": _file_url(export, file), "count": file.count}
            for file in export.files.order_by("pk")
        ],
        "error": [],
    }


def _export_of(client, public_id):
    try:
        wanted = uuid.UUID(public_id)
    except ValueError:
        wanted = None
    export = client.bulk_exports.filter(public_id=wanted).first() if wanted else None
    if export is None:
        raise FhirError(
            404,
            "not-found",
            "There is no such export for this client: cancelled, expired or never started.",
            client=client,
        )
    return export


def _contents(part_ids):
    # One part (one chunk of lines) in memory at a time, however large the file.
    for part_id in part_ids:
        yield BulkExportPart.objects.values_list("ndjson", flat=True).get(pk=part_id)


def _status_url(export):
    return service_url(reverse("api:export-status", kwargs={"public_id": str(export.public_id)}))


def _file_url(export, file):
    path = reverse(
        "api:export-file", kwargs={"public_id": str(export.public_id), "file_name": file.name}
    )
    return service_url(path)


def _issue(severity, code, diagnostics):
    return {"severity": severity, "code": code, "diagnostics": diagnostics}


def _outcome(issues):
    return OperationOutcome.model_validate({"resourceType": "OperationOutcome", "issue": issues})
