"""A self-referral in progress: what was answered so far, kept in the server-side session.

Nothing is recorded until a step ends the journey (a red flag, not eligible, or the referral
itself), so a session that times out leaves nothing half-saved. The URL names only the
service; the person's details never appear in it. Each step turns the answers so far into the
same ReferralAnswers as the GP's form, for the same rules and action.
"""

import datetime
import time
import uuid

from django.conf import settings

from pathway.audit.context import Actor
from pathway.organisations.models import GPPractice
from pathway.referrals.answers import DECISION_REFER, PatientDetails, ReferralAnswers

SESSION_KEY = "self_referral"
FINISHED_KEY = "self_referral_finished"
# Who the audit trail names for a self-referral: there is no staff user behind it.
SELF_REFERRER = Actor(kind="patient", name="The person, referring themselves")


def begin(session, service, person, practice):
    """A new journey for `person` (pds.Person) registered at `practice`, to `service`."""
    session[SESSION_KEY] = {
        "service": service.pk,
        "submission_key": str(uuid.uuid4()),
        "touched": time.time(),
        "person": {
            "nhs_number": person.nhs_number,
            "given_name": person.given_name,
            "family_name": person.family_name,
            "date_of_birth": person.date_of_birth.isoformat(),
            "sex": person.sex,
            "postcode": person.postcode,
            "practice": practice.pk,
        },
        "answers": {},
    }
    session.pop(FINISHED_KEY, None)


def current(session, service):
    """(state, timed_out): the journey for `service` if it is still alive. A journey idle for
    longer than SESSION_IDLE_MINUTES (as a staff session) is dropped, unrecorded, and said to
    have timed out."""
    state = session.get(SESSION_KEY)
    if not state or state.get("service") != service.pk:
        return None, False
    if time.time() - state["touched"] > settings.SESSION_IDLE_MINUTES * 60:
        del session[SESSION_KEY]
        return None, True
    return state, False


# The steps in order, each with the answer it keeps: a step is reached only after the ones
# before it (an address typed or bookmarked cannot skip the red flags).
STEPS = (
    ("about_pain", "body_part"),
    ("red_flags", "red_flags"),
    ("eligibility", "exclusions"),
    ("questions", "urgency"),
    ("contact", None),
)


def first_unanswered_step(state, step):
    """The first step before `step` not yet answered, or None."""
    for name, answer in STEPS:
        if name == step:
            return None
        if answer not in state["answers"]:
            return name
    raise ValueError(f"No step called {step}")


def save(session, state, **answered):
    state["answers"].update(answered)
    state["touched"] = time.time()
    session[SESSION_KEY] = state


def finish(session, referral):
    """The journey ended with `referral` recorded: keep only what the last page says."""
    session.pop(SESSION_KEY, None)
    session[FINISHED_KEY] = {
        # Opaque: lets the person go straight on to their baseline questionnaires.
        "referral": str(referral.public_id),
        "outcome": referral.outcome,
        "red_flag_action": referral.red_flag_action,
        "exclusions": list(referral.exclusions_found),
    }


def answers_of(state, *, contact=None):
    """The ReferralAnswers for the journey so far (the person's contact details added when
    given): a self-referral, to be referred."""
    person = state["person"]
    given = state["answers"]
    contact = contact or {}
    details = PatientDetails(
        nhs_number=person["nhs_number"],
        given_name=person["given_name"],
        family_name=person["family_name"],
        date_of_birth=datetime.date.fromisoformat(person["date_of_birth"]),
        sex=person["sex"],
        postcode=person["postcode"],
        registered_practice=GPPractice.objects.get(pk=person["practice"]),
        consents_to_contact=contact.get("consents_to_contact", False),
        preferred_channel=contact.get("preferred_channel") or "email",
        mobile=contact.get("mobile", ""),
        email=contact.get("email", ""),
    )
    startback = given.get("startback") or (None,) * 9
    return ReferralAnswers(
        patient=details,
        submission_key=uuid.UUID(state["submission_key"]),
        body_part=given.get("body_part"),
        limb_symptoms=given.get("limb_symptoms"),
        symptom_duration=given.get("symptom_duration"),
        recurrence=given.get("recurrence"),
        red_flags=given.get("red_flags", {}),
        exclusions=given.get("exclusions", {}),
        urgency=given.get("urgency", {}),
        startback=tuple(startback),
        decision=DECISION_REFER,
        self_referral=True,
    )
