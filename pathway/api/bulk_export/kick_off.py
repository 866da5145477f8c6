"""Reading a kick-off request: the Prefer header and the parameters, each refused with an
OperationOutcome (400) before anything is queued, as the Bulk Data IG asks of a server that
does not support what a client asked for."""

import datetime
import re
from dataclasses import dataclass

from pathway.api.responses import FhirError

TYPE, SINCE, OUTPUT_FORMAT = "_type", "_since", "_outputFormat"
# The IG asks a server to take the full content type and both of its short forms.
NDJSON_FORMATS = ("application/fhir+ndjson", "application/ndjson", "ndjson")
# A FHIR instant: to the second at least, with a time zone.
_INSTANT = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?P<fraction>\.\d+)?(?P<zone>Z|[+-]\d{2}:\d{2})$"
)


@dataclass(frozen=True)
class ExportRequest:
    types: tuple[str, ...]  # resource types, in the order the server lists them
    since: datetime.datetime | None
    ignored: tuple[str, ...] = ()  # parameters not supported, passed over as handling=lenient


def read_kick_off(request, served_types):
    """The ExportRequest `request` makes, of the `served_types` (names, in order); FhirError
    (400) for anything this server does not do."""
    preferences = _preferences(request.headers.get("Prefer", ""))
    if "respond-async" not in preferences:
        raise FhirError(
            400,
            "invalid",
            "An export is asynchronous: send the header Prefer: respond-async, then poll the "
            "Content-Location of the answer.",
        )
    lenient = "handling=lenient" in preferences
    query = request.GET
    unsupported = [name for name in query if name not in (TYPE, SINCE, OUTPUT_FORMAT)]
    if unsupported and not lenient:
        raise FhirError(
            400,
            "not-supported",
            f"{', '.join(unsupported)}: not supported by this server's $export, which takes "
            f"{TYPE}, {SINCE} and {OUTPUT_FORMAT} (or send Prefer: handling=lenient to have "
            "the others ignored).",
        )
    for output_format in query.getlist(OUTPUT_FORMAT):
        if output_format not in NDJSON_FORMATS:
            raise FhirError(
                400,
                "not-supported",
                f"{OUTPUT_FORMAT} {output_format!r} is not served: only application/fhir+ndjson.",
            )
    return ExportRequest(
        types=_types(query.getlist(TYPE), served_types),
        since=_since(query.getlist(SINCE)),
        ignored=tuple(unsupported),
    )


def _preferences(header):
    # Prefer: respond-async, handling=lenient (RFC 7240); several headers arrive comma-joined.
    return {part.strip().lower().replace(" ", "") for part in re.split(r"[,;]", header)}


def _types(values, served_types):
    if not values:
        return tuple(served_types)
    asked = {name.strip() for value in values for name in value.split(",")} - {""}
    unknown = sorted(asked - set(served_types))
    if unknown or not asked:
        raise FhirError(
            400,
            "not-supported",
            f"{TYPE} must name resource types this server exports ({', '.join(served_types)}); "
            f"not {', '.join(map(repr, unknown)) or 'nothing'}.",
        )
    return tuple(name for name in served_types if name in asked)


def _since(values):
    if not values:
        return None
    if len(values) > 1:
        raise FhirError(400, "invalid", f"Give {SINCE} once.")
    text = values[0]
    match = _INSTANT.match(text)
    try:
        if match is None:
            raise ValueError(text)
        # Python reads at most microseconds; FHIR allows more digits, which change nothing here.
        fraction = (match["fraction"] or "")[:7]
        zone = "+00:00" if match["zone"] == "Z" else match["zone"]
        return datetime.datetime.fromisoformat(text[:19] + fraction + zone)
    except ValueError as error:
        raise FhirError(
            400,
            "invalid",
            f"{SINCE} must be a FHIR instant such as 2026-12-01T09:00:00Z (a time zone and "
            f"seconds; write + as %2B); not {text!r}.",
        ) from error
