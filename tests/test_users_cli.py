"""`flask users ...`: the operator manages accounts from the command line, with a role per
programme (`set-role`) and instance administrators (`instance-admin`); every change is
audited as made by "cli", bad input saves nothing, and the last active instance administrator
stays one."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from tests.conftest import ADMIN, BOARD_MEMBER, DEMO_TODAY, LEAD, sign_in_as
from tests.helpers import SEED_SLUG, audit_count, count, join, programme, user
from tracker.extensions import db
from tracker.models import AuditEvent, Membership, Person, Programme, User, Workstream
from tracker.services import accounts, memberships, user_admin
from tracker.services.synthetic import generate_programme

SEED_PASSWORD = "test-password-2022"  # TestingConfig.SEED_USER_PASSWORD
NEW_PASSWORD = "a long password"
NEWCOMER = "nia.okafor@example.org"
# Named in the plan as an owner, with no account.
NO_ACCOUNT = "mark.reynolds@example.org"
WRONG_DETAILS = "The email address or password is wrong"
KENT = "Kent and Medway CCG to ICB transition"
OTHER = "synthetic-7"
ONLY_ONE = f"{ADMIN} is the only active instance administrator: make someone else one first"


def signs_in(app: Flask, email: str, password: str) -> bool:
    client: FlaskClient = app.test_client()
    response = client.post("/sign-in", data={"email": email, "password": password})
    if response.status_code == 302:
        return True
    assert WRONG_DETAILS in response.get_data(as_text=True)
    return False


def account_count() -> int:
    return count(User)


def saved() -> tuple[int, int, int]:
    """Accounts, memberships and audit events: what any refused command leaves as it was."""
    return account_count(), count(Membership), audit_count()


def events_for(account: User) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.entity_type == "User", AuditEvent.entity_id == account.id)
            .order_by(AuditEvent.id)
        )
    )


def events_after(last: int | None, entity_type: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.id > (last or 0))
            .order_by(AuditEvent.id)
        )
    )


def last_event_id() -> int | None:
    return db.session.scalar(sa.select(sa.func.max(AuditEvent.id)))


def led_codes(email: str, slug: str | None = None) -> set[str]:
    """The workstreams they are linked to as a lead (in one programme, given a slug)."""
    return {
        ws.code
        for ws in user_admin.led_workstreams(user(email).person)
        if slug is None or ws.programme.slug == slug
    }


def roles_of(email: str) -> dict[str, str]:
    return {m.programme.slug: m.role for m in memberships.memberships_of(user(email).person)}


def temporary_password(output: str) -> str:
    found = re.search(r"\(shown once\): (\S+)", output)
    assert found, output
    return found.group(1)


@pytest.fixture()
def other(app: Flask) -> Programme:
    """A second programme, whose workstream codes repeat Kent and Medway's (GOV, PEO...)."""
    generate_programme(slug=OTHER, milestones=12, today=DEMO_TODAY, seed=7, name="Synthetic ICB")
    db.session.commit()
    return programme(OTHER)


# --- create


def test_create_with_password_from_stdin_then_sign_in(app: Flask, runner: FlaskCliRunner) -> None:
    last = last_event_id()
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
    assert result.output.splitlines() == [
        "Created an account for Nia Okafor <nia.okafor@example.org>.",
        f"They are lead of {KENT}.",
        "They lead PEO, GOV.",
    ]
    created = user(NEWCOMER)
    assert created.is_active and not created.is_instance_admin
    assert roles_of(NEWCOMER) == {SEED_SLUG: "lead"}
    assert led_codes(NEWCOMER) == {"PEO", "GOV"}
    assert [(e.action, e.actor) for e in events_for(created)] == [("create", "cli")]
    [joined] = events_after(last, "Membership")
    assert (joined.action, joined.entity_label, joined.actor) == (
        "create",
        "Nia Okafor (lead)",
        "cli",
    )
    assert {(e.action, e.entity_label, e.actor) for e in events_after(last, "WorkstreamLead")} == {
        ("create", "PEO lead Nia Okafor", "cli"),
        ("create", "GOV lead Nia Okafor", "cli"),
    }
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
    # Shown once: listing the accounts does not show it.
    assert password not in runner.invoke(args=["users", "list"]).output


