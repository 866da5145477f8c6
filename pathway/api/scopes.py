"""What a client may do, in the SMART "system" scopes NHS APIs use: system/Patient.read,
system/ServiceRequest.write, system/*.read. A wildcard stands for any resource or access."""

import re

from fhir.resources.R4B import get_fhir_model_class

_SCOPE = re.compile(r"^system/(?P<resource>\*|[A-Z][A-Za-z]+)\.(?P<access>read|write|\*)$")


class InvalidScope(ValueError):
    pass


def parse_scopes(text):
    """The scopes in `text` (space- or comma-separated), checked; InvalidScope names the first
    that is not a system scope of a FHIR R4 resource type."""
    scopes = [scope for scope in re.split(r"[\s,]+", text.strip()) if scope]
    if not scopes:
        raise InvalidScope("Give at least one scope, for example system/Patient.read.")
    for scope in scopes:
        match = _SCOPE.match(scope)
        if match is None:
            raise InvalidScope(f"{scope!r} is not a scope like system/Patient.read.")
        if match["resource"] != "*" and not _is_resource_type(match["resource"]):
            raise InvalidScope(f"{match['resource']!r} is not a FHIR R4 resource type.")
    return list(dict.fromkeys(scopes))


def _is_resource_type(name):
    try:
        get_fhir_model_class(name)
    except ValueError:
        return False
    return True


def covers(granted, wanted):
    """Whether the granted scope `granted` allows the exact scope `wanted`."""
    have, need = _SCOPE.match(granted), _SCOPE.match(wanted)
    if have is None or need is None:
        return False
    return all(have[part] in ("*", need[part]) for part in ("resource", "access"))


def allows(scopes, wanted):
    return any(covers(granted, wanted) for granted in scopes)


def needed_scope(resource_type, access):
    return f"system/{resource_type}.{access}"
