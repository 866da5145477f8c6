"""The wrapper every FHIR view is served through: the methods it takes, who may call it, and
refusals as OperationOutcomes. The URLs apply it from the registry (pathway.api.urls), so the
scope a view needs is derived from what the registry says it is, in one place.
"""

import re
from functools import wraps

from django.views.decorators.csrf import csrf_exempt

from pathway.api.access import authorised_client
from pathway.api.acting import api_context, client_actor
from pathway.api.responses import FhirError, error_response
from pathway.audit.actions import record_refusal

# A client asking for what it may not have (a scope it lacks, another organisation's record):
# probing shows in the audit trail. Malformed requests (400) and throttling (429) are not.
AUDITED_REFUSALS = (403, 404)
# FHIR's id: what is recorded of the id asked for; anything else (a probe, a NUL) is not kept.
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


def fhir_endpoint(view, *, scope=None, methods=("GET",)):
    """`view(request, client, **kwargs)` for clients whose token has `scope`; with no scope
    the endpoint is public and the view is `view(request, **kwargs)`."""

    # Bearer tokens, never cookies: a cross-site form cannot call the API as someone.
    @csrf_exempt
    @wraps(view)
    def endpoint(request, **kwargs):
        client = None
        try:
            if request.method not in methods:
                raise FhirError(
                    405,
                    "not-supported",
                    f"{request.method} is not supported here: use {', '.join(methods)}.",
                    headers={"Allow": ", ".join(methods)},
                )
            if scope is None:
                return view(request, **kwargs)
            client = authorised_client(request, scope)
            return view(request, client, **kwargs)
        except FhirError as error:
            client = client or error.client
            if client is not None and error.status in AUDITED_REFUSALS:
                _record_refusal(request, client, kwargs.get("public_id", ""))
            return error_response(error)

    return endpoint


def _record_refusal(request, client, fhir_id):
    # "fhir:EpisodeOfCare" from /fhir/R4/EpisodeOfCare/<id>: what was asked for, by type and
    # the opaque id as given (never patient data: the API's ids are not NHS numbers).
    asked_for = request.path.partition("/fhir/R4/")[2].split("/")[0] or "base"
    record_refusal(
        by=client_actor(client),
        context=api_context(request),
        object_type=f"fhir:{asked_for}",
        object_id=fhir_id if FHIR_ID.fullmatch(fhir_id) else "(not a FHIR id)",
    )
