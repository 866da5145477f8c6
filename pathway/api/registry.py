"""What the FHIR API implements, in one place: the URLs are made from it (pathway.api.urls) and
so is the CapabilityStatement (pathway.api.capability), so the statement cannot promise an
interaction or a search parameter that does not work, nor leave out one that does.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from pathway.api import published, referral_views
from pathway.api.catalogue import (
    APPOINTMENT,
    EPISODE_OF_CARE,
    KINDS_BY_TYPE,
    OBSERVATION,
    PATIENT,
    QUESTIONNAIRE_RESPONSE,
    SERVICE_REQUEST,
)
from pathway.api.resource_views import read_view, search_view
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
    search_includes: tuple[str, ...] = ()
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


def served(kind, documentation):
    """The endpoints of a ResourceKind (pathway.api.kinds): read and search, as it describes."""
    return ResourceEndpoints(
        type=kind.type,
        documentation=documentation,
        read=read_view(kind),
        search=search_view(kind, KINDS_BY_TYPE),
        search_parameters=kind.search_parameters,
        search_includes=tuple(f"{kind.type}:{include.name}" for include in kind.includes),
    )


@dataclass(frozen=True)
class SystemEndpoint:
    """An interaction at the base URL itself (FHIR's "system" level), such as a transaction."""

    interaction: str
    documentation: str
    view: Callable  # view(request, client)
    scope: str
    method: str = "POST"


RESOURCES = (
    served(
        PATIENT,
        "The people the client's organisation may see: a GP practice's registered "
        "patients, a service's referred patients, an area's practices' patients. "
        "The id is an opaque identifier, never the NHS number.",
    ),
    served(
        EPISODE_OF_CARE,
        "One person's care in one provider service, from referral to discharge: status "
        "waitlist (not yet assessed), active or finished; a returner's earlier episode in the "
        "previous-episode extension. A practice sees its patients' episodes, a service its "
        "own, an area its services'.",
    ),
    served(
        SERVICE_REQUEST,
        "Each referral consultation the GP recorded: active or completed when referred, "
        "revoked when it ended at the GP (red flags, not eligible, advice). A practice sees "
        "its referrals, a service those made to it, an area its practices'.",
    ),
    served(
        APPOINTMENT,
        "Appointments booked in an episode: booked, fulfilled, noshow (did not attend) or "
        "cancelled.",
    ),
    served(
        QUESTIONNAIRE_RESPONSE,
        "Each outcome questionnaire a person completed in an episode (pain, ODI, EQ-5D-5L, "
        "GAD-7, PHQ-9 and the others), answered as stored: questionnaire names the "
        "instrument's Questionnaire, each item's linkId is its question, the time point "
        "(baseline, discharge, 6 or 12 months) is the prom-timepoint extension, basedOn the "
        "episode's referral. Never changed once completed.",
    ),
    served(
        OBSERVATION,
        "Each score of a completed questionnaire, its own Observation derived from the "
        "QuestionnaireResponse (id <response id>-<score>): LOINC-coded PHQ-9 and GAD-7 "
        "totals and pain 0-10, and ODI %, EQ-5D-5L index (one per value set), EQ VAS and "
        "readiness in CodeSystem/score. Category survey, status final.",
    ),
    ResourceEndpoints(
        type="Questionnaire",
        documentation=(
            "The referral template a GP system answers (Questionnaire/back-pain-referral), "
            "its linkIds the questions of the web form, and each outcome questionnaire "
            "(Questionnaire/phq9, gad7, pain-nrs, odi, eq5d5l, gsos, fft, readiness, "
            "startback): ODI and EQ-5D-5L as structure only, their wording being licensed. "
            "Published: no token needed."
        ),
        read=published.read_questionnaire,
        public=True,
    ),
    ResourceEndpoints(
        type="CodeSystem",
        documentation=(
            "The service's own code systems that served resources use (CodeSystem/score, "
            "prom-timepoint, <questionnaire>-answers). Published: no token needed."
        ),
        read=published.read_code_system,
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
