"""Oswestry Disability Index v2.1a scoring (clinical reference section 4).

Ten sections each scored 0-5; the score is sum / (5 x sections answered) x 100. At most one
section may be missing. The section wording is licensed (Mapi Research Trust), so this module
holds only the arithmetic; see questionnaires.load_licensed_wording for the text.
"""

from collections.abc import Sequence
from typing import Any

from pathway.clinical.answers import (
    describe,
    require_real_number,
    require_sequence,
    require_whole_number,
)
from pathway.clinical.errors import InvalidAnswers

INSTRUMENT = "ODI"
SECTION_COUNT = 10
MAX_SECTION_SCORE = 5
MAX_MISSING_SECTIONS = 1

# Upper bound of each band, inclusive. The published bands are written for whole numbers
# (0-20, 21-40, ...); a score such as 20.5 (possible with one section missing) belongs to the
# higher band because it is above the lower band's top. Scores are not rounded first, since
# rounding would move people across bands depending on the rounding rule.
BANDS = (
    (20.0, "minimal", "Minimal disability"),
    (40.0, "moderate", "Moderate disability"),
    (60.0, "severe", "Severe disability"),
    (80.0, "crippled", "Crippled"),
    (100.0, "bed_bound", "Bed-bound"),
)


def score(sections: Sequence[Any]) -> float:
    """Return the ODI percentage (0-100), unrounded: rounding is for display only.

    `sections` is ten values, each 0-5 or None for a section left blank.
    """
    values = require_sequence(sections, SECTION_COUNT, INSTRUMENT, noun="sections")
    missing = [number for number, value in enumerate(values, 1) if value is None]
    if len(missing) > MAX_MISSING_SECTIONS:
        listed = ", ".join(str(number) for number in missing)
        raise InvalidAnswers(
            f"{INSTRUMENT} sections {listed} are missing: a score needs at least "
            f"{SECTION_COUNT - MAX_MISSING_SECTIONS} of the {SECTION_COUNT} sections answered"
        )
    answered = [
        require_whole_number(value, 0, MAX_SECTION_SCORE, f"{INSTRUMENT} section {number}")
        for number, value in enumerate(values, 1)
        if value is not None
    ]
    return sum(answered) / (MAX_SECTION_SCORE * len(answered)) * 100


def band(percent: Any) -> str:
    """Return the disability band code for an ODI percentage (see BANDS for boundaries)."""
    value = require_real_number(percent, f"{INSTRUMENT} score")
    if not 0 <= value <= 100:
        raise InvalidAnswers(
            f"{INSTRUMENT} score must be from 0 to 100; {describe(percent)} is out of range"
        )
    for upper, code, _label in BANDS:
        if value <= upper:
            return code
    raise AssertionError("unreachable: the last band ends at 100")  # pragma: no cover


BAND_LABELS = {code: label for _upper, code, label in BANDS}
