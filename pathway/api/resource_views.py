"""Read and search for every resource type described as a ResourceKind (pathway.api.kinds).

A client sees only its organisation's rows (the scoping rule, given the client's scope);
another organisation's record is not found, exactly as one that does not exist, so the answer
does not reveal that it does. Each record shown, included ones too, is a view in the audit
trail, written in one insert: a row that stands for several resources (each score of a
questionnaire response an Observation) is one record, one view however many are shown.
"""

from pathway.api.acting import api_context, client_actor
from pathway.api.responses import FhirError, fhir_base_url, fhir_response
from pathway.api.search import INCLUDE, searchset
from pathway.audit.actions import one_insert, record_events
from pathway.audit.models import AuditAction


def read_view(kind):
    def read(request, client, public_id):
        found = kind.find(client.organisation_scope(), public_id)
        if found is None:
            raise FhirError(404, "not-found", f"There is no such {kind.type} for this client.")
        source, row, resource = found
        record_shown(request, client, [(source, row)])
        return fhir_response(resource)

    read.__name__ = f"read_{kind.type}"
    return read


def search_view(kind, kinds_by_type):
    def search_type(request, client):
        scope = client.organisation_scope()
        includes = _includes(kind, request.GET.getlist(INCLUDE))
        page, total = kind.search(scope, request.GET)
        shown = list(dict.fromkeys((found.kind, found.row) for found in page.rows))
        included = _included(scope, includes, shown, kinds_by_type)
        record_shown(request, client, shown + included)
        bundle = searchset(
            request=request,
            page=page,
            total=total,
            entry=lambda found: entry(kind, found.resource),
            included=[entry(target, target.resource(row)) for target, row in included],
        )
        return fhir_response(bundle)

    search_type.__name__ = f"search_{kind.type}"
    return search_type


def entry(kind, resource):
    return f"{fhir_base_url()}/{kind.type}/{resource.id}", resource


def _includes(kind, values):
    """The names of the includes asked for (each source of the type has its own way there)."""
    by_name = {f"{kind.type}:{include.name}": include.name for include in kind.includes}
    for value in values:
        if value not in by_name:
            known = ", ".join(by_name) or "nothing"
            raise FhirError(400, "not-supported", f"_include={value} is not served: {known}.")
    return [by_name[value] for value in dict.fromkeys(values)]


def _included(scope, names, shown, kinds_by_type):
    """(kind, row) of what the includes named point to from the (kind, row) shown, one query
    per include, scoped as well: an include never shows what a read would not."""
    included = []
    for name in names:
        ids, target = set(), None
        for kind, row in shown:
            include = next(include for include in kind.includes if include.name == name)
            target = kinds_by_type[include.target]
            ids.add(include.target_id(row))
        ids -= {None}
        if ids:
            included += [(target, row) for row in target.rows(scope).filter(pk__in=ids)]
    return included


def record_shown(request, client, kinds_and_rows, *, action=AuditAction.VIEW):
    """One `action` event (a view, unless said) for each row shown, in one insert."""
    by_kind = {}
    for kind, row in kinds_and_rows:
        by_kind.setdefault(kind, []).append(row)
    with one_insert():
        for kind, rows in by_kind.items():
            record_events(
                by=client_actor(client),
                context=api_context(request),
                actions=[(action, row, kind.patient(row)) for row in rows],
                object_type=kind.audit_object_type,
            )
