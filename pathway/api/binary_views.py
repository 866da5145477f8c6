"""GET /fhir/R4/Binary/<id>: a discharge letter's PDF, the content its DocumentReference points
to. As FHIR serves a Binary: in its own type (application/pdf) unless the client asks for FHIR
JSON (Accept: application/fhir+json, or _format=json), which gives the Binary resource with
the PDF in base64.

A Binary is read with the DocumentReference's scope and rows: a client that may find a letter
may download it, and one of another organisation gets 404 as for the reference. Each download
is an export of the person's record in the audit trail.
"""

from django.http import HttpResponse

from pathway.api.catalogue import DOCUMENT_REFERENCE
from pathway.api.documents import PDF, binary_resource, letter_and_pdf
from pathway.api.resource_views import record_shown
from pathway.api.responses import FhirError, fhir_response
from pathway.api.search import FORMAT, JSON_FORMATS
from pathway.audit.models import AuditAction

FHIR_JSON_TYPES = ("application/fhir+json", "application/json")


def read_binary(request, client, public_id):
    episode = DOCUMENT_REFERENCE.row_by_id(client.organisation_scope(), public_id)
    if episode is None:
        raise FhirError(404, "not-found", "There is no such Binary for this client.")
    as_pdf = _wants_pdf(request)
    _letter, pdf = letter_and_pdf(episode)
    record_shown(request, client, [(DOCUMENT_REFERENCE, episode)], action=AuditAction.EXPORT)
    if not as_pdf:
        return fhir_response(binary_resource(episode, pdf))
    # The opaque id names the file: never the person.
    filename = f"discharge-letter-{episode.public_id}.pdf"
    return HttpResponse(
        pdf,
        content_type=PDF,
        headers={
            # Patient data: no browser or proxy on the way may keep a copy.
            "Cache-Control": "no-store",
            "Content-Disposition": f'attachment; filename="{filename}"',
        },
    )


def _wants_pdf(request):
    """Whether to answer with the PDF itself (True) or the Binary resource in JSON (False)."""
    if FORMAT in request.GET:
        if request.GET[FORMAT] in JSON_FORMATS:
            return False
        raise FhirError(406, "not-supported", _ACCEPTED)
    # No Accept header, or */*, is the PDF: FHIR serves a Binary in its own type.
    preferred = _preferred_type(request, [PDF, *FHIR_JSON_TYPES])
    if preferred is None:
        raise FhirError(406, "not-supported", _ACCEPTED)
    return preferred == PDF


def _preferred_type(request, offered):
    """The first of `offered` that the client's most preferred acceptable type matches.
    Parameters are ignored: FHIR clients send application/fhir+json; fhirVersion=4.0, which
    Django's get_preferred_type would not match with application/fhir+json."""
    for accepted in request.accepted_types:  # most preferred first, q=0 left out
        for media_type in offered:
            main, _, sub = media_type.partition("/")
            if accepted.main_type in ("*", main) and accepted.sub_type in ("*", sub):
                return media_type
    return None


_ACCEPTED = (
    "A Binary is served as application/pdf, or as application/fhir+json (Accept, or _format=json)."
)
