"""The entries of a posted Bundle and the references between them.

Read only after every resource has been validated as FHIR R4, but still read defensively
(`dicts`, `text`): a reader never fails on a value of an unexpected type, it finds nothing.
"""

from pathway.api.referrals.problems import entry_path


def dicts(value):
    """The objects in a JSON array (anything else in it, or a value that is not an array,
    gives nothing)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def text(value):
    return value if isinstance(value, str) else ""


def identifier_values(resource, system):
    """The values of `resource`'s identifiers in `system`, in order, each once."""
    values = [
        identifier.get("value")
        for identifier in dicts(resource.get("identifier"))
        if identifier.get("system") == system and text(identifier.get("value"))
    ]
    return list(dict.fromkeys(values))


class PostedBundle:
    """The entries of a posted Bundle, each with its resource (a dict)."""

    def __init__(self, entries):
        self.entries = entries

    def resource(self, index):
        return self.entries[index]["resource"]

    def resolve(self, reference, container_index):
        """(resource, expression) that the Reference `reference`, made in the resource at
        `container_index`, points to: one of that resource's contained resources (`#id`), an
        entry by its fullUrl, or an entry by type and id. (None, None) when it points
        nowhere in the Bundle."""
        target = text(reference.get("reference")) if isinstance(reference, dict) else ""
        if not target:
            return None, None
        container = self.resource(container_index)
        if target.startswith("#"):
            for number, contained in enumerate(dicts(container.get("contained"))):
                if contained.get("id") == target[1:]:
                    return contained, f"{entry_path(container_index)}.contained[{number}]"
            return None, None
        for index, entry in enumerate(self.entries):
            if entry.get("fullUrl") == target:
                return entry["resource"], entry_path(index)
        # "Patient/123", or a server's absolute URL ending in it.
        type_and_id = target.split("/")[-2:]
        for index, entry in enumerate(self.entries):
            resource = entry["resource"]
            if [resource.get("resourceType"), resource.get("id")] == type_and_id:
                return resource, entry_path(index)
        return None, None

    def identifier(self, reference, system, container_index):
        """The value in `system` identifying what `reference` names: the identifier given on
        the reference itself, or else that of the resource it points to in the Bundle."""
        if not isinstance(reference, dict):
            return None
        own = reference.get("identifier")
        if isinstance(own, dict) and own.get("system") == system and text(own.get("value")):
            return own["value"]
        resource, _ = self.resolve(reference, container_index)
        values = identifier_values(resource, system) if resource is not None else []
        return values[0] if values else None

    def points_at(self, reference, container_index, index):
        """Whether `reference` points at the entry `index`."""
        resource, _ = self.resolve(reference, container_index)
        return resource is not None and resource is self.resource(index)
