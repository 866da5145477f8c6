"""People and the GP's referral records, as rows.

The stored answers have the shape the GP form records (pathway.referrals.actions) and every
result (red flag action, exclusions, priority, STarT Back scores, recommendation) is worked out
by the clinical core from those answers.
"""

import datetime
import itertools
import random

from pathway.clinical.red_flags import (
    NOT_SUSPECTED,
    RED_FLAGS,
    RED_FLAGS_BY_CODE,
    SUSPECTED,
    route_red_flags,
    screen_red_flags,
)
from pathway.clinical.referral_rules import recommend
from pathway.clinical.returners import assess_return
from pathway.clinical.service_rules import ServiceRules
from pathway.demo.generator import distributions as d
from pathway.demo.generator.answers import startback_answers
from pathway.demo.generator.context import LOCAL
from pathway.demo.generator.draws import pick
from pathway.demo.generator.names import mobile, person_name, postcode, uuid4
from pathway.patients.models import Patient
from pathway.referrals.answers import EXCLUSION_FIELDS, RED_FLAG_FIELDS, URGENCY_FIELDS
from pathway.referrals.models import Referral, ReferralSource

RED_FLAG_CODES = [flag.code for flag in RED_FLAG_FIELDS.values()]
EXCLUSION_CODES = [exclusion.code for exclusion in EXCLUSION_FIELDS.values()]
URGENCY_CODES = [criterion.code for criterion in URGENCY_FIELDS.values()]
# The pregnancy exclusion would need a person recorded as female: left out for simplicity. The
# chronic pain exclusion applies only where a service turns it on, and none here does.
GENERATED_EXCLUSIONS = [
    code for code in EXCLUSION_CODES if code not in {"pregnant_over_35_weeks", "chronic_pain"}
]
NO_RED_FLAGS = dict.fromkeys(RED_FLAG_CODES, False)
NO_EXCLUSIONS = dict.fromkeys(EXCLUSION_CODES, False)
DURATIONS = list(d.SYMPTOM_DURATION_WEIGHTS)
DURATION_WEIGHTS = list(itertools.accumulate(d.SYMPTOM_DURATION_WEIGHTS.values()))
LOW_RISK_REASON = "The person asked to see a physiotherapist after advice did not help."
RETURN_JUSTIFICATION = (
    "Pain returned after stopping the exercise programme; a further course is expected to help."
)
# Every generated service keeps the default rules (organisations._default_rules).
RULES = ServiceRules()
# Single flags that ordinary pathway patients often have, judged not suspected with a reason.
COMMON_SINGLE_FLAGS = (
    "new_onset_over_50_or_under_20",
    "night_pain",
    "no_improvement_after_a_month",
)
NOT_SUSPECTED_REASON = (
    "Mechanical pattern on examination, no weight loss, no history of cancer, systemically well."
)
# Said when the GP suspects pathology that the template does not recommend suspecting.
SUSPECTED_AGAINST_RECOMMENDATION_REASON = (
    "Several features together and raised inflammatory markers: specialist opinion needed."
)
FLAGS_BY_GROUP = {
    group: [flag.code for flag in RED_FLAGS if flag.group == group]
    for group in dict.fromkeys(flag.group for flag in RED_FLAGS)
}


class Person:
    """A generated patient: the row's id and what later referrals need to know about them."""

    __slots__ = ("id", "practice", "date_of_birth", "channel", "episodes")

    def __init__(self, id, practice, date_of_birth, channel):
        self.id = id
        self.practice = practice
        self.date_of_birth = date_of_birth
        self.channel = channel  # "email", "sms" or None (no consent or no address)
        # [(episode id, returners.PreviousEpisode)], oldest first: what the GP's assessment
        # of a later referral finds, and asks the returner rules about.
        self.episodes = []


