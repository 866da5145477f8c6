"""Global Subjective Outcome Scale, asked at discharge and follow-up: six points, best first."""

from typing import Any

from pathway.clinical.answers import require_choice

OPTIONS = (
    ("completely_better", "Completely better"),
    ("a_lot_better", "A lot better"),
    ("moderately_better", "Moderately better"),
    ("a_little_better", "A little better"),
    ("same", "Same"),
    ("worse", "Worse"),
)
LABELS = dict(OPTIONS)

# The evaluation reports the share who felt "completely" or "a lot" better (53% at discharge).
MUCH_BETTER = frozenset({"completely_better", "a_lot_better"})


def validate(value: Any) -> str:
    """Return the answer code if it is one of the six options."""
    return require_choice(value, LABELS, "Global Subjective Outcome Scale answer")


def is_much_better(value: Any) -> bool:
    """True for "completely better" or "a lot better", the evaluation's headline category."""
    return validate(value) in MUCH_BETTER
