"""Each score of a completed questionnaire as an Observation of its own, derived from the
QuestionnaireResponse: no table of its own, a response row stands for its scores
(pathway.api.kinds.Parts), and an Observation's id is the response's id and the score's part
name, such as "<response id>-phq9-total".

Codes: LOINC where LOINC has the score (checked against published FHIR implementation guides
that use them): PHQ-9 total 44261-6, GAD-7 total 70274-6, pain 0-10 numeric rating 72514-3.
The others are the service's own, in the score CodeSystem (served at CodeSystem/score): ODI %,
the EQ-5D-5L index in each value set the service computes (one Observation each, since a
report names the value set it uses), EQ VAS and readiness to self-manage. The Global
Subjective Outcome Scale and the Friends and Family Test are answers, not scores: they are
in the QuestionnaireResponse only. A severity band is the Observation's interpretation, in
words.

STarT Back is scored with the referral: its total and psychosocial subscale are Observations
of the referral (id "<referral id>-startback-total"), derived from the referral's answers
(the QuestionnaireResponse of the referral Questionnaire, pathway.api.referral_answers), with
the risk group as the total's interpretation. LOINC has no STarT Back code: they are the
service's own.
"""

from collections.abc import Callable
from dataclasses import dataclass

from fhir.resources.R4B.observation import Observation

from pathway.api.care_resources import patient_reference
from pathway.api.questionnaire_responses import timepoint_extension
from pathway.api.referrals.systems import code_system, uk_core_meta
from pathway.api.search import SearchParameter, token_values
from pathway.api.search_parameters import HL7_SEARCH
from pathway.clinical import eq5d, gad7, odi, phq9

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
SCORE_SYSTEM = code_system("score")
SURVEY = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
            "display": "Survey",
        }
    ]
}


@dataclass(frozen=True)
class Score:
    part: str  # the end of the Observation's id
    system: str
    code: str
    display: str
    value: Callable  # (the response's stored scores) -> the Observation's value[x]
    definition: str = ""  # for the service's own codes: what the CodeSystem says it is
    interpretation: Callable | None = None  # (stored scores) -> the band, in words
    method: str = ""

    def matches(self, text):
        """Whether this score's code is one of the comma-separated tokens in `text`."""
        for system, code in token_values(text):
            if system is None and code == self.code:
                return True
            if system == self.system and code in ("", self.code):
                return True
        return False


def _integer(key):
    return lambda scores: {"valueInteger": scores[key]}


def _percent(scores):
    return {"valueQuantity": {"value": scores["percent"], "unit": "%", "system": UCUM, "code": "%"}}


def _index(value_set):
    # An index value has no unit: UCUM's unity, "1".
    return lambda scores: {
        "valueQuantity": {"value": scores["index"][value_set], "system": UCUM, "code": "1"}
    }


def _eq5d_index(code, value_set):
    return Score(
        part=f"eq5d5l-index-{code.replace('_', '-')}",
        system=SCORE_SYSTEM,
        code=f"eq5d5l-index-{code.replace('_', '-')}",
        display=f"EQ-5D-5L index value, {value_set.label} value set",
        value=_index(code),
        definition=(
            f"The EQ-5D-5L health state's index value in the {value_set.label} value set "
            f"({value_set.published_min} to {value_set.published_max}), to 3 decimal places."
        ),
        method=f"{value_set.label} value set",
    )


