"""Distinct past times for the appointments a test records, so one clinician's never clash.

No Django import at module level: the autouse fixture that resets the slots runs for the pure
clinical tests too, which run without Django.
"""

import datetime
import itertools

_slots = {"end": None, "count": None}


def reset_past_slots():
    """Start afresh (before each test, from tests/conftest.py), so a test's times do not
    depend on how many tests ran before it."""
    _slots["end"] = _slots["count"] = None


def past_slot():
    """A time in the last hours, distinct for each call in a test and exactly half an hour
    apart, so that the past appointments a test records for one clinician never overlap (a
    clash is refused)."""
    from django.utils import timezone

    if _slots["count"] is None:
        now = timezone.now().replace(second=0, microsecond=0)
        _slots["end"] = now - datetime.timedelta(hours=1)
        _slots["count"] = itertools.count(1)
    return _slots["end"] - datetime.timedelta(minutes=30 * next(_slots["count"]))
