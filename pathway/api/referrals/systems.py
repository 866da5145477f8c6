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


# UK Core R4 profiles (https://simplifier.net/hl7fhirukcorer4): the resources served claim the
# profile whose shape they follow, so that a consumer can validate them against it.
UK_CORE_PROFILES = "https://fhir.hl7.org.uk/StructureDefinition"


def uk_core_meta(resource_type, last_updated):
    """meta with lastUpdated and the UK Core profile of `resource_type`."""
    return {
        "lastUpdated": last_updated.isoformat(),
        "profile": [f"{UK_CORE_PROFILES}/UKCore-{resource_type}"],
    }
