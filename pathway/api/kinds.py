"""A FHIR resource type served from one model, described once: which rows a client's
organisation may see, the resource a row becomes, whose record it is (for the audit trail),
and how it is searched and what a search may _include. The generic read and search
(pathway.api.resource_views) and the CapabilityStatement both work from this description.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from pathway.api.search import SearchParameter


@dataclass(frozen=True)
class Include:
    """`_include=<Type>:<name>`: the rows this kind's rows point to, as another kind."""

    name: str  # the search parameter it follows, such as "patient"
    target: str  # the resource type included, such as "Patient"
    target_id: Callable  # (row) -> the included row's pk


@dataclass(frozen=True)
class ResourceKind:
    type: str
    rows: Callable  # (OrganisationScope | None) -> the rows that scope sees, ready to render
    resource: Callable  # (row) -> the FHIR resource (validated by fhir.resources)
    patient: Callable  # (row) -> the Patient whose record this is (the audit trail names them)
    search_parameters: tuple[SearchParameter, ...] = ()
    includes: tuple[Include, ...] = ()
    # The row's FHIR id (an opaque UUID column) and when it last changed (meta.lastUpdated,
    # _lastUpdated, and the order search pages follow).
    id_field: str = "public_id"
    changed_field: str = "updated_at"
    # What the audit trail calls a row shown as this kind, when not its model's name (a
    # discharge letter is made from an episode row, but it is the letter that was seen).
    audit_object_type: str | None = None

    def row_by_id(self, scope, fhir_id):
        """The row with this id that `scope` sees, or None (also for an id of no shape)."""
        try:
            wanted = uuid.UUID(fhir_id)
        except ValueError:
            return None
        return self.rows(scope).filter(**{self.id_field: wanted}).first()
