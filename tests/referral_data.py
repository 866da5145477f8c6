"""A complete GP referral as the browser posts it, for tests to vary one answer at a time."""

import uuid

from pathway.referrals.answers import (
    CHECKLISTS,
    EXCLUSION_FIELDS,
    NONE_OF_THESE,
    RED_FLAG_FIELDS,
    STARTBACK_FIELDS,
    URGENCY_FIELDS,
)

# Worked by hand from the Keele rules: medium is total 5, psychosocial 3 (items 1, 2, 5, 6
# agree; item 9 "very much" scores 1); low is total 1; high is total 7, psychosocial 5.
MEDIUM_RISK = "medium"
LOW_RISK = "low"
HIGH_RISK = "high"
RISK_POSTS = {
    "low": ["agree", *["disagree"] * 7, "slightly"],
    "medium": [
        "agree",
        "agree",
        "disagree",
        "disagree",
        "agree",
        "agree",
        "disagree",
        "disagree",
        "very_much",
    ],
    "high": ["agree", "agree", "disagree", "disagree", "agree", "agree", "agree", "agree"]
    + ["extremely"],
}


def referral_answers(*, risk="medium", **fields):
    """A complete referral as the form posts it: no red flags, eligible, standard priority,
    the STarT Back answers giving `risk`, referred. `fields` add or override answers; a field
    given as None is left out, as an unanswered question is."""
    data = {
        "submission_key": str(uuid.uuid4()),
        "consents_to_contact": "on",
        "body_part": "back",
        "limb_symptoms": "no",
        "symptom_duration": "3_to_6",
        "recurrence": "first",
        "decision": "refer",
    }
    data.update(dict.fromkeys([*RED_FLAG_FIELDS, *EXCLUSION_FIELDS, *URGENCY_FIELDS], "no"))
    data.update(dict(zip(STARTBACK_FIELDS, RISK_POSTS[risk], strict=True)))
    data.update(fields)
    return {key: str(value) for key, value in data.items() if value is not None}


def referral_post(*, practice, nhs_number="9990000018", startback=MEDIUM_RISK, **changes):
    patient = {
        "nhs_number": nhs_number,
        "given_name": "Ruth",
        "family_name": "Referral",
        "date_of_birth_day": "14",
        "date_of_birth_month": "3",
        "date_of_birth_year": "1971",
        "sex": "female",
        "postcode": "ne1 4lp",
        "mobile": "07700 900982",
        "email": "ruth@example.com",
        "registered_practice": str(practice.pk),
        "action": "submit",
    }
    return referral_answers(risk=startback, **{**patient, **changes})


def as_ticked(data):
    """`data` as the web form's checklists post it (issue 18): only the ticked questions, as
    "yes", and "None of these" where none is ticked."""
    ticked = dict(data)
    for section, fields in CHECKLISTS.items():
        for name in fields:
            if ticked.get(name) == "no":
                del ticked[name]
        if not any(name in ticked for name in fields):
            ticked[NONE_OF_THESE[section]] = "on"
    return ticked
