"""FHIR search, for any resource: its parameters, the result parameters and searchset Bundles.

A resource's search parameters are SearchParameter values, each with the filter that applies
it; the same values make the CapabilityStatement's searchParam list (pathway.api.registry),
so the statement names exactly the parameters that work. A parameter that is not listed is
refused (400), not ignored: a misspelt filter must not return everyone a client may see.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from pathway.api.responses import FhirError, service_url
from pathway.core.keyset import Key, page_of, parts_beyond, read_cursor, rows_beyond

COUNT, PAGE, FORMAT, INCLUDE = "_count", "_page", "_format", "_include"
RESULT_PARAMETERS = (COUNT, PAGE, FORMAT, INCLUDE)
DEFAULT_COUNT, LARGEST_COUNT = 20, 100
JSON_FORMATS = {"json", "application/json", "application/fhir+json"}


def page_keys(changed_field="updated_at", parts=None):
    # Pages follow the last change, then the row: a client polling _lastUpdated reads in order.
    # A row's parts (pathway.api.kinds.Parts) follow in their order.
    return (Key(changed_field), Key("id")) + ((Key("number"),) if parts else ())


@dataclass(frozen=True)
class SearchParameter:
    name: str
    type: str  # FHIR's search parameter type: token, date, string...
    definition: str  # the canonical SearchParameter it implements
    documentation: str
    # (queryset, one value as sent, the modifier after ":" or "") -> the queryset filtered
    apply: Callable
    modifiers: tuple[str, ...] = ()  # the modifiers it takes, such as "identifier"
    # For rows that stand for several resources (pathway.api.kinds.Parts): (part name, value,
    # modifier) -> whether that part matches. `apply` keeps the rows with a matching part.
    keeps: Callable | None = None


def search(queryset, query, parameters, *, changed_field="updated_at", parts=None):
    """(page, total) of `queryset` searched with the request's `query` (a QueryDict); with
    `parts`, the page holds the matching Parts of the rows and the total counts them."""
    queryset, keep = filtered(queryset, query, parameters)
    keys = page_keys(changed_field, parts)
    cursor = page_cursor(query, keys)
    size = page_size(query)
    if parts is None:
        return page_of(rows_beyond(queryset, keys, cursor, size), keys, cursor, size), (
            queryset.count()
        )
    found = parts_beyond(queryset, keys, cursor, size, lambda row: parts.of(row, keep))
    return page_of(found, keys, cursor, size), count_parts(queryset, parts, keep)


def filtered(queryset, query, parameters):
    """(queryset, keep) of the request's `query` applied to `queryset`: each parameter's filter,
    and keep(part name), whether a row's part matches too (for rows that stand for several
    resources). A parameter that is not one of `parameters` is refused, as is a format other
    than JSON."""
    known = {parameter.name: parameter for parameter in parameters}
    keeps = []
    for name, values in query.lists():
        if any("\x00" in value for value in values):
            raise FhirError(400, "invalid", f"{name} holds a character that is not allowed.")
        if name in RESULT_PARAMETERS:
            continue
        base, _, modifier = name.partition(":")
        parameter = known.get(base)
        if parameter is None:
            raise FhirError(400, "not-supported", f"{name} is not a search parameter here.")
        if modifier and modifier not in parameter.modifiers:
            raise FhirError(400, "not-supported", f"{base} does not take the modifier :{modifier}.")
        for value in values:
            queryset = parameter.apply(queryset, value, modifier)
            if parameter.keeps:
                keeps.append((parameter.keeps, value, modifier))
    if query.get(FORMAT, "json") not in JSON_FORMATS:
        raise FhirError(406, "not-supported", "Only JSON is served (application/fhir+json).")

    def keep(name):
        return all(matches(name, value, modifier) for matches, value, modifier in keeps)

    return queryset, keep


def page_cursor(query, keys):
    """The Cursor of the request's _page (None for the first page); a _page that is not one of
    this search's links is refused."""
    text = query.get(PAGE, "")
    cursor = read_cursor(text, keys)
    if text and cursor is None:
        raise FhirError(400, "invalid", "_page is not a page link of this search.")
    return cursor


def count_parts(queryset, parts, keep):
    """How many parts match: the rows counted by the column that decides their parts."""
    groups = queryset.order_by().values(parts.field).annotate(rows=Count("pk"))
    return sum(
        group["rows"] * sum(1 for name in parts.names(group[parts.field]) if keep(name))
        for group in groups
    )


