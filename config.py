"""Configuration, read from environment variables.

`TRACKER_ENV` picks the profile: `production` (the default: a real SECRET_KEY is required and
no password is ever printed), `development` (what `make run` uses) or `testing`.
"""

from __future__ import annotations

import os
from datetime import date


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _date(name: str) -> date | None:
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be a date like 2022-04-04, not {value!r}") from exc


def database_url(url: str | None) -> str | None:
    """Use psycopg 3 for PostgreSQL URLs given in the usual `postgresql://` form."""
    if not url:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    TRACKER_ENV = os.environ.get("TRACKER_ENV", "production")
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # None means "SQLite file in the instance folder"; create_app fills it in.
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # The app's notion of today; the demo pins it to spring 2022 so the seed tells a story.
    TRACKER_TODAY = _date("TRACKER_TODAY")
    TIMEZONE = "Europe/London"
    SEED_DIR = os.environ.get(
        "SEED_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "seed")
    )
    # Password given to seeded accounts. Unset in production: accounts get no usable
    # password until an admin runs `flask users reset-password`.
    SEED_USER_PASSWORD = os.environ.get("SEED_USER_PASSWORD")

    SMTP_HOST = os.environ.get("SMTP_HOST", "localhost")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "25"))
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD")
    SMTP_STARTTLS = _bool("SMTP_STARTTLS")
    SMTP_SSL = _bool("SMTP_SSL")
    MAIL_FROM = os.environ.get("MAIL_FROM", "transition-tracker@example.org")
    APP_BASE_URL = os.environ.get("APP_BASE_URL", "http://127.0.0.1:5000")


class DevelopmentConfig(Config):
    SECRET_KEY = Config.SECRET_KEY or "dev-only-secret-key-not-for-production"  # noqa: S105
    SEED_USER_PASSWORD = Config.SEED_USER_PASSWORD or "transition-2022"  # noqa: S105 (demo only)


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key"  # noqa: S105
    SEED_USER_PASSWORD = "test-password-2022"  # noqa: S105


PROFILES: dict[str, type[Config]] = {
    "production": Config,
    "development": DevelopmentConfig,
    "testing": TestingConfig,
}
