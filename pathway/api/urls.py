"""The API's addresses: the token endpoint, and the FHIR R4 base with an address for each
interaction and operation in the registry, guarded by the scope the registry gives it."""

from django.urls import path

from pathway.api import views
from pathway.api.endpoints import fhir_endpoint
from pathway.api.registry import OPERATIONS, RESOURCES, SYSTEM

app_name = "api"

BASE = "fhir/R4/"


def _resource_urls(resource):
    if resource.search:
        view = fhir_endpoint(resource.search, scope=resource.read_scope)
        yield path(f"{BASE}{resource.type}", view, name=f"{resource.type}-search")
    if resource.read:
        view = fhir_endpoint(resource.read, scope=resource.read_scope)
        yield path(f"{BASE}{resource.type}/<str:public_id>", view, name=f"{resource.type}-read")


def _system_urls(endpoint):
    view = fhir_endpoint(endpoint.view, scope=endpoint.scope, methods=(endpoint.method,))
    # The base, with and without its slash: a POST cannot follow APPEND_SLASH's redirect.
    yield path(BASE, view, name=endpoint.interaction)
    yield path(BASE.rstrip("/"), view, name=f"{endpoint.interaction}-no-slash")


def _operation_urls(operation):
    for route in operation.routes:
        view = fhir_endpoint(route.view, scope=operation.scope, methods=route.methods)
        yield path(f"{BASE}{route.route}", view, name=route.name)


urlpatterns = [
    path("oauth2/token", views.token, name="token"),
    path(f"{BASE}metadata", fhir_endpoint(views.metadata), name="metadata"),
    *(url for resource in RESOURCES for url in _resource_urls(resource)),
    *(url for endpoint in SYSTEM for url in _system_urls(endpoint)),
    *(url for operation in OPERATIONS for url in _operation_urls(operation)),
    # Anything else under the base is a FHIR answer too, not the web app's error page.
    path(
        f"{BASE}<path:_rest>",
        fhir_endpoint(views.unknown_resource, methods=("GET", "POST", "PUT", "PATCH", "DELETE")),
        name="unknown",
    ),
]