def page_size(query):
    text = query.get(COUNT, str(DEFAULT_COUNT))
    if not text.isdigit() or not 1 <= int(text) <= LARGEST_COUNT:
        raise FhirError(400, "invalid", f"_count must be a number from 1 to {LARGEST_COUNT}.")
    return int(text)


def searchset(*, request, page, total, entry, included=()):
    """The searchset Bundle of `page`; `entry(row)` gives (fullUrl, resource) for a row, and
    `included` holds (fullUrl, resource) of what _include asked for."""
    links = [{"relation": "self", "url": _link(request)}]
    if page.next_cursor:
        links.append({"relation": "next", "url": _link(request, page.next_cursor)})
    if page.previous_cursor:
        links.append({"relation": "previous", "url": _link(request, page.previous_cursor)})
    entries = []
    for row in page.rows:
        full_url, resource = entry(row)
        entries.append({"fullUrl": full_url, "resource": resource, "search": {"mode": "match"}})
    for full_url, resource in included:
        entries.append({"fullUrl": full_url, "resource": resource, "search": {"mode": "include"}})
    return Bundle.model_validate(
        {"resourceType": "Bundle", "type": "searchset", "total": total, "link": links}
        | ({"entry": entries} if entries else {})
    )


def _link(request, cursor=None):
    query = [(name, value) for name, values in request.GET.lists() for value in values]
    if cursor is not None:
        query = [(name, value) for name, value in query if name != PAGE] + [(PAGE, cursor)]
    return service_url(request.path) + ("?" + urlencode(query) if query else "")


# --- Values of the parameter types -----------------------------------------------------------


def token_values(text):
    """(system, code) for each comma-separated token: system None for "any system", "" for
    "no system" (|code); code "" for "any code" (system|)."""
    values = []
    for part in text.split(","):
        system, bar, code = part.rpartition("|")
        values.append((system if bar else None, code))
    return values


_PREFIX = re.compile(r"^(eq|ne|gt|lt|ge|le|sa|eb)?(\d{4}(-\d{2}(-\d{2}(T.+)?)?)?)$")


def date_filter(field, text):
    """The Q that FHIR date search `text` (with an optional prefix) puts on the instant `field`:
    the value is a range as long as its precision (a day, a second), compared as FHIR says."""
    match = _PREFIX.match(text)
    if match is None:
        raise FhirError(400, "invalid", f"{text!r} is not a FHIR date with an optional prefix.")
    prefix, start, end = match[1] or "eq", *_date_range(match[2])
    within = Q(**{f"{field}__gte": start, f"{field}__lt": end})
    return {
        "eq": within,
        "ne": ~within,
        "gt": Q(**{f"{field}__gte": end}),
        "sa": Q(**{f"{field}__gte": end}),
        "ge": Q(**{f"{field}__gte": start}),
        "lt": Q(**{f"{field}__lt": start}),
        "eb": Q(**{f"{field}__lt": start}),
        "le": Q(**{f"{field}__lt": end}),
    }[prefix]


_UNENCODED_OFFSET = re.compile(r" (\d{2}:\d{2})$")


def _date_range(text):
    """[start, end) of a FHIR date, month, year or date-time; one without a time zone is in
    the service's (Europe/London)."""
    # A "+" of a zone offset that a client did not percent-encode arrives as a space (the query
    # string's encoding of a space): read it as the "+" it was.
    text = _UNENCODED_OFFSET.sub(r"+\1", text)
    try:
        if "T" in text:
            start = datetime.datetime.fromisoformat(text)
            if timezone.is_naive(start):
                start = timezone.make_aware(start)
            time = text.partition("T")[2]
            step = {5: "minutes", 8: "seconds"}.get(len(re.split(r"[Z+-]", time)[0]))
            return start, start + datetime.timedelta(**{step or "microseconds": 1})
        parts = [int(part) for part in text.split("-")]
        year, month, day = parts + [1] * (3 - len(parts))
        first = datetime.date(year, month, day)
        after = _next(first, len(parts))
    except (ValueError, OverflowError) as error:
        raise FhirError(400, "invalid", f"{text!r} is not a date FHIR can read.") from error
    return _midnight(first), _midnight(after)


def _next(date, precision):
    if precision == 3:
        return date + datetime.timedelta(days=1)
    if precision == 2:
        return date.replace(year=date.year + date.month // 12, month=date.month % 12 + 1)
    return date.replace(year=date.year + 1)


def _midnight(date):
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time()))
