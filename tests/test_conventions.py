"""Rules about the code itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE_PACKAGES = [ROOT / "tracker" / "domain", ROOT / "tracker" / "scheduling"]
FORBIDDEN = ("flask", "sqlalchemy", "flask_sqlalchemy", "tracker.models", "tracker.extensions")


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize(
    "path",
    [p for package in PURE_PACKAGES for p in sorted(package.rglob("*.py"))],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_domain_core_imports_neither_flask_nor_sqlalchemy(path: Path) -> None:
    bad = {
        name
        for name in imports(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    }
    assert not bad, f"{path.name} imports {sorted(bad)}"


def test_seeded_people_use_example_org_addresses() -> None:
    import yaml

    for people in (ROOT / "seed").glob("*/people.yaml"):
        for person in yaml.safe_load(people.read_text())["people"]:
            assert person["email"].endswith("@example.org"), person["email"]
