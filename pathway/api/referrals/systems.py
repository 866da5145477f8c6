"""The identifier and code systems a referral names, in one place.

NHS ones are the NHS's own; the service's own (a service's code, its answer codes) hang
under CANONICAL_BASE. A canonical URL names a thing and need not resolve.
"""

CANONICAL_BASE = "https://pathway.example.nhs.uk/fhir"

NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"
ODS_CODE = "https://fhir.nhs.uk/Id/ods-organization-code"
SNOMED_CT = "http://snomed.info/sct"
# A provider service's code (ProviderService.code): the service's own identifier.
SERVICE_CODE = f"{CANONICAL_BASE}/Id/service-code"


def code_system(name):
    """The service's own code system called `name` (the answers to one kind of question)."""
    return f"{CANONICAL_BASE}/CodeSystem/{name}"
