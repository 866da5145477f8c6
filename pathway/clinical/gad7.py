"""GAD-7 anxiety scoring (clinical reference section 4)."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pathway.clinical import mood

INSTRUMENT = "GAD-7"
ITEM_COUNT = 7

# Inclusive upper bound of each severity band.
SEVERITY_BANDS = (
    (4, "minimal"),
    (9, "mild"),
    (14, "moderate"),
    (21, "severe"),
)
SEVERITY_LABELS = {
    "minimal": "Minimal",
    "mild": "Mild",
    "moderate": "Moderate",
    "severe": "Severe",
}


@dataclass(frozen=True)
class Gad7Score:
    total: int
    severity: str


def score(items: Sequence[Any]) -> Gad7Score:
    """Score seven answers, each 0 (not at all) to 3 (nearly every day)."""
    values = mood.item_scores(items, ITEM_COUNT, INSTRUMENT)
    total = sum(values)
    return Gad7Score(total=total, severity=mood.severity(total, SEVERITY_BANDS))
