"""What a questionnaire score means, for the pages that show scores (templates/proms/)."""

from dataclasses import dataclass

from django import template
from django.conf import settings

from pathway.clinical import eq5d, fft, gad7, gsos, odi, phq9
from pathway.clinical.questionnaires import INSTRUMENTS
from pathway.proms.models import ResponseSource, Timepoint

register = template.Library()


@dataclass(frozen=True)
class ScoreSummary:
    title: str
    score: str
    meaning: str
    self_harm_flag: bool = False


def reporting_value_set():
    """The EQ-5D-5L value set that pages and reports use (settings.EQ5D_VALUE_SET)."""
    return eq5d.VALUE_SETS[settings.EQ5D_VALUE_SET]


def eq5d_index(response, value_set=None):
    """The response's EQ-5D-5L index in the reporting value set, or None."""
    code = value_set or settings.EQ5D_VALUE_SET
    return (response.scores.get("index") or {}).get(code)


def summarise(response):
    """The headline score of one response and what it means, in words."""
    scores = response.scores
    code = response.instrument
    title = INSTRUMENTS[code].title if code in INSTRUMENTS else code
    if code == "pain_nrs":
        return ScoreSummary(
            title, f"{scores['pain']} out of 10", "0 is no pain, 10 the worst pain imaginable"
        )
    if code == "odi":
        band = odi.BAND_LABELS.get(scores["band"], scores["band"])
        return ScoreSummary(title, f"{scores['percent']:.1f}%", f"{band} (0% is no disability)")
    if code == "eq5d5l":
        value_set = reporting_value_set()
        index = eq5d_index(response)
        index_text = "no index" if index is None else f"index {index:.3f}"
        return ScoreSummary(
            title,
            f"State {scores['state']}, {index_text}, EQ VAS {scores['vas']} out of 100",
            f"Index on the {value_set.label} value set (1 is full health); "
            "EQ VAS 100 is the best health the person can imagine",
        )
    if code == "gad7":
        severity = gad7.SEVERITY_LABELS.get(scores["severity"], scores["severity"])
        return ScoreSummary(title, f"{scores['total']} out of 21", f"{severity} anxiety")
    if code == "phq9":
        severity = phq9.SEVERITY_LABELS.get(scores["severity"], scores["severity"])
        return ScoreSummary(
            title,
            f"{scores['total']} out of 27",
            f"{severity} depression",
            self_harm_flag=bool(scores.get("self_harm_flag")),
        )
    if code == "gsos":
        return ScoreSummary(title, gsos.LABELS.get(scores["answer"], scores["answer"]), "")
    if code == "fft":
        return ScoreSummary(
            title, fft.LABELS.get(scores["answer"], scores["answer"]), scores.get("comment", "")
        )
    if code == "readiness":
        return ScoreSummary(
            title,
            f"{scores['score']} out of 10",
            "0 is not at all ready to self-manage, 10 completely ready",
        )
    return ScoreSummary(title, "" if response.score is None else f"{response.score:g}", "")


@register.filter
def score_summary(response):
    return summarise(response)


@register.filter
def completed_by(response):
    if response.source == ResponseSource.PATIENT:
        return "Patient"
    if response.recorded_by is not None:
        return f"Clinician ({response.recorded_by.get_full_name()})"
    return "Clinician"


@register.filter
def timepoint_label(code):
    try:
        return Timepoint(code).label
    except ValueError:
        return code


@register.simple_tag
def eq5d_value_set_label():
    return reporting_value_set().label
