"""Telling a returner from a new patient (clinical reference sections 1.6 and 2).

A returner is anyone with an earlier episode that ended in discharge. A new referral for the
same body part within the returner window (12 calendar months by default) needs a recorded
justification to re-open care; a different body part does not.

"Within 12 months" counts calendar months, not days (`returner_window_ends`): the window ends
on the same calendar date 12 months after the discharge, and that anniversary is still within,
so a leap day inside the window never shortens it. A discharge on a day that the last month of
the window does not have (29 February, in a year without one; the 31st, for a shorter window)
has its anniversary on the first day of the next month, as a birthday on 29 February does
(referral_rules.age_on): the window is never cut short. For example, discharged 29 February
2024: a referral on 28 February or 1 March 2025 needs a justification, one on 2 March 2025 does
not.

An open episode for the same body part forbids a new referral (contact the service instead);
an open episode for the other body part does not, but is reported so that the GP and the TTP
see it.
"""

import calendar
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
    # The most recently discharged earlier episode for the same body part (why justification
    # is or is not needed).
    last_same_body_part_episode: PreviousEpisode | None = None
    # An episode still open for the same body part: a new referral is refused.
    open_same_body_part_episode: PreviousEpisode | None = None
    # Episodes still open for the other body part: no bar, but shown to the GP and the TTP.
    open_other_body_part_episodes: tuple[PreviousEpisode, ...] = ()

    @property
    def has_open_episode(self) -> bool:
        """Any episode still open, whatever the body part (only the same part refuses)."""
        return self.open_same_body_part_episode is not None or bool(
            self.open_other_body_part_episodes
        )


def returner_window_ends(discharged_on: date, months: int) -> date:
    """The last day on which a referral is still within `months` calendar months of a discharge.

    The same calendar date `months` months later; when that month has no such day, the first
    day of the month after (29 February 2024 + 12 months is 1 March 2025).
    """
    require_date(discharged_on, "Discharge date")
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise InvalidAnswers(f"The returner window must be at least one month, not {months!r}")
    year, month_index = divmod(discharged_on.month - 1 + months, 12)
    year += discharged_on.year
    month = month_index + 1
    if discharged_on.day <= calendar.monthrange(year, month)[1]:
        return date(year, month, discharged_on.day)
    return date(year + month // 12, month % 12 + 1, 1)


def assess_return(
    previous: Sequence[PreviousEpisode],
    referral_date: date,
    body_part: str,
    rules: ServiceRules,
) -> ReturnerAssessment:
    """Assess a new referral against the person's earlier episodes.

    The window is inclusive: a referral on the anniversary of the discharge
    (`returner_window_ends`) still needs a justification; one day later does not.
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
    needs_justification = same_part is not None and referral_date <= returner_window_ends(
        same_part.discharged_on, rules.returner_window_months
    )
    still_open = [episode for episode in episodes if episode.discharged_on is None]
    open_same_part = [episode for episode in still_open if episode.body_part == body_part]
    return ReturnerAssessment(
        is_returner=last is not None,
        last_episode=last,
        days_since_discharge=None if last is None else (referral_date - last.discharged_on).days,
        needs_justification=needs_justification,
        last_same_body_part_episode=same_part,
        open_same_body_part_episode=max(open_same_part, key=lambda e: e.referred_on, default=None),
        open_other_body_part_episodes=tuple(
            sorted(
                (episode for episode in still_open if episode.body_part != body_part),
                key=lambda e: e.referred_on,
                reverse=True,
            )
        ),
    )


def _most_recently_discharged(episodes: list[PreviousEpisode]) -> PreviousEpisode | None:
    # Ties on discharge date go to the later referral, the episode that was open most recently.
    return max(episodes, key=lambda e: (e.discharged_on, e.referred_on), default=None)


def _check_body_part(body_part: object) -> None:
    if body_part not in BODY_PARTS:
        raise InvalidAnswers(
            f"Body part must be one of {', '.join(BODY_PARTS)}, not {describe(body_part)}"
        )
