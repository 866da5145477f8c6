"""The clinical safety hazard log names real tests (docs/clinical-safety/hazard-log.md).

Every control in the log is proved by a test named as a pytest node id. These checks keep the
log honest as the code moves: a renamed or deleted test, a hazard without a test, a rating that
does not follow the DCB0129 matrix, or an unfinished entry fails the build.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOG = ROOT / "docs" / "clinical-safety" / "hazard-log.md"
TEXT = LOG.read_text(encoding="utf-8")

HAZARD_HEADING = re.compile(r"^### (H\d{2}) (.+)$", re.MULTILINE)
NODE_ID = re.compile(r"`(tests/[^`\s]+?\.py::[^`\s]+)`")
FIELD = re.compile(r"^\| \*\*(?P<name>[^*]+)\*\* \| (?P<value>.+?) \|$", re.MULTILINE)

SEVERITIES = ("Minor", "Significant", "Considerable", "Major", "Catastrophic")
# DCB0129's matrix: likelihood -> risk rating for each severity, in the order above.
MATRIX = {
    "Very high": (3, 4, 4, 5, 5),
    "High": (2, 3, 3, 4, 5),
    "Medium": (2, 2, 3, 3, 4),
    "Low": (1, 2, 2, 3, 4),
    "Very low": (1, 1, 2, 2, 3),
}
# The hazards the issue asks for, by a word or two of each title.
REQUIRED = (
    "red flag",
    "PHQ-9",
    "wrong patient",
    "returner",
    "message lost",
    "duplicated",
    "link",
    "stale scores",
    "value set",
    "STarT Back",
    "eligibility",
    "state change",
    "did-not-attend",
    "another organisation",
    "logs",
    "unauthorised access",
    "audit",
    "data loss",
)


def _hazards():
    """{id: (title, section text)} in the order of the log."""
    matches = list(HAZARD_HEADING.finditer(TEXT))
    sections = {}
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = following.start() if following else len(TEXT)
        sections[match.group(1)] = (match.group(2), TEXT[match.end() : end])
    return sections


HAZARDS = _hazards()
NODE_IDS = sorted(set(NODE_ID.findall(TEXT)))


def _defines(path, names):
    """True if the module at `path` defines the test `names` (function, or class then method)."""
    scope = ast.parse(path.read_text(encoding="utf-8")).body
    for depth, name in enumerate(names):
        last = depth == len(names) - 1
        kinds = (ast.FunctionDef, ast.AsyncFunctionDef) if last else (ast.ClassDef,)
        found = next(
            (node for node in scope if isinstance(node, kinds) and node.name == name), None
        )
        if found is None:
            return False
        scope = found.body
    return True


def test_hazard_log_lists_at_least_the_hazards_the_issue_asks_for():
    titles = " / ".join(title.lower() for title, _ in HAZARDS.values())

    assert list(HAZARDS) == [f"H{number:02d}" for number in range(1, len(HAZARDS) + 1)]
    assert [topic for topic in REQUIRED if topic.lower() not in titles] == []


@pytest.mark.parametrize("hazard", list(HAZARDS))
def test_hazard_log_every_hazard_names_at_least_one_test(hazard):
    _, section = HAZARDS[hazard]

    assert NODE_ID.findall(section), f"{hazard} names no test that proves its controls"


@pytest.mark.parametrize("hazard", list(HAZARDS))
def test_hazard_log_every_hazard_has_its_fields_and_ratings_follow_the_matrix(hazard):
    _, section = HAZARDS[hazard]
    fields = {match["name"]: match["value"].strip() for match in FIELD.finditer(section)}

    for field in ("Cause", "Effect", "Harm", "Controls in the software", "Status"):
        assert fields.get(field), f"{hazard} has no {field}"
    for stage in ("Initial", "Residual"):
        severity = fields[f"{stage} severity"]
        likelihood = fields[f"{stage} likelihood"]
        expected = MATRIX[likelihood][SEVERITIES.index(severity)]
        assert fields[f"{stage} risk"] == str(expected), f"{hazard} {stage.lower()} risk"
    assert int(fields["Residual risk"]) <= int(fields["Initial risk"])


def test_hazard_log_summary_agrees_with_each_hazard():
    for hazard, (title, section) in HAZARDS.items():
        fields = {match["name"]: match["value"].strip() for match in FIELD.finditer(section)}
        row = f"| {hazard} | {title} | {fields['Initial risk']} | {fields['Residual risk']} |"
        assert row in TEXT, f"the summary row of {hazard} should read: {row}"


def test_hazard_log_names_tests_at_all():
    assert len(NODE_IDS) > 50


@pytest.mark.parametrize("node_id", NODE_IDS)
def test_hazard_log_test_exists(node_id):
    path, *names = re.sub(r"\[.*?\]", "", node_id).split("::")
    module = ROOT / path

    assert module.is_file(), f"{node_id}: no file {path}"
    assert _defines(module, names), f"{node_id}: {path} defines no {'::'.join(names)}"


def test_hazard_log_has_no_unfinished_entry():
    unfinished = [line.strip() for line in TEXT.splitlines() if "TODO" in line]

    assert unfinished == []