def test_create_for_someone_the_plan_already_names_needs_no_name(runner: FlaskCliRunner) -> None:
    people = count(Person)
    result = runner.invoke(
        args=["users", "create", NO_ACCOUNT, "--role", "board", "--password-stdin"],
        input=NEW_PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert user(NO_ACCOUNT).name == "Mark Reynolds"
    assert roles_of(NO_ACCOUNT) == {SEED_SLUG: "board"}
    # The same person, not a second one with the same email.
    assert count(Person) == people


def test_create_an_instance_administrator(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["users", "create", NEWCOMER, "--instance-admin", "--name", "Nia Okafor"]
    )
    assert result.exit_code == 0, result.output
    assert "Created an instance administrator account for Nia Okafor" in result.output
    created = user(NEWCOMER)
    assert created.is_instance_admin
    assert roles_of(NEWCOMER) == {}
    assert sign_in_as(app.test_client(), NEWCOMER).get("/users/").status_code == 200
    # And one with a role as well.
    result = runner.invoke(
        args=["users", "create", NO_ACCOUNT, "--instance-admin", "--role", "admin"]
    )
    assert result.exit_code == 0, result.output
    assert f"They are admin of {KENT}." in result.output
    assert user(NO_ACCOUNT).is_instance_admin
    assert roles_of(NO_ACCOUNT) == {SEED_SLUG: "admin"}


@pytest.mark.parametrize(
    "args",
    [
        ["--name", "Nia"],
        ["--name", "Nia", "--programme", SEED_SLUG],
        # Workstreams with no role are named, not dropped.
        ["--name", "Nia", "--instance-admin", "--workstream", "PEO"],
    ],
    ids=["nothing", "a-programme", "instance-admin-with-workstreams"],
)
def test_create_with_no_role_is_an_error(runner: FlaskCliRunner, args: list[str]) -> None:
    before = saved()
    result = runner.invoke(
        args=["users", "create", NEWCOMER, *args, "--password-stdin"], input=NEW_PASSWORD + "\n"
    )
    assert result.exit_code == 1
    assert f"Error: role: Choose their role in {KENT}" in result.stderr
    assert accounts.user_by_email(NEWCOMER) is None
    assert saved() == before


# --- set-role: a role in one programme


def test_set_role(app: Flask, runner: FlaskCliRunner) -> None:
    becca = user(LEAD)
    membership = memberships.membership_of(becca.person_id, programme().id)
    assert membership is not None
    result = runner.invoke(args=["users", "set-role", LEAD, "board"])
    assert result.exit_code == 0, result.output
    assert f"Becca Bradd <{LEAD}> is now board of {KENT}." in result.output
    assert roles_of(LEAD) == {SEED_SLUG: "board"}
    # The workstreams she is linked to stay unless given, but a board member leads nothing.
    assert led_codes(LEAD) == {"PEO", "MED", "ENG"}
    assert accounts.viewer_for(becca).led_workstream_ids == frozenset()
    [change] = [
        e
        for e in db.session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.entity_type == "Membership", AuditEvent.entity_id == membership.id
            )
        )
        if e.field == "role"
    ]
    assert (change.old_value, change.new_value, change.actor) == ("lead", "board", "cli")
    # The account itself did not change.
    assert events_for(becca)[-1].id < change.id


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
    assert "They lead DIG, FIN." in result.output  # in the plan's order
    assert roles_of(BOARD_MEMBER) == {SEED_SLUG: "lead"}
    assert led_codes(BOARD_MEMBER) == {"FIN", "DIG"}
    paul = user(BOARD_MEMBER)
    assert accounts.viewer_for(paul).led_workstream_ids == {
        db.session.scalar(sa.select(Workstream.id).where(Workstream.code == c))
        for c in ("FIN", "DIG")
    }
    last = last_event_id()
    result = runner.invoke(args=["users", "set-role", BOARD_MEMBER, "lead", "--workstream", "GOV"])
    assert result.exit_code == 0, result.output
    assert led_codes(BOARD_MEMBER) == {"GOV"}
    assert {(e.action, e.entity_label, e.actor) for e in events_after(last, "WorkstreamLead")} == {
        ("delete", "FIN lead Paul Bentley", "cli"),
        ("delete", "DIG lead Paul Bentley", "cli"),
        ("create", "GOV lead Paul Bentley", "cli"),
    }


