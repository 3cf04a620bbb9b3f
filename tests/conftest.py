"""Fixtures: the app on a migrated database holding the seed, and one rolled-back transaction
per test.

The suite runs on SQLite by default and on PostgreSQL with TEST_DB=postgresql and
TEST_DATABASE_URL set; each run works in its own schema (PostgreSQL) or file (SQLite) and
removes it at the end, so it leaves no tables behind.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from config import database_url

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT / "seed"
KENT_AND_MEDWAY = SEED_DIR / "kent-and-medway"


def backend() -> str:
    return os.environ.get("TEST_DB", "sqlite")


def postgres_base_url() -> str:
    url = database_url(os.environ.get("TEST_DATABASE_URL"))
    if not url:
        pytest.exit("TEST_DB=postgresql needs TEST_DATABASE_URL", returncode=3)
    return url


def with_search_path(url: str, schema: str) -> str:
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options={quote(f'-csearch_path={schema}')}"


class ScratchDatabases:
    """Creates empty databases (a SQLite file or a PostgreSQL schema) and removes them."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.schemas: list[str] = []
        self.kind = backend()
        if self.kind == "postgresql":
            self.admin = sa.create_engine(postgres_base_url(), isolation_level="AUTOCOMMIT")
            try:
                with self.admin.connect() as conn:
                    conn.execute(sa.text("SELECT 1"))
            except sa.exc.OperationalError as exc:
                # In CI a missing PostgreSQL is a failure, never a skip.
                pytest.exit(f"PostgreSQL is not reachable: {exc}", returncode=3)

    def new(self, name: str) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{self.tmp / (name + '.sqlite')}"
        schema = f"tracker_test_{name}_{secrets.token_hex(4)}"
        with self.admin.connect() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        self.schemas.append(schema)
        return with_search_path(postgres_base_url(), schema)

    def drop_all(self) -> None:
        if self.kind == "postgresql":
            with self.admin.connect() as conn:
                for schema in self.schemas:
                    conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            self.admin.dispose()


@pytest.fixture(scope="session")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScratchDatabases]:
    databases = ScratchDatabases(tmp_path_factory.mktemp("databases"))
    yield databases
    databases.drop_all()


DEMO_TODAY = date(2022, 4, 4)


def make_app(url: str, **overrides: Any) -> Flask:
    from tracker import create_app

    return create_app(
        {
            "TRACKER_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": url,
            "SEED_DIR": str(SEED_DIR),
            # The seed's story is told at Monday 4 April 2022, as `make run` shows it.
            "TRACKER_TODAY": DEMO_TODAY,
            **overrides,
        }
    )


@pytest.fixture(scope="session")
def _seeded_app(scratch: ScratchDatabases) -> Iterator[Flask]:
    """One database per run, built by the migrations and holding the Kent and Medway seed."""
    from flask_migrate import upgrade

    from tracker.extensions import db
    from tracker.services.seeding import load_programme_dir

    app = make_app(scratch.new("main"))
    with app.app_context():
        upgrade()
        load_programme_dir(KENT_AND_MEDWAY, password=app.config["SEED_USER_PASSWORD"])
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture()
def app(_seeded_app: Flask) -> Iterator[Flask]:
    """The app, with every change the test makes rolled back at the end.

    Code under test may commit: with join_transaction_mode="create_savepoint" a commit only
    releases a savepoint inside the test's outer transaction.
    """
    from tracker.extensions import db

    with _seeded_app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        db.session.remove()
        db.session.configure(bind=connection, join_transaction_mode="create_savepoint")
        _seeded_app.test_client_class = Client
        # Each test starts with nothing cached, whatever ran before it in this process.
        from tracker.services.board import schedules
        from tracker.services.fragments import fragments

        schedules.clear()
        fragments.clear()
        try:
            yield _seeded_app
        finally:
            db.session.remove()
            db.session.configure(bind=None)
            outer.rollback()
            connection.close()


