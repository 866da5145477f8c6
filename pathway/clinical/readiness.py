"""Readiness to self-manage, asked at discharge: 0 (not at all ready) to 10 (completely ready)."""

from typing import Any

from pathway.clinical.answers import require_whole_number

LOWEST = 0
HIGHEST = 10


def score(value: Any) -> int:
    """Check a readiness rating and return it; the rating is its own score."""
    return require_whole_number(value, LOWEST, HIGHEST, "Readiness to self-manage (0-10)")
