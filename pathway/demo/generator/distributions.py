"""Every parameter of the synthetic region, with where it comes from.

"evaluation Table N" is the North of England Regional Back Pain Pathway evaluation
(/work/shared/seeds, summarised in the clinical reference); "invented: ..." says why a value was
chosen where the evaluation gives none. docs/performance.md ("Synthetic data") lists them.
"""

# --- Sizes -------------------------------------------------------------------------------------

# Episodes of care per named size. The region's shape (areas, services, practices) scales with
# the size so that a tiny region is still a region, and large is about one ICB's worth.
SIZES = {"tiny": 300, "small": 10_000, "large": 500_000}


def region_shape(episodes):
    """(areas, services, practices, TTPs per service, GPs per practice) for a size.

    invented: ~10 services in ~3 areas and ~300 practices for a region (the brief's shape, close
    to the North East and North Cumbria ICB); about 500 new episodes a year per TTP.
    """
    if episodes <= 1_000:
        return 1, 2, 6, 2, 2
    if episodes <= 20_000:
        return 3, 10, 300, 3, 2
    return 3, 10, 300, 10, 3


# --- Who is referred, and when -----------------------------------------------------------------

# invented: back-pain GP consultations peak after new year and in autumn and dip in August and
# December (school holidays and Christmas), as most primary-care activity does.
MONTH_WEIGHTS = (1.15, 1.08, 1.10, 1.00, 1.00, 0.97, 0.95, 0.82, 1.02, 1.08, 1.05, 0.78)
# invented: GPs refer on weekdays; a few weekend referrals from extended access.
WEEKDAY_WEIGHTS = (1.0, 1.0, 1.0, 1.0, 0.95, 0.06, 0.02)
# invented: referrals grow about 3% a year (population ageing, pathway becoming known).
YEARLY_GROWTH = 0.03

# invented: practice list sizes are log-normal around 8,000 people (median English practice
# ~9,000), which gives practices referring from a handful to a few hundred a year.
PRACTICE_LIST_MEDIAN = 8_000
PRACTICE_LIST_SIGMA = 0.5
# invented: most practices refer to the service that covers them; some to a neighbour.
HOME_SERVICE_SHARE = 0.92

# Consultations recorded by the GP that never enter the pathway. The evaluation had no data on
# them (its section "Results"); invented shares of all consultations recorded on the template.
GP_DISCHARGED_SHARE = 0.10
# Serious pathology suspected by the GP, or a cauda equina flag (clinical reference section 6).
REDIRECTED_SHARE = 0.015
EXCLUDED_SHARE = 0.02
# invented: referrals with a single low-specificity red flag (onset over 50, night pain, no
# improvement after a month) that the GP considered and did not suspect serious pathology for.
# The evaluation's patients had a mean age of 53 and a median of 9 months' symptoms, so such
# flags are common among ordinary referrals.
RED_FLAGS_NOT_SUSPECTED_SHARE = 0.08

# invented: about 15% of referrals meet an AQP urgency criterion.
URGENT_SHARE = 0.15
# invented: most referrals are for backs; the AQP criteria cover necks too.
NECK_SHARE = 0.22
LIMB_SYMPTOMS_SHARE = 0.45  # invented: radicular symptoms are common in the pathway's referrals
RECURRENCE_SHARE = 0.35  # invented

# Symptom duration groups: evaluation Table 10, GSOS n per duration group (162/116/91/241).
SYMPTOM_DURATION_WEIGHTS = {"lt_3": 162, "3_to_6": 116, "6_to_12": 91, "12_plus": 241}

# --- What happens at the TTP -----------------------------------------------------------------

# People assessed by a TTP, by what happened: evaluation Table 1 (n = 2071 care in the pathway,
# 1147 same-day discharge, 616 given a further appointment who did not attend it, of 3834).
# The did-not-attend group is assessed, offered core therapy and misses the first follow-up.
OUTCOME_GROUP_WEIGHTS = {"care": 2071, "same_day": 1147, "did_not_attend": 616}

# Age (mean, SD) and share female per group: evaluation Table 1.
AGE_BY_GROUP = {"care": (52.8, 16.2), "same_day": (52.1, 15.9), "did_not_attend": (44.5, 14.6)}
FEMALE_BY_GROUP = {"care": 0.593, "same_day": 0.575, "did_not_attend": 0.610}
# invented: a few people's sex is recorded as other or not known.
SEX_OTHER_SHARE = 0.003
SEX_UNKNOWN_SHARE = 0.002
MINIMUM_AGE, MAXIMUM_AGE = 16, 95  # the service's minimum age; invented upper bound

# STarT Back total (mean, SD) per group: evaluation Table 1. Low-risk share comes out at
# 7.7 / 13.5 / 7.6% as Table 1 reports when totals are drawn this way (the total alone decides
# low risk).
STARTBACK_BY_GROUP = {"care": (6.4, 1.8), "same_day": (5.9, 2.0), "did_not_attend": (6.5, 1.9)}

