"""Pain NRS, readiness to self-manage, GSOS and the 2020 Friends and Family Test."""

import pytest

from pathway.clinical import InvalidAnswers, fft, gsos, pain, readiness


@pytest.mark.parametrize("value", [0, 5, 10])
def test_pain_score_accepts_0_to_10(value):
    assert pain.score(value) == value


@pytest.mark.parametrize("value", [-1, 11, None, "5", 5.5, True])
def test_pain_score_outside_0_to_10_or_not_whole_is_invalid(value):
    with pytest.raises(InvalidAnswers, match="Pain score"):
        pain.score(value)


@pytest.mark.parametrize("value", [0, 7, 10])
def test_readiness_accepts_0_to_10(value):
    assert readiness.score(value) == value


@pytest.mark.parametrize("value", [-1, 11, None, "7", False])
def test_readiness_outside_0_to_10_is_invalid(value):
    with pytest.raises(InvalidAnswers, match="Readiness to self-manage"):
        readiness.score(value)


def test_gsos_has_the_six_published_points_best_first():
    assert [label for _code, label in gsos.OPTIONS] == [
        "Completely better",
        "A lot better",
        "Moderately better",
        "A little better",
        "Same",
        "Worse",
    ]


@pytest.mark.parametrize(
    ("answer", "much_better"),
    [("completely_better", True), ("a_lot_better", True), ("moderately_better", False)],
)
def test_gsos_much_better_is_completely_or_a_lot_better(answer, much_better):
    assert gsos.is_much_better(answer) is much_better


@pytest.mark.parametrize("value", [None, "Completely better", "better", 1, True])
def test_gsos_unknown_answer_is_invalid(value):
    with pytest.raises(InvalidAnswers, match="Global Subjective Outcome Scale"):
        gsos.validate(value)


def test_fft_uses_the_2020_question_and_six_answers():
    assert fft.QUESTION == "Overall, how was your experience of our service?"
    assert [label for _code, label in fft.OPTIONS] == [
        "Very good",
        "Good",
        "Neither good nor poor",
        "Poor",
        "Very poor",
        "Don't know",
    ]


def test_fft_accepts_each_answer_code():
    for code, _label in fft.OPTIONS:
        assert fft.validate(code) == code


@pytest.mark.parametrize("value", [None, "extremely_likely", "Very good", 1])
def test_fft_unknown_answer_is_invalid(value):
    with pytest.raises(InvalidAnswers, match="Friends and Family Test answer"):
        fft.validate(value)


def test_fft_comment_is_trimmed_and_blank_is_allowed():
    assert fft.validate_comment("  Kind staff \n") == "Kind staff"
    assert fft.validate_comment(None) == ""


def test_fft_comment_that_is_not_text_is_invalid():
    with pytest.raises(InvalidAnswers, match="Friends and Family Test comment"):
        fft.validate_comment(5)
