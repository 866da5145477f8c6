"""Keyset pagination for long lists: "the rows after this one", never OFFSET.

A page is the first `size` rows after the last row of the previous page in the list's own
order, so page 400 costs what page 1 costs (an index range, not a scan of every earlier row),
and a row added meanwhile never shifts a page. The cursor in the address is the sort key of a
boundary row, signed so it is opaque and cannot be edited: it holds dates and ids (and the
row's place in the list, for "51 to 100"), never anything about a person, and the list's own
filters still decide what may be seen.

`paginate` pages a queryset. A list built in hand-written SQL (the waiting list) uses the same
cursor and page through `read_cursor`, `sql_beyond`, `sql_order` and `page_of`.
"""

import datetime
from dataclasses import dataclass

from django.core import signing
from django.db import connection
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


@dataclass(frozen=True)
class Cursor:
    values: list  # the boundary row's keys
    direction: str  # "after" (the next page) or "before" (the previous one)
    position: int  # the boundary row's place in the list, from 1

    @property
    def before(self):
        return self.direction == "before"


@dataclass(frozen=True)
class Page:
    rows: list
    next_cursor: str | None
    previous_cursor: str | None
    is_first: bool
    first_number: int = 1  # the first row's place in the list, from 1

    @property
    def last_number(self):
        return self.first_number + len(self.rows) - 1


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


def _cursor(row, keys, direction, position):
    values = [_encode(getattr(row, key.name)) for key in keys]
    return signing.dumps({"v": values, "d": direction, "n": position}, salt=SALT, compress=True)


def read_cursor(text, keys):
    """The Cursor in `text`, or None for no cursor or a bad one (the first page is shown)."""
    if not text:
        return None
    try:
        data = signing.loads(text, salt=SALT)
        values = [_decode(value) for value in data["v"]]
        direction, position = data["d"], data["n"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    valid = direction in ("after", "before") and isinstance(position, int) and position > 0
    if len(values) != len(keys) or not valid:
        return None
    return Cursor(values, direction, position)


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


def page_of(rows, keys, cursor, size):
    """The Page from up to `size + 1` rows read beyond `cursor` (None: from the start) in the
    order it reads: the extra row only says there is more."""
    before = cursor is not None and cursor.before
    more = len(rows) > size
    rows = list(rows[:size])
    if before:
        rows.reverse()
    has_next = (more if not before else True) and bool(rows)
    has_previous = (cursor is not None and not before) or (before and more)
    if cursor is None or (before and not has_previous):
        first_number = 1
    elif before:
        # Rows added meanwhile can make the count run out early; never show a place below 1.
        first_number = max(cursor.position - len(rows), 1)
    else:
        first_number = cursor.position + 1
    last_number = first_number + len(rows) - 1
    return Page(
        rows=rows,
        next_cursor=_cursor(rows[-1], keys, "after", last_number) if has_next else None,
        previous_cursor=(
            _cursor(rows[0], keys, "before", first_number) if has_previous and rows else None
        ),
        is_first=not has_previous,
        first_number=first_number,
    )


def paginate(queryset, keys, cursor_text, size):
    """One page of `queryset` (already filtered and annotated with every key) in key order."""
    cursor = read_cursor(cursor_text, keys)
    return page_of(rows_beyond(queryset, keys, cursor, size), keys, cursor, size)


def rows_beyond(queryset, keys, cursor, size):
    """Up to `size + 1` rows beyond `cursor` (a Cursor, or None: from the start), in the order
    read: backwards for a cursor "before"."""
    before = cursor is not None and cursor.before
    rows = queryset
    if cursor is not None:
        rows = rows.filter(_beyond(keys, cursor.values, before=before))
    return list(rows.order_by(*(key.order_by(reverse=before) for key in keys))[: size + 1])


# --- Rows that each stand for several entries -------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One of the entries a row stands for (a questionnaire response's scores, each its own
    resource): the row, the part's name, and its place among the row's parts, which is the
    last key of the list's order. The row's own keys are read through the part."""

    row: object
    name: str
    number: int

    def __getattr__(self, name):
        if name == "row":  # not set yet (a copy being made): not the row's to answer
            raise AttributeError(name)
        return getattr(self.row, name)


def parts_beyond(queryset, keys, cursor, size, parts_of):
    """Up to `size + 1` of the parts of `queryset`'s rows beyond `cursor` (a Cursor, or None:
    from the start), in the order read (backwards for a cursor "before"): parts, not rows.

    `keys` order the rows and end with Key("number"), the part's place in its row;
    `parts_of(row)` gives the row's parts that belong in the list, in order (perhaps none).
    The cursor's row is read again, for its parts beyond the cursor's part."""
    before = cursor is not None and cursor.before
    row_keys = keys[:-1]
    rows = queryset
    if cursor is not None:
        *row_values, number = cursor.values
        rows = rows.filter(
            _beyond(row_keys, row_values, before=before)
            | Q(**{key.name: value for key, value in zip(row_keys, row_values, strict=True)})
        )
    rows = rows.order_by(*(key.order_by(reverse=before) for key in row_keys))
    found = []
    while len(found) <= size:
        batch = list(rows[: size + 2])
        for row in batch:
            parts = parts_of(row)
            if cursor is not None and _same_row(row, row_keys, cursor):
                parts = [p for p in parts if (p.number < number if before else p.number > number)]
            found += reversed(parts) if before else parts
        if len(batch) < size + 2:
            break
        last = [getattr(batch[-1], key.name) for key in row_keys]
        rows = rows.filter(_beyond(row_keys, last, before=before))
    return found[: size + 1]


def _same_row(row, row_keys, cursor):
    return all(
        getattr(row, key.name) == value for key, value in zip(row_keys, cursor.values, strict=False)
    )


# --- Lists in hand-written SQL ----------------------------------------------------------------


def _adapt(value):
    # As Django adapts a field's value for a lookup (on SQLite dates and datetimes are text
    # in the stored format); on PostgreSQL they pass through unchanged.
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def sql_beyond(keys, cursor, column):
    """(SQL condition, params) for the rows beyond `cursor`, as `_beyond` for a queryset;
    `column(name)` is a key's column in the SQL. Always true without a cursor."""
    if cursor is None:
        return "TRUE", []
    steps, params, equal, equal_params = [], [], [], []
    for key, value in zip(keys, cursor.values, strict=True):
        forwards = key.descending == cursor.before
        step = f"{column(key.name)} {'>' if forwards else '<'} %s"
        steps.append("(" + " AND ".join([*equal, step]) + ")")
        params += [*equal_params, _adapt(value)]
        equal.append(f"{column(key.name)} = %s")
        equal_params.append(_adapt(value))
    return "(" + " OR ".join(steps) + ")", params


def sql_order(keys, cursor, column):
    """The ORDER BY list (without the words) that reads beyond `cursor` in its direction."""
    before = cursor is not None and cursor.before
    return ", ".join(
        f"{column(key.name)} {'DESC' if key.descending != before else 'ASC'}" for key in keys
    )
