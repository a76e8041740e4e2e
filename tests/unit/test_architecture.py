"""The layout's rule (docs/architecture.md) is enforced: the import contracts in pyproject.toml hold
for the tree, and they break when someone adds an upward import, an import between two processes or
an import circle."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tree, env={"PYTHONPATH": str(tree), "PATH": ""},
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def copied_tree(tmp_path_factory) -> Path:
    """The Python packages and the contracts, copied, so a test can add a bad import."""
    tree = tmp_path_factory.mktemp("tree")
    for package in ("lotse", "actions"):
        shutil.copytree(ROOT / package, tree / package, ignore=shutil.ignore_patterns("__pycache__", "*.html", "static"))
    shutil.copy(ROOT / "pyproject.toml", tree)
    return tree


def add_import(tree: Path, module: str, line: str) -> Path:
    path = tree.joinpath(*module.split(".")).with_suffix(".py")
    original = path.read_text(encoding="utf-8")
    path.write_text(original + f"\n{line}\n", encoding="utf-8")
    return path


def test_the_tree_keeps_its_contracts():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.parametrize("module, line, broken", [
    ("lotse.knowledge.places", "import lotse.rasa_server.components", "lotse.knowledge is not allowed to import lotse.rasa_server"),
    ("lotse.console.app", "import lotse.webserver.app", "lotse.console is not allowed to import lotse.webserver"),
    ("actions.offices", "from lotse.rasa_server import nlg", "actions is not allowed to import lotse.rasa_server"),
    ("lotse.knowledge.places", "import lotse.knowledge.offices", "No import circles"),  # offices imports places
])
def test_a_bad_import_breaks_a_contract(copied_tree, module, line, broken):
    path = add_import(copied_tree, module, line)
    original = path.read_text(encoding="utf-8").removesuffix(f"\n{line}\n")
    try:
        result = lint_imports(copied_tree)
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode != 0
    assert "BROKEN" in result.stdout and broken in result.stdout, result.stdout[-3000:]
