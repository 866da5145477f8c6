"""Self-referral: the referral's own rules, with nobody clinical there, in the person's words.

The flags, exclusions and urgency criteria are those of red_flags.py and referral_rules.py,
keyed by the same codes (tests check each mapping is complete): only the wording is the
person's. One rule is added, because no GP is there to judge a red flag: `route_self_referral`.
"""

from pathway.clinical.answers import describe
from pathway.clinical.errors import InvalidAnswers
from pathway.clinical.red_flags import (
    CONTINUE,
    EMERGENCY,
    GP_SAME_DAY,
    SEE_GP_TODAY,
    RedFlagRoute,
    RedFlagScreen,
)


def route_self_referral(screen: RedFlagScreen) -> RedFlagRoute:
    """What the screen means when the person refers themselves: nobody is there to judge a
    flag, so a cauda equina flag is an emergency (as for the GP) and any other flag stops the
    self-referral with same-day advice (their GP practice today, or NHS 111)."""
    if not isinstance(screen, RedFlagScreen):
        raise InvalidAnswers(f"Red flag routing needs a RedFlagScreen, not {describe(screen)}")
    if screen.cauda_equina:
        return RedFlagRoute(EMERGENCY, screen.destinations, False, False)
    if screen.flags:
        return RedFlagRoute(SEE_GP_TODAY, (GP_SAME_DAY,), False, False)
    return RedFlagRoute(CONTINUE, (), False, False)


# --- The same flags in the words of the person referring themselves (one per RED_FLAGS code).

PATIENT_QUESTIONS = {
    "urinary_retention_or_incontinence": "New problems peeing: you cannot pee, or you are "
    "leaking pee and cannot control it",
    "faecal_incontinence": "You cannot control when you poo",
    "saddle_anaesthesia": "Numbness or tingling around your bottom, genitals or inner thighs",
    "bilateral_neurology_or_gait_disturbance": "Weakness, numbness or pins and needles in both "
    "legs that is getting worse, or new difficulty walking",
    "bilateral_sciatica": "Pain going down both legs",
    "history_of_cancer": "You have had cancer in the past",
    "new_onset_over_50_or_under_20": "This is the first time you have had back or neck pain, "
    "and you are over 50 or under 20",
    "night_pain": "Pain at night that does not get better when you rest or change position",
    "unexplained_weight_loss": "You have lost weight without trying",
    "no_improvement_after_a_month": "The pain has not got any better at all after a month of "
    "treatment",
    "fever": "A high temperature, or you feel hot and shivery",
    "immunosuppression": "You have a weakened immune system (for example from medicines, HIV "
    "or chemotherapy)",
    "intravenous_drug_use": "You inject drugs",
    "recent_infection": "You have recently had an infection treated with antibiotics (for "
    "example a urine infection)",
    "significant_trauma": "The pain started after a serious accident, such as a fall from a "
    "height or a car crash",
    "minor_trauma_with_osteoporosis_or_steroids": "The pain started after a minor fall or "
    "injury, and you have osteoporosis (thin bones) or take steroid medicines",
    "inflammatory_back_pain": "Stiffness for more than 30 minutes every morning that eases "
    "when you move, or pain that wakes you in the second half of the night",
}
# What to do now, for each route that stops a self-referral.
PATIENT_ADVICE = {
    EMERGENCY: (
        "Call 999 or go to your nearest emergency department (A&E) now",
        "These symptoms can be a sign of a serious problem with the nerves at the bottom of "
        "your spine (cauda equina syndrome). It needs to be checked in hospital straight away. "
        "Do not wait to see if it gets better.",
    ),
    SEE_GP_TODAY: (
        "Contact your GP surgery today, or call 111",
        "Your symptoms need to be checked by a doctor before you can be referred to this "
        "service. Ask for an appointment today. If your GP surgery is closed, call 111 or go to "
        "111.nhs.uk. Call 999 if you get worse quickly.",
    ),
}


# --- The exclusions and urgency questions in the words of the person referring themselves.
# Keyed by the codes above: the rules are the ones the GP's answers go through.

PATIENT_EXCLUSION_QUESTIONS = {
    "little_potential_to_improve": "Have you been told that treatment like physiotherapy is "
    "unlikely to help you?",
    "housebound": "Are you unable to leave your home to go to appointments?",
    "widespread_pain": "Do you have pain in many parts of your body, rather than mainly in "
    "your back or neck?",
    "chronic_pain": "Have you had this pain for more than a year?",
    "primary_limb_problem": "Is your main problem in a hip, knee, shoulder, foot or other "
    "joint, with the back or neck pain coming from it?",
    "pregnant_over_35_weeks": "Are you more than 35 weeks pregnant?",
}
# Where to go instead, kindly, for each exclusion (every one in EXCLUSIONS).
PATIENT_EXCLUSION_ADVICE = {
    "under_minimum_age": "This service is for adults. Your GP surgery can refer you to a "
    "service for children and young people.",
    "not_registered_locally": "This service only sees people registered with a GP surgery in "
    "its area. Your own GP surgery can tell you about services near you.",
    "little_potential_to_improve": "Your GP surgery can talk with you about other support "
    "that may suit you better.",
    "housebound": "Your GP surgery can arrange care that comes to you, such as community "
    "physiotherapy.",
    "widespread_pain": "Pain in many parts of the body is best looked at by your GP first, "
    "who can refer you to the right service.",
    "chronic_pain": "This service does not see pain that has lasted more than a year. Your GP "
    "surgery can refer you to a pain service.",
    "primary_limb_problem": "Your GP surgery or a physiotherapist for that joint is the right "
    "place to start.",
    "pregnant_over_35_weeks": "Talk to your midwife or maternity team, who can help with back "
    "pain in late pregnancy.",
}
PATIENT_URGENCY_QUESTIONS = {
    "dependent_on_strong_analgesics": "Do you need strong painkillers (such as tramadol or "
    "codeine) every day to manage the pain?",
    "severe_sleep_disturbance": "Does the pain badly disturb your sleep most nights?",
    "likely_to_deteriorate_quickly": "Is the pain getting worse quickly?",
    "severe_impairment_of_daily_living": "Does the pain stop you doing most everyday things, "
    "such as washing, dressing or working?",
    "deteriorating_neurology": "Is weakness or numbness in an arm or leg getting worse?",
}
