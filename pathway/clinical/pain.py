"""Pain numeric rating scale (NRS): 0 (no pain) to 10 (worst pain imaginable)."""

from typing import Any

from pathway.clinical.answers import require_whole_number

LOWEST = 0
HIGHEST = 10


def score(value: Any) -> int:
    """Check a pain rating and return it; the rating is its own score."""
    return require_whole_number(value, LOWEST, HIGHEST, "Pain score (0-10)")
