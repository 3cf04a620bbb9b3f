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


# Pages that belong to the instance, not to one programme.
INSTANCE_WIDE = (
    "main.",
    "auth.",
    "users.",
    "programmes.",
    "calendars.",
    "tokens.",
    "api.",
    "feeds.",
)
# Open without signing in: the sign-in page, an invitation's link (its token is the proof),
# the accessibility statement.
PUBLIC = {"auth.sign_in", "main.accessibility_statement", "people.accept_invitation", "static"}
# Authenticated by a token, not the session: tested by their own suites (test_api.py runs
# schemathesis over the API; test_feeds.py fetches feeds by their secret addresses).
TOKEN_AUTHENTICATED = ("api.", "feeds.")


def test_urls_are_kebab_case_and_scoped_by_programme(app: Flask) -> None:
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        literal = re.sub(r"<[^>]+>", "", rule.rule)
        assert literal == literal.lower() and "_" not in literal, rule.rule
        if rule.endpoint.startswith("api."):
            assert rule.rule.startswith("/api/v1/"), rule.rule
        elif not rule.endpoint.startswith(INSTANCE_WIDE) and rule.endpoint not in PUBLIC:
            assert rule.rule.startswith("/p/<slug>/"), f"{rule.rule} is not scoped by programme"


def shared_scenario() -> int:
    """A what-if scenario the programme office made and shared (the seed has none)."""
    from tests.helpers import programme
    from tracker.domain.scenarios import ScenarioError, Slip
    from tracker.services import scenarios
    from tracker.services.accounts import user_by_email, viewer_for
    from tracker.services.optimistic_locking import Seen

    office = viewer_for(user_by_email("sarah.collins@example.org"), "kent-and-medway")
    kent = programme()
    try:
        return scenarios.scenario_by_name(office, kent, "TUPE slips").id
    except ScenarioError:
        made = scenarios.create_scenario(office, kent, "TUPE slips", "", [Slip("PEO-09", 5)])
        return scenarios.share(office, made, Seen(made.version), True).id


def issued_pack_id() -> int:
    """A board pack the programme office issued (the seed has none)."""
    from datetime import date

    from tests.helpers import programme
    from tracker.services import board_pack
    from tracker.services.accounts import user_by_email, viewer_for

    office = viewer_for(user_by_email("sarah.collins@example.org"), "kent-and-medway")
    kent = programme()
    last = board_pack.last_issued(kent)
    return last.id if last else board_pack.issue_pack(office, kent, date(2022, 4, 14), None).id


def url_values(app: Flask) -> dict[str, object]:
    """A value from the seed for every URL variable, so a new page cannot ship untested."""
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.models import Dependency, Milestone, Person, User

    with app.test_request_context():
        peo_09 = db.session.scalar(select(Milestone).where(Milestone.ref == "PEO-09"))
        link = db.session.scalar(
            select(Dependency).where(Dependency.successor_id == peo_09.id).limit(1)
        )
        user = db.session.scalar(select(User).limit(1))
        becca = db.session.scalar(select(Person).where(Person.email == "becca.bradd@example.org"))
        scenario_id = shared_scenario()
        pack_id = issued_pack_id()
        return {
            "slug": "kent-and-medway",
            "ref": "PEO-09",
            "code": "PEO",
            "dependency_id": link.id,
            "user_id": user.id,
            "week": "2022-04-04",
            "person_id": becca.id,
            # Not in the seed: their routes take POSTs only, or answer "no such" pages.
            "closure_id": 1,
            "invitation_id": 1,
            "token": "no-such-invitation",
            "scenario_id": scenario_id,
            "pack_id": pack_id,
        }


def urls(app: Flask, method: str) -> list[tuple[str, str]]:
    values = url_values(app)
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or method not in (rule.methods or ()):
            continue
        if rule.endpoint.startswith(TOKEN_AUTHENTICATED):
            continue
        missing = set(rule.arguments) - set(values)
        assert not missing, f"add a seed value for {missing} of {rule.rule} to url_values()"
        found.append((rule.endpoint, rule.build({n: values[n] for n in rule.arguments})[1]))
    return found


