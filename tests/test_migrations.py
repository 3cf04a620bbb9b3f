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
    "board_pack_delivery",
    "calendar_closure",
    "calendar_feed",
    "decision",
    "decision_milestone",
    "dependency",
    "digest_delivery",
    "digest_run",
    "digest_snapshot",
    "go_live_target",
    "invitation",
    "issued_pack",
    "issue",
    "membership",
    "milestone",
    "person",
    "programme",
    "risk",
    "risk_action",
    "risk_analysis_result",
    "risk_milestone",
    "risk_review",
    "saved_template",
    "scenario",
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


def test_todays_accounts_keep_working_with_roles_per_programme(scratch: ScratchDatabases) -> None:
    """0007: an admin becomes an instance administrator and an admin of every programme, a
    lead a lead of every programme (leading what they led), a board member sits on every
    programme's board; downgrading gives each account its highest role back."""
    app = make_app(scratch.new("memberships"))
    now = "2026-01-05 09:00:00"
    with app.app_context():
        upgrade(revision="0006")
        with db.engine.begin() as conn:
            for pid, slug in ((1, "first"), (2, "second")):
                conn.execute(
                    sa.text(
                        "INSERT INTO programme (id, slug, name, from_organisation, "
                        "to_organisation, start_date, go_live_date, calendar_region, "
                        "plan_version, created_at, updated_at) VALUES (:id, :slug, :slug, "
                        "'A CCG', 'An ICB', '2021-06-01', '2022-07-01', 'ENG', 'x', :now, :now)"
                    ),
                    {"id": pid, "slug": slug, "now": now},
                )
            for n, role in enumerate(("admin", "lead", "board"), start=1):
                conn.execute(
                    sa.text(
                        "INSERT INTO person (id, name, job_title, directorate, email, "
                        "created_at, updated_at) VALUES (:n, :role, '', '', :email, :now, :now)"
                    ),
                    {"n": n, "role": role, "email": f"{role}@example.org", "now": now},
                )
                conn.execute(
                    sa.text(
                        "INSERT INTO user_account (id, person_id, role, is_active, "
                        "digest_opt_out, created_at, updated_at) "
                        "VALUES (:n, :n, :role, true, false, :now, :now)"
                    ),
                    {"n": n, "role": role, "now": now},
                )
        upgrade()
        with db.engine.connect() as conn:
            admins = conn.execute(
                sa.text("SELECT person_id FROM user_account WHERE is_instance_admin")
            ).scalars()
            assert list(admins) == [1]
            memberships = conn.execute(
                sa.text("SELECT person_id, programme_id, role FROM membership")
            ).all()
        assert sorted(memberships) == [
            (1, 1, "admin"),
            (1, 2, "admin"),
            (2, 1, "lead"),
            (2, 2, "lead"),
            (3, 1, "board"),
            (3, 2, "board"),
        ]
        downgrade(revision="0006")
        with db.engine.connect() as conn:
            roles = conn.execute(sa.text("SELECT id, role FROM user_account ORDER BY id")).all()
        assert roles == [(1, "admin"), (2, "lead"), (3, "board")]
        db.engine.dispose()
