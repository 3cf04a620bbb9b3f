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

    # Session cookies: never readable by scripts, not sent on cross-site requests, and only
    # over HTTPS when the app is served over HTTPS (APP_BASE_URL says which).
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool(
        "SESSION_COOKIE_SECURE", os.environ.get("APP_BASE_URL", "").startswith("https://")
    )
    PERMANENT_SESSION_LIFETIME = 12 * 60 * 60  # seconds: a working day, then sign in again
    # How many reverse proxies sit in front of the app (X-Forwarded-For/-Proto/-Host are
    # trusted from that many hops); 0 when gunicorn faces clients directly.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # Sign-in attempts per client address. With several gunicorn workers or servers, point
    # RATELIMIT_STORAGE_URI at a shared store (redis://, memcached://) so they count together.
    SIGN_IN_RATE_LIMIT = os.environ.get("SIGN_IN_RATE_LIMIT", "5 per minute; 30 per hour")
    # And per email address, so one person's password is not guessed from many addresses.
    SIGN_IN_ACCOUNT_RATE_LIMIT = os.environ.get("SIGN_IN_ACCOUNT_RATE_LIMIT", "20 per hour")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    # The largest request body, in bytes: beyond it the answer is 413 before the body is read
    # (tracker/request_guard.py). The largest thing anyone sends is a plan import, at most
    # 5 MB (tracker/spreadsheets/files.py MAX_UPLOAD_BYTES); 8 MB leaves room for the form
    # around it, so a file a little over 5 MB still gets the import's own message.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(8 * 1024 * 1024)))

    # Characters of rendered dashboard, Gantt and milestone-list content each worker keeps
    # (tracker/services/fragments.py): 1 to 2 MB of memory per million. 0 turns it off.
    PAGE_CACHE_CHARS = int(os.environ.get("PAGE_CACHE_CHARS", str(32_000_000)))
    # Schedule risk analysis: runs of up to this many milestones x iterations are worked out
    # in the request; bigger ones in the background, a page waiting at most so many seconds.
    SCHEDULE_RISK_INLINE_COST = int(os.environ.get("SCHEDULE_RISK_INLINE_COST", "5000000"))
    SCHEDULE_RISK_WAIT_SECONDS = float(os.environ.get("SCHEDULE_RISK_WAIT_SECONDS", "1.5"))
    # Risk bands on the 5 x 5 matrix: name:lowest-score:colour, lowest first (docs/raid.md).
    RISK_BANDS = os.environ.get(
        "RISK_BANDS", "low:1:green, moderate:4:yellow, high:8:amber, extreme:15:red"
    )

    # Where an uploaded plan waits between the import preview and its confirmation (None: the
    # instance folder); with several app servers, a folder they share.
    PLAN_IMPORT_DIR = os.environ.get("PLAN_IMPORT_DIR")

    SMTP_HOST = os.environ.get("SMTP_HOST", "localhost")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "25"))
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD")
    SMTP_STARTTLS = _bool("SMTP_STARTTLS")
    SMTP_SSL = _bool("SMTP_SSL")
    MAIL_FROM = os.environ.get("MAIL_FROM", "transition-tracker@example.org")
    APP_BASE_URL = os.environ.get("APP_BASE_URL", "http://127.0.0.1:5000")
    # Where the accessibility statement asks people to report a problem: the programme office.
    ACCESSIBILITY_CONTACT_EMAIL = os.environ.get(
        "ACCESSIBILITY_CONTACT_EMAIL", "transition-programme-office@example.org"
    )


class DevelopmentConfig(Config):
    SECRET_KEY = Config.SECRET_KEY or "dev-only-secret-key-not-for-production"  # noqa: S105
    SEED_USER_PASSWORD = Config.SEED_USER_PASSWORD or "transition-2022"  # noqa: S105 (demo only)


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key"  # noqa: S105
    SEED_USER_PASSWORD = "test-password-2022"  # noqa: S105
    # Tests sign in often; the rate-limit tests set their own lower limits.
    SIGN_IN_RATE_LIMIT = "1000 per minute"
    SIGN_IN_ACCOUNT_RATE_LIMIT = "1000 per minute"


PROFILES: dict[str, type[Config]] = {
    "production": Config,
    "development": DevelopmentConfig,
    "testing": TestingConfig,
}