# Within "care in the pathway": CPPP invitations, evaluation (136 invited of 2071 cared for);
# onward referral at assessment is invented (the evaluation does not count it separately).
CPPP_SHARE_OF_CARE = 136 / 2071
ONWARD_SHARE_OF_CARE = 0.10
# CPPP uptake: evaluation, 100 of 136 invited joined (74%); decline reasons: Table 12.
CPPP_UPTAKE = 100 / 136
CPPP_DECLINE_WEIGHTS = {
    "not_contactable": 8,
    "did_not_attend": 6,
    "work": 6,
    "child_care": 4,
    "self_manage": 2,
    "family": 2,
    "health": 2,
    "time": 2,
    "waste_of_time": 1,
    "awaiting_scan": 1,
    "trialling_injection": 1,
    "out_of_area": 1,
}
# invented: where onward referrals go.
ONWARD_WEIGHTS = {
    "mri": 30,
    "spinal_surgical_opinion": 25,
    "pain_management": 20,
    "nerve_root_block": 15,
    "rheumatology": 5,
    "other": 5,
}

# Core therapy: a referral covers up to 8 sessions, typically 4 (clinical reference section 2,
# other services' figures). Weights for planned sessions 1..8.
PLANNED_SESSION_WEIGHTS = (4, 10, 18, 26, 16, 12, 8, 6)
SESSION_INTERVAL_DAYS = (7, 21)  # invented: weekly to three-weekly follow-ups
STOPS_EARLY_SHARE = 0.15  # invented: discharged before all planned sessions were used
PATIENT_CHOICE_SHARE = 0.04  # invented: people who end treatment themselves
FOLLOW_UP_DNA_RATE = 0.04  # invented: DNAs at follow-ups beyond the did-not-attend group
# invented: most of those get an exception recorded (vulnerable patient), so that discharges
# for not attending stay near the evaluation's 16% (its did-not-attend group is all of them).
FOLLOW_UP_DNA_EXCEPTION_SHARE = 0.8
# invented: days before the clinician confirms a proposed discharge and writes to the GP.
CONFIRM_DNA_DISCHARGE_DAYS = (7, 28)
# invented: a few people cancel or decline before they are seen.
DECLINES_BEFORE_ASSESSMENT = 0.01
CANCELLED_FIRST_APPOINTMENT = 0.03  # invented: first appointments cancelled and rebooked
# invented: people who miss the first appointment (before any assessment, so the evaluation,
# which started at the assessment, could not count them); some miss the rebooked one too
# (invented 15%) and are discharged to the GP (the DNA policy: rebook once).
FIRST_APPOINTMENT_DNA = 0.08
FIRST_APPOINTMENT_DNA_AGAIN = 0.15

# Waits (days from referral to the first appointment). Targets: urgent 5 working days, standard
# 14 days (clinical reference section 7); 97% within two weeks elsewhere (section 2).
URGENT_WAIT_DAYS = (1, 7)
STANDARD_WAIT_MEDIAN_DAYS = 10  # invented, log-normal around the 14-day target
STANDARD_WAIT_SIGMA = 0.45
BOOKING_LAG_DAYS = (1, 7)  # invented: referrals wait up to a week to be triaged and booked
APPOINTMENT_MODES = {"in_person": 75, "telephone": 20, "video": 5}  # invented

# --- Returners -----------------------------------------------------------------------------------

# evaluation: 206 of 3834 discharged people returned (5%), a mean of 127 days (95% CI 112-142,
# range 2-369) after discharge. The gap is drawn from a gamma distribution with that mean.
RETURN_SHARE = 206 / 3834
RETURN_GAP_MEAN_DAYS = 127
RETURN_GAP_SHAPE = 2.0
RETURN_GAP_RANGE = (2, 369)
RETURN_NEW_SYMPTOMS_SHARE = 0.5  # invented

# --- Questionnaires ----------------------------------------------------------------------------

# Response rates per time point. Baseline: evaluation Table 1 footnote (n = 2173 to 2555 of 3834
# answered a baseline measure, 57-67%). Follow-up falls from discharge to 12 months as in Tables
# 3-5 (EQ-5D n 510, 513, 335); the levels are invented, higher than the evaluation's because
# patients answer from a link instead of clinicians collecting paper.
RESPONSE_RATE = {"baseline": 0.62, "discharge": 0.55, "month_6": 0.45, "month_12": 0.32}
# invented: people discharged for not attending rarely answer follow-up questionnaires.
DNA_RESPONSE_FACTOR = 0.3
# invented: share of baseline questionnaires recorded by the clinician at the assessment.
CLINICIAN_RECORDED_SHARE = 0.15
# invented: days from invitation to answer (most within the first week, reminders at 7 and 14).
RESPONSE_DELAY_DAYS = (0, 20)

