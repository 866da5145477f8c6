"""NHS number checks (clinical reference section 5). Check digits below were worked by hand."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pathway.clinical import InvalidAnswers, nhs_number


@pytest.mark.parametrize(
    "text",
    [
        "9434765919",  # 299 mod 11 = 2, check 11 - 2 = 9
        "943 476 5919",
        "943-476-5919",
        "  9434765919 ",
        "9990000018",  # 245 mod 11 = 3, check 8
        "9999999999",  # 9 x 54 = 486, 486 mod 11 = 2, check 9
        "9990000220",  # 253 mod 11 = 0, check 11 means 0
    ],
)
def test_nhs_number_valid_numbers_are_accepted(text):
    assert nhs_number.is_valid(text) is True


def test_nhs_number_normalise_returns_ten_digits():
    assert nhs_number.normalise("943 476 5919") == "9434765919"
    assert nhs_number.normalise("943-476-5919") == "9434765919"


def test_nhs_number_format_is_three_three_four():
    assert nhs_number.format("9434765919") == "943 476 5919"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("9434765918", "check\\) digit does not match"),
        ("9990000019", "check\\) digit does not match"),
        # 999 123 456: 320 mod 11 = 1, check would be 10, so no last digit can make it valid
        ("9991234560", "check digit of 10"),
        ("9991234567", "check digit of 10"),
        # 999 000 000: 243 mod 11 = 1, check would be 10
        ("9990000000", "check digit of 10"),
        ("943476591", "must be 10 digits long; this one has 9"),
        ("94347659190", "must be 10 digits long; this one has 11"),
        ("943476591X", "only the digits 0-9"),
        ("943.476.5919", "only the digits 0-9"),
        ("٩٤٣٤٧٦٥٩١٩", "only the digits 0-9"),  # Arabic-Indic digits of a valid number
        ("", "NHS number is missing"),
        ("   ", "NHS number is missing"),
        (9434765919, "must be typed as text"),
        (None, "must be typed as text"),
    ],
)
def test_nhs_number_invalid_numbers_are_refused_with_the_reason(text, reason):
    assert nhs_number.is_valid(text) is False
    with pytest.raises(InvalidAnswers, match=reason):
        nhs_number.normalise(text)


def test_nhs_number_wrong_check_digit_message_does_not_reveal_the_expected_digit():
    with pytest.raises(InvalidAnswers) as error:
        nhs_number.normalise("9434765918")

    assert "9" not in str(error.value)


def test_nhs_number_format_refuses_an_invalid_number():
    with pytest.raises(InvalidAnswers):
        nhs_number.format("9434765918")


@pytest.mark.parametrize(
    ("text", "is_test"),
    [
        ("9990000018", True),
        ("999 999 9999", True),
        ("9434765919", False),  # valid but a real-range number
        ("9990000019", False),  # in range but invalid
        ("not a number", False),
    ],
)
def test_nhs_number_test_range_is_999_000_0000_to_999_999_9999(text, is_test):
    assert nhs_number.is_test_number(text) is is_test


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_nhs_number_exactly_one_last_digit_completes_a_prefix_unless_the_check_is_10(prefix):
    valid = [digit for digit in "0123456789" if nhs_number.is_valid(prefix + digit)]
    expected = nhs_number.check_digit(prefix)

    assert valid == ([] if expected is None else [str(expected)])


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_nhs_number_check_digit_agrees_with_the_nhs_number_package(prefix):
    package = pytest.importorskip("nhs_number")
    theirs = package.calculate_checksum(prefix)  # returns 10 where ours returns None

    assert nhs_number.check_digit(prefix) == (None if theirs == 10 else theirs)
