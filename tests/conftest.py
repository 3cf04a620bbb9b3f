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
        try:
            yield _seeded_app
        finally:
            db.session.remove()
            db.session.configure(bind=None)
            outer.rollback()
            connection.close()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture()
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()