def new_person(ctx, practice, group, when):
    rng = ctx.rng
    mean, sd = d.AGE_BY_GROUP.get(group, d.AGE_BY_GROUP["care"])
    age = min(max(rng.gauss(mean, sd), d.MINIMUM_AGE + 0.5), d.MAXIMUM_AGE)
    born = when.date() - datetime.timedelta(days=int(age * 365.25))
    draw = rng.random()
    female_share = d.FEMALE_BY_GROUP.get(group, 0.59)
    if draw < d.SEX_OTHER_SHARE:
        sex = "other"
    elif draw < d.SEX_OTHER_SHARE + d.SEX_UNKNOWN_SHARE:
        sex = "unknown"
    else:
        sex = "female" if rng.random() < female_share else "male"
    given, family = person_name(rng, sex == "female" or (sex != "male" and rng.random() < 0.5))
    person_id = ctx.ids.take(Patient)
    consents = rng.random() < d.CONSENT_SHARE
    email = (
        f"{given}.{family}{person_id}@example.com".lower() if rng.random() < d.EMAIL_SHARE else ""
    )
    phone = mobile(person_id) if rng.random() < d.MOBILE_SHARE else ""
    preferred = "sms" if phone and (not email or rng.random() < d.PREFERS_SMS_SHARE) else "email"
    channels = [c for c, has in (("email", email), ("sms", phone)) if has]
    channels.sort(key=lambda channel: channel != preferred)
    ctx.add(
        Patient,
        {
            "id": person_id,
            "public_id": uuid4(rng),
            "nhs_number": next(ctx.nhs_numbers),
            "given_name": given,
            "family_name": family,
            "date_of_birth": born,
            "sex": sex,
            "postcode": postcode(rng, practice.postcode_prefixes),
            "mobile": phone,
            "email": email,
            "consents_to_contact": consents,
            "registered_practice_id": practice.id,
            "preferred_channel": preferred,
            "prom_opt_out_at": None,
            "deceased": False,
            "created_at": when,
            "updated_at": when,
        },
    )
    return Person(person_id, practice, born, channels[0] if consents and channels else None)


def _base(ctx, person, when, outcome):
    rng = ctx.rng
    practice = person.practice
    return {
        "id": ctx.ids.take(Referral),
        "public_id": uuid4(rng),
        "submission_key": uuid4(rng),
        "patient_id": person.id,
        "practice_id": practice.id,
        "referred_by_id": rng.choice(practice.gp_ids),
        "source": ReferralSource.GP_FORM,
        "created_at": when,
        "body_part": "neck" if rng.random() < d.NECK_SHARE else "back",
        "limb_symptoms": rng.random() < d.LIMB_SYMPTOMS_SHARE,
        "symptom_duration": pick(rng, DURATIONS, DURATION_WEIGHTS),
        "recurrence": rng.random() < d.RECURRENCE_SHARE,
        "red_flag_answers": NO_RED_FLAGS,
        "red_flags_found": [],
        "red_flag_action": "",
        "red_flag_recommendation": "",
        "red_flag_judgement": "",
        "red_flag_judgement_reason": "",
        "red_flags_judged_by_id": None,
        "red_flags_judged_at": None,
        "other_open_episode_id": None,
        "exclusion_answers": {},
        "exclusions_found": [],
        "urgency_answers": {},
        "computed_priority": "",
        "priority": "",
        "priority_override_reason": "",
        "startback_answers": [],
        "startback_total": None,
        "startback_psychosocial": None,
        "startback_risk": "",
        "recommendation": "",
        "low_risk_referral_reason": "",
        "outcome": outcome,
        "service_id": None,
        "previous_episode_id": None,
        "days_since_previous_discharge": None,
        "return_kind": "",
        "return_justification": "",
    }


def _assess(ctx, row, startback_total, urgent):
    """The urgency and STarT Back parts, scored as the form's assessment does."""
    rng = ctx.rng
    urgency = dict.fromkeys(URGENCY_CODES, False)
    if urgent:
        urgency[rng.choice(URGENCY_CODES)] = True
    answers = startback_answers(rng, startback_total)
    scored = ctx.scorer.startback(answers)
    priority = "urgent" if urgent else "standard"
    row.update(
        exclusion_answers=NO_EXCLUSIONS,
        urgency_answers=urgency,
        computed_priority=priority,
        priority=priority,
        startback_answers=answers,
        startback_total=scored.total,
        startback_psychosocial=scored.psychosocial,
        startback_risk=scored.risk,
        recommendation=recommend(scored.risk).code,
    )
    return row


