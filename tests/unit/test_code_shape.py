"""The code keeps the shape issue 16 gave it: small modules, no request or form in an action."""

import ast
import pathlib

import pytest

PATHWAY = pathlib.Path(__file__).resolve().parents[2] / "pathway"
LONGEST_MODULE = 400
MODULES = sorted(p for p in PATHWAY.rglob("*.py") if "migrations" not in p.parts)
ACTIONS = sorted(PATHWAY.rglob("actions.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PATHWAY)))
def test_no_module_is_over_400_lines(path):
    assert len(path.read_text().splitlines()) <= LONGEST_MODULE


@pytest.mark.parametrize("path", ACTIONS, ids=lambda p: str(p.relative_to(PATHWAY)))
def test_actions_take_no_request_or_form(path):
    tree = ast.parse(path.read_text())
    public = [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
    ]
    for action in public:
        names = {arg.arg for arg in [*action.args.args, *action.args.kwonlyargs]}
        assert not names & {"request", "form"}, f"{action.name} takes {names & {'request', 'form'}}"
