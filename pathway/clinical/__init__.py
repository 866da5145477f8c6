"""Pure clinical core of the back pain pathway: scoring, eligibility and outcome rules.

Nothing in this package imports Django. Every function takes plain values and returns plain,
frozen results, so forms, actions, tasks and reports share exactly one definition of each rule.
Bad input raises InvalidAnswers with a message a clinician can act on; no function guesses.
"""

from pathway.clinical.errors import InvalidAnswers, LicensedWordingError

__all__ = ["InvalidAnswers", "LicensedWordingError"]