# Contact: invented shares (the outbox needs consent and an address).
CONSENT_SHARE = 0.85
EMAIL_SHARE = 0.75
MOBILE_SHARE = 0.70
PREFERS_SMS_SHARE = 0.3

# Baseline scores (mean, SD) per group: evaluation Table 1 (EQ-5D on the UK crosswalk scale).
BASELINE = {
    "care": {"pain": (6.9, 1.8), "odi": (44.6, 17.7), "vas": (52.5, 24.8), "gad7": (8.2, 6.5),
             "phq9": (9.6, 7.3)},
    "same_day": {"pain": (6.5, 2.1), "odi": (37.9, 19.4), "vas": (59.6, 22.4),
                 "gad7": (6.7, 6.5), "phq9": (7.7, 7.2)},
    "did_not_attend": {"pain": (7.1, 1.7), "odi": (43.9, 16.4), "vas": (53.6, 23.0),
                       "gad7": (9.4, 6.4), "phq9": (10.8, 7.6)},
}  # fmt: skip

# Mean change from baseline (pain, ODI, VAS, GAD-7, PHQ-9) per time point.
# Core therapy: evaluation Tables 3 (discharge), 4 (6 months) and 5 (12 months); GAD-7 and
# PHQ-9 at 6 and 12 months are not reported there, invented as two thirds of the discharge change.
CHANGE_CARE = {
    "discharge": {"pain": -2.6, "odi": -16, "vas": 14, "gad7": -2.8, "phq9": -3.5},
    "month_6": {"pain": -1.6, "odi": -12, "vas": 7, "gad7": -1.9, "phq9": -2.3},
    "month_12": {"pain": -1.7, "odi": -12, "vas": 6, "gad7": -1.9, "phq9": -2.3},
}
# CPPP: evaluation Tables 14, 15 and 16.
CHANGE_CPPP = {
    "discharge": {"pain": -1.6, "odi": -8.1, "vas": 13.7, "gad7": -4.4, "phq9": -6.0},
    "month_6": {"pain": -2.2, "odi": -10.2, "vas": 14.0, "gad7": -3.5, "phq9": -4.4},
    "month_12": {"pain": -2.9, "odi": -15.1, "vas": 27.2, "gad7": -6.7, "phq9": -7.8},
}
# invented: people discharged the same day or for not attending improve about half as much.
CHANGE_FACTOR_OTHER = 0.5
# invented: the spread of individual changes (the tables give SDs of the scores, not changes).
CHANGE_SD = {"pain": 2.2, "odi": 15.0, "vas": 20.0, "gad7": 4.0, "phq9": 4.5}
# invented: chance that a PHQ-9 item 9 answer is above "not at all", per point of the total
# over 27 (so severe depression scores raise a safety alert more often).
SELF_HARM_ITEM_RATE = 0.12

# GSOS after core therapy: evaluation Table 10 (by symptom duration group), % per option in the
# order completely better, a lot, moderately, a little, same, worse.
GSOS_BY_DURATION = {
    "lt_3": (10.5, 54.3, 14.8, 9.9, 8.0, 2.5),
    "3_to_6": (4.3, 56.0, 19.0, 10.3, 7.8, 2.6),
    "6_to_12": (3.3, 42.9, 22.0, 17.6, 13.2, 1.1),
    "12_plus": (5.0, 39.4, 16.2, 14.5, 21.6, 3.3),
}
# GSOS after the CPPP: evaluation Table 17 (discharge, 6 months, 12 months). The discharge
# column adds to 83.6%; the rest is spread as "a little better" (invented).
GSOS_CPPP = {
    "discharge": (0.0, 48.5, 28.9, 16.4, 6.2, 0.0),
    "month_6": (2.0, 39.2, 27.5, 11.8, 13.7, 5.9),
    "month_12": (3.6, 57.1, 21.4, 7.1, 7.1, 3.6),
}
# FFT: the evaluation's "how likely to recommend" answers (Table 10, all durations pooled,
# weighted by n) placed on today's six FFT answers in the same order. invented mapping: the two
# scales are not equivalent (pathway.clinical.fft), this only gives realistic proportions.
FFT_WEIGHTS = {
    "very_good": 67.1,
    "good": 23.7,
    "neither_good_nor_poor": 4.2,
    "poor": 0.8,
    "very_poor": 1.1,
    "dont_know": 2.3,
}
# Readiness to self-manage at discharge (0-10), mean per duration group: evaluation Table 11;
# the SD is invented.
READINESS_BY_DURATION = {"lt_3": 6.4, "3_to_6": 6.8, "6_to_12": 6.3, "12_plus": 5.9}
READINESS_SD = 2.2
