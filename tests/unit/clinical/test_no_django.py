"""The clinical core must work without Django (conventions: clinical rules are pure)."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CLINICAL = ROOT / "pathway" / "clinical"
MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for path in CLINICAL.rglob("*.py")
)
ALLOWED_THIRD_PARTY = {"numpy", "scipy"}

# Imported exactly as another program would, through the real `pathway` package, in a fresh
# interpreter with no Django settings in the environment.
IMPORT_ALL = f"""
import sys
import {", ".join(MODULES)}
loaded = sorted(name for name in sys.modules if name.split(".")[0] == "django")
assert not loaded, loaded
"""


def test_no_django_every_clinical_module_imports_without_loading_django():
    assert "pathway.clinical.stats" in MODULES  # the discovery found the modules

    result = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr


def test_no_django_clinical_code_imports_only_the_standard_library_numpy_and_scipy():
    stdlib = set(sys.stdlib_module_names)
    checked = 0

    for path in CLINICAL.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                allowed = top in stdlib or top in ALLOWED_THIRD_PARTY
                allowed = allowed or name.startswith("pathway.clinical")
                assert allowed, f"{path.relative_to(ROOT)} imports {name}"
                checked += 1

    assert checked > 20  # the walk really saw the clinical modules' imports
