"""Serious pathology (red flag) screen for the GP referral (clinical reference section 6).

One explicit yes/no question per flag, so "not asked" can never be mistaken for "no". Codes
are stable: they are form field names and database keys, so never rename one.

How the flags are used (section 6 as corrected: a single flag has low specificity, and the AQP
criteria exclude *suspicion* of serious pathology, which is the GP's judgement):

- Any **cauda equina** flag stops the referral at once: emergency department or on-call spinal
  team today. Nothing is asked.
- Any other flag asks the GP "Is serious pathology suspected?" (`route_red_flags`). "Suspected"
  stops the referral and names where to send the person; "not suspected" needs a recorded
  reason and lets the referral continue, with the flags shown to the Triage and Treat
  Practitioner, who screens again at assessment. A choice against the template's
  recommendation needs a reason too.
- The template recommends "suspected" (`recommend_judgement`) in exactly these cases:
  1. a **past history of cancer** (the strongest single indicator of malignancy);
  2. an **infection flag with its risk factor**: in this question set the sign is `fever` and
     the risk factors are `immunosuppression`, `intravenous_drug_use` and `recent_infection`,
     so fever together with any one of them. Fever alone, or a risk factor alone, is not
     enough on its own (many people have a cold or take immunosuppressants);
  3. a **fracture flag with its risk factor**: each fracture question already asks the flag
     together with its risk factor. `significant_trauma` is asked as a high-energy injury (a
     fall from a height, a high-speed collision), where the energy is the risk; routine
     whiplash is not significant trauma and is within the AQP criteria.
     `minor_trauma_with_osteoporosis_or_steroids` is asked only together with osteoporosis or
     steroid use. So a "yes" to either recommends "suspected";
  4. **two or more flags of one group** (for example new onset over 50 with night pain).
     Flags of different groups do not combine: the reference says "of one group".
  Otherwise the recommendation is "not suspected": for example onset over 50 or under 20,
  night pain, unexplained weight loss or no improvement after a month on its own, or features
  of inflammatory back pain on their own. The GP may still decide "suspected".
- Where to send a person when pathology is suspected, most urgent first: urgent secondary care
  (infection, fracture), the suspected-cancer pathway (cancer), rheumatology (inflammatory).
  Every group flagged names its destination; the first is the one recorded as the action.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from pathway.clinical.answers import describe, require_yes_no_answers
from pathway.clinical.errors import InvalidAnswers


@dataclass(frozen=True)
class RedFlag:
    code: str
    question: str
    group: str


CAUDA_EQUINA = "cauda_equina"

GROUPS = {
    CAUDA_EQUINA: "Possible cauda equina syndrome",
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
        "Did the pain start after significant trauma, that is a high-energy injury (for example "
        "a fall from a height or a high-speed road traffic collision)? Routine whiplash is not "
        "significant trauma.",
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

# --- Is serious pathology suspected? The template's recommendation (see the module docstring).

SUSPECTED = "suspected"
NOT_SUSPECTED = "not_suspected"
JUDGEMENTS = {
    SUSPECTED: "Yes, serious pathology is suspected",
    NOT_SUSPECTED: "No, serious pathology is not suspected",
}

INFECTION_SIGN = "fever"
INFECTION_RISK_FACTORS = frozenset(
    {"immunosuppression", "intravenous_drug_use", "recent_infection"}
)
# Each fracture question names the flag with its risk factor (the module docstring says why).
FRACTURE_WITH_RISK_FACTOR = frozenset(
    {"significant_trauma", "minor_trauma_with_osteoporosis_or_steroids"}
)


@dataclass(frozen=True)
class JudgementRecommendation:
    judgement: str  # SUSPECTED or NOT_SUSPECTED
    # Why "suspected" is recommended, in words for the GP; empty when it is not.
    reasons: tuple[str, ...]

    @property
    def text(self) -> str:
        if self.judgement == SUSPECTED:
            return f"Serious pathology suspected: {'; '.join(self.reasons)}."
        return (
            "Serious pathology not suspected: a single flag of this kind is common in people "
            "with ordinary back or neck pain. Judge it with everything you know, and say why."
        )


def recommend_judgement(codes: Collection[str]) -> JudgementRecommendation:
    """The template's recommendation for the flags present (codes of non-cauda equina flags).

    Cauda equina is never judged (it stops the referral at once), so its codes are refused, as
    is an empty set: with no flag there is nothing to judge.
    """
    present = _known_codes(codes)
    if not present:
        raise InvalidAnswers("There is no red flag to judge")
    cauda_equina = sorted(c for c in present if RED_FLAGS_BY_CODE[c].group == CAUDA_EQUINA)
    if cauda_equina:
        raise InvalidAnswers(
            "A cauda equina flag is not judged: it stops the referral at once "
            f"({', '.join(cauda_equina)})"
        )
    reasons = []
    # Groups a specific reason already names, so a combination does not repeat it.
    named = set()
    if "history_of_cancer" in present:
        reasons.append("a past history of cancer")
        named.add("cancer")
    if INFECTION_SIGN in present and present & INFECTION_RISK_FACTORS:
        reasons.append("fever with a risk factor for infection")
        named.add("infection")
    for code in sorted(present & FRACTURE_WITH_RISK_FACTOR):
        reasons.append(
            "significant (high-energy) trauma"
            if code == "significant_trauma"
            else "minor trauma with osteoporosis or steroid use"
        )
        named.add("fracture")
    for group, label in GROUPS.items():
        count = sum(RED_FLAGS_BY_CODE[code].group == group for code in present)
        if count >= 2 and group not in named:
            reasons.append(f"{count} flags of {label.lower()} together")
    return JudgementRecommendation(SUSPECTED if reasons else NOT_SUSPECTED, tuple(reasons))


# --- Where to send the person when the referral stops

EMERGENCY_SAME_DAY = "emergency_same_day"
GP_SAME_DAY = "gp_same_day"
# Most urgent first. Codes are stored as the referral's red flag action: never rename one.
DESTINATIONS = {
    EMERGENCY_SAME_DAY: (
        "Possible cauda equina syndrome: send the person to the emergency department or "
        "contact the on-call spinal team today. Do not refer to the back pain pathway."
    ),
    "urgent_secondary_care": (
        "Possible serious pathology: refer urgently to the appropriate secondary care specialty "
        "instead of the back pain pathway."
    ),
    "suspected_cancer_pathway": (
        "Possible cancer: refer on the suspected-cancer pathway (or as locally agreed) instead "
        "of the back pain pathway."
    ),
    "rheumatology": (
        "Features of inflammatory back pain (such as axial spondyloarthritis): refer to "
        "rheumatology instead of the back pain pathway."
    ),
    # Where a person referring themselves is sent by a flag other than cauda equina: with no
    # GP to judge it (self_referral.route_self_referral), any such flag stops the referral.
    GP_SAME_DAY: (
        "Red flags reported by the person referring themselves: told to contact their GP "
        "practice today or call NHS 111. Not referred to the back pain pathway."
    ),
}
GROUP_DESTINATIONS = {
    CAUDA_EQUINA: EMERGENCY_SAME_DAY,
    "infection": "urgent_secondary_care",
    "fracture": "urgent_secondary_care",
    "cancer": "suspected_cancer_pathway",
    "inflammatory": "rheumatology",
}


def destinations_for(codes: Collection[str]) -> tuple[str, ...]:
    """Where to send a person with these flags, most urgent first, each destination once."""
    present = _known_codes(codes)
    wanted = {GROUP_DESTINATIONS[RED_FLAGS_BY_CODE[code].group] for code in present}
    return tuple(destination for destination in DESTINATIONS if destination in wanted)


# --- The screen and the route


@dataclass(frozen=True)
class RedFlagScreen:
    flags: tuple[RedFlag, ...]
    # None when there is nothing to judge: no flag, or a cauda equina flag.
    recommendation: JudgementRecommendation | None
    # Where to send the person if the referral stops, most urgent first.
    destinations: tuple[str, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(flag.code for flag in self.flags)

    @property
    def cauda_equina(self) -> bool:
        return any(flag.group == CAUDA_EQUINA for flag in self.flags)

    @property
    def needs_judgement(self) -> bool:
        return bool(self.flags) and not self.cauda_equina


def screen_red_flags(answers: Mapping[str, bool]) -> RedFlagScreen:
    """Screen the GP's yes/no answers, one per RED_FLAGS code (all must be answered)."""
    checked = require_yes_no_answers(
        answers, {flag.code: flag.question for flag in RED_FLAGS}, "Red flag screen"
    )
    flags = tuple(flag for flag in RED_FLAGS if checked[flag.code])
    codes = [flag.code for flag in flags]
    if any(flag.group == CAUDA_EQUINA for flag in flags):
        return RedFlagScreen(flags, None, (EMERGENCY_SAME_DAY,))
    if not flags:
        return RedFlagScreen(flags, None, ())
    return RedFlagScreen(flags, recommend_judgement(codes), destinations_for(codes))


