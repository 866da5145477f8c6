"""A FHIR resource type served from one model, described once: which rows a client's
organisation may see, the resource a row becomes, whose record it is (for the audit trail),
and how it is searched and what a search may _include. The generic read and search
(pathway.api.resource_views) and the CapabilityStatement both work from this description.

A row may also stand for several resources (`Parts`): each score of a questionnaire response
is an Observation of its own, with no table of its own. Such a resource's id is the row's id
and the part's name, "<row id>-<part>", and search counts and pages the resources, not rows.
"""

import dataclasses
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from pathway.api.search import SearchParameter, search
from pathway.core.keyset import Part

# "<row's UUID>-<part>": the UUID has dashes of its own, so it is read by its length.
PART_ID = re.compile(r"(?P<row>.{36})-(?P<part>.+)")


@dataclass(frozen=True)
class Include:
    """`_include=<Type>:<name>`: the rows this kind's rows point to, as another kind."""

    name: str  # the search parameter it follows, such as "patient"
    target: str  # the resource type included, such as "Patient"
    target_id: Callable  # (row) -> the included row's pk


@dataclass(frozen=True)
class Parts:
    """The resources each row stands for, known from one column of the row (so a search can
    count them by grouping rows on it, without reading every row)."""

    field: str  # the column that decides a row's parts, such as "instrument"
    names: Callable  # (that column's value) -> the row's part names, in order
    resource: Callable  # (row, part name) -> that part's resource

    def of(self, row, keep=None):
        names = self.names(getattr(row, self.field))
        return [
            Part(row, name, number)
            for number, name in enumerate(names)
            if keep is None or keep(name)
        ]


@dataclass(frozen=True)
class ResourceKind:
    type: str
    rows: Callable  # (OrganisationScope | None) -> the rows that scope sees, ready to render
    # (row) -> the FHIR resource (validated by fhir.resources); unused with `parts`
    resource: Callable | None
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
    parts: Parts | None = None

    def row_by_id(self, scope, fhir_id):
        """The row with this id that `scope` sees, or None (also for an id of no shape)."""
        try:
            wanted = uuid.UUID(fhir_id)
        except ValueError:
            return None
        return self.rows(scope).filter(**{self.id_field: wanted}).first()

    @property
    def sources(self):
        """The kinds this type is served from: itself (pathway.api.combined serves a type from
        more than one)."""
        return (self,)

    def find(self, scope, fhir_id):
        """(kind, row, resource) of the resource with this id that `scope` sees, or None."""
        found = self.read(scope, fhir_id)
        return None if found is None else (self, *found)

    def search(self, scope, query):
        """(page, total) of a search: the page's rows are Found matches."""
        page, total = search(
            self.rows(scope),
            query,
            self.search_parameters,
            changed_field=self.changed_field,
            parts=self.parts,
        )
        return dataclasses.replace(page, rows=[Found(0, self, match) for match in page.rows]), total

    def changed_at(self, match):
        return getattr(match, self.changed_field)

    def read(self, scope, fhir_id):
        """(row, resource) of the resource with this id that `scope` sees, or None."""
        if self.parts is None:
            row = self.row_by_id(scope, fhir_id)
            return None if row is None else (row, self.resource(row))
        match = PART_ID.fullmatch(fhir_id)
        row = self.row_by_id(scope, match["row"]) if match else None
        if row is None or match["part"] not in self.parts.names(getattr(row, self.parts.field)):
            return None
        return row, self.parts.resource(row, match["part"])

    def row_of(self, match):
        """The row of a search match: the match itself, or the row a Part belongs to."""
        return match.row if self.parts else match

    def resources_of_row(self, row):
        """Every resource `row` stands for: itself, or each of its parts (a bulk export)."""
        if self.parts is None:
            return [self.resource(row)]
        return [self.parts.resource(row, part.name) for part in self.parts.of(row)]

    def resource_of(self, match):
        if self.parts is None:
            return self.resource(match)
        return self.parts.resource(match.row, match.name)


@dataclass(frozen=True)
class Found:
    """A match of a search: which of the type's sources it came from (its place and kind) and
    the row or Part. Its properties are the keys a search's pages follow (pathway.api.combined):
    last change, source, row, part."""

    source: int
    kind: ResourceKind
    match: object

    @property
    def changed(self):
        return self.kind.changed_at(self.match)

    @property
    def id(self):
        return self.match.id

    @property
    def number(self):
        return self.match.number if self.kind.parts else 0

    @property
    def row(self):
        return self.kind.row_of(self.match)

    @property
    def resource(self):
        return self.kind.resource_of(self.match)
