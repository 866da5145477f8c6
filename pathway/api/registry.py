"""What the FHIR API implements, in one place: the URLs are made from it (pathway.api.urls) and
so is the CapabilityStatement (pathway.api.capability), so the statement cannot promise an
interaction or a search parameter that does not work, nor leave out one that does.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from pathway.api import patient_views, patients, referral_views
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
    # Public: read without a token (nothing about anyone, such as a published Questionnaire);
    # the view is then view(request, public_id).
    public: bool = False

    @property
    def interactions(self):
        """FHIR's names for what can be done with this type, as the CapabilityStatement says."""
        return [name for name, view in (("read", self.read), ("search-type", self.search)) if view]

    @property
    def read_scope(self):
        return None if self.public else needed_scope(self.type, "read")


@dataclass(frozen=True)
class SystemEndpoint:
    """An interaction at the base URL itself (FHIR's "system" level), such as a transaction."""

    interaction: str
    documentation: str
    view: Callable  # view(request, client)
    scope: str
    method: str = "POST"


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
    ResourceEndpoints(
        type="Questionnaire",
        documentation=(
            "The referral template a GP system answers (Questionnaire/back-pain-referral), "
            "its linkIds the questions of the web form. Published: no token needed."
        ),
        read=referral_views.read_questionnaire,
        public=True,
    ),
)

SYSTEM = (
    SystemEndpoint(
        interaction="transaction",
        documentation=(
            "Post a referral: a transaction Bundle (or a message Bundle) holding a Patient, "
            "a ServiceRequest and a QuestionnaireResponse answering "
            "Questionnaire/back-pain-referral, from a GP practice's client, for its own "
            "practice. Referred: 201 with a transaction-response Bundle. Red flags or not "
            "eligible: recorded, 422 with an OperationOutcome. Refused: 4xx, nothing saved. "
            "The same Bundle.identifier again: the first result, 200."
        ),
        view=referral_views.post_referral,
        scope=needed_scope("ServiceRequest", "write"),
    ),
)