def test_set_role_none_takes_them_out_of_the_programme(app: Flask, runner: FlaskCliRunner) -> None:
    becca_client = sign_in_as(app.test_client(), LEAD)
    assert becca_client.get(f"/p/{SEED_SLUG}/").status_code == 200
    last = last_event_id()
    result = runner.invoke(args=["users", "set-role", LEAD, "none"])
    assert result.exit_code == 0, result.output
    assert f"Becca Bradd <{LEAD}> is no longer a member of {KENT}." in result.output
    assert roles_of(LEAD) == {}
    assert led_codes(LEAD) == set()
    [left] = events_after(last, "Membership")
    assert (left.action, left.entity_label, left.actor) == ("delete", "Becca Bradd (lead)", "cli")
    assert {(e.action, e.entity_label) for e in events_after(last, "WorkstreamLead")} == {
        ("delete", "PEO lead Becca Bradd"),
        ("delete", "MED lead Becca Bradd"),
        ("delete", "ENG lead Becca Bradd"),
    }
    # Her account stays, and she no longer sees the programme.
    assert user(LEAD).is_active
    assert becca_client.get(f"/p/{SEED_SLUG}/").status_code == 404
    # Saying it again changes nothing; putting her back does.
    before = saved()
    assert runner.invoke(args=["users", "set-role", LEAD, "none"]).exit_code == 0
    assert saved() == before
    result = runner.invoke(args=["users", "set-role", LEAD, "lead", "--workstream", "PEO"])
    assert result.exit_code == 0, result.output
    assert roles_of(LEAD) == {SEED_SLUG: "lead"}
    assert led_codes(LEAD) == {"PEO"}
    assert becca_client.get(f"/p/{SEED_SLUG}/").status_code == 200


def test_a_role_is_set_in_one_programme_only(runner: FlaskCliRunner, other: Programme) -> None:
    before = saved()
    result = runner.invoke(args=["users", "set-role", LEAD, "board"])
    assert result.exit_code == 1
    assert f"Error: programme: Say which programme: one of {SEED_SLUG}, {OTHER}" in result.stderr
    assert saved() == before
    result = runner.invoke(
        args=["users", "set-role", LEAD, "lead", "--programme", OTHER, "--workstream", "GOV"]
    )
    assert result.exit_code == 0, result.output
    assert "is now lead of Synthetic ICB." in result.output
    assert "They lead GOV." in result.output
    assert roles_of(LEAD) == {SEED_SLUG: "lead", OTHER: "lead"}
    # Their GOV, not Kent and Medway's; her workstreams there stay as they were.
    assert led_codes(LEAD, OTHER) == {"GOV"}
    assert led_codes(LEAD, SEED_SLUG) == {"PEO", "MED", "ENG"}
    result = runner.invoke(args=["users", "set-role", LEAD, "none", "--programme", OTHER])
    assert result.exit_code == 0, result.output
    assert roles_of(LEAD) == {SEED_SLUG: "lead"}
    assert led_codes(LEAD) == {"PEO", "MED", "ENG"}


# --- instance-admin


def test_instance_admin_yes_and_no(app: Flask, runner: FlaskCliRunner) -> None:
    becca = user(LEAD)
    result = runner.invoke(args=["users", "instance-admin", LEAD, "yes"])
    assert result.exit_code == 0, result.output
    assert f"Becca Bradd <{LEAD}> is now an instance administrator." in result.output
    assert becca.is_instance_admin
    assert sign_in_as(app.test_client(), LEAD).get("/users/").status_code == 200
    result = runner.invoke(args=["users", "instance-admin", LEAD, "no"])
    assert result.exit_code == 0, result.output
    assert f"Becca Bradd <{LEAD}> is no longer an instance administrator." in result.output
    assert not becca.is_instance_admin
    changes = [e for e in events_for(becca) if e.field == "is_instance_admin"]
    assert [(e.old_value, e.new_value, e.actor) for e in changes] == [
        ("no", "yes", "cli"),
        ("yes", "no", "cli"),
    ]
    # Her role in the programme is another matter.
    assert roles_of(LEAD) == {SEED_SLUG: "lead"}


def test_the_last_active_instance_administrator_stays_one(runner: FlaskCliRunner) -> None:
    before = saved()
    for args in (["deactivate", ADMIN], ["instance-admin", ADMIN, "no"]):
        result = runner.invoke(args=["users", *args])
        assert result.exit_code == 1, args
        assert ONLY_ONE in result.stderr
    admin = user(ADMIN)
    assert admin.is_active and admin.is_instance_admin
    assert saved() == before
    # Her role in a programme is not what keeps the instance managed.
    assert runner.invoke(args=["users", "set-role", ADMIN, "board"]).exit_code == 0
    assert admin.is_instance_admin
    # A deactivated instance administrator does not count; an active one does.
    assert runner.invoke(args=["users", "instance-admin", LEAD, "yes"]).exit_code == 0
    assert runner.invoke(args=["users", "deactivate", LEAD]).exit_code == 0
    assert runner.invoke(args=["users", "instance-admin", ADMIN, "no"]).exit_code == 1
    assert runner.invoke(args=["users", "reactivate", LEAD]).exit_code == 0
    assert runner.invoke(args=["users", "instance-admin", ADMIN, "no"]).exit_code == 0
    assert not admin.is_instance_admin
    # Now Becca is the only one.
    result = runner.invoke(args=["users", "deactivate", LEAD])
    assert result.exit_code == 1
    assert f"{LEAD} is the only active instance administrator" in result.stderr
    assert user(LEAD).is_active


