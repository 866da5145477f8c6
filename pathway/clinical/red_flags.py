"""Serious pathology (red flag) screen for the GP referral (clinical reference section 6).

One explicit yes/no question per flag, so "not asked" can never be mistaken for "no". Codes
are stable: they are form field names and database keys, so never rename one.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from pathway.clinical.answers import require_yes_no_answers


@dataclass(frozen=True)
class RedFlag:
    code: str
    question: str
    group: str


GROUPS = {
    "cauda_equina": "Possible cauda equina syndrome",
    "cancer": "Possible cancer",
    "infection": "Possible infection",
    "fracture": "Possible fracture",
    "inflammatory": "Possible inflammatory back pain",
}

RED_FLAGS = (
    RedFlag(
        "urinary_retention_or_incontinence",
        "Does the person have new difficulty passing urine (retention) or new urinary "
        "incontinence?",
        "cauda_equina",
    ),
    RedFlag("faecal_incontinence", "Does the person have faecal incontinence?", "cauda_equina"),
    RedFlag(
        "saddle_anaesthesia",
        "Does the person have numbness or altered sensation in the saddle area (around the "
        "back passage, genitals or inner thighs)?",
        "cauda_equina",
    ),
    RedFlag(
        "bilateral_neurology_or_gait_disturbance",
        "Does the person have severe or progressive neurological symptoms in both legs, or a "
        "disturbance of gait?",
        "cauda_equina",
    ),
    RedFlag(
        "bilateral_sciatica",
        "Does the person have sciatica in both legs?",
        "cauda_equina",
    ),
    RedFlag("history_of_cancer", "Does the person have a past history of cancer?", "cancer"),
    RedFlag(
        "new_onset_over_50_or_under_20",
        "Did this back pain start for the first time when the person was over 50 or under 20?",
        "cancer",
    ),
    RedFlag(
        "night_pain",
        "Does the person have pain at night that is not eased by rest or changing position?",
        "cancer",
    ),
    RedFlag("unexplained_weight_loss", "Has the person had unexplained weight loss?", "cancer"),
    RedFlag(
        "no_improvement_after_a_month",
        "Has the pain shown no improvement at all after a month of treatment?",
        "cancer",
    ),
    RedFlag("fever", "Does the person have a fever?", "infection"),
    RedFlag(
        "immunosuppression",
        "Is the person immunosuppressed (for example by medication, HIV or chemotherapy)?",
        "infection",
    ),
    RedFlag("intravenous_drug_use", "Does the person use intravenous drugs?", "infection"),
    RedFlag(
        "recent_infection",
        "Has the person had a recent bacterial infection (for example a urinary tract infection)?",
        "infection",
    ),
    RedFlag(
        "significant_trauma",
        "Did the pain start after significant trauma (for example a fall from a height or a "
        "road traffic collision)?",
        "fracture",
    ),
    RedFlag(
        "minor_trauma_with_osteoporosis_or_steroids",
        "Did the pain start after minor trauma in a person with osteoporosis or who takes "
        "steroids?",
        "fracture",
    ),
    RedFlag(
        "inflammatory_back_pain",
        "Does the person have features of inflammatory back pain, such as axial "
        "spondyloarthritis (for example morning stiffness over 30 minutes that eases with "
        "exercise, or waking with pain in the second half of the night)?",
        "inflammatory",
    ),
)
RED_FLAGS_BY_CODE = {flag.code: flag for flag in RED_FLAGS}

URGENT_SECONDARY_CARE_GROUPS = frozenset({"cancer", "infection", "fracture"})

# Where to send the person, most urgent first; the first action that applies wins.
ADVICE = {
    "emergency_same_day": (
        "Possible cauda equina syndrome: send the person to the emergency department or "
        "contact the on-call spinal team today. Do not refer to the back pain pathway."
    ),
    "urgent_secondary_care": (
        "Possible serious pathology (cancer, infection or fracture): refer urgently to the "
        "appropriate secondary care specialty instead of the back pain pathway."
    ),
    "rheumatology": (
        "Features of inflammatory back pain (such as axial spondyloarthritis): refer to "
        "rheumatology instead of the back pain pathway."
    ),
    None: "No red flags: the referral to the back pain pathway can continue.",
}


@dataclass(frozen=True)
class RedFlagScreen:
    flags: tuple[RedFlag, ...]
    action: str | None
    advice: str
    stops_referral: bool


def screen_red_flags(answers: Mapping[str, bool]) -> RedFlagScreen:
    """Screen the GP's yes/no answers, one per RED_FLAGS code (all must be answered)."""
    checked = require_yes_no_answers(
        answers, {flag.code: flag.question for flag in RED_FLAGS}, "Red flag screen"
    )
    flags = tuple(flag for flag in RED_FLAGS if checked[flag.code])
    groups = {flag.group for flag in flags}
    if "cauda_equina" in groups:
        action = "emergency_same_day"
    elif groups & URGENT_SECONDARY_CARE_GROUPS:
        action = "urgent_secondary_care"
    elif "inflammatory" in groups:
        action = "rheumatology"
    else:
        action = None
    return RedFlagScreen(
        flags=flags, action=action, advice=ADVICE[action], stops_referral=bool(flags)
    )
