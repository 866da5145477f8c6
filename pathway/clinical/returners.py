"""Telling a returner from a new patient (clinical reference sections 1.6 and 2).

A returner is anyone with an earlier episode that ended in discharge. A new referral for the
same body part within the returner window (12 months by default) needs a recorded
justification to re-open care; a different body part does not.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from pathway.clinical.answers import describe, require_date
from pathway.clinical.errors import InvalidAnswers
from pathway.clinical.service_rules import ServiceRules

BODY_PARTS = ("back", "neck")


@dataclass(frozen=True)
class PreviousEpisode:
    referred_on: date
    discharged_on: date | None
    body_part: str
    outcome: str

    def __post_init__(self):
        require_date(self.referred_on, "Episode referral date")
        if self.discharged_on is not None:
            require_date(self.discharged_on, "Episode discharge date")
            if self.discharged_on < self.referred_on:
                raise InvalidAnswers(
                    f"An episode was discharged ({self.discharged_on:%d %B %Y}) before it was "
                    f"referred ({self.referred_on:%d %B %Y})"
                )
        _check_body_part(self.body_part)


@dataclass(frozen=True)
class ReturnerAssessment:
    is_returner: bool
    # The most recently discharged earlier episode, whatever the body part.
    last_episode: PreviousEpisode | None
    days_since_discharge: int | None
    needs_justification: bool
    has_open_episode: bool
    # The most recently discharged earlier episode for the same body part (why justification
    # is or is not needed).
    last_same_body_part_episode: PreviousEpisode | None = None


def assess_return(
    previous: Sequence[PreviousEpisode],
    referral_date: date,
    body_part: str,
    rules: ServiceRules,
) -> ReturnerAssessment:
    """Assess a new referral against the person's earlier episodes.

    The window is inclusive: discharged exactly `returner_window_days` days before the
    referral still needs a justification; one day later does not.
    """
    require_date(referral_date, "Referral date")
    _check_body_part(body_part)
    episodes = tuple(previous)
    for episode in episodes:
        if not isinstance(episode, PreviousEpisode):
            raise InvalidAnswers(f"Previous episodes must be PreviousEpisode, not {episode!r}")
        if episode.referred_on > referral_date:
            raise InvalidAnswers(
                f"The referral date {referral_date:%d %B %Y} is before an earlier episode's "
                f"referral on {episode.referred_on:%d %B %Y}: please check the dates"
            )
        if episode.discharged_on is not None and episode.discharged_on > referral_date:
            raise InvalidAnswers(
                f"The referral date {referral_date:%d %B %Y} is before an earlier episode's "
                f"discharge on {episode.discharged_on:%d %B %Y}: please check the dates"
            )

    discharged = [episode for episode in episodes if episode.discharged_on is not None]
    last = _most_recently_discharged(discharged)
    same_part = _most_recently_discharged(
        [episode for episode in discharged if episode.body_part == body_part]
    )
    needs_justification = (
        same_part is not None
        and (referral_date - same_part.discharged_on).days <= rules.returner_window_days
    )
    return ReturnerAssessment(
        is_returner=last is not None,
        last_episode=last,
        days_since_discharge=None if last is None else (referral_date - last.discharged_on).days,
        needs_justification=needs_justification,
        has_open_episode=any(episode.discharged_on is None for episode in episodes),
        last_same_body_part_episode=same_part,
    )


def _most_recently_discharged(episodes: list[PreviousEpisode]) -> PreviousEpisode | None:
    # Ties on discharge date go to the later referral, the episode that was open most recently.
    return max(episodes, key=lambda e: (e.discharged_on, e.referred_on), default=None)


def _check_body_part(body_part: object) -> None:
    if body_part not in BODY_PARTS:
        raise InvalidAnswers(
            f"Body part must be one of {', '.join(BODY_PARTS)}, not {describe(body_part)}"
        )
