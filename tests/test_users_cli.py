"""`flask users ...`: admins manage accounts from the command line; every change is audited
as made by "cli", and bad input saves nothing."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from tests.conftest import ADMIN, BOARD_MEMBER, LEAD
from tests.helpers import audit_count
from tracker.extensions import db
from tracker.models import AuditEvent, Person, User
from tracker.services import accounts, user_admin

SEED_PASSWORD = "test-password-2022"  # TestingConfig.SEED_USER_PASSWORD
NEW_PASSWORD = "a long password"
NEWCOMER = "nia.okafor@example.org"
# Named in the plan as an owner, with no account.
NO_ACCOUNT = "mark.reynolds@example.org"
WRONG_DETAILS = "The email address or password is wrong"


def signs_in(app: Flask, email: str, password: str) -> bool:
    client: FlaskClient = app.test_client()
    response = client.post("/sign-in", data={"email": email, "password": password})
    if response.status_code == 302:
        return True
    assert WRONG_DETAILS in response.get_data(as_text=True)
    return False


def account_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User)) or 0


def events_for(user: User) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.entity_type == "User", AuditEvent.entity_id == user.id)
            .order_by(AuditEvent.id)
        )
    )


def led_codes(email: str) -> set[str]:
    user = accounts.user_by_email(email)
    assert user is not None
    return {ws.code for ws in user_admin.led_workstreams(user.person)}


def temporary_password(output: str) -> str:
    found = re.search(r"\(shown once\): (\S+)", output)
    assert found, output
    return found.group(1)


def test_create_with_password_from_stdin_then_sign_in(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=[
            "users",
            "create",
            " Nia.Okafor@Example.org",
            "--role",
            "lead",
            "--name",
            "Nia Okafor",
            "--workstream",
            "peo",
            "--workstream",
            "GOV",
            "--password-stdin",
        ],
        input=NEW_PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert NEW_PASSWORD not in result.output  # never echoed
    assert "Created a lead account for Nia Okafor <nia.okafor@example.org>" in result.output
    user = accounts.user_by_email(NEWCOMER)
    assert user is not None and user.role == "lead" and user.is_active
    assert led_codes(NEWCOMER) == {"PEO", "GOV"}
    created = events_for(user)
    assert [(e.action, e.actor) for e in created] == [("create", "cli")]
    lead_links = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.entity_type == "WorkstreamLead", AuditEvent.action == "create"
        )
    ).all()
    assert {e.entity_label for e in lead_links} >= {"PEO lead Nia Okafor", "GOV lead Nia Okafor"}
    assert {e.actor for e in lead_links if "Nia Okafor" in e.entity_label} == {"cli"}
    assert signs_in(app, NEWCOMER, NEW_PASSWORD)


def test_create_without_a_password_shows_a_generated_one_once(
    app: Flask, runner: FlaskCliRunner
) -> None:
    result = runner.invoke(args=["users", "create", NEWCOMER, "--role", "board", "--name", "Nia"])
    assert result.exit_code == 0, result.output
    password = temporary_password(result.output)
    assert result.output.count(password) == 1
    assert len(password) >= 16
    assert signs_in(app, NEWCOMER, password)


def test_create_for_someone_the_plan_already_names_needs_no_name(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["users", "create", NO_ACCOUNT, "--role", "board", "--password-stdin"],
        input=NEW_PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    user = accounts.user_by_email(NO_ACCOUNT)
    assert user is not None and user.name == "Mark Reynolds" and user.role == "board"
    # The same person, not a second one with the same email.
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Person).where(Person.email == NO_ACCOUNT)
        )
        == 1
    )


def test_set_role(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["users", "set-role", LEAD, "board"])
    assert result.exit_code == 0, result.output
    assert "is now board" in result.output
    user = accounts.user_by_email(LEAD)
    assert user is not None and user.role == "board"
    # Workstreams led are left alone unless given.
    assert led_codes(LEAD) == {"PEO", "MED", "ENG"}
    change = events_for(user)[-1]
    assert (change.field, change.old_value, change.new_value, change.actor) == (
        "role",
        "lead",
        "board",
        "cli",
    )


def test_set_role_with_workstreams_replaces_those_led(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=[
            "users",
            "set-role",
            BOARD_MEMBER,
            "lead",
            "--workstream",
            "FIN",
            "--workstream",
            "DIG",
        ]
    )
    assert result.exit_code == 0, result.output
    assert accounts.user_by_email(BOARD_MEMBER).role == "lead"  # type: ignore[union-attr]
    assert led_codes(BOARD_MEMBER) == {"FIN", "DIG"}
    result = runner.invoke(args=["users", "set-role", BOARD_MEMBER, "lead", "--workstream", "GOV"])
    assert result.exit_code == 0, result.output
    assert led_codes(BOARD_MEMBER) == {"GOV"}
    removed = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.entity_type == "WorkstreamLead", AuditEvent.action == "delete"
        )
    ).all()
    assert {(e.entity_label, e.actor) for e in removed} == {
        ("FIN lead Paul Bentley", "cli"),
        ("DIG lead Paul Bentley", "cli"),
    }


def test_deactivate_stops_sign_in_and_reactivate_allows_it(
    app: Flask, runner: FlaskCliRunner
) -> None:
    result = runner.invoke(args=["users", "deactivate", LEAD])
    assert result.exit_code == 0, result.output
    user = accounts.user_by_email(LEAD)
    assert user is not None and not user.is_active
    change = events_for(user)[-1]
    assert (change.field, change.new_value, change.actor) == ("is_active", "no", "cli")
    assert not signs_in(app, LEAD, SEED_PASSWORD)

    result = runner.invoke(args=["users", "reactivate", LEAD])
    assert result.exit_code == 0, result.output
    assert user.is_active
    assert events_for(user)[-1].new_value == "yes"
    assert signs_in(app, LEAD, SEED_PASSWORD)


def test_reset_password_from_stdin(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["users", "reset-password", LEAD, "--password-stdin"], input=NEW_PASSWORD + "\r\n"
    )
    assert result.exit_code == 0, result.output
    assert NEW_PASSWORD not in result.output
    assert not signs_in(app, LEAD, SEED_PASSWORD)
    assert signs_in(app, LEAD, NEW_PASSWORD)
    change = events_for(accounts.user_by_email(LEAD))[-1]  # type: ignore[arg-type]
    # The audit trail says the password changed, never what to.
    assert (change.field, change.new_value, change.actor) == ("password_hash", "(set)", "cli")


def test_reset_password_generates_one_when_none_is_given(
    app: Flask, runner: FlaskCliRunner
) -> None:
    result = runner.invoke(args=["users", "reset-password", BOARD_MEMBER])
    assert result.exit_code == 0, result.output
    password = temporary_password(result.output)
    assert not signs_in(app, BOARD_MEMBER, SEED_PASSWORD)
    assert signs_in(app, BOARD_MEMBER, password)


def test_list_shows_every_account(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == account_count()
    becca = next(line for line in lines if LEAD in line)
    assert becca.split()[:2] == ["lead", "active"]
    # Workstreams in the plan's order.
    assert "Becca Bradd" in becca and "leads PEO, MED, ENG" in becca
    assert "never signed in" in becca


def test_a_bad_role_saves_nothing(runner: FlaskCliRunner) -> None:
    before = (account_count(), audit_count())
    result = runner.invoke(
        args=["users", "create", NEWCOMER, "--role", "owner", "--name", "Nia", "--password-stdin"],
        input=NEW_PASSWORD + "\n",
    )
    assert result.exit_code != 0
    assert "'owner' is not one of 'admin', 'lead', 'board'" in result.output
    result = runner.invoke(args=["users", "set-role", LEAD, "owner"])
    assert result.exit_code != 0
    assert (account_count(), audit_count()) == before
    assert accounts.user_by_email(LEAD).role == "lead"  # type: ignore[union-attr]


def test_an_unknown_workstream_saves_nothing(runner: FlaskCliRunner) -> None:
    before = (account_count(), audit_count())
    result = runner.invoke(
        args=[
            "users",
            "create",
            NEWCOMER,
            "--role",
            "lead",
            "--name",
            "Nia",
            "--workstream",
            "PEO",
            "--workstream",
            "XYZ",
            "--password-stdin",
        ],
        input=NEW_PASSWORD + "\n",
    )
    assert result.exit_code == 1
    assert "Error: workstream: " in result.stderr and "has no workstream XYZ" in result.stderr
    assert accounts.user_by_email(NEWCOMER) is None
    result = runner.invoke(args=["users", "set-role", BOARD_MEMBER, "lead", "--workstream", "XYZ"])
    assert result.exit_code == 1
    assert accounts.user_by_email(BOARD_MEMBER).role == "board"  # type: ignore[union-attr]
    assert (account_count(), audit_count()) == before


def test_an_unknown_programme_is_named_with_the_choices(runner: FlaskCliRunner) -> None:
    before = audit_count()
    result = runner.invoke(
        args=["users", "set-role", BOARD_MEMBER, "lead", "--workstream", "GOV", "--programme", "x"]
    )
    assert result.exit_code == 1
    assert "programme: There is no programme 'x'; choose from kent-and-medway" in result.stderr
    assert audit_count() == before


def test_an_unknown_email_is_an_error(runner: FlaskCliRunner) -> None:
    before = audit_count()
    for args in (
        ["set-role", "nobody@example.org", "board"],
        ["deactivate", "nobody@example.org"],
        ["reactivate", "nobody@example.org"],
        ["reset-password", "nobody@example.org"],
    ):
        result = runner.invoke(args=["users", *args])
        assert result.exit_code == 1, args
        assert "Error: email: There is no account for nobody@example.org" in result.stderr
        assert "shown once" not in result.output
    assert audit_count() == before


def test_every_problem_is_named_and_nothing_is_saved(runner: FlaskCliRunner) -> None:
    before = (account_count(), audit_count())
    result = runner.invoke(
        args=["users", "create", "not-an-email", "--role", "lead", "--password-stdin"],
        input="short\n",
    )
    assert result.exit_code == 1
    assert "Error: email: 'not-an-email' is not an email address" in result.stderr
    assert "Error: password: The password must be at least 12 characters" in result.stderr
    assert "Error: name: " in result.stderr
    result = runner.invoke(
        args=["users", "create", LEAD, "--role", "lead", "--password-stdin"],
        input=NEW_PASSWORD + "\n",
    )
    assert result.exit_code == 1
    assert "Error: email: becca.bradd@example.org already has an account" in result.stderr
    assert (account_count(), audit_count()) == before


def test_the_last_active_admin_stays_an_active_admin(runner: FlaskCliRunner) -> None:
    before = audit_count()
    for args in (["deactivate", ADMIN], ["set-role", ADMIN, "board"]):
        result = runner.invoke(args=["users", *args])
        assert result.exit_code == 1, args
        assert "sarah.collins@example.org is the only active admin" in result.stderr
    admin = accounts.user_by_email(ADMIN)
    assert admin is not None and admin.is_active and admin.role == "admin"
    assert audit_count() == before
    # With a second admin, the first may go.
    assert runner.invoke(args=["users", "set-role", BOARD_MEMBER, "admin"]).exit_code == 0
    assert runner.invoke(args=["users", "deactivate", ADMIN]).exit_code == 0
    assert not admin.is_active
