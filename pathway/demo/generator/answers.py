"""Answers to every questionnaire, drawn to hit target scores, and scored by the clinical core.

Scores are never written by hand: every stored total, band, index and risk comes from the same
functions the service uses (pathway.proms.scoring, pathway.clinical.startback), cached by answer
so that half a million episodes do not score the same answers millions of times.
"""

import itertools

from pathway.clinical import startback
from pathway.demo.generator import distributions as d
from pathway.demo.generator.draws import pick
from pathway.proms.scoring import score_answers

GSOS_CODES = (
    "completely_better",
    "a_lot_better",
    "moderately_better",
    "a_little_better",
    "same",
    "worse",
)
FFT_CODES = tuple(d.FFT_WEIGHTS)
FFT_CUMULATIVE = tuple(itertools.accumulate(d.FFT_WEIGHTS.values()))
FFT_COMMENTS = (
    "",
    "",
    "",
    "The exercises helped and I was listened to.",
    "Seen quickly and given clear advice.",
    "Would have liked more sessions.",
)
MILD_BOTHER = ("not_at_all", "slightly", "moderately")
STRONG_BOTHER = ("very_much", "extremely")


def clip(value, low, high):
    return low if value < low else high if value > high else value


def spread(rng, total, items, most):
    """`items` whole numbers from 0 to `most` adding up to `total` (clipped to what fits)."""
    total = clip(int(round(total)), 0, items * most)
    base, extra = divmod(total, items)
    values = [base] * items
    random = rng.random
    start = int(random() * items)
    for offset in range(extra):
        values[(start + offset) % items] += 1
    # A few random moves of one point keep the answers from looking flat.
    for _ in range(items // 2):
        giver, taker = int(random() * items), int(random() * items)
        if values[giver] > 0 and values[taker] < most:
            values[giver] -= 1
            values[taker] += 1
    return values


class Scorer:
    """Scores by answer, through the clinical core, remembered for the run.

    The key given with the answers is everything the score depends on (the sum of all-answered
    ODI sections, a GAD-7 total, a PHQ-9 total with item 9, an EQ-5D state): the first answers
    with a key are scored by the clinical core and later ones reuse its result. EQ VAS is
    checked and copied in per answer, since it is reported as given.
    """

    def __init__(self):
        self._cache = {}

    def score(self, instrument, key, answers):
        found = self._cache.get((instrument, key))
        if found is None:
            found = self._cache[(instrument, key)] = score_answers(instrument, answers)
        if instrument == "eq5d5l":
            scores, _ = found
            vas = answers["vas"]
            return {**scores, "vas": vas}, vas
        return found

    def startback(self, answers):
        key = ("startback", tuple(answers))
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = startback.score(answers)
        return found


def startback_answers(rng, total):
    """Nine answers with `total` items scoring: which ones is random, so the psychosocial
    subscale (and so high risk) follows from the total as it does in practice."""
    scoring = set(rng.sample(range(9), clip(total, 0, 9)))
    answers = [index in scoring for index in range(8)]
    answers.append(rng.choice(STRONG_BOTHER if 8 in scoring else MILD_BOTHER))
    return answers


def questionnaire(rng, instrument, values, *, gsos_cumulative=None, readiness_mean=6.3):
    """(answers, scoring key) for one instrument, from target `values`
    (pain, odi %, vas, gad7, phq9 as floats); GSOS weights come cumulative."""
    if instrument == "pain_nrs":
        pain = clip(int(round(values["pain"])), 0, 10)
        return {"pain": pain}, pain
    if instrument == "odi":
        sections = spread(rng, values["odi"] / 2, 10, 5)
        return {"sections": sections}, sum(sections)
    if instrument == "eq5d5l":
        state = eq5d_state(rng, values)
        vas = clip(int(round(values["vas"])), 0, 100)
        return {"state": state, "vas": vas}, state
    if instrument == "gad7":
        items = spread(rng, values["gad7"], 7, 3)
        return {"items": items}, sum(items)
    if instrument == "phq9":
        total = clip(int(round(values["phq9"])), 0, 27)
        item9 = 0
        if rng.random() < d.SELF_HARM_ITEM_RATE * total / 27:
            item9 = rng.choice((1, 1, 1, 2, 3))
        items = [*spread(rng, total - item9, 8, 3), item9]
        return {"items": items}, (sum(items), item9)
    if instrument == "gsos":
        answer = pick(rng, GSOS_CODES, gsos_cumulative)
        return {"answer": answer}, answer
    if instrument == "fft":
        answer = pick(rng, FFT_CODES, FFT_CUMULATIVE)
        comment = rng.choice(FFT_COMMENTS)
        return {"answer": answer, "comment": comment}, (answer, comment)
    if instrument == "readiness":
        score = clip(int(round(rng.gauss(readiness_mean, d.READINESS_SD))), 0, 10)
        return {"score": score}, score
    raise ValueError(f"the generator has no answers for {instrument!r}")


def eq5d_state(rng, values):
    """A five-digit EQ-5D-5L state that moves with disability, pain and mood.

    invented: each dimension's level follows the ODI (mobility, self-care, usual activities),
    the pain score (pain/discomfort) or PHQ-9 (anxiety/depression), with noise; calibrated so
    that the UK crosswalk index averages about 0.4-0.5 at baseline as in evaluation Table 1.
    """
    odi, pain, mood = values["odi"], values["pain"] * 10, values["phq9"] * 3.7
    levels = (
        odi / 22 + 0.4,
        odi / 30 + 0.1,
        odi / 20 + 0.5,
        pain / 22 + 0.3,
        mood / 25 + 0.6,
    )
    gauss = rng.gauss
    return "".join(str(clip(int(level + gauss(0, 0.6) + 0.5), 1, 5)) for level in levels)
