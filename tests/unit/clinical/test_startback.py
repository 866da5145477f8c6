"""STarT Back scoring, from Keele's published rules (clinical reference section 3)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pathway.clinical import InvalidAnswers, startback

ITEM_9_CODES = [code for code, _label in startback.BOTHERSOME_OPTIONS]
RISK_ORDER = {"low": 0, "medium": 1, "high": 2}


def answers(agree_items=(), item_9="not_at_all"):
    """Nine answers with the listed items (1-8) agreed and item 9 as given."""
    return [number in agree_items for number in range(1, 9)] + [item_9]


def test_startback_all_disagree_scores_zero_and_low_risk():
    result = startback.score(answers())

    assert (result.total, result.psychosocial, result.risk) == (0, 0, "low")


def test_startback_total_three_is_low_even_when_all_three_are_psychosocial():
    result = startback.score(answers(agree_items={5, 6, 7}))

    assert (result.total, result.psychosocial, result.risk) == (3, 3, "low")


def test_startback_total_four_with_psychosocial_four_is_high():
    result = startback.score(answers(agree_items={5, 6, 7, 8}))

    assert (result.total, result.psychosocial, result.risk) == (4, 4, "high")


def test_startback_total_four_with_psychosocial_three_is_medium():
    result = startback.score(answers(agree_items={1, 5, 6, 7}))

    assert (result.total, result.psychosocial, result.risk) == (4, 3, "medium")


def test_startback_physical_items_only_give_medium_at_most():
    result = startback.score(answers(agree_items={1, 2, 3, 4}, item_9="extremely"))

    assert (result.total, result.psychosocial, result.risk) == (5, 1, "medium")


def test_startback_every_answer_agreed_and_extremely_scores_nine_and_high():
    result = startback.score(answers(agree_items=range(1, 9), item_9="extremely"))

    assert (result.total, result.psychosocial, result.risk) == (9, 5, "high")


@pytest.mark.parametrize("item_9", ["not_at_all", "slightly", "moderately"])
def test_startback_item_9_up_to_moderately_scores_zero(item_9):
    assert startback.score(answers(item_9=item_9)).total == 0


@pytest.mark.parametrize("item_9", ["very_much", "extremely"])
def test_startback_item_9_very_much_or_extremely_scores_one_psychosocial_point(item_9):
    result = startback.score(answers(item_9=item_9))

    assert (result.total, result.psychosocial) == (1, 1)


def test_startback_item_9_lifts_psychosocial_three_to_high():
    result = startback.score(answers(agree_items={5, 6, 7}, item_9="very_much"))

    assert (result.total, result.psychosocial, result.risk) == (4, 4, "high")


def test_startback_accepts_a_tuple_of_answers():
    assert startback.score(tuple(answers(agree_items={1}))).total == 1


answer_sets = st.tuples(
    st.lists(st.booleans(), min_size=8, max_size=8), st.sampled_from(ITEM_9_CODES)
)


@given(answer_sets)
def test_startback_total_is_0_to_9_and_psychosocial_0_to_5_and_not_above_total(case):
    agrees, item_9 = case
    result = startback.score([*agrees, item_9])

    assert 0 <= result.total <= 9
    assert 0 <= result.psychosocial <= 5
    assert result.psychosocial <= result.total
    assert result.risk in RISK_ORDER


@given(answer_sets, st.integers(min_value=0, max_value=7))
def test_startback_risk_never_falls_when_a_disagree_becomes_agree(case, index):
    agrees, item_9 = case
    before = startback.score([*agrees, item_9])
    flipped = list(agrees)
    flipped[index] = True
    after = startback.score([*flipped, item_9])

    assert after.total >= before.total
    assert RISK_ORDER[after.risk] >= RISK_ORDER[before.risk]


@given(answer_sets, st.integers(min_value=0, max_value=3))
def test_startback_risk_never_falls_when_item_9_moves_up(case, position):
    agrees, _item_9 = case
    before = startback.score([*agrees, ITEM_9_CODES[position]])
    after = startback.score([*agrees, ITEM_9_CODES[position + 1]])

    assert RISK_ORDER[after.risk] >= RISK_ORDER[before.risk]


@pytest.mark.parametrize(
    "bad_answers",
    [[], answers()[:8], [*answers(), False], None, "ttttttttt", {1: True}, set(range(9)), 9],
    ids=["empty", "eight", "ten", "none", "text", "mapping", "set", "number"],
)
def test_startback_wrong_shape_is_invalid(bad_answers):
    with pytest.raises(InvalidAnswers, match="STarT Back"):
        startback.score(bad_answers)


@pytest.mark.parametrize("item", range(1, 9))
def test_startback_missing_item_is_invalid_and_named(item):
    values = answers()
    values[item - 1] = None

    with pytest.raises(InvalidAnswers, match=f"STarT Back item {item} is missing"):
        startback.score(values)


@pytest.mark.parametrize("value", [1, 0, "yes", "agree", 1.0])
def test_startback_agree_item_that_is_not_a_boolean_is_invalid(value):
    values = answers()
    values[2] = value

    with pytest.raises(InvalidAnswers, match="STarT Back item 3 must be answered agree"):
        startback.score(values)


@pytest.mark.parametrize("value", [None, "Very much", "quite", 1, True, "very much"])
def test_startback_item_9_must_be_one_of_the_five_option_codes(value):
    with pytest.raises(InvalidAnswers, match="STarT Back item 9"):
        startback.score(answers(item_9=value))


def test_startback_missing_item_message_reads_as_a_clinician_would_expect():
    values = answers()
    values[2] = None

    with pytest.raises(InvalidAnswers) as error:
        startback.score(values)

    assert str(error.value) == "STarT Back item 3 is missing: every question must be answered"
