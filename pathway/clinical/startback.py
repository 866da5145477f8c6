"""Keele STarT Back Screening Tool scoring (clinical reference section 3).

Items 1-8 are agree (1) / disagree (0). Item 9 asks how bothersome the pain has been: "very
much" and "extremely" score 1, the three milder answers score 0. The psychosocial subscale is
items 5-9. Keele publishes no rule for missing items, so all nine answers are required.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pathway.clinical.answers import describe, require_choice, require_sequence
from pathway.clinical.errors import InvalidAnswers

INSTRUMENT = "STarT Back"
ITEM_COUNT = 9
PSYCHOSOCIAL_ITEMS = (5, 6, 7, 8, 9)

# Item 9 answer codes, mildest first, with the score each contributes.
BOTHERSOME_OPTIONS = (
    ("not_at_all", "Not at all"),
    ("slightly", "Slightly"),
    ("moderately", "Moderately"),
    ("very_much", "Very much"),
    ("extremely", "Extremely"),
)
BOTHERSOME_SCORES = {
    "not_at_all": 0,
    "slightly": 0,
    "moderately": 0,
    "very_much": 1,
    "extremely": 1,
}

RISK_LEVELS = ("low", "medium", "high")


@dataclass(frozen=True)
class StartBackScore:
    total: int
    psychosocial: int
    risk: str


def score(answers: Sequence[Any]) -> StartBackScore:
    """Score nine answers: items 1-8 True (agree) / False (disagree), item 9 an option code."""
    values = require_sequence(answers, ITEM_COUNT, INSTRUMENT)
    item_scores = [_agree_score(number, value) for number, value in enumerate(values[:8], 1)]
    item_scores.append(_bothersome_score(values[8]))
    total = sum(item_scores)
    psychosocial = sum(item_scores[number - 1] for number in PSYCHOSOCIAL_ITEMS)
    return StartBackScore(total=total, psychosocial=psychosocial, risk=risk(total, psychosocial))


def risk(total: int, psychosocial: int) -> str:
    """Keele's allocation rule. Low is tested first: a total of 3 or less is low risk even when
    all three points are psychosocial. The subscale can only reach 4 when the total is 4 or more,
    so the order of the two remaining tests cannot change the result."""
    if total <= 3:
        return "low"
    if psychosocial >= 4:
        return "high"
    return "medium"


def _agree_score(number: int, value: Any) -> int:
    if value is None:
        raise InvalidAnswers(
            f"{INSTRUMENT} item {number} is missing: every question must be answered"
        )
    # Only real booleans: 1, "yes" or "agree" arriving here means a form was wired wrongly.
    if not isinstance(value, bool):
        raise InvalidAnswers(
            f"{INSTRUMENT} item {number} must be answered agree (True) or disagree (False), "
            f"not {describe(value)}"
        )
    return int(value)


def _bothersome_score(value: Any) -> int:
    code = require_choice(value, BOTHERSOME_SCORES, f"{INSTRUMENT} item 9 (bothersomeness)")
    return BOTHERSOME_SCORES[code]