BOARD_MEMBER = "paul.bentley@example.org"
ADMIN = "sarah.collins@example.org"
# Becca Bradd leads PEO, MED and ENG; Mike Gilbert leads GOV.
LEAD = "becca.bradd@example.org"
OTHER_LEAD = "mike.gilbert@example.org"
EMAIL_BY_ROLE = {"board": BOARD_MEMBER, "admin": ADMIN, "lead": LEAD}


class Client(FlaskClient):
    """The test client, sending the session's CSRF token with every form it posts, as a
    browser would. `post(..., csrf=False)` sends none, for testing that CSRF is enforced."""

    def csrf_token(self) -> str:
        """A real token for this client's session, made by Flask-WTF as a form makes it (the
        raw token goes into the session cookie if it is not there yet), without rendering a
        page."""
        from flask import g
        from flask.ctx import RequestContext
        from flask.testing import EnvironBuilder
        from flask_wtf.csrf import generate_csrf

        app = self.application
        field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        with self.session_transaction() as session:
            environ = EnvironBuilder(app).get_environ()
            with RequestContext(app, environ, session=session):
                # The test's app context, and so `g`, is shared: drop the token Flask-WTF
                # keeps there for the request, which may be another client's.
                g.pop(field, None)
                token = generate_csrf()
                g.pop(field, None)
        return str(token)

    def open(self, *args: Any, **kwargs: Any) -> Any:
        # The `app` fixture keeps an app context open for the test body, and Flask reuses it
        # for each request, `g` included; empty `g` so that each request starts afresh (the
        # signed-in user, the schedule) as it does in production.
        from flask import g, has_app_context

        if has_app_context():
            for name in list(vars(g)):
                delattr(g, name)
        return super().open(*args, **kwargs)

    def post(self, *args: Any, csrf: bool = True, **kwargs: Any) -> Any:
        data = kwargs.get("data")
        if csrf and (data is None or isinstance(data, dict)) and "json" not in kwargs:
            data = dict(data or {})
            data.setdefault("csrf_token", self.csrf_token())
            kwargs["data"] = data
        return super().post(*args, **kwargs)


def sign_in_as(client: FlaskClient, email: str) -> FlaskClient:
    """Puts a signed-in session in the client's cookie, as the sign-in form would (the form
    itself is tested in test_auth.py; this skips the deliberately slow password hash)."""
    from tracker.services.accounts import user_by_email

    user = user_by_email(email)
    assert user is not None, email
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


@pytest.fixture(autouse=True)
def _fresh_rate_limits(_seeded_app: Flask) -> None:
    from tracker.extensions import limiter

    with _seeded_app.app_context():
        limiter.reset()


@pytest.fixture()
def anonymous_client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    """Signed in as a board member, who reads every page and changes nothing."""
    return sign_in_as(app.test_client(), BOARD_MEMBER)


@pytest.fixture()
def admin_client(app: Flask) -> FlaskClient:
    return sign_in_as(app.test_client(), ADMIN)


@pytest.fixture()
def lead_client(app: Flask) -> FlaskClient:
    """Becca Bradd, lead of PEO, MED and ENG."""
    return sign_in_as(app.test_client(), LEAD)


@pytest.fixture(params=["admin", "lead", "board"])
def role_client(request: pytest.FixtureRequest, app: Flask) -> FlaskClient:
    """One client per role (parametrised); `role_client.role` says which."""
    client = sign_in_as(app.test_client(), EMAIL_BY_ROLE[request.param])
    client.role = request.param  # type: ignore[attr-defined]
    return client


@pytest.fixture()
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture()
def statements(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement run while the test runs, in order."""
    from tracker.extensions import db

    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    sa.event.remove(db.engine, "before_cursor_execute", count)


@pytest.fixture(scope="session")
def java() -> None:
    """Tests that run MPXJ need a Java runtime: `make install` adds Debian's when it is
    root; otherwise they are skipped, never under CI=true."""
    from tracker.project_files.files import java_available

    if not java_available():
        if os.environ.get("CI") == "true":
            pytest.fail("java is missing: `make install` installs default-jre-headless")
        pytest.skip("No Java runtime for MPXJ (`make install` installs one as root)")
