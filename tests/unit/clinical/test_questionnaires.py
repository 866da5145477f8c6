"""Questionnaire definitions as data, and loading licensed wording."""

import json

import pytest

from pathway.clinical import (
    InvalidAnswers,
    LicensedWordingError,
    gad7,
    phq9,
    questionnaires,
    startback,
)
from pathway.clinical.questionnaires import INSTRUMENTS, load_licensed_wording

EXPECTED_CODES = {
    "startback",
    "phq9",
    "gad7",
    "pain_nrs",
    "odi",
    "eq5d5l",
    "gsos",
    "fft",
    "readiness",
}


def test_questionnaires_include_every_instrument_of_the_pathway():
    assert set(INSTRUMENTS) == EXPECTED_CODES
    for code, instrument in INSTRUMENTS.items():
        assert instrument.code == code
        assert instrument.items
        assert len({item.code for item in instrument.items}) == len(instrument.items)


def test_questionnaires_get_returns_the_instrument():
    assert questionnaires.get("phq9") is INSTRUMENTS["phq9"]


@pytest.mark.parametrize("code", ["PHQ9", "", None, "sf36"])
def test_questionnaires_get_unknown_code_is_invalid(code):
    with pytest.raises(InvalidAnswers, match="Unknown questionnaire"):
        questionnaires.get(code)


def test_startback_wording_is_keeles_verbatim_with_the_copyright_notice():
    instrument = INSTRUMENTS["startback"]

    assert instrument.copyright_notice == (
        "© Keele University 01/08/07. Funded by Arthritis Research UK."
    )
    assert instrument.instructions == (
        "Thinking about the last 2 weeks tick your response to the following questions"
    )
    assert [item.text for item in instrument.items] == [
        "My back pain has spread down my leg(s) at some time in the last 2 weeks",
        "I have had pain in the shoulder or neck at some time in the last 2 weeks",
        "I have only walked short distances because of my back pain",
        "In the last 2 weeks, I have dressed more slowly than usual because of back pain",
        "Do you think it's not really safe for a person with a condition like yours to be "
        "physically active?",
        "Worrying thoughts have been going through my mind a lot of the time",
        "I feel that my back pain is terrible and it's never going to get any better",
        "In general I have not enjoyed all the things I used to enjoy",
        "Overall, how bothersome has your back pain been in the last 2 weeks?",
    ]
    assert [option.label for option in instrument.items[8].options] == [
        "Not at all",
        "Slightly",
        "Moderately",
        "Very much",
        "Extremely",
    ]
    assert instrument.licensed_wording is False


def test_startback_option_values_are_what_the_scorer_accepts():
    items = INSTRUMENTS["startback"].items
    worst = [item.options[-1].value for item in items]

    assert startback.score(worst).total == 9


@pytest.mark.parametrize(("code", "module", "count"), [("phq9", phq9, 9), ("gad7", gad7, 7)])
def test_mood_questionnaires_use_the_pfizer_stem_and_0_to_3_options(code, module, count):
    instrument = INSTRUMENTS[code]

    assert instrument.instructions == (
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    )
    assert len(instrument.items) == count
    for item in instrument.items:
        assert [(option.value, option.label) for option in item.options] == [
            (0, "Not at all"),
            (1, "Several days"),
            (2, "More than half the days"),
            (3, "Nearly every day"),
        ]
    assert "Pfizer" in instrument.copyright_notice
    assert module.score([item.options[-1].value for item in instrument.items]).total == 3 * count


def test_phq9_item_9_is_the_self_harm_question():
    assert INSTRUMENTS["phq9"].items[8].text == (
        "Thoughts that you would be better off dead or of hurting yourself in some way"
    )


def test_pain_and_readiness_scales_run_from_0_to_10():
    for code in ("pain_nrs", "readiness"):
        (item,) = INSTRUMENTS[code].items
        assert [option.value for option in item.options] == list(range(11))


def test_fft_has_the_answer_and_an_optional_free_text_follow_up():
    answer, comment = INSTRUMENTS["fft"].items

    assert len(answer.options) == 6
    assert comment.options == ()


def test_gsos_has_six_points():
    (item,) = INSTRUMENTS["gsos"].items

    assert len(item.options) == 6


def test_odi_ships_only_structure_and_placeholders():
    odi = INSTRUMENTS["odi"]

    assert odi.licensed_wording is True
    assert odi.wording_installed is False
    assert len(odi.items) == 10
    assert odi.items[0].text == "ODI section 1 (licensed wording not installed)"
    for item in odi.items:
        assert [option.value for option in item.options] == [0, 1, 2, 3, 4, 5]
        assert [option.label for option in item.options] == [f"Level {n}" for n in range(6)]


