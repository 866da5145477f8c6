"""Errors raised by the clinical core.

Both are ValueError subclasses so that a caller who only knows "bad value" can still catch them,
while forms and actions can tell a wrong answer from a broken configuration file.
"""


class InvalidAnswers(ValueError):
    """Answers, facts or identifiers that cannot be scored or judged.

    The message is written for a clinician: it names the question and says what is wrong, for
    example "STarT Back item 3 is missing: every question must be answered". Forms show it as is.
    """


class LicensedWordingError(ValueError):
    """A licensed-wording file (ODI, EQ-5D-5L) that does not match the instrument's structure.

    Kept apart from InvalidAnswers because it is a service configuration problem, not something
    a patient or clinician typed.
    """
