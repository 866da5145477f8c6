"""EQ-5D-5L index values (clinical reference section 4, data/SOURCES.md).

Expected values were worked by hand from the rows of the CSV files, not produced by the code.
"""

import csv
import filecmp
from pathlib import Path

import pytest

from pathway.clinical import InvalidAnswers, eq5d

ROOT = Path(__file__).resolve().parents[3]
SHARED_DATA = ROOT.parent / "shared" / "data"
ALL_VALUE_SETS = list(eq5d.VALUE_SETS)


@pytest.mark.parametrize("value_set", ALL_VALUE_SETS)
def test_eq5d_full_health_11111_is_one_in_every_value_set(value_set):
    assert eq5d.index("11111", value_set) == 1.0


@pytest.mark.parametrize(
    ("value_set", "published_minimum"),
    [("england_2018", -0.285), ("uk_2026", -0.567), ("uk_crosswalk", -0.594)],
)
def test_eq5d_worst_state_55555_gives_the_published_minimum(value_set, published_minimum):
    assert eq5d.index("55555", value_set) == published_minimum


@pytest.mark.parametrize(
    ("state", "value_set", "expected"),
    [
        # England 2018: 1 - (MO2 0.058 + SC1 0 + UA3 0.063 + PD4 0.276 + AD1 0) = 0.603
        ("21341", "england_2018", 0.603),
        # UK 2026: 1 - (MO2 0.032 + SC1 0 + UA3 0.086 + PD4 0.371 + AD1 0) = 0.511
        ("21341", "uk_2026", 0.511),
        # England 2018: 1 - (0 + SC2 0.05 + UA3 0.063 + PD4 0.276 + AD5 0.289) = 0.322
        ("12345", "england_2018", 0.322),
        # UK 2026: 1 - (0 + SC2 0.038 + UA3 0.086 + PD4 0.371 + AD5 0.391) = 0.114
        ("12345", "uk_2026", 0.114),
        # Crosswalk rows read from eq5d5l_crosswalk_uk.csv
        ("21341", "uk_crosswalk", 0.491),
        ("12345", "uk_crosswalk", 0.063),
        ("11112", "uk_crosswalk", 0.879),
        ("33333", "uk_crosswalk", 0.516),
    ],
)
def test_eq5d_hand_worked_states(state, value_set, expected):
    assert eq5d.index(state, value_set) == expected


def test_eq5d_state_as_a_tuple_of_levels_matches_the_string_form():
    assert eq5d.index((2, 1, 3, 4, 1), "england_2018") == 0.603


def test_eq5d_state_with_surrounding_space_is_accepted():
    assert eq5d.normalise_state(" 21341 ") == "21341"


@pytest.mark.parametrize("value_set", ALL_VALUE_SETS)
def test_eq5d_minimum_index_matches_the_published_range(value_set):
    assert eq5d.minimum_index(value_set) == eq5d.VALUE_SETS[value_set].published_min


def test_eq5d_value_sets_have_labels_and_ranges():
    for code, value_set in eq5d.VALUE_SETS.items():
        assert value_set.code == code
        assert value_set.label
        assert value_set.published_min < 0 < value_set.published_max == 1.0


def test_eq5d_there_are_3125_distinct_states():
    states = eq5d.all_states()

    assert len(states) == len(set(states)) == 5**5
    assert (states[0], states[-1]) == ("11111", "55555")


@pytest.mark.parametrize("value_set", ALL_VALUE_SETS)
def test_eq5d_every_state_is_within_the_published_range(value_set):
    published = eq5d.VALUE_SETS[value_set]
    values = [eq5d.index(state, value_set) for state in eq5d.all_states()]

    assert min(values) >= published.published_min
    assert max(values) <= published.published_max


@pytest.mark.parametrize("value_set", ALL_VALUE_SETS)
def test_eq5d_index_falls_whenever_any_dimension_worsens_by_one_level(value_set):
    # Checked against the data for all three sets: every one-level worsening strictly lowers
    # the index, the crosswalk included (it has no ties or reversals), so the strict form is
    # tested. Worsening by several levels follows by chaining single steps.
    for state in eq5d.all_states():
        value = eq5d.index(state, value_set)
        for position, level in enumerate(state):
            if level == "5":
                continue
            worse = state[:position] + str(int(level) + 1) + state[position + 1 :]
            assert eq5d.index(worse, value_set) < value, (state, worse)


def test_eq5d_crosswalk_lookup_agrees_with_every_row_of_the_csv():
    with (eq5d.DATA_DIR / "eq5d5l_crosswalk_uk.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))

    assert len(rows) == 3125
    for row in rows:
        assert eq5d.index(row["state"], "uk_crosswalk") == float(row["index"])


@pytest.mark.parametrize("name", ["eq5d5l_value_sets.csv", "eq5d5l_crosswalk_uk.csv"])
def test_eq5d_data_files_are_unchanged_copies_of_the_shared_data(name):
    shared = SHARED_DATA / name
    if not shared.exists():
        pytest.skip("shared/ data folder is not beside this checkout")

    assert filecmp.cmp(shared, eq5d.DATA_DIR / name, shallow=False)


def test_eq5d_data_sources_are_documented():
    sources = (eq5d.DATA_DIR / "SOURCES.md").read_text(encoding="utf-8")

    for needle in ("eq5d", "MIT", "Devlin", "Rowen", "van Hout"):
        assert needle in sources


@pytest.mark.parametrize(
    "state",
    ["", "2134", "213411", "21641", "01341", "2134x", "2 341", "٢1341", 21341, None, [2, 1, 3, 4]],
)
def test_eq5d_malformed_state_is_invalid(state):
    with pytest.raises(InvalidAnswers, match="EQ-5D-5L state"):
        eq5d.index(state, "england_2018")


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ((2, None, 3, 4, 1), "EQ-5D-5L Self-care is missing"),
        ((2, 1, 6, 4, 1), "EQ-5D-5L Usual activities level must be from 1 to 5"),
        ((2, 1, 3, 0, 1), "EQ-5D-5L Pain / discomfort level must be from 1 to 5"),
        ((True, 1, 3, 4, 1), "EQ-5D-5L Mobility level must be a whole number"),
        ((2, 1, 3, 4, "1"), "EQ-5D-5L Anxiety / depression level must be a whole number"),
    ],
)
def test_eq5d_bad_level_in_a_tuple_is_invalid_and_names_the_dimension(state, message):
    with pytest.raises(InvalidAnswers, match=message):
        eq5d.index(state, "uk_2026")


@pytest.mark.parametrize("value_set", ["", "england", "UK_2026", None, "uk_3l"])
def test_eq5d_unknown_value_set_is_invalid(value_set):
    with pytest.raises(InvalidAnswers, match="Unknown EQ-5D-5L value set"):
        eq5d.index("11111", value_set)


@pytest.mark.parametrize("value", [0, 50, 100])
def test_eq5d_vas_accepts_whole_numbers_0_to_100(value):
    assert eq5d.vas(value) == value


@pytest.mark.parametrize("value", [-1, 101, None, "50", 50.5, True])
def test_eq5d_vas_outside_0_to_100_or_not_whole_is_invalid(value):
    with pytest.raises(InvalidAnswers, match="EQ VAS"):
        eq5d.vas(value)
