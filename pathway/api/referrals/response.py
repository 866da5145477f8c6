"""What the GP answered: the Bundle's QuestionnaireResponse as answers by question name.

The response must answer the published referral Questionnaire (its canonical url and
version), with the items flat as the Questionnaire has them, each question at most once,
each answer of the question's type (valueBoolean for yes/no, a valueCoding of the offered
answers for a choice, valueString for a reason). An item without an answer is an unanswered
question, as on the web form: whether it had to be answered is for the rules to say.
"""

from pathway.api.referrals.entries import dicts, text
from pathway.api.referrals.problems import (
    CODE_INVALID,
    DUPLICATE,
    INVALID,
    NOT_SUPPORTED,
    REQUIRED,
    STRUCTURE,
    VALUE,
    Problem,
    entry_path,
    quoted,
)
from pathway.api.referrals.questionnaire import (
    BOOLEAN,
    CANONICAL,
    CHOICE,
    DISPLAY,
    QUESTIONS,
    TEXT,
    URL,
    VERSION,
)

# The one value each kind of question takes, by its JSON name.
VALUE_ELEMENTS = {BOOLEAN: "valueBoolean", CHOICE: "valueCoding", TEXT: "valueString"}
KIND_WORDS = {BOOLEAN: "a yes/no question", CHOICE: "a choice", TEXT: "a question of words"}
STATUSES = ("completed", "amended")


def read_response(posted, index, patient_index, problems):
    """{question name: plain value} for every question answered."""
    resource = posted.resource(index)

    def at(path):
        return f"{entry_path(index)}.{path}"

    _check_questionnaire(resource, at, problems)
    if resource.get("status") not in STATUSES:
        problems.append(
            Problem(
                VALUE, "Post the completed QuestionnaireResponse (status completed)", at("status")
            )
        )
    subject = resource.get("subject")
    if subject is not None and not posted.points_at(subject, index, patient_index):
        problems.append(
            Problem(INVALID, "The response's subject is the Bundle's Patient", at("subject"))
        )
    return _answers(resource.get("item"), at, problems)


def _answers(items, at, problems):
    answers, seen = {}, set()
    for number, item in enumerate(items if isinstance(items, list) else []):
        link_id = text(item.get("linkId")) if isinstance(item, dict) else ""
        problem = _item_problem(item, link_id, seen)
        seen.add(link_id)
        if problem is not None:
            problems.append(Problem(*problem, at(f"item[{number}]")))
            continue
        place = at(f"item.where(linkId={quoted(link_id)})")
        answered = _answer(item, QUESTIONS[link_id], place)
        if isinstance(answered, Problem):
            problems.append(answered)
        elif answered is not _UNANSWERED:
            answers[link_id] = answered
    return answers


_UNANSWERED = object()


def _check_questionnaire(resource, at, problems):
    named = resource.get("questionnaire")
    if named == CANONICAL:
        return
    if named is None:
        code, diagnostics = REQUIRED, f"Name the Questionnaire answered: {CANONICAL}"
    elif isinstance(named, str) and named.split("|")[0] == URL:
        code = NOT_SUPPORTED
        diagnostics = (
            f"This service takes answers to version {VERSION} of its referral Questionnaire: "
            f"name it as {CANONICAL}"
        )
    else:
        code = NOT_SUPPORTED
        diagnostics = f"This service takes answers to its referral Questionnaire, {CANONICAL}"
    problems.append(Problem(code, diagnostics, at("questionnaire")))


def _item_problem(item, link_id, seen):
    """(code, diagnostics) of what is wrong with the item itself, or None."""
    if not isinstance(item, dict):
        return STRUCTURE, "Each item is a JSON object"
    if link_id not in QUESTIONS:
        return INVALID, f"The referral Questionnaire has no question with linkId {quoted(link_id)}"
    if link_id in seen:
        return DUPLICATE, f"The question {quoted(link_id)} is answered twice"
    if item.get("item") is not None or any(
        a.get("item") is not None for a in dicts(item.get("answer"))
    ):
        return INVALID, "The referral Questionnaire's items are not nested: list them flat"
    if QUESTIONS[link_id].kind == DISPLAY and item.get("answer"):
        return INVALID, f"{quoted(link_id)} is a heading: it takes no answer"
    return None


def _answer(item, question, place):
    """The plain value of the item's answer, _UNANSWERED, or a Problem."""
    given = item.get("answer")
    if question.kind == DISPLAY or not given:
        return _UNANSWERED
    if not isinstance(given, list) or len(given) > 1:
        return Problem(VALUE, f"{quoted(question.link_id)} takes one answer", place)
    answer = given[0] if isinstance(given[0], dict) else {}
    element = VALUE_ELEMENTS[question.kind]
    values = [name for name in answer if name.startswith("value")]
    if values != [element]:
        return Problem(
            VALUE,
            f"{quoted(question.link_id)} is {KIND_WORDS[question.kind]}: answer it with {element}",
            place,
        )
    value = answer[element]
    if question.kind == BOOLEAN:
        return value if isinstance(value, bool) else Problem(VALUE, "Answer true or false", place)
    if question.kind == TEXT:
        return value.strip() if isinstance(value, str) else ""
    return _choice(question, value, place)


def _choice(question, coding, place):
    code = text(coding.get("code")) if isinstance(coding, dict) else ""
    option = question.option(code)
    system = coding.get("system") if isinstance(coding, dict) else None
    if option is None or (system is not None and system != question.system):
        offered = ", ".join(option.code for option in question.options)
        return Problem(
            CODE_INVALID,
            f"Answer {quoted(question.link_id)} with a code of {question.system}: one of {offered}",
            place,
        )
    return option.value