# --- deactivate, reactivate, reset-password


def test_deactivate_stops_sign_in_and_reactivate_allows_it(
    app: Flask, runner: FlaskCliRunner
) -> None:
    result = runner.invoke(args=["users", "deactivate", LEAD])
    assert result.exit_code == 0, result.output
    becca = user(LEAD)
    assert not becca.is_active
    change = events_for(becca)[-1]
    assert (change.field, change.new_value, change.actor) == ("is_active", "no", "cli")
    assert not signs_in(app, LEAD, SEED_PASSWORD)
    assert roles_of(LEAD) == {SEED_SLUG: "lead"}

    result = runner.invoke(args=["users", "reactivate", LEAD])
    assert result.exit_code == 0, result.output
    assert becca.is_active
    assert events_for(becca)[-1].new_value == "yes"
    assert signs_in(app, LEAD, SEED_PASSWORD)


def test_reset_password_from_stdin(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["users", "reset-password", LEAD, "--password-stdin"], input=NEW_PASSWORD + "\r\n"
    )
    assert result.exit_code == 0, result.output
    assert NEW_PASSWORD not in result.output
    assert not signs_in(app, LEAD, SEED_PASSWORD)
    assert signs_in(app, LEAD, NEW_PASSWORD)
    change = events_for(user(LEAD))[-1]
    # The audit trail says the password changed, never what to.
    assert (change.field, change.new_value, change.actor) == ("password_hash", "(set)", "cli")


def test_reset_password_generates_one_when_none_is_given(
    app: Flask, runner: FlaskCliRunner
) -> None:
    result = runner.invoke(args=["users", "reset-password", BOARD_MEMBER])
    assert result.exit_code == 0, result.output
    password = temporary_password(result.output)
    assert result.output.count(password) == 1
    assert not signs_in(app, BOARD_MEMBER, SEED_PASSWORD)
    assert signs_in(app, BOARD_MEMBER, password)


# --- list


def test_list_shows_every_account(runner: FlaskCliRunner) -> None:
    # A browser test in this process may have signed her in through the live server, which
    # commits for real: this test's own transaction says she never has.
    user(LEAD).last_sign_in_at = None
    db.session.flush()
    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == account_count()
    becca = next(line for line in lines if LEAD in line)
    assert becca.split()[:2] == ["lead", "active"]
    # Workstreams in the plan's order.
    assert "Becca Bradd" in becca and "leads PEO, MED, ENG" in becca
    assert "never signed in" in becca
    sarah = next(line for line in lines if ADMIN in line)
    assert sarah.startswith("instance admin, admin  active")
    paul = next(line for line in lines if BOARD_MEMBER in line)
    assert paul.split()[:2] == ["board", "active"]


def test_list_names_the_programmes_when_there_are_several(
    runner: FlaskCliRunner, other: Programme
) -> None:
    join(LEAD, OTHER, "board")
    for args in (
        ["set-role", BOARD_MEMBER, "none", "--programme", SEED_SLUG],
        ["create", NEWCOMER, "--instance-admin", "--name", "Nia"],
    ):
        result = runner.invoke(args=["users", *args])
        assert result.exit_code == 0, result.output
    lines = runner.invoke(args=["users", "list"]).output.splitlines()
    becca = next(line for line in lines if LEAD in line)
    assert becca.startswith(f"{SEED_SLUG}: lead, {OTHER}: board  active")
    assert f"leads {SEED_SLUG}/PEO, {SEED_SLUG}/MED, {SEED_SLUG}/ENG" in becca
    assert next(line for line in lines if ADMIN in line).startswith(
        f"instance admin, {SEED_SLUG}: admin  active"
    )
    assert next(line for line in lines if NEWCOMER in line).startswith("instance admin  active")
    assert next(line for line in lines if BOARD_MEMBER in line).startswith("no programme  active")


# --- bad input saves nothing


