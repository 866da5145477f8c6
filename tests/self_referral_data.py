"""A person referring themselves, as the browser posts each step, and the fake PDS that knows
them: shared by the integration and browser tests of pathway.selfreferral."""

import contextlib

from django.urls import reverse

from pathway.clinical.referral_rules import URGENCY_CRITERIA
from pathway.referrals.answers import ASKED_EXCLUSIONS
from pathway.referrals.answers import STARTBACK as STARTBACK_INSTRUMENT
from tests.pds_fake import pds_patient, running_fake_pds

# The demo identity (README): Stan Sutton, registered at a practice in the service's area.
STAN = "9990100012"
STAN_DATE_OF_BIRTH = ("30", "9", "1961")
STAN_POSTCODE = "CA2 4SS"
# On the national record, but registered at a practice outside the service's area.
TESS = "9990100020"
NOBODY = "9990100063"

IDENTITY = {
    "nhs_number": "999 010 0012",
    "date_of_birth_day": STAN_DATE_OF_BIRTH[0],
    "date_of_birth_month": STAN_DATE_OF_BIRTH[1],
    "date_of_birth_year": STAN_DATE_OF_BIRTH[2],
    "postcode": "ca2 4ss",
}
# The same person, for someone who does not know their NHS number.
IDENTITY_BY_NAME = {
    "given_name": "Stan",
    "family_name": "sutton",
    **{name: value for name, value in IDENTITY.items() if name != "nhs_number"},
}
ABOUT_PAIN = {"body_part": "back", "limb_symptoms": "no", "symptom_duration": "3_to_6"}
ABOUT_PAIN |= {"recurrence": "no"}
NO_RED_FLAGS = {"symptoms": ["none"]}
ELIGIBLE = {exclusion.code: "no" for exclusion in ASKED_EXCLUSIONS}
# Standard priority; STarT Back medium risk (items 1, 2, 5, 6 agree; 9 "very much").
QUESTIONS = {f"urgency_{criterion.code}": "no" for criterion in URGENCY_CRITERIA}
QUESTIONS |= {
    item.code: answer
    for item, answer in zip(
        STARTBACK_INSTRUMENT.items,
        ["True", "True", "False", "False", "True", "True", "False", "False", "very_much"],
        strict=True,
    )
}
CONTACT = {"consents_to_contact": "yes", "preferred_channel": "email", "email": "stan@example.com"}


@contextlib.contextmanager
def fake_pds_knowing_stan(settings, practice):
    """A fake PDS with Stan registered at `practice`, and Tess at a practice elsewhere."""
    with running_fake_pds() as fake:
        fake.add(
            pds_patient(
                STAN, "Stan", "Sutton", "1961-09-30", "male", STAN_POSTCODE, practice.ods_code
            )
        )
        fake.add(pds_patient(TESS, "Tess", "Turner", "1983-05-17", "female", "LS1 4TT", "B86001"))
        settings.PDS_BASE_URL = fake.base_url
        settings.PDS_TIMEOUT_SECONDS = 0.5
        yield fake


def step_url(service, step):
    return reverse(f"selfreferral:{step}", args=[service.code])


STEPS = (
    ("identity", IDENTITY),
    ("about_pain", ABOUT_PAIN),
    ("red_flags", NO_RED_FLAGS),
    ("eligibility", ELIGIBLE),
    ("questions", QUESTIONS),
    ("contact", CONTACT),
)


def refer_self(client, service, **changed):
    """Post every step in order, each step's answers updated by `changed[step]`; stops at the
    first answer that does not move to the next step, and returns that response."""
    response = None
    for step, data in STEPS:
        response = client.post(step_url(service, step), {**data, **changed.get(step, {})})
        if response.status_code != 302 or not response.url.startswith(
            step_url(service, next_step(step))
        ):
            return response
    return response


def next_step(step):
    names = [name for name, _ in STEPS]
    index = names.index(step)
    return names[index + 1] if index + 1 < len(names) else "finished"
