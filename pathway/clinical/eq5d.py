"""EQ-5D-5L index values and EQ VAS (clinical reference section 4).

The numbers come from the CSV files in data/ (see data/SOURCES.md), read at first use and never
retyped here. Two kinds of value set:
- additive sets (England 2018, UK 2026): index = 1 - the five dimension decrements;
- the UK crosswalk (van Hout 2012): one published index per state.
Sums are done in Decimal because the decrements are published to three places: exact
arithmetic gives exactly the published index, where float sums can land on x.xxx5 and round
the wrong way.
"""

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from pathway.clinical.answers import describe, require_whole_number
from pathway.clinical.errors import InvalidAnswers

DATA_DIR = Path(__file__).resolve().parent / "data"
VALUE_SETS_CSV = DATA_DIR / "eq5d5l_value_sets.csv"
CROSSWALK_CSV = DATA_DIR / "eq5d5l_crosswalk_uk.csv"

DIMENSIONS = (
    ("mobility", "MO", "Mobility"),
    ("self_care", "SC", "Self-care"),
    ("usual_activities", "UA", "Usual activities"),
    ("pain_discomfort", "PD", "Pain / discomfort"),
    ("anxiety_depression", "AD", "Anxiety / depression"),
)
LEVELS = range(1, 6)


@dataclass(frozen=True)
class ValueSet:
    code: str
    label: str
    published_min: float
    published_max: float
    additive: bool


# Published ranges as stated by the sources (clinical reference section 4). minimum_index()
# computes the same figure from the data; a test checks the two agree.
VALUE_SETS = {
    "england_2018": ValueSet("england_2018", "England 2018 (Devlin et al.)", -0.285, 1.0, True),
    "uk_2026": ValueSet("uk_2026", "UK 2026 (Rowen et al.)", -0.567, 1.0, True),
    "uk_crosswalk": ValueSet(
        "uk_crosswalk", "UK crosswalk to EQ-5D-3L (van Hout et al. 2012)", -0.594, 1.0, False
    ),
}


def normalise_state(state: Any) -> str:
    """Return the five-digit state code ("21341") for a string or a sequence of five levels."""
    if isinstance(state, str):
        text = state.strip()
        if len(text) != len(DIMENSIONS) or not all(char in "12345" for char in text):
            raise InvalidAnswers(
                "An EQ-5D-5L state must be five digits, each from 1 to 5 (for example 21341), "
                f"not {describe(state)}"
            )
        return text
    if not isinstance(state, Sequence) or len(state) != len(DIMENSIONS):
        raise InvalidAnswers(
            "An EQ-5D-5L state must be five levels, one per dimension, "
            f"not {describe(state)}: no index can be calculated"
        )
    levels = []
    for (_code, _term, label), level in zip(DIMENSIONS, state, strict=True):
        if level is None:
            raise InvalidAnswers(
                f"EQ-5D-5L {label} is missing: no index can be calculated "
                "when any dimension is unanswered"
            )
        levels.append(str(require_whole_number(level, 1, 5, f"EQ-5D-5L {label} level")))
    return "".join(levels)


def index(state: Any, value_set: str) -> float:
    """Return the EQ-5D-5L index for `state` under `value_set`, rounded to 3 decimals."""
    code = normalise_state(state)
    chosen = _value_set(value_set)
    if chosen.additive:
        decrements = _decrements()[chosen.code]
        terms = [f"{term}{level}" for (_c, term, _l), level in zip(DIMENSIONS, code, strict=True)]
        total = sum((decrements[term] for term in terms), Decimal(0))
        value = Decimal(1) + total  # decrements are stored as negative numbers
    else:
        value = _crosswalk()[code]
    return float(round(value, 3))


def minimum_index(value_set: str) -> float:
    """The lowest index any state can have in `value_set`, computed from the data."""
    chosen = _value_set(value_set)
    return min(index(state, chosen.code) for state in all_states())


def all_states() -> tuple[str, ...]:
    """All 3,125 five-digit states, 11111 first and 55555 last."""
    return _all_states()


def vas(value: Any) -> int:
    """Check an EQ VAS answer: a whole number from 0 (worst) to 100 (best imaginable health)."""
    return require_whole_number(value, 0, 100, "EQ VAS")


def _value_set(value_set: Any) -> ValueSet:
    if not isinstance(value_set, str) or value_set not in VALUE_SETS:
        raise InvalidAnswers(
            f"Unknown EQ-5D-5L value set {describe(value_set)}; "
            f"choose one of {', '.join(VALUE_SETS)}"
        )
    return VALUE_SETS[value_set]


@cache
def _all_states() -> tuple[str, ...]:
    states = [""]
    for _dimension in DIMENSIONS:
        states = [state + str(level) for state in states for level in LEVELS]
    return tuple(states)


@cache
def _decrements() -> dict[str, dict[str, Decimal]]:
    """Decrements per additive value set, keyed by term such as "MO2"."""
    additive = [code for code, value_set in VALUE_SETS.items() if value_set.additive]
    table: dict[str, dict[str, Decimal]] = {code: {} for code in additive}
    with VALUE_SETS_CSV.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for code in additive:
                table[code][row["term"]] = Decimal(row[code])
    expected = {f"{term}{level}" for _c, term, _l in DIMENSIONS for level in LEVELS}
    for code, terms in table.items():
        if set(terms) != expected:
            raise RuntimeError(f"{VALUE_SETS_CSV.name} does not have all 25 terms for {code}")
    return table


@cache
def _crosswalk() -> dict[str, Decimal]:
    with CROSSWALK_CSV.open(newline="", encoding="utf-8") as handle:
        table = {row["state"]: Decimal(row["index"]) for row in csv.DictReader(handle)}
    if set(table) != set(_all_states()):
        raise RuntimeError(f"{CROSSWALK_CSV.name} does not have exactly the 3,125 states")
    return table
