"""Shared scoring for PHQ-9 and GAD-7, which use the same 0-3 frequency scale."""

from collections.abc import Sequence
from typing import Any

from pathway.clinical.answers import require_sequence, require_whole_number

# "Over the last 2 weeks, how often have you been bothered by...": the published answer scale.
FREQUENCY_OPTIONS = (
    (0, "Not at all"),
    (1, "Several days"),
    (2, "More than half the days"),
    (3, "Nearly every day"),
)


def item_scores(items: Sequence[Any], count: int, instrument: str) -> tuple[int, ...]:
    values = require_sequence(items, count, instrument)
    return tuple(
        require_whole_number(value, 0, 3, f"{instrument} item {number}")
        for number, value in enumerate(values, 1)
    )


def severity(total: int, bands: Sequence[tuple[int, str]]) -> str:
    """Return the code of the first band whose inclusive upper bound is at least `total`."""
    for upper, code in bands:
        if total <= upper:
            return code
    raise AssertionError(f"total {total} is above the last band")  # pragma: no cover
