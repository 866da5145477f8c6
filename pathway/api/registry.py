"""What the FHIR API implements, in one place: the URLs are made from it (pathway.api.urls) and
so is the CapabilityStatement (pathway.api.capability), so the statement cannot promise an
interaction, an operation or a search parameter that does not work, nor leave out one that does.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from pathway.api import binary_views, published, referral_views
from pathway.api.bulk_export import views as export_views
from pathway.api.catalogue import (
    APPOINTMENT,
    DOCUMENT_REFERENCE,
    EPISODE_OF_CARE,
    KINDS,
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
    # The scope reading needs, when not system/<type>.read (a Binary is read as the
    # DocumentReference it belongs to).
    scope: str | None = None

    @property
    def interactions(self):
        """FHIR's names for what can be done with this type, as the CapabilityStatement says."""
        return [name for name, view in (("read", self.read), ("search-type", self.search)) if view]

    @property
    def read_scope(self):
        if self.public:
            return None
        return self.scope or needed_scope(self.type, "read")


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


@dataclass(frozen=True)
class OperationRoute:
    """One address an operation answers at, under the base."""

    route: str  # such as "$export-status/<str:public_id>"
    name: str  # the URL's name
    view: Callable  # view(request, client, **kwargs)
    methods: tuple[str, ...] = ("GET",)


@dataclass(frozen=True)
class SystemOperation:
    """An operation at the base ($name, FHIR's "system" level), with every address it answers
    at: an asynchronous one's kick-off, status and file URLs."""

    name: str
    definition: str  # the canonical OperationDefinition it implements
    documentation: str
    scope: str
    routes: tuple[OperationRoute, ...]


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
        "episode's referral. And each referral's own answers, to Questionnaire/"
        "back-pain-referral, with the referral's id and basedOn it. Never changed once made.",
    ),
    served(
        OBSERVATION,
        "Each score of a completed questionnaire, its own Observation derived from the "
        "QuestionnaireResponse (id <response id>-<score>): LOINC-coded PHQ-9 and GAD-7 "
        "totals and pain 0-10, and ODI %, EQ-5D-5L index (one per value set), EQ VAS and "
        "readiness in CodeSystem/score. And each referral's STarT Back total and "
        "psychosocial subscale (id <referral id>-startback-total, -startback-psychosocial; "
        "the risk group as the total's interpretation), derived from the referral's answers. "
        "Category survey, status final.",
    ),
    served(
        DOCUMENT_REFERENCE,
        "The discharge letter to the GP of each discharged episode, a PDF: status current, "
        "type SNOMED CT 373942005 |Discharge summary|, the PDF's size and SHA-1 hash, and its "
        "address as a Binary of the same id. meta.lastUpdated moves when the letter changes "
        "(questionnaires answered after the discharge), so a GP system polls "
        "_lastUpdated=gt<its last poll> for new and changed letters. A practice sees its "
        "patients' letters, a service its own, an area its services'.",
    ),
    ResourceEndpoints(
        type="Binary",
        documentation=(
            "A discharge letter's PDF, by its DocumentReference's id: application/pdf, or the "
            "Binary resource with the PDF in base64 for Accept: application/fhir+json (or "
            "_format=json). Read with the DocumentReference's scope; each read is an export in "
            "the audit trail."
        ),
        read=binary_views.read_binary,
        scope=needed_scope("DocumentReference", "read"),
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
            "prom-timepoint, <questionnaire>-answers, the referral template's answers, "
            "referral-result, appointment-kind, appointment-mode). Published: no token needed."
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

OPERATIONS = (
    SystemOperation(
        name="export",
        definition="http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export",
        documentation=(
            "Bulk Data export, system level only (no Patient or Group $export): GET "
            "[base]/$export with Prefer: respond-async, from a commissioning area's or a "
            "service's client (a GP practice's: 403). Every "
            f"{', '.join(kind.type for kind in KINDS)} the client's organisation may see, or "
            "the types named in _type, changed after _since (an instant) if given, as "
            "application/fhir+ndjson files. 202 and a Content-Location to poll: 202 with "
            "X-Progress while it runs, the manifest when complete, DELETE to cancel. The "
            "files need the same bearer token and are deleted some hours after the export "
            "finishes (the manifest's Expires). One export at a time per client."
        ),
        scope=needed_scope("*", "read"),
        routes=(
            OperationRoute("$export", "export", export_views.kick_off),
            OperationRoute(
                "$export-status/<str:public_id>",
                "export-status",
                export_views.export_status,
                methods=("GET", "DELETE"),
            ),
            OperationRoute(
                "$export-file/<str:public_id>/<str:file_name>",
                "export-file",
                export_views.export_file,
            ),
        ),
    ),
)
