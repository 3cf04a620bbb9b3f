"""One migration history: it builds the schema, tears it down, and matches the models."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tests.conftest import ScratchDatabases, make_app
from tracker.extensions import db
from tracker.models import Base

EXPECTED_TABLES = {
    "api_token",
    "audit_event",
    "baseline",
    "baseline_item",
    "calendar_closure",
    "calendar_feed",
    "decision",
    "decision_milestone",
    "dependency",
    "digest_delivery",
    "digest_run",
    "digest_snapshot",
    "go_live_target",
    "issue",
    "milestone",
    "person",
    "programme",
    "risk",
    "risk_action",
    "risk_milestone",
    "risk_review",
    "status_update",
    "user_account",
    "workstream",
    "workstream_lead",
}


def tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade_round_trip(scratch: ScratchDatabases) -> None:
    app = make_app(scratch.new("roundtrip"))
    with app.app_context():
        upgrade()
        assert tables(db.engine) == EXPECTED_TABLES
        downgrade(revision="base")
        assert tables(db.engine) == set()
        upgrade()
        assert tables(db.engine) == EXPECTED_TABLES
        db.engine.dispose()


def test_models_and_migrations_do_not_drift(scratch: ScratchDatabases) -> None:
    app = make_app(scratch.new("drift"))
    with app.app_context():
        upgrade()
        migrate_args = app.extensions["migrate"].configure_args
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": migrate_args["compare_type"]}
            )
            diff = compare_metadata(context, Base.metadata)
        db.engine.dispose()
    assert diff == [], f"models and migrations differ; run `flask db migrate`: {diff}"
