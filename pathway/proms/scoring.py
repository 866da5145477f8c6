"""Scores for a completed questionnaire, from the clinical core (one definition of each rule).

Each instrument's answers arrive as a dict; `score_answers` returns (scores dict, headline
number) or raises InvalidAnswers with a message for the person filling it in.
"""

from pathway.clinical import InvalidAnswers, eq5d, fft, gad7, gsos, odi, pain, phq9, readiness


def _pain(answers):
    value = pain.score(answers.get("pain"))
    return {"pain": value}, value


def _odi(answers):
    percent = odi.score(answers.get("sections"))
    return {"percent": round(percent, 1), "band": odi.band(percent)}, round(percent, 1)


def _eq5d(answers):
    state = eq5d.normalise_state(answers.get("state"))
    vas = eq5d.vas(answers.get("vas"))
    indexes = {code: eq5d.index(state, code) for code in eq5d.VALUE_SETS}
    return {"state": state, "index": indexes, "vas": vas}, vas


def _gad7(answers):
    result = gad7.score(answers.get("items"))
    return {"total": result.total, "severity": result.severity}, result.total


def _phq9(answers):
    result = phq9.score(answers.get("items"))
    scores = {
        "total": result.total,
        "severity": result.severity,
        "self_harm_flag": result.self_harm_flag,
    }
    return scores, result.total


def _gsos(answers):
    return {"answer": gsos.validate(answers.get("answer"))}, None


def _fft(answers):
    answer = fft.validate(answers.get("answer"))
    return {"answer": answer, "comment": fft.validate_comment(answers.get("comment", ""))}, None


def _readiness(answers):
    value = readiness.score(answers.get("score"))
    return {"score": value}, value


SCORERS = {
    "pain_nrs": _pain,
    "odi": _odi,
    "eq5d5l": _eq5d,
    "gad7": _gad7,
    "phq9": _phq9,
    "gsos": _gsos,
    "fft": _fft,
    "readiness": _readiness,
}


def score_answers(instrument, answers):
    try:
        scorer = SCORERS[instrument]
    except KeyError:
        raise InvalidAnswers(f"{instrument!r} is not a questionnaire this service uses") from None
    if not isinstance(answers, dict):
        raise InvalidAnswers(f"The answers to {instrument} are missing")
    return scorer(answers)
