"""Print the measures of the code's shape that issue 16 asks for: the largest modules in
pathway/ (migrations aside) and the length of every view function.

    .venv/bin/python scripts/structure.py [--views-over N]
"""

import argparse
import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent / "pathway"


def modules():
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def view_functions(path):
    """Top-level functions in a views module that take `request` first."""
    tree = ast.parse(path.read_text())
    for node in tree.body:
        takes_request = isinstance(node, ast.FunctionDef) and node.args.args[:1]
        if takes_request and node.args.args[0].arg == "request" and node.name[0] != "_":
            yield node.name, node.end_lineno - node.lineno + 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--views-over", type=int, default=30)
    parser.add_argument("--largest", type=int, default=5)
    options = parser.parse_args()
    sizes = sorted(((len(p.read_text().splitlines()), p) for p in modules()), reverse=True)
    print("Largest modules (lines):")
    for lines, path in sizes[: options.largest]:
        print(f"  {lines:4d}  {path.relative_to(ROOT.parent)}")
    views = [
        (length, f"{path.relative_to(ROOT.parent)}::{name}")
        for path in modules()
        if "views" in path.name or path.parent.name == "views"
        for name, length in view_functions(path)
    ]
    longest = max(views)
    over = sorted((v for v in views if v[0] > options.views_over), reverse=True)
    print(f"Views: {len(views)}; longest {longest[0]} lines ({longest[1]})")
    print(f"Views over {options.views_over} lines: {len(over)}")
    for length, name in over:
        print(f"  {length:4d}  {name}")


if __name__ == "__main__":
    main()
