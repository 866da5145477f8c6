"""A resource type served from more than one table: the referral's answers are a
QuestionnaireResponse as much as a PHQ-9 is, and its STarT Back scores are Observations as
much as a PHQ-9 total is, but they are stored with the referral, not with the outcome
questionnaires. Each table is a ResourceKind (a "source"); a CombinedKind serves them as one
type, so a client reads and searches one list.

A search reads each source as it reads one (its own search parameters, its own keyset page)
and merges them into one list in the order (last change, source, row, part); the page link's
cursor holds that order's keys. Each source reads only what lies beyond the cursor in that
order, so each page costs a page of each source, whichever page it is.
"""

import dataclasses
from dataclasses import dataclass

from pathway.api.kinds import Found, ResourceKind
from pathway.api.search import count_parts, filtered, page_cursor, page_keys, page_size
from pathway.core.keyset import Key, page_of, parts_beyond, rows_beyond

KEYS = (Key("changed"), Key("source"), Key("id"), Key("number"))
# Row ids and part numbers below and above any real one: a source's cursor at the same last
# change as the merged cursor, when every row at that change comes after it (a later source)
# or before it (an earlier one).
LOWEST, HIGHEST = (0, -1), (2**63 - 1, 2**31)


@dataclass(frozen=True)
class CombinedKind:
    type: str
    sources: tuple[ResourceKind, ...]

    def __post_init__(self):
        # One type's sources answer to the same parameters and includes (the statement lists
        # the first source's): each applies them to its own table.
        for source in self.sources[1:]:
            assert _names(source.search_parameters) == _names(self.search_parameters)
            assert _names(source.includes) == _names(self.includes)

    @property
    def search_parameters(self):
        return self.sources[0].search_parameters

    @property
    def includes(self):
        return self.sources[0].includes

    def find(self, scope, fhir_id):
        for source in self.sources:
            found = source.find(scope, fhir_id)
            if found is not None:
                return found
        return None

    def search(self, scope, query):
        cursor = page_cursor(query, KEYS)
        size = page_size(query)
        found, total = [], 0
        for number, source in enumerate(self.sources):
            rows, keep = filtered(source.rows(scope), query, source.search_parameters)
            keys = page_keys(source.changed_field, source.parts)
            beyond = _source_cursor(cursor, number, source)
            if source.parts is None:
                matches = rows_beyond(rows, keys, beyond, size)
                total += rows.count()
            else:
                matches = parts_beyond(rows, keys, beyond, size, _parts_of(source, keep))
                total += count_parts(rows, source.parts, keep)
            found += [Found(number, source, match) for match in matches]
        before = cursor is not None and cursor.before
        found.sort(key=lambda f: tuple(getattr(f, key.name) for key in KEYS), reverse=before)
        return page_of(found[: size + 1], KEYS, cursor, size), total


def _source_cursor(cursor, number, source):
    """The cursor in source `number`'s own keys (last change, row, [part]) that leaves the same
    rows of it beyond as the merged cursor leaves."""
    if cursor is None:
        return None
    changed, cursor_source, row_id, part = cursor.values
    if number != cursor_source:
        row_id, part = LOWEST if number > cursor_source else HIGHEST
    values = [changed, row_id] + ([part] if source.parts else [])
    return dataclasses.replace(cursor, values=values)


def _parts_of(source, keep):
    return lambda row: source.parts.of(row, keep)


def _names(items):
    return [item.name for item in items]
