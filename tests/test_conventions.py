"""Rules about the code itself."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

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


def test_urls_are_kebab_case_and_scoped_by_programme(app: Flask) -> None:
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        literal = re.sub(r"<[^>]+>", "", rule.rule)
        assert literal == literal.lower() and "_" not in literal, rule.rule
        if rule.endpoint != "main.index":
            assert rule.rule.startswith("/p/<slug>/"), f"{rule.rule} is not scoped by programme"


def test_every_page_renders_for_the_seeded_programme(app: Flask, client: FlaskClient) -> None:
    # Fill each URL's variables from the seed, so a new page cannot ship untested.
    values = {"slug": "kent-and-medway", "ref": "PEO-09", "code": "PEO"}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in (rule.methods or ()):
            continue
        url = rule.build({name: values[name] for name in rule.arguments})[1]
        response = client.get(url)
        assert response.status_code in (200, 302), (url, response.status_code)
