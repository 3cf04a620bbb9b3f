"""Transition tracker: the programme office's single source of truth for a CCG -> ICB transition."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, templates, blueprints, errors, CLI."""
    # Flask is imported here, not at module level, so that the pure domain packages
    # (tracker.domain, tracker.scheduling) load without the web framework.
    from flask import Flask

    app = Flask(__name__, instance_relative_config=True)
    _configure(app, overrides or {})
    _guard_requests(app)
    _init_extensions(app)
    _register_templates(app)
    _register_blueprints(app)
    _register_error_handlers(app)
    _register_cli(app)
    return app


def _configure(app: Flask, overrides: dict[str, Any]) -> None:
    from config import PROFILES, Config

    profile = overrides.get("TRACKER_ENV") or Config.TRACKER_ENV
    if profile not in PROFILES:
        raise RuntimeError(f"TRACKER_ENV must be one of {', '.join(PROFILES)}, not {profile!r}")
    app.config.from_object(PROFILES[profile])
    app.config.update(overrides)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        path = os.path.join(app.instance_path, "tracker.sqlite")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    from tracker.domain.risks import parse_bands

    try:
        parse_bands(app.config["RISK_BANDS"])
    except ValueError as exc:
        raise RuntimeError(f"RISK_BANDS: {exc}") from exc
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError(
            "SECRET_KEY is not set. Set it in the environment (production), "
            "or run with TRACKER_ENV=development."
        )


def _guard_requests(app: Flask) -> None:
    """Before any route is added (the bounded `<int:...>`) or any other hook runs."""
    from tracker import request_guard

    request_guard.init_app(app)


def _init_extensions(app: Flask) -> None:
    from tracker import audit, security
    from tracker.extensions import Session, configure_engines, db, migrate

    configure_engines()
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=os.path.join(os.path.dirname(app.root_path), "migrations"),
        compare_type=True,
        render_as_batch=True,  # SQLite can only alter tables by copying them
    )
    audit.install(Session)
    security.init_app(app)


def _register_templates(app: Flask) -> None:
    from tracker import formatting, navigation
    from tracker.domain import text

    formatting.register(app)
    navigation.init_app(app)
    # No bidirectional controls in anything a page or email shows (tracker/domain/text.py).
    app.jinja_env.finalize = text.shown


def _register_blueprints(app: Flask) -> None:
    from tracker.api import bp as api_bp
    from tracker.auth import bp as auth_bp
    from tracker.board_pack import bp as board_pack_bp
    from tracker.calendars import bp as calendars_bp
    from tracker.dashboard import bp as dashboard_bp
    from tracker.decisions import bp as decisions_bp
    from tracker.digests import bp as digests_bp
    from tracker.feeds import bp as feeds_bp
    from tracker.health import bp as health_bp
    from tracker.history import bp as history_bp
    from tracker.issues import bp as issues_bp
    from tracker.main import bp as main_bp
    from tracker.people import bp as people_bp
    from tracker.plan import bp as plan_bp
    from tracker.plan_edits import bp as plan_edits_bp
    from tracker.programme_admin import bp as programme_admin_bp
    from tracker.programmes import bp as programmes_bp
    from tracker.programmes import template_bp as programme_templates_bp
    from tracker.project_files.web import bp as project_files_bp
    from tracker.risks import bp as risks_bp
    from tracker.scenarios import bp as scenarios_bp
    from tracker.schedule_risk import bp as schedule_risk_bp
    from tracker.spreadsheets import bp as spreadsheets_bp
    from tracker.tokens import bp as tokens_bp
    from tracker.updates import bp as updates_bp
    from tracker.users import bp as users_bp

    for blueprint in (
        main_bp,
        auth_bp,
        dashboard_bp,
        plan_bp,
        health_bp,
        schedule_risk_bp,
        scenarios_bp,
        board_pack_bp,
        updates_bp,
        plan_edits_bp,
        risks_bp,
        issues_bp,
        decisions_bp,
        history_bp,
        digests_bp,
        spreadsheets_bp,
        project_files_bp,
        users_bp,
        programmes_bp,
        programme_templates_bp,
        programme_admin_bp,
        people_bp,
        calendars_bp,
        tokens_bp,
        api_bp,
        feeds_bp,
    ):
        app.register_blueprint(blueprint)
    # The API authenticates by bearer token, never the session cookie: no CSRF token.
    from tracker.extensions import csrf

    csrf.exempt(api_bp)


def _register_error_handlers(app: Flask) -> None:
    from tracker import errors

    errors.register(app)


def _register_cli(app: Flask) -> None:
    from tracker import cli

    cli.register(app)