# Routes, in the order the template can reach them.
SEE_GP_TODAY = "see_gp_today"  # self-referral with a flag other than cauda equina: stop
CONTINUE = "continue"  # no red flag
EMERGENCY = "emergency"  # cauda equina: stop now
ASK_GP = "ask_gp"  # the GP has not yet said whether serious pathology is suspected
SEND_ELSEWHERE = "send_elsewhere"  # suspected: stop and send the person elsewhere
CONTINUE_WITH_FLAGS = "continue_with_flags"  # not suspected: continue, flags shown to the TTP


@dataclass(frozen=True)
class RedFlagRoute:
    route: str
    # Where to send the person, most urgent first; empty unless the referral stops.
    destinations: tuple[str, ...]
    # The GP's judgement must come with a recorded reason.
    reason_required: bool
    against_recommendation: bool

    @property
    def stops_referral(self) -> bool:
        return self.route in (EMERGENCY, SEND_ELSEWHERE, SEE_GP_TODAY)

    @property
    def may_continue(self) -> bool:
        return self.route in (CONTINUE, CONTINUE_WITH_FLAGS)

    @property
    def action(self) -> str | None:
        """The destination recorded as the referral's red flag action (the most urgent)."""
        return self.destinations[0] if self.destinations else None

    @property
    def advice(self) -> tuple[str, ...]:
        return tuple(DESTINATIONS[destination] for destination in self.destinations)


