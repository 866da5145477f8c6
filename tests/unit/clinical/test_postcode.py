"""UK postcode format (clinical reference section 5)."""

import pytest

from pathway.clinical import InvalidAnswers, postcode


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("M1 1AE", "M1 1AE"),  # A9 9AA
        ("B33 8TH", "B33 8TH"),  # A99 9AA
        ("NE1 4LP", "NE1 4LP"),  # AA9 9AA
        ("DN55 1PT", "DN55 1PT"),  # AA99 9AA
        ("W1A 0AX", "W1A 0AX"),  # A9A 9AA
        ("EC1A 1BB", "EC1A 1BB"),  # AA9A 9AA
        ("ne1 4lp", "NE1 4LP"),
        ("NE14LP", "NE1 4LP"),
        ("  ne1   4lp ", "NE1 4LP"),
        ("ec1a1bb", "EC1A 1BB"),
        ("b338th", "B33 8TH"),
    ],
)
def test_postcode_normalises_to_upper_case_with_one_space(text, expected):
    assert postcode.normalise(text) == expected
    assert postcode.is_valid(text) is True


@pytest.mark.parametrize(
    "text",
    [
        "NE1",
        "NE1 4L",
        "NE1 44P",
        "1NE 4LP",
        "NEW1 4LP",
        "NE1 4LPX",
        "NE1-4LP",
        "N 4LP",
        "GIR 0AA",  # Girobank's special code is not one of the reference's formats
        "ＮＥ1 4LP",  # full-width letters
        "ß1 1AA",  # would upper-case to SS1 1AA, a real postcode
    ],
)
def test_postcode_outside_the_uk_formats_is_invalid(text):
    assert postcode.is_valid(text) is False
    with pytest.raises(InvalidAnswers, match="is not a UK postcode"):
        postcode.normalise(text)


@pytest.mark.parametrize(("value", "reason"), [("", "missing"), ("  ", "missing"), (None, "text")])
def test_postcode_missing_or_not_text_is_invalid(value, reason):
    with pytest.raises(InvalidAnswers, match=reason):
        postcode.normalise(value)
