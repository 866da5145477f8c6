"""The episode lifecycle table: every transition is allowed from its source state only."""

import pytest

from pathway.care import lifecycle

PAIRS = [(t, state) for t in lifecycle.TRANSITIONS for state in lifecycle.STATES]


@pytest.mark.parametrize(("step", "state"), PAIRS, ids=[f"{t.name}-from-{s}" for t, s in PAIRS])
def test_transition_is_allowed_only_from_its_source_state(step, state):
    if state == step.source:
        assert lifecycle.transition(step.name, state) == step
    else:
        with pytest.raises(lifecycle.IllegalTransition) as refusal:
            lifecycle.transition(step.name, state)
        assert lifecycle.STATES[state].lower() in str(refusal.value)


def test_unknown_transition_is_refused_with_a_message():
    with pytest.raises(lifecycle.IllegalTransition, match="not a step"):
        lifecycle.transition("teleport", lifecycle.AWAITING_TRIAGE)


def test_every_state_can_be_reached_and_discharged_can_be_left_only_by_reopening():
    targets = {t.target for t in lifecycle.TRANSITIONS}
    assert set(lifecycle.STATES) <= targets
    assert [t.name for t in lifecycle.allowed_from(lifecycle.DISCHARGED)] == ["reopen"]
    assert lifecycle.TRANSITIONS_BY_NAME["reopen"].needs_reason


def test_an_episode_opens_only_once_by_the_referral():
    opening = [t for t in lifecycle.TRANSITIONS if t.source == lifecycle.NOT_OPEN]
    assert [(t.name, t.target) for t in opening] == [("refer", lifecycle.AWAITING_TRIAGE)]
    assert lifecycle.transition("refer", lifecycle.NOT_OPEN) == opening[0]
