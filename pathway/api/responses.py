"""FHIR answers: resources as application/fhir+json, and every refusal as an OperationOutcome."""

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from fhir.resources.R4B.operationoutcome import OperationOutcome

FHIR_JSON = "application/fhir+json; charset=utf-8"


def service_url(path):
    """An absolute URL at the service's public address (SITE_URL), as clients must name it:
    the token URL is the `aud` of their assertions, so it cannot depend on the Host header."""
    return settings.SITE_URL.rstrip("/") + path


def fhir_base_url():
    return service_url(reverse("api:metadata")).removesuffix("/metadata")


def token_url():
    return service_url(reverse("api:token"))


class FhirError(Exception):
    """A refusal, answered as an OperationOutcome with this status (never a 500)."""

    def __init__(self, status, code, diagnostics, *, headers=None, expression=None, client=None):
        super().__init__(diagnostics)
        # The client refused, when it is known (its token was good): the refusal is audited.
        self.client = client
        self.status = status
        self.code = code
        self.diagnostics = diagnostics
        self.headers = headers or {}
        self.expression = expression


def fhir_response(resource, *, status=200, headers=None):
    # Patient data: no browser or proxy on the way may keep a copy.
    headers = {"Cache-Control": "no-store", **(headers or {})}
    return HttpResponse(
        resource.model_dump_json(), content_type=FHIR_JSON, status=status, headers=headers
    )


def operation_outcome(error):
    issue = {"severity": "error", "code": error.code, "diagnostics": error.diagnostics}
    if error.expression:
        issue["expression"] = list(error.expression)
    return OperationOutcome.model_validate({"resourceType": "OperationOutcome", "issue": [issue]})


def error_response(error):
    return fhir_response(operation_outcome(error), status=error.status, headers=error.headers)