def test_eq5d5l_ships_only_structure_and_placeholders():
    eq5d5l = INSTRUMENTS["eq5d5l"]

    assert eq5d5l.licensed_wording is True
    assert eq5d5l.wording_installed is False
    assert [item.code for item in eq5d5l.items] == [
        "mobility",
        "self_care",
        "usual_activities",
        "pain_discomfort",
        "anxiety_depression",
        "eq_vas",
    ]
    for item in eq5d5l.items[:5]:
        assert [option.value for option in item.options] == [1, 2, 3, 4, 5]
        assert "licensed wording not installed" in item.text
    assert [option.value for option in eq5d5l.items[5].options] == list(range(101))


def fake_odi_wording():
    """Made-up text in the ODI's shape: real wording must never be in the repository."""
    return {
        "instrument": "odi",
        "title": "Fake licensed ODI",
        "copyright_notice": "Fake notice",
        "items": [
            {
                "code": f"odi_{section}",
                "text": f"Fake section {section}",
                "options": [f"Fake statement {section}.{score}" for score in range(6)],
            }
            for section in range(1, 11)
        ],
    }


def fake_eq5d_wording():
    dimensions = ["mobility", "self_care", "usual_activities", "pain_discomfort"]
    dimensions.append("anxiety_depression")
    items = [
        {"code": code, "text": f"Fake {code}", "options": [f"Fake {code} {n}" for n in range(5)]}
        for code in dimensions
    ]
    items.append({"code": "eq_vas", "text": "Fake VAS question"})
    return {
        "instrument": "eq5d5l",
        "title": "Fake EQ",
        "copyright_notice": "Fake",
        "items": items,
    }


def write(tmp_path, data):
    path = tmp_path / "wording.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_load_licensed_wording_installs_text_and_keeps_the_scoring_values(tmp_path):
    instrument = load_licensed_wording("odi", write(tmp_path, fake_odi_wording()))

    assert instrument.wording_installed is True
    assert instrument.licensed_wording is True
    assert instrument.title == "Fake licensed ODI"
    assert instrument.items[2].text == "Fake section 3"
    assert [(option.value, option.label) for option in instrument.items[2].options][-1] == (
        5,
        "Fake statement 3.5",
    )
    assert INSTRUMENTS["odi"].wording_installed is False  # the shipped definition is untouched


def test_load_licensed_wording_for_eq5d_keeps_the_vas_numbers(tmp_path):
    instrument = load_licensed_wording("eq5d5l", write(tmp_path, fake_eq5d_wording()))

    assert instrument.items[0].options[0].label == "Fake mobility 0"
    assert instrument.items[5].text == "Fake VAS question"
    assert len(instrument.items[5].options) == 101


def _drop_section(data):
    data["items"].pop()


def _drop_option(data):
    data["items"][4]["options"].pop()


def _swap_sections(data):
    data["items"][0], data["items"][1] = data["items"][1], data["items"][0]


def _blank_text(data):
    data["items"][3]["text"] = "  "


def _wrong_instrument(data):
    data["instrument"] = "eq5d5l"


def _no_title(data):
    del data["title"]


def _label_not_text(data):
    data["items"][0]["options"][0] = 0


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (_drop_section, "odi needs 10 items; the file has 9"),
        (_drop_option, "item odi_5 needs 6 option labels; the file has 5"),
        (_swap_sections, "item odi_1 expected here, found 'odi_2'"),
        (_blank_text, "item odi_4: 'text' must be non-empty text"),
        (_wrong_instrument, "the file is for 'eq5d5l', not 'odi'"),
        (_no_title, "'title' must be non-empty text"),
        (_label_not_text, "item odi_1 option 1: 'label' must be non-empty text"),
    ],
)
def test_load_licensed_wording_refuses_a_file_that_does_not_match(tmp_path, spoil, message):
    data = fake_odi_wording()
    spoil(data)

    with pytest.raises(LicensedWordingError, match=message):
        load_licensed_wording("odi", write(tmp_path, data))


def test_load_licensed_wording_refuses_option_labels_for_the_vas(tmp_path):
    data = fake_eq5d_wording()
    data["items"][5]["options"] = ["0", "100"]

    with pytest.raises(LicensedWordingError, match="eq_vas is a number scale"):
        load_licensed_wording("eq5d5l", write(tmp_path, data))


def test_load_licensed_wording_for_an_unlicensed_instrument_is_refused(tmp_path):
    with pytest.raises(LicensedWordingError, match="'phq9' has no licensed wording"):
        load_licensed_wording("phq9", write(tmp_path, fake_odi_wording()))


def test_load_licensed_wording_reports_an_unreadable_file(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")

    with pytest.raises(LicensedWordingError, match="Cannot read licensed wording"):
        load_licensed_wording("odi", broken)
    with pytest.raises(LicensedWordingError, match="Cannot read licensed wording"):
        load_licensed_wording("odi", tmp_path / "missing.json")
