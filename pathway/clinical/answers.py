"""Shared checks for questionnaire answers, so every instrument words its errors the same way."""

from collections.abc import Iterable, Mapping, Set
from datetime import date, datetime
from numbers import Integral, Real
from typing import Any

from pathway.clinical.errors import InvalidAnswers


def describe(value: Any) -> str:
    """How a rejected value is shown in an error message."""
    if isinstance(value, bool):
        return f"the yes/no value {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    return repr(value)


def require_sequence(values: Any, length: int, instrument: str, noun: str = "answers") -> tuple:
    """Return the answers as a tuple after checking there are exactly `length` of them.

    Text, mappings and sets are refused even though they are iterable: a string would be read
    character by character and a set has no order, so either would give a wrong score.
    """
    if isinstance(values, str | bytes | Mapping | Set) or not isinstance(values, Iterable):
        raise InvalidAnswers(
            f"{instrument} {noun} must be given as a list of {length} in question order, "
            f"not {describe(values)}"
        )
    answers = tuple(values)
    if len(answers) != length:
        raise InvalidAnswers(
            f"{instrument} needs exactly {length} {noun}, one for each question; "
            f"{len(answers)} were given"
        )
    return answers


def require_whole_number(value: Any, low: int, high: int, name: str) -> int:
    """Return `value` as an int if it is a whole number from `low` to `high` inclusive.

    Booleans are refused although Python treats them as 0 and 1: a yes/no arriving where a
    rating was expected means the wrong field was wired up, and scoring it would hide that.
    """
    if value is None:
        raise InvalidAnswers(f"{name} is missing: every question must be answered")
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise InvalidAnswers(
            f"{name} must be a whole number from {low} to {high}, not {describe(value)}"
        )
    if not low <= value <= high:
        raise InvalidAnswers(f"{name} must be from {low} to {high}; {value} is out of range")
    return int(value)


def require_real_number(value: Any, name: str) -> float:
    """Return `value` as a float if it is a finite number (not a bool, text or None)."""
    if value is None:
        raise InvalidAnswers(f"{name} is missing")
    if isinstance(value, bool) or not isinstance(value, Real):
        raise InvalidAnswers(f"{name} must be a number, not {describe(value)}")
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise InvalidAnswers(f"{name} must be a finite number, not {value!r}")
    return number


def require_choice(value: Any, choices: Iterable[str], name: str) -> str:
    """Return `value` if it is one of the option codes in `choices`."""
    allowed = tuple(choices)
    if value is None:
        raise InvalidAnswers(f"{name} is missing: every question must be answered")
    if not isinstance(value, str) or value not in allowed:
        raise InvalidAnswers(
            f"{name} must be one of {', '.join(allowed)}; {describe(value)} is not an option"
        )
    return value


def require_yes_no_answers(
    answers: Any, questions: Mapping[str, str], checklist: str
) -> dict[str, bool]:
    """Return {code: answer} after checking every question in `questions` has True or False.

    Unknown codes are refused too: a misspelt form field would otherwise be silently ignored
    while the real question went unanswered.
    """
    if not isinstance(answers, Mapping):
        raise InvalidAnswers(
            f"{checklist} answers must be given as question code -> yes/no, not {describe(answers)}"
        )
    unknown = sorted(str(code) for code in answers if code not in questions)
    if unknown:
        raise InvalidAnswers(f"{checklist} has no question called {', '.join(unknown)}")
    result = {}
    for code, question in questions.items():
        value = answers.get(code)
        if value is None:
            raise InvalidAnswers(
                f"{checklist} question not answered: {question!r}. Every question must be "
                "answered yes or no"
            )
        if not isinstance(value, bool):
            raise InvalidAnswers(
                f"{checklist} question {question!r} must be answered yes (True) or no (False), "
                f"not {describe(value)}"
            )
        result[code] = value
    return result


def require_date(value: Any, name: str) -> date:
    """Return `value` if it is a calendar date. A datetime is refused: mixing the two in date
    arithmetic raises TypeError deep inside a rule, and a time of day means a field was mixed up.
    """
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidAnswers(f"{name} must be a date, not {describe(value)}")
    return value


def checklist_answers(
    codes: Iterable[str], given: Mapping[str, bool], none_of_these: bool
) -> dict[str, bool]:
    """A yes/no checklist asked as one question: tick each that applies, or "None of these".

    `given` holds the answers given one by one (a tick is True; a caller may also say False).
    Once anything is ticked, or "None of these" is, every question has its answer: ticked
    True, the rest False, so each is still recorded yes or no. Neither: only what was given,
    so a checklist left alone stays unanswered and can never be read as all "no". A tick
    beside "None of these" keeps the tick (the yes is the safe reading);
    `checklist_contradicts` says so, for the form to ask again.
    """
    codes = tuple(codes)
    unknown = sorted(set(given) - set(codes))
    if unknown:
        raise InvalidAnswers(f"The checklist has no question called {', '.join(unknown)}")
    if none_of_these or any(given.values()):
        return {code: bool(given.get(code, False)) for code in codes}
    return dict(given)


def checklist_contradicts(given: Mapping[str, bool], none_of_these: bool) -> bool:
    """Whether "None of these" was ticked together with a question of its checklist."""
    return none_of_these and any(given.values())
