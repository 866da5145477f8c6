"""Keyset pages from plain rows: the page, its links and its place in the list (no database;
tests/integration/test_keyset_pagination.py and the waiting list's tests walk real lists)."""

import datetime
from collections import namedtuple

from django.core import signing

from pathway.core import keyset

Row = namedtuple("Row", ["day", "pk"])
KEYS = (keyset.Key("day"), keyset.Key("pk"))
LIST = [Row(datetime.date(2026, 3, 1) + datetime.timedelta(days=n // 2), n) for n in range(7)]


def _read(rows, cursor_text, size=3):
    """What the query would give: up to size + 1 rows beyond the cursor, in its direction."""
    cursor = keyset.read_cursor(cursor_text, KEYS)
    if cursor is None:
        return keyset.page_of(rows[: size + 1], KEYS, None, size)
    at = next(i for i, row in enumerate(rows) if [row.day, row.pk] == cursor.values)
    beyond = rows[:at][::-1] if cursor.before else rows[at + 1 :]
    return keyset.page_of(beyond[: size + 1], KEYS, cursor, size)


def test_first_page_starts_at_one_and_links_only_forward():
    page = _read(LIST, None)

    assert page.rows == LIST[:3]
    assert (page.first_number, page.last_number) == (1, 3)
    assert page.next_cursor and page.previous_cursor is None and page.is_first


def test_next_and_previous_walk_the_list_and_count_places():
    second = _read(LIST, _read(LIST, None).next_cursor)
    third = _read(LIST, second.next_cursor)
    back = _read(LIST, third.previous_cursor)
    first = _read(LIST, back.previous_cursor)

    assert second.rows == LIST[3:6] and (second.first_number, second.last_number) == (4, 6)
    assert third.rows == LIST[6:] and (third.first_number, third.last_number) == (7, 7)
    assert third.next_cursor is None
    assert back.rows == second.rows and back.first_number == 4
    assert first.rows == LIST[:3] and first.first_number == 1 and first.previous_cursor is None


def test_an_edited_or_old_cursor_is_no_cursor():
    old = signing.dumps({"v": [{"d": "2026-03-01"}, 0], "d": "after"}, salt=keyset.SALT)

    assert keyset.read_cursor("not-a-signed-cursor", KEYS) is None
    assert keyset.read_cursor(old, KEYS) is None  # no place in the list: from before it had one


def test_sql_beyond_follows_each_keys_direction():
    keys = (keyset.Key("a"), keyset.Key("b", descending=True), keyset.Key("pk"))
    after = keyset.Cursor([1, 2, 3], "after", 5)

    sql, params = keyset.sql_beyond(keys, after, "t.{}".format)

    assert sql == "((t.a > %s) OR (t.a = %s AND t.b < %s) OR (t.a = %s AND t.b = %s AND t.pk > %s))"
    assert params == [1, 1, 2, 1, 2, 3]
    assert keyset.sql_order(keys, after, "t.{}".format) == "t.a ASC, t.b DESC, t.pk ASC"


def test_sql_reads_backwards_before_a_cursor():
    keys = (keyset.Key("a"), keyset.Key("pk"))
    before = keyset.Cursor([1, 3], "before", 5)

    sql, params = keyset.sql_beyond(keys, before, "{}".format)

    assert sql == "((a < %s) OR (a = %s AND pk < %s))"
    assert params == [1, 1, 3]
    assert keyset.sql_order(keys, before, "{}".format) == "a DESC, pk DESC"
    assert keyset.sql_beyond(keys, None, "{}".format) == ("TRUE", [])
