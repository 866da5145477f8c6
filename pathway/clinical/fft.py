"""NHS Friends and Family Test, the question used since April 2020.

"Overall, how was your experience of our service?" with six answers and a free-text follow-up.
(The evaluation used the older "how likely are you to recommend" question; its answers do not
map onto these, so the two are never pooled.)
"""

from typing import Any

from pathway.clinical.answers import describe, require_choice
from pathway.clinical.errors import InvalidAnswers

QUESTION = "Overall, how was your experience of our service?"
FOLLOW_UP_QUESTION = "Please can you tell us why you gave your answer?"
OPTIONS = (
    ("very_good", "Very good"),
    ("good", "Good"),
    ("neither_good_nor_poor", "Neither good nor poor"),
    ("poor", "Poor"),
    ("very_poor", "Very poor"),
    ("dont_know", "Don't know"),
)
LABELS = dict(OPTIONS)
POSITIVE = frozenset({"very_good", "good"})
NEGATIVE = frozenset({"poor", "very_poor"})


def validate(value: Any) -> str:
    """Return the answer code if it is one of the six options."""
    return require_choice(value, LABELS, "Friends and Family Test answer")


def validate_comment(value: Any) -> str:
    """Return the free-text answer with surrounding space removed ("" when left blank)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidAnswers(f"Friends and Family Test comment must be text, not {describe(value)}")
    return value.strip()
