"""The CapabilityStatement at /fhir/R4/metadata, made from the registry of what is implemented."""

from django.conf import settings
from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from pathway.api.assertions import ALGORITHM
from pathway.api.registry import CHANGED, OPERATIONS, RESOURCES, SYSTEM
from pathway.api.responses import fhir_base_url, token_url

# The API is FHIR R4 (4.0.1); its resources are built and checked with the R4B models, which
# are the same on the wire for every resource served here (docs/api.md).
FHIR_VERSION = "4.0.1"
SECURITY_SERVICES = "http://terminology.hl7.org/CodeSystem/restful-security-service"
OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"


def capability_statement():
    return CapabilityStatement.model_validate(
        {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": CHANGED.isoformat(),
            "publisher": settings.SERVICE_NAME,
            "kind": "instance",
            "software": {"name": settings.SERVICE_NAME},
            "implementation": {
                "description": f"{settings.SERVICE_NAME}: FHIR R4 API",
                "url": fhir_base_url(),
            },
            "fhirVersion": FHIR_VERSION,
            "format": ["application/fhir+json", "json"],
            "rest": [
                {
                    "mode": "server",
                    "security": _security(),
                    "resource": [_resource(resource) for resource in RESOURCES],
                    "interaction": [
                        {
                            "code": endpoint.interaction,
                            "documentation": f"{endpoint.documentation} Needs the scope "
                            f"{endpoint.scope}.",
                        }
                        for endpoint in SYSTEM
                    ],
                    "operation": [
                        {
                            "name": operation.name,
                            "definition": operation.definition,
                            "documentation": f"{operation.documentation} Needs the scope "
                            f"{operation.scope}.",
                        }
                        for operation in OPERATIONS
                    ],
                }
            ],
        }
    )


def _security():
    return {
        "cors": False,
        "service": [
            {
                "coding": [{"system": SECURITY_SERVICES, "code": "OAuth", "display": "OAuth"}],
                "text": "OAuth2 client credentials",
            }
        ],
        "description": (
            "Every call but this one needs Authorization: Bearer <access token>. Get a token "
            f"from {token_url()} with the client_credentials grant and a JWT client assertion "
            f"signed {ALGORITHM} with the client's private key (private_key_jwt, as NHS APIs' "
            "application-restricted access). Scopes are system/<resource>.read, "
            "system/ServiceRequest.write to post referrals, and system/*.read for $export."
        ),
        "extension": [
            {"url": OAUTH_URIS, "extension": [{"url": "token", "valueUri": token_url()}]}
        ],
    }


def _resource(resource):
    return {
        **({"searchInclude": list(resource.search_includes)} if resource.search_includes else {}),
        "type": resource.type,
        "documentation": resource.documentation
        + (f" Needs the scope {resource.read_scope}." if resource.read_scope else ""),
        "interaction": [{"code": code} for code in resource.interactions],
        "versioning": "no-version",
        "readHistory": False,
        "searchParam": [
            {
                "name": parameter.name,
                "definition": parameter.definition,
                "type": parameter.type,
                "documentation": parameter.documentation,
            }
            for parameter in resource.search_parameters
        ],
    }
