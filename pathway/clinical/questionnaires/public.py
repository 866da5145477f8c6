"""Instruments whose wording may be shipped: STarT Back (Keele, kept verbatim with its notice),
PHQ-9 and GAD-7 (free to use), and the pathway's own short scales.

Answer options are built from the scoring modules' option lists, so a form's values are always
exactly what the scorer accepts.
"""

from pathway.clinical import fft, gsos, mood, startback
from pathway.clinical.questionnaires.model import Instrument, Item, Option, numbered_options

# Keele: free for non-commercial clinical use with this notice kept; do not alter the wording.
STARTBACK_NOTICE = "© Keele University 01/08/07. Funded by Arthritis Research UK."
_AGREE_OPTIONS = (Option(False, "Disagree"), Option(True, "Agree"))
_STARTBACK_STATEMENTS = (
    "My back pain has spread down my leg(s) at some time in the last 2 weeks",
    "I have had pain in the shoulder or neck at some time in the last 2 weeks",
    "I have only walked short distances because of my back pain",
    "In the last 2 weeks, I have dressed more slowly than usual because of back pain",
    "Do you think it's not really safe for a person with a condition like yours to be "
    "physically active?",
    "Worrying thoughts have been going through my mind a lot of the time",
    "I feel that my back pain is terrible and it's never going to get any better",
    "In general I have not enjoyed all the things I used to enjoy",
)
STARTBACK = Instrument(
    code="startback",
    title="The Keele STarT Back Screening Tool",
    instructions="Thinking about the last 2 weeks tick your response to the following questions",
    items=(
        *(
            Item(f"startback_{number}", text, _AGREE_OPTIONS)
            for number, text in enumerate(_STARTBACK_STATEMENTS, 1)
        ),
        Item(
            "startback_9",
            "Overall, how bothersome has your back pain been in the last 2 weeks?",
            tuple(Option(code, label) for code, label in startback.BOTHERSOME_OPTIONS),
        ),
    ),
    copyright_notice=STARTBACK_NOTICE,
    licensed_wording=False,
)

PFIZER_NOTICE = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
    "with an educational grant from Pfizer Inc. No permission required to reproduce, "
    "translate, display or distribute."
)
_MOOD_INSTRUCTIONS = (
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
)
_FREQUENCY = tuple(Option(value, label) for value, label in mood.FREQUENCY_OPTIONS)
_PHQ9_ITEMS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your "
    "family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
    "being so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
)
_GAD7_ITEMS = (
    "Feeling nervous, anxious or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid as if something awful might happen",
)
# The PHQ-9's unscored closing question about difficulty is left out: nothing uses it.
PHQ9 = Instrument(
    code="phq9",
    title="Patient Health Questionnaire (PHQ-9)",
    instructions=_MOOD_INSTRUCTIONS,
    items=tuple(
        Item(f"phq9_{number}", text, _FREQUENCY) for number, text in enumerate(_PHQ9_ITEMS, 1)
    ),
    copyright_notice=PFIZER_NOTICE,
    licensed_wording=False,
)
GAD7 = Instrument(
    code="gad7",
    title="Generalised Anxiety Disorder Assessment (GAD-7)",
    instructions=_MOOD_INSTRUCTIONS,
    items=tuple(
        Item(f"gad7_{number}", text, _FREQUENCY) for number, text in enumerate(_GAD7_ITEMS, 1)
    ),
    copyright_notice=PFIZER_NOTICE,
    licensed_wording=False,
)

# The pathway's own short scales: their question wording is the service's, not a publisher's.
PAIN_NRS = Instrument(
    code="pain_nrs",
    title="Pain score",
    items=(
        Item(
            "pain_nrs",
            "How would you rate your pain, from 0 (no pain) to 10 (worst pain imaginable)?",
            numbered_options(0, 10, {0: "No pain", 10: "Worst pain imaginable"}),
        ),
    ),
    copyright_notice="",
    licensed_wording=False,
)
GSOS = Instrument(
    code="gsos",
    title="Global Subjective Outcome Scale",
    items=(
        Item(
            "gsos",
            "Compared with when you were first seen by the service, how is your back or neck "
            "problem now?",
            tuple(Option(code, label) for code, label in gsos.OPTIONS),
        ),
    ),
    copyright_notice="",
    licensed_wording=False,
)
FFT = Instrument(
    code="fft",
    title="Friends and Family Test",
    items=(
        Item("fft", fft.QUESTION, tuple(Option(code, label) for code, label in fft.OPTIONS)),
        Item("fft_comment", fft.FOLLOW_UP_QUESTION),
    ),
    copyright_notice="",
    licensed_wording=False,
)
READINESS = Instrument(
    code="readiness",
    title="Readiness to self-manage",
    items=(
        Item(
            "readiness",
            "How ready do you feel to manage your back or neck pain yourself, from 0 (not at "
            "all ready) to 10 (completely ready)?",
            numbered_options(0, 10, {0: "Not at all ready", 10: "Completely ready"}),
        ),
    ),
    copyright_notice="",
    licensed_wording=False,
)
