"""The wrapper every FHIR view is served through: the methods it takes, who may call it, and
refusals as OperationOutcomes. The URLs apply it from the registry (pathway.api.urls), so the
scope a view needs is derived from what the registry says it is, in one place.
"""

from functools import wraps

from django.views.decorators.csrf import csrf_exempt

from pathway.api.access import authorised_client
from pathway.api.responses import FhirError, error_response


def fhir_endpoint(view, *, scope=None, methods=("GET",)):
    """`view(request, client, **kwargs)` for clients whose token has `scope`; with no scope
    the endpoint is public and the view is `view(request, **kwargs)`."""

    # Bearer tokens, never cookies: a cross-site form cannot call the API as someone.
    @csrf_exempt
    @wraps(view)
    def endpoint(request, **kwargs):
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
            return view(request, authorised_client(request, scope), **kwargs)
        except FhirError as error:
            return error_response(error)

    return endpoint
