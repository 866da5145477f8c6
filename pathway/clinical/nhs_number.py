"""NHS number checks (clinical reference section 5).

Modulus 11 is implemented here rather than taken from the `nhs-number` PyPI package. The
package computes the checksum correctly and is maintained, but: it only answers True/False,
while forms must say *why* a number is wrong; its is_valid() matches digits with a Unicode
regex, so Arabic-Indic and other non-ASCII digits pass; it adds a Scottish CHI date-of-birth
rule that is not part of the NHS modulus 11 rule; and it is not one of the project's
dependencies. The rule itself is five lines. The tests cross-check this implementation against
the package whenever the package is installed.
"""

from typing import Any

from pathway.clinical.answers import describe
from pathway.clinical.errors import InvalidAnswers

LENGTH = 10
WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
ASCII_DIGITS = frozenset("0123456789")

# NHS England's range for synthetic test patients, never issued to real people.
TEST_RANGE = (9_990_000_000, 9_999_999_999)


def check_digit(first_nine: str) -> int | None:
    """The modulus 11 check digit for nine ASCII digits, or None when it would be 10 (such
    numbers are never issued)."""
    remainder = sum(int(digit) * weight for digit, weight in zip(first_nine, WEIGHTS, strict=True))
    digit = 11 - remainder % 11
    if digit == 11:
        return 0
    if digit == 10:
        return None
    return digit


def normalise(text: Any) -> str:
    """Return the ten digits of a valid NHS number, accepting spaces and dashes between digits.

    Raises InvalidAnswers saying what is wrong: not text, characters other than digits,
    wrong length, a check digit of 10, or a check digit that does not match.
    """
    if not isinstance(text, str):
        raise InvalidAnswers(f"NHS number must be typed as text, not {describe(text)}")
    digits = text.strip().replace(" ", "").replace("-", "")
    if not digits:
        raise InvalidAnswers("NHS number is missing")
    if not set(digits) <= ASCII_DIGITS:
        raise InvalidAnswers(
            "NHS number must contain only the digits 0-9 (spaces and dashes are allowed)"
        )
    if len(digits) != LENGTH:
        raise InvalidAnswers(f"NHS number must be {LENGTH} digits long; this one has {len(digits)}")
    expected = check_digit(digits[:9])
    if expected is None:
        raise InvalidAnswers(
            "This is not a valid NHS number: its first nine digits give a check digit of 10, "
            "which is never issued. Please check it was copied correctly"
        )
    # The expected digit is deliberately not shown: "fixing" the last digit to match would
    # turn a mistyped number into someone else's valid one.
    if int(digits[9]) != expected:
        raise InvalidAnswers(
            "This is not a valid NHS number: the last (check) digit does not match the others. "
            "Please check it was copied correctly"
        )
    return digits


def is_valid(text: Any) -> bool:
    """True for a valid NHS number in any accepted layout; never raises."""
    try:
        normalise(text)
    except InvalidAnswers:
        return False
    return True


def format(text: Any) -> str:
    """Return a valid NHS number in the 3-3-4 layout used on screen and in letters."""
    digits = normalise(text)
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def is_test_number(text: Any) -> bool:
    """True for a valid number in the synthetic test range 999 000 0000 - 999 999 9999.

    Invalid numbers give False rather than an error, so this can guard demo data and logs.
    """
    if not is_valid(text):
        return False
    low, high = TEST_RANGE
    return low <= int(normalise(text)) <= high