def route_red_flags(screen: RedFlagScreen, judgement: str | None) -> RedFlagRoute:
    """What the screen and the GP's judgement (None until given) mean for the referral.

    A judgement given where none is asked (no flag, or cauda equina) changes nothing.
    """
    if not isinstance(screen, RedFlagScreen):
        raise InvalidAnswers(f"Red flag routing needs a RedFlagScreen, not {describe(screen)}")
    if judgement is not None and judgement not in JUDGEMENTS:
        raise InvalidAnswers(
            f"Whether serious pathology is suspected must be one of {', '.join(JUDGEMENTS)}, "
            f"not {describe(judgement)}"
        )
    if screen.cauda_equina:
        return RedFlagRoute(EMERGENCY, screen.destinations, False, False)
    if not screen.flags:
        return RedFlagRoute(CONTINUE, (), False, False)
    if judgement is None:
        return RedFlagRoute(ASK_GP, (), False, False)
    against = judgement != screen.recommendation.judgement
    if judgement == SUSPECTED:
        return RedFlagRoute(SEND_ELSEWHERE, screen.destinations, against, against)
    return RedFlagRoute(CONTINUE_WITH_FLAGS, (), True, against)


def _known_codes(codes: Collection[str]) -> frozenset[str]:
    if isinstance(codes, str | bytes | Mapping) or not isinstance(codes, Collection):
        raise InvalidAnswers(f"Red flags must be given as a collection of codes, not {codes!r}")
    unknown = sorted(str(code) for code in codes if code not in RED_FLAGS_BY_CODE)
    if unknown:
        raise InvalidAnswers(f"There is no red flag called {', '.join(unknown)}")
    return frozenset(codes)
