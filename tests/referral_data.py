"""A complete GP referral as the browser posts it, for tests to vary one answer at a time."""

from pathway.demo.referrals import referral_answers

# Worked by hand from the Keele rules: medium is total 5, psychosocial 3 (items 1, 2, 5, 6
# agree; item 9 "very much" scores 1); low is total 1; high is total 7, psychosocial 5.
MEDIUM_RISK = "medium"
LOW_RISK = "low"
HIGH_RISK = "high"


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