def test_a_bad_role_saves_nothing(runner: FlaskCliRunner) -> None:
    before = saved()
    result = runner.invoke(
        args=["users", "create", NEWCOMER, "--role", "owner", "--name", "Nia", "--password-stdin"],
        input=NEW_PASSWORD + "\n",
    )
    assert result.exit_code != 0
    assert "'owner' is not one of 'admin', 'lead', 'board', 'viewer'" in result.output
    result = runner.invoke(args=["users", "set-role", LEAD, "owner"])
    assert result.exit_code != 0
    assert "'owner' is not one of 'admin', 'lead', 'board', 'viewer', 'none'" in result.output
    result = runner.invoke(args=["users", "instance-admin", LEAD, "maybe"])
    assert result.exit_code != 0
    assert "'maybe' is not one of 'yes', 'no'" in result.output
    assert saved() == before
    assert roles_of(LEAD) == {SEED_SLUG: "lead"}
    assert not user(LEAD).is_instance_admin


def test_an_unknown_workstream_saves_nothing(runner: FlaskCliRunner) -> None:
    before = saved()
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
    assert f"Error: workstream: {KENT} has no workstream XYZ" in result.stderr
    assert accounts.user_by_email(NEWCOMER) is None
    result = runner.invoke(args=["users", "set-role", BOARD_MEMBER, "lead", "--workstream", "XYZ"])
    assert result.exit_code == 1
    assert f"Error: workstream: {KENT} has no workstream XYZ" in result.stderr
    assert roles_of(BOARD_MEMBER) == {SEED_SLUG: "board"}
    assert saved() == before


def test_a_workstream_of_another_programme_is_not_found_in_this_one(
    runner: FlaskCliRunner, other: Programme
) -> None:
    """Codes name workstreams within the programme given: one only the synthetic programme
    has is not found in Kent and Medway."""
    kent = set(
        db.session.scalars(
            sa.select(Workstream.code).where(Workstream.programme_id == programme().id)
        )
    )
    theirs = set(
        db.session.scalars(sa.select(Workstream.code).where(Workstream.programme_id == other.id))
    )
    code = sorted(theirs - kent)[0]
    before = saved()
    result = runner.invoke(
        args=[
            "users",
            "set-role",
            BOARD_MEMBER,
            "lead",
            "--programme",
            SEED_SLUG,
            "--workstream",
            code,
        ]
    )
    assert result.exit_code == 1
    assert f"Error: workstream: {KENT} has no workstream {code}" in result.stderr
    assert saved() == before


def test_an_unknown_programme_is_named_with_the_choices(runner: FlaskCliRunner) -> None:
    before = saved()
    message = f"programme: There is no programme 'x'; choose from {SEED_SLUG}"
    for args in (
        ["set-role", BOARD_MEMBER, "lead", "--workstream", "GOV", "--programme", "x"],
        ["set-role", BOARD_MEMBER, "none", "--programme", "x"],
        ["create", NEWCOMER, "--name", "Nia", "--role", "board", "--programme", "x"],
    ):
        result = runner.invoke(args=["users", *args])
        assert result.exit_code == 1, args
        assert message in result.stderr, args
    assert saved() == before


def test_an_unknown_email_is_an_error(runner: FlaskCliRunner) -> None:
    before = saved()
    for args in (
        ["set-role", "nobody@example.org", "board"],
        ["instance-admin", "nobody@example.org", "yes"],
        ["deactivate", "nobody@example.org"],
        ["reactivate", "nobody@example.org"],
        ["reset-password", "nobody@example.org"],
    ):
        result = runner.invoke(args=["users", *args])
        assert result.exit_code == 1, args
        assert "Error: email: There is no account for nobody@example.org" in result.stderr
        assert "shown once" not in result.output
    assert saved() == before


def test_every_problem_is_named_and_nothing_is_saved(runner: FlaskCliRunner) -> None:
    before = saved()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "not-an-email",
            "--role",
            "lead",
            "--workstream",
            "XYZ",
            "--password-stdin",
        ],
        input="short\n",
    )
    assert result.exit_code == 1
    assert "Error: email: 'not-an-email' is not an email address" in result.stderr
    assert "Error: password: The password must be at least 12 characters" in result.stderr
    assert "Error: name: " in result.stderr
    assert "Error: workstream: " in result.stderr
    result = runner.invoke(
        args=["users", "create", LEAD, "--role", "lead", "--password-stdin"],
        input=NEW_PASSWORD + "\n",
    )
    assert result.exit_code == 1
    assert "Error: email: becca.bradd@example.org already has an account" in result.stderr
    assert saved() == before
