"""tracker/scheduling stays a pure domain layer: the standard library, ``holidays``, and numpy
(for the schedule risk analysis only)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "tracker" / "scheduling"
ALLOWED_THIRD_PARTY = {"holidays", "numpy"}


def top_level_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_imports_only_stdlib_holidays_and_numpy(path: Path) -> None:
    bad = top_level_imports(path) - sys.stdlib_module_names - ALLOWED_THIRD_PARTY
    assert not bad, f"{path.name} imports {sorted(bad)}"


def test_modules_stay_small() -> None:
    for path in PACKAGE.rglob("*.py"):
        assert len(path.read_text().splitlines()) <= 500, path.name


def test_loads_without_flask_or_sqlalchemy() -> None:
    # Load the package files directly (not through tracker/__init__, which builds the app)
    # and check that neither framework was imported along the way.
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('sched', r'{PACKAGE / '__init__.py'}',"
        " submodule_search_locations=[r'" + str(PACKAGE) + "'])\n"
        "mod = importlib.util.module_from_spec(spec); sys.modules['sched'] = mod\n"
        "spec.loader.exec_module(mod)\n"
        "assert mod.schedule([mod.Activity('A', 2)], []).project_duration == 2\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'tracker')]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


def test_importing_through_the_package_loads_no_web_framework() -> None:
    # `python -m tracker.scheduling` goes through tracker/__init__; it must stay light too.
    code = (
        "import sys, tracker.scheduling, tracker.domain.validation\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'werkzeug')]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
