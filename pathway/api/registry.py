"""What the FHIR API implements, in one place: the URLs are made from it (pathway.api.urls) and
so is the CapabilityStatement (pathway.api.capability), so the statement cannot promise an
interaction or a search parameter that does not work, nor leave out one that does.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from pathway.api import patient_views, patients
from pathway.api.scopes import needed_scope
from pathway.api.search import SearchParameter

# The CapabilityStatement's date: when RESOURCES last changed. Change it with them.
CHANGED = datetime.date(2026, 12, 7)


@dataclass(frozen=True)
class ResourceEndpoints:
    type: str
    documentation: str
    read: Callable | None = None  # view(request, client, public_id)
    search: Callable | None = None  # view(request, client)
    search_parameters: tuple[SearchParameter, ...] = ()

    @property
    def interactions(self):
        """FHIR's names for what can be done with this type, as the CapabilityStatement says."""
        return [name for name, view in (("read", self.read), ("search-type", self.search)) if view]

    @property
    def read_scope(self):
        return needed_scope(self.type, "read")


RESOURCES = (
    ResourceEndpoints(
        type="Patient",
        documentation=(
            "The people the client's organisation may see: a GP practice's registered "
            "patients, a service's referred patients, an area's practices' patients. "
            "The id is an opaque identifier, never the NHS number."
        ),
        read=patient_views.read_patient,
        search=patient_views.search_patients,
        search_parameters=patients.SEARCH_PARAMETERS,
    ),
)
