"""PHQ-9 depression scoring (clinical reference section 4).

Item 9 asks about thoughts of being better off dead or of self-harm. Any answer above "not at
all" sets self_harm_flag whatever the total: the service must raise a same-day safety alert to
a clinician, and that alert must be acknowledged.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pathway.clinical import mood

INSTRUMENT = "PHQ-9"
ITEM_COUNT = 9
SELF_HARM_ITEM = 9

# Inclusive upper bound of each severity band.
SEVERITY_BANDS = (
    (4, "none_minimal"),
    (9, "mild"),
    (14, "moderate"),
    (19, "moderately_severe"),
    (27, "severe"),
)
SEVERITY_LABELS = {
    "none_minimal": "None or minimal",
    "mild": "Mild",
    "moderate": "Moderate",
    "moderately_severe": "Moderately severe",
    "severe": "Severe",
}


@dataclass(frozen=True)
class Phq9Score:
    total: int
    severity: str
    self_harm_flag: bool


def score(items: Sequence[Any]) -> Phq9Score:
    """Score nine answers, each 0 (not at all) to 3 (nearly every day)."""
    values = mood.item_scores(items, ITEM_COUNT, INSTRUMENT)
    total = sum(values)
    return Phq9Score(
        total=total,
        severity=mood.severity(total, SEVERITY_BANDS),
        self_harm_flag=values[SELF_HARM_ITEM - 1] > 0,
    )
