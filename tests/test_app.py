"""The app factory, configuration and the first pages."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from config import database_url
from tracker import create_app


def test_production_needs_a_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app({"TRACKER_ENV": "production", "SECRET_KEY": None})


def test_unknown_profile_is_refused() -> None:
    with pytest.raises(RuntimeError, match="TRACKER_ENV must be one of"):
        create_app({"TRACKER_ENV": "staging"})


def test_default_database_is_sqlite_in_the_instance_folder() -> None:
    app = create_app({"TRACKER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": None})
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    assert uri == f"sqlite:///{app.instance_path}/tracker.sqlite"


def test_postgres_urls_use_psycopg_3() -> None:
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_today_can_be_pinned(app: Flask) -> None:
    from tracker.clock import today

    pinned = app.config["TRACKER_TODAY"]
    app.config["TRACKER_TODAY"] = date(2022, 5, 16)
    try:
        assert today() == date(2022, 5, 16)
    finally:
        app.config["TRACKER_TODAY"] = pinned


def test_home_goes_to_the_only_programme(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/p/kent-and-medway/")


def test_unknown_programme_is_404(client: FlaskClient) -> None:
    response = client.get("/p/nowhere/")
    assert response.status_code == 404
    assert "There is no programme called" in response.text
