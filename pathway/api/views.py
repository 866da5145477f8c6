"""The public parts of the API: the CapabilityStatement and the OAuth2 token endpoint."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from pathway.api.acting import api_context
from pathway.api.capability import capability_statement
from pathway.api.responses import FhirError, fhir_response
from pathway.api.tokens import TokenRefused, token_for

# RFC 6749 section 5.1: a token response is never cached.
NOT_CACHED = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def metadata(request):
    return fhir_response(capability_statement())


def unknown_resource(request, _rest):
    raise FhirError(
        404, "not-supported", "This is not an interaction the API has: see /fhir/R4/metadata."
    )


@csrf_exempt  # a form posted by a client system with no cookies
@require_POST
def token(request):
    try:
        issued = token_for(request.POST, context=api_context(request))
    except TokenRefused as refused:
        return JsonResponse(
            {"error": refused.error, "error_description": refused.description},
            status=refused.status,
            headers=NOT_CACHED,
        )
    return JsonResponse(
        {
            "access_token": issued.access_token,
            "token_type": "Bearer",
            "expires_in": issued.expires_in,
            "scope": " ".join(issued.scopes),
        },
        headers=NOT_CACHED,
    )