def referral_to_service(ctx, person, when, *, group, service):
    """A referral that opens an episode (a returner's if the person has been discharged
    before). Returns the row (already added)."""
    rng = ctx.rng
    mean, sd = d.STARTBACK_BY_GROUP[group]
    total = int(round(min(max(rng.gauss(mean, sd), 0), 9)))
    row = _assess(ctx, _base(ctx, person, when, "referred"), total, rng.random() < d.URGENT_SHARE)
    row["service_id"] = service.id
    # A stream of its own, seeded from the row, so the main stream (and every other number
    # the region is checked against) is what it was before red flags could go on.
    flag_rng = random.Random(row["public_id"].int)
    if flag_rng.random() < d.RED_FLAGS_NOT_SUSPECTED_SHARE:
        age = (when.date() - person.date_of_birth).days / 365.25
        # Onset over 50 or under 20 only for someone of that age.
        flags = COMMON_SINGLE_FLAGS if age > 50 or age < 20 else COMMON_SINGLE_FLAGS[1:]
        _judge_red_flags(row, {flag_rng.choice(flags)}, NOT_SUSPECTED, NOT_SUSPECTED_REASON)
    if row["startback_risk"] == "low":
        row["low_risk_referral_reason"] = LOW_RISK_REASON
    if person.episodes:
        _record_return(rng, row, person, when)
    ctx.add(Referral, row)
    ctx.referrals += 1
    return row


def _record_return(rng, row, person, when):
    """The returner fields, as the referral action records what returners.assess_return says
    of the person's earlier episodes (a justification only where it is needed: the same body
    part, within the window)."""
    returner = assess_return(
        [episode for _, episode in person.episodes],
        when.astimezone(LOCAL).date(),
        row["body_part"],
        RULES,
    )
    if not returner.is_returner:
        return
    row.update(
        recurrence=True,
        previous_episode_id=next(
            pk for pk, episode in person.episodes if episode is returner.last_episode
        ),
        days_since_previous_discharge=returner.days_since_discharge,
        return_kind="new_symptoms" if rng.random() < d.RETURN_NEW_SYMPTOMS_SHARE else "persisting",
        return_justification=RETURN_JUSTIFICATION if returner.needs_justification else "",
    )


def referral_ending_at_gp(ctx, person, when, outcome):
    """A consultation the GP recorded that did not enter the pathway."""
    rng = ctx.rng
    row = _base(ctx, person, when, outcome)
    if outcome == "gp_discharged":
        # Low risk, advice and self-management: the STarT Back total is 0 to 3.
        _assess(ctx, row, rng.randint(0, 3), urgent=False)
    elif outcome == "redirected":
        code = rng.choice(RED_FLAG_CODES)
        group = FLAGS_BY_GROUP[RED_FLAGS_BY_CODE[code].group]
        alone = screen_red_flags({**NO_RED_FLAGS, code: True})
        if not alone.needs_judgement or alone.recommendation.judgement == SUSPECTED:
            # Cauda equina (stops at once), or a flag the template recommends suspecting.
            _judge_red_flags(row, {code}, SUSPECTED, "")
        elif len(group) > 1:
            # A second flag of the same group: the template recommends suspecting the pair.
            partner = group[(group.index(code) + 1) % len(group)]
            _judge_red_flags(row, {code, partner}, SUSPECTED, "")
        else:
            _judge_red_flags(row, {code}, SUSPECTED, SUSPECTED_AGAINST_RECOMMENDATION_REASON)
    else:
        exclusions = dict(NO_EXCLUSIONS)
        code = rng.choice(GENERATED_EXCLUSIONS)
        exclusions[code] = True
        row.update(exclusion_answers=exclusions, exclusions_found=[code])
    ctx.add(Referral, row)
    ctx.referrals += 1
    return row


def _judge_red_flags(row, codes, judgement, reason):
    """The red flags `codes` on the row, with the GP's judgement (where one is asked) and what
    follows from it, worked out by the clinical core as the form does."""
    flags = {**NO_RED_FLAGS, **dict.fromkeys(codes, True)}
    screen = screen_red_flags(flags)
    route = route_red_flags(screen, judgement if screen.needs_judgement else None)
    if route.reason_required and not reason:
        raise AssertionError(f"a generated judgement needs a reason: {sorted(codes)}")
    row.update(
        red_flag_answers=flags,
        red_flags_found=list(screen.codes),
        red_flag_action=route.action or "",
    )
    if screen.needs_judgement:
        row.update(
            red_flag_recommendation=screen.recommendation.judgement,
            red_flag_judgement=judgement,
            red_flag_judgement_reason=reason,
            red_flags_judged_by_id=row["referred_by_id"],
            red_flags_judged_at=row["created_at"],
        )
