"""Keyset pagination for long lists: "the rows after this one", never OFFSET.

A page is the first `size` rows after the last row of the previous page in the list's own
order, so page 400 costs what page 1 costs (an index range, not a scan of every earlier row),
and a row added meanwhile never shifts a page. The cursor in the address is the sort key of a
boundary row, signed so it is opaque and cannot be edited: it holds dates and ids, never
anything about a person, and the list's own filters still decide what may be seen.
"""

import datetime
from dataclasses import dataclass

from django.core import signing
from django.db.models import Q

SALT = "pathway.keyset"


@dataclass(frozen=True)
class Key:
    """One sort column: a field or annotation name, and whether it sorts descending.
    Every key must be non-null (use Coalesce for a nullable column) and the last must be
    unique (the primary key), so each row has exactly one place."""

    name: str
    descending: bool = False

    def order_by(self, reverse=False):
        return f"-{self.name}" if self.descending != reverse else self.name


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    previous_cursor: str | None
    is_first: bool


def _encode(value):
    if isinstance(value, datetime.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"d": value.isoformat()}
    return value


def _decode(value):
    if isinstance(value, dict):
        if "dt" in value:
            return datetime.datetime.fromisoformat(value["dt"])
        return datetime.date.fromisoformat(value["d"])
    return value


def _cursor(row, keys, direction):
    values = [_encode(getattr(row, key.name)) for key in keys]
    return signing.dumps({"v": values, "d": direction}, salt=SALT, compress=True)


def read_cursor(text, keys):
    """(values, "after" | "before") from a cursor, or None for no cursor or a bad one."""
    if not text:
        return None
    try:
        data = signing.loads(text, salt=SALT)
        values = [_decode(value) for value in data["v"]]
        direction = data["d"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if len(values) != len(keys) or direction not in ("after", "before"):
        return None
    return values, direction


def _beyond(keys, values, *, before):
    """Rows strictly after (or before) `values` in the order `keys` describe."""
    condition = Q()
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        forwards = key.descending == before
        step = Q(**{f"{key.name}__{'gt' if forwards else 'lt'}": value})
        condition |= equal & step
        equal &= Q(**{key.name: value})
    return condition


def paginate(queryset, keys, cursor_text, size):
    """One page of `queryset` (already filtered and annotated with every key) in key order."""
    cursor = read_cursor(cursor_text, keys)
    before = cursor is not None and cursor[1] == "before"
    rows = queryset
    if cursor is not None:
        rows = rows.filter(_beyond(keys, cursor[0], before=before))
    rows = list(rows.order_by(*(key.order_by(reverse=before) for key in keys))[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if before:
        rows.reverse()
    has_next = (more if not before else True) and bool(rows)
    has_previous = (cursor is not None and not before) or (before and more)
    return Page(
        rows=rows,
        next_cursor=_cursor(rows[-1], keys, "after") if has_next else None,
        previous_cursor=_cursor(rows[0], keys, "before") if has_previous and rows else None,
        is_first=not has_previous,
    )