SCORES = {
    "pain_nrs": (
        Score(
            "pain-nrs",
            LOINC,
            "72514-3",
            "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
            _integer("pain"),
        ),
    ),
    "odi": (
        Score(
            "odi-percent",
            SCORE_SYSTEM,
            "odi-percent",
            "Oswestry Disability Index v2.1a score (%)",
            _percent,
            definition=(
                "The sum of the section scores over 5 times the sections answered, as a "
                "percentage to 1 decimal place; at most one of the ten sections missing."
            ),
            interpretation=lambda scores: odi.BAND_LABELS[scores["band"]],
        ),
    ),
    "eq5d5l": (
        *(_eq5d_index(code, value_set) for code, value_set in eq5d.VALUE_SETS.items()),
        Score(
            "eq-vas",
            SCORE_SYSTEM,
            "eq-vas",
            "EQ VAS",
            _integer("vas"),
            definition="Self-rated health from 0 (the worst) to 100 (the best imaginable).",
        ),
    ),
    "gad7": (
        Score(
            "gad7-total",
            LOINC,
            "70274-6",
            "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]",
            _integer("total"),
            interpretation=lambda scores: gad7.SEVERITY_LABELS[scores["severity"]],
        ),
    ),
    "phq9": (
        Score(
            "phq9-total",
            LOINC,
            "44261-6",
            "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]",
            _integer("total"),
            interpretation=lambda scores: phq9.SEVERITY_LABELS[scores["severity"]],
        ),
    ),
    "readiness": (
        Score(
            "readiness",
            SCORE_SYSTEM,
            "readiness",
            "Readiness to self-manage (0-10)",
            _integer("score"),
            definition="From 0 (not at all ready) to 10 (completely ready), asked at discharge.",
        ),
    ),
}
STARTBACK_SCORES = (
    Score(
        "startback-total",
        SCORE_SYSTEM,
        "startback-total",
        "STarT Back Screening Tool total score (0-9)",
        _integer("total"),
        definition=(
            "The Keele STarT Back Screening Tool's overall score, from 0 to 9, recorded with "
            "the referral."
        ),
        interpretation=lambda scores: f"{scores['risk'].capitalize()} risk",
    ),
    Score(
        "startback-psychosocial",
        SCORE_SYSTEM,
        "startback-psychosocial",
        "STarT Back Screening Tool psychosocial subscale score (0-5)",
        _integer("psychosocial"),
        definition="The psychosocial subscale of the STarT Back Screening Tool (items 5 to 9).",
    ),
)
BY_PART = {score.part: score for scores in (*SCORES.values(), STARTBACK_SCORES) for score in scores}
SERVICE_SCORES = tuple(score for score in BY_PART.values() if score.system == SCORE_SYSTEM)


def part_names(instrument):
    """The Observations a response to `instrument` stands for, in order (perhaps none)."""
    return [score.part for score in SCORES.get(instrument, ())]


def observation_resource(response, part):
    """The Observation of score `part` of a proms QuestionnaireResponse (episode with its
    patient selected)."""
    return _observation(
        BY_PART[part],
        response.scores,
        fhir_id=f"{response.public_id}-{part}",
        patient=response.episode.patient,
        at=response.completed_at,
        derived_from=response.public_id,
        extension=[timepoint_extension(response)],
    )


def startback_part_names(risk):
    """The Observations a referral stands for: the STarT Back scores, if it was scored."""
    return [score.part for score in STARTBACK_SCORES] if risk else []


def startback_observation_resource(referral, part):
    """The Observation of STarT Back score `part` of a Referral (patient selected)."""
    scores = {
        "total": referral.startback_total,
        "psychosocial": referral.startback_psychosocial,
        "risk": referral.startback_risk,
    }
    return _observation(
        BY_PART[part],
        scores,
        fhir_id=f"{referral.public_id}-{part}",
        patient=referral.patient,
        at=referral.created_at,
        derived_from=referral.public_id,
    )


def _observation(score, scores, *, fhir_id, patient, at, derived_from, extension=None):
    data = {
        "resourceType": "Observation",
        "id": fhir_id,
        "meta": uk_core_meta("Observation", at),
        "extension": extension,
        "status": "final",
        "category": [SURVEY],
        "code": {
            "coding": [{"system": score.system, "code": score.code, "display": score.display}],
            "text": score.display,
        },
        "subject": patient_reference(patient),
        "effectiveDateTime": at.isoformat(),
        "derivedFrom": [{"reference": f"QuestionnaireResponse/{derived_from}"}],
        **score.value(scores),
    }
    if score.interpretation:
        data["interpretation"] = [{"text": score.interpretation(scores)}]
    if score.method:
        data["method"] = {"text": score.method}
    return Observation.model_validate(data)


def code_parameter(apply):
    """The code parameter of an Observation source; `apply` filters its rows by the codes."""
    return SearchParameter(
        name="code",
        type="token",
        definition=f"{HL7_SEARCH}/clinical-code",
        documentation=(
            f"The score's code, system|code: {LOINC}|44261-6 (PHQ-9), {LOINC}|70274-6 (GAD-7), "
            f"{LOINC}|72514-3 (pain), or {SCORE_SYSTEM}|<code> (CodeSystem/score), such as "
            f"{SCORE_SYSTEM}|startback-total."
        ),
        apply=apply,
        keeps=lambda part, text, _modifier: BY_PART[part].matches(text),
    )


CODE = code_parameter(
    lambda rows, text, _modifier: rows.filter(
        instrument__in=[
            instrument
            for instrument, scores in SCORES.items()
            if any(score.matches(text) for score in scores)
        ]
    )
)
STARTBACK_CODE = code_parameter(
    lambda rows, text, _modifier: (
        rows if any(score.matches(text) for score in STARTBACK_SCORES) else rows.none()
    )
)
