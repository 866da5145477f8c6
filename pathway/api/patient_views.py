"""Patient read and search. Each person a client is shown is a view in the audit trail."""

import uuid

from pathway.api.acting import api_context, client_actor
from pathway.api.patients import SEARCH_PARAMETERS, patient_resource
from pathway.api.responses import FhirError, fhir_base_url, fhir_response
from pathway.api.search import search, searchset
from pathway.audit.actions import record_events
from pathway.audit.models import AuditAction
from pathway.patients.models import Patient


def read_patient(request, client, public_id):
    patient = _visible_patient(client, public_id)
    _record_views(request, client, [patient])
    return fhir_response(patient_resource(patient))


def search_patients(request, client):
    page, total = search(_visible_patients(client), request.GET, SEARCH_PARAMETERS)
    _record_views(request, client, page.rows)
    return fhir_response(searchset(request=request, page=page, total=total, entry=_entry))


def _entry(patient):
    resource = patient_resource(patient)
    return f"{fhir_base_url()}/Patient/{resource.id}", resource


def _visible_patients(client):
    return Patient.objects.visible_to_scope(client.organisation_scope()).select_related(
        "registered_practice"
    )


def _visible_patient(client, public_id):
    """The client's patient with this id; another organisation's is not found, exactly as one
    that does not exist, so the answer does not reveal that it does."""
    try:
        patient = _visible_patients(client).filter(public_id=uuid.UUID(public_id)).first()
    except ValueError:
        patient = None
    if patient is None:
        raise FhirError(404, "not-found", "There is no such Patient for this client.")
    return patient


def _record_views(request, client, patients):
    if not patients:
        return
    record_events(
        by=client_actor(client),
        context=api_context(request),
        actions=[(AuditAction.VIEW, patient, patient) for patient in patients],
    )