@pytest.mark.parametrize("role", ["admin", "lead", "board"])
def test_every_page_renders_for_every_role(app: Flask, role: str) -> None:
    from tests.conftest import EMAIL_BY_ROLE, Client, sign_in_as

    app.test_client_class = Client
    client = sign_in_as(app.test_client(), EMAIL_BY_ROLE[role])
    for endpoint, url in urls(app, "GET"):
        if endpoint in PUBLIC:
            continue
        response = client.get(url)
        # 403: a page only admins may open (the role tests say which).
        allowed = (200, 302, 403) if role != "admin" else (200, 302)
        assert response.status_code in allowed, (role, url, response.status_code)


def test_every_page_needs_sign_in(app: Flask, anonymous_client: FlaskClient) -> None:
    for endpoint, url in urls(app, "GET"):
        if endpoint in PUBLIC:
            continue
        response = anonymous_client.get(url)
        assert response.status_code == 302, url
        assert response.location.startswith("/sign-in?next="), url


def test_every_change_needs_sign_in_and_a_csrf_token(
    app: Flask, anonymous_client: FlaskClient, admin_client: FlaskClient
) -> None:
    posts = [(e, u) for e, u in urls(app, "POST") if e not in PUBLIC]
    assert len(posts) > 15
    for _endpoint, url in posts:
        response = anonymous_client.post(url, data={})
        assert response.status_code == 302, url
        assert response.location.startswith("/sign-in"), url
        # Signed in as admin, but without the token a forged form would lack.
        response = admin_client.post(url, data={}, csrf=False)
        assert response.status_code == 400, url
        assert "CSRF" in response.get_data(as_text=True), url


def test_security_headers_on_every_response(client: FlaskClient) -> None:
    for url in (
        "/p/kent-and-medway/",
        "/p/kent-and-medway/gantt",
        "/sign-in",
        "/nowhere",
        "/static/build/tracker.css",
    ):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["default-src"] == "'self'"
        script = directives["script-src"].split()
        assert script[0] == "'self'" and len(script) == 2 and script[1].startswith("'nonce-")
        assert "'unsafe-inline'" not in directives["script-src"]
        assert directives["frame-ancestors"] == "'none'"
        assert not any("http" in v for v in directives.values()), "no other host"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_every_inline_script_carries_the_nonce(client: FlaskClient) -> None:
    from bs4 import BeautifulSoup

    for url in ("/p/kent-and-medway/", "/p/kent-and-medway/gantt"):
        response = client.get(url)
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
        page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        for script in page.find_all("script"):
            if script.get("src") or script.get("type") == "application/json":
                continue
            assert script.get("nonce") == nonce.group(1), script


def test_text_a_person_typed_never_becomes_markup(app: Flask, admin_client: FlaskClient) -> None:
    """Through our templates and NHS.UK's components alike (.jinja templates are autoescaped
    too): a title with markup in it shows as text in the field, the error and the page."""
    from bs4 import BeautifulSoup

    from tests.helpers import milestone

    typed = '<b id="typed">bold</b>'
    edit = "/p/kent-and-medway/milestones/PEO-11/edit"
    form = BeautifulSoup(admin_client.get(edit).text, "html.parser")
    data = {
        field["name"]: field.get("value", "")
        for field in form.select("form input")
        if field.get("name") and field.get("type") not in ("radio", "checkbox")
    }
    data.update(title=typed, kind="activity", due_date="2022-04-01")  # before its start: refused
    data["workstream"] = str(milestone("PEO-11").workstream_id)
    data["owner"] = str(milestone("PEO-11").owner_id)
    page = admin_client.post(edit, data=data).text
    assert "Error: " in page and 'id="typed"' not in page
    assert BeautifulSoup(page, "html.parser").find(id="title")["value"] == typed
