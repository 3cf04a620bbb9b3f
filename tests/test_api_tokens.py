"""Personal API tokens: made on the API tokens page or with `flask users token`, shown once,
stored only as a digest, revoked by their owner or an admin; every change audited."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from tests.conftest import ADMIN, BOARD_MEMBER, EMAIL_BY_ROLE, LEAD, sign_in_as
from tests.helpers import user
from tracker.domain.validation import ValidationError
from tracker.extensions import db
from tracker.models import ApiToken, AuditEvent
from tracker.services import accounts, api_tokens

PAGE = "/account/api-tokens"
NAMES = {ADMIN: "Sarah Collins", LEAD: "Becca Bradd", BOARD_MEMBER: "Paul Bentley"}


def page(response: Any) -> BeautifulSoup:
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def make(email: str, name: str = "Power BI refresh") -> tuple[ApiToken, str]:
    made = api_tokens.create_token(user(email), name)
    db.session.commit()
    return made.record, made.secret


def tokens_table() -> tuple[tuple[Any, ...], ...]:
    """Every token as stored, and the size of the audit trail: what a refusal must not change."""
    rows = db.session.execute(
        sa.select(ApiToken.id, ApiToken.user_id, ApiToken.name, ApiToken.revoked_at).order_by(
            ApiToken.id
        )
    ).all()
    count = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    return tuple(tuple(r) for r in rows), (count,)


def works(app: Flask, secret: str) -> bool:
    response = app.test_client().get(
        "/api/v1/programmes", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code in (200, 401)
    return response.status_code == 200


def row_texts(table: Any) -> list[list[str]]:
    return [
        [cell.get_text(" ", strip=True) for cell in row.find_all("td")]
        for row in table.tbody.find_all("tr")
    ]


# --- the service --------------------------------------------------------------------------


def test_only_a_digest_is_stored_and_the_token_is_shown_once(app: Flask) -> None:
    record, secret = make(LEAD)
    assert secret.startswith("tt_") and len(secret) == 46  # 3 + 43 characters: 256 bits
    assert record.token_digest == hashlib.sha256(secret.encode()).hexdigest()
    assert record.prefix == secret[:10]
    stored = db.session.execute(sa.select(ApiToken.__table__)).all()
    assert all(secret not in str(row) for row in stored)
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity_type == "ApiToken")
    ).all()
    assert events and all(secret not in f"{e.old_value} {e.new_value}" for e in events)
    assert {e.new_value for e in events if e.field == "token_digest"} <= {"(set)", None}
    assert works(app, secret)


def test_authenticate(app: Flask) -> None:
    record, secret = make(LEAD)
    assert api_tokens.authenticate(secret) is user(LEAD)
    for wrong in (None, "", "tt_", secret + "x", secret.upper(), "tt_" + "a" * 200):
        assert api_tokens.authenticate(wrong) is None
    api_tokens.revoke(record)
    assert api_tokens.authenticate(secret) is None


def test_a_name_is_needed(app: Flask) -> None:
    with pytest.raises(ValidationError) as caught:
        api_tokens.create_token(user(LEAD), "  ")
    assert caught.value.messages() == {
        "name": "Enter a name for the token, like 'Power BI refresh'"
    }


# --- the page -----------------------------------------------------------------------------


def test_the_page_lists_only_your_own_tokens(app: Flask, lead_client: FlaskClient) -> None:
    mine, _ = make(LEAD, "Team spreadsheet")
    gone, _ = make(LEAD, "Old script")
    api_tokens.revoke(gone)
    make(BOARD_MEMBER, "Board pack")
    db.session.commit()
    view = page(lead_client.get(PAGE))
    rows = row_texts(view.find("table", id="tokens"))
    names = [r[0] for r in rows]
    assert set(names) == {"Team spreadsheet", "Old script"}
    by_name = {r[0]: r for r in rows}
    assert by_name["Team spreadsheet"][1] == f"{mine.prefix}…"
    assert by_name["Team spreadsheet"][3] == "Never"
    assert by_name["Team spreadsheet"][4].startswith("Active")
    assert by_name["Old script"][4].startswith("Revoked")
    # Revoke buttons only for live tokens; no section for other people's tokens.
    assert len(view.find("table", id="tokens").find_all("button")) == 1
    assert view.find(id="other-tokens") is None
    assert "Board pack" not in view.get_text()


def test_admins_also_see_everyone_elses_live_tokens(admin_client: FlaskClient) -> None:
    make(BOARD_MEMBER, "Board pack")
    revoked, _ = make(LEAD, "Old script")
    api_tokens.revoke(revoked)
    db.session.commit()
    view = page(admin_client.get(PAGE))
    rows = row_texts(view.find("table", id="other-people-tokens"))
    assert [(r[0], r[1]) for r in rows] == [("Paul Bentley", "Board pack")]


@pytest.mark.parametrize("role", ["admin", "lead", "board"])
def test_everyone_makes_their_own_token_and_sees_it_once(app: Flask, role: str) -> None:
    email = EMAIL_BY_ROLE[role]
    client = sign_in_as(app.test_client(), email)
    response = client.post(PAGE, data={"name": "Power BI refresh"})
    shown = page(response).find(id="api-token").get_text(strip=True)
    assert shown.startswith("tt_")
    [record] = api_tokens.tokens_of(user(email))
    assert record.name == "Power BI refresh"
    assert record.token_digest == api_tokens.digest(shown)
    event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.entity_type == "ApiToken",
            AuditEvent.entity_id == record.id,
            AuditEvent.action == "create",
        )
    )
    assert event is not None and event.actor == NAMES[email]
    assert works(app, shown)
    # Never kept in the session (flashed) nor shown again.
    with client.session_transaction() as session:
        assert shown not in str(dict(session))
    assert shown not in client.get(PAGE).get_data(as_text=True)


def test_a_token_without_a_name_is_not_made(lead_client: FlaskClient) -> None:
    before = tokens_table()
    view = page(lead_client.post(PAGE, data={"name": ""}))
    assert view.title.get_text().startswith("Error: ")
    assert "Enter a name for the token" in view.find(class_="nhsuk-error-summary").get_text()
    assert "Enter a name for the token" in view.find(class_="nhsuk-error-message").get_text()
    assert tokens_table() == before


def test_you_revoke_your_own_token(app: Flask, lead_client: FlaskClient) -> None:
    record, secret = make(LEAD)
    response = lead_client.post(f"{PAGE}/revoke", data={"token_id": record.id})
    assert response.status_code == 302 and response.location == PAGE
    db.session.expire_all()
    assert record.revoked_at is not None
    assert not works(app, secret)
    event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.entity_type == "ApiToken", AuditEvent.field == "revoked_at"
        )
    )
    assert event is not None and event.actor == "Becca Bradd"
    view = page(lead_client.get(PAGE))
    assert f"{record.prefix}…) is revoked" in view.get_text()


def test_an_admin_revokes_anyones_token(app: Flask, admin_client: FlaskClient) -> None:
    record, secret = make(BOARD_MEMBER)
    response = admin_client.post(f"{PAGE}/revoke", data={"token_id": record.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert record.revoked_at is not None and not works(app, secret)
    assert "of Paul Bentley" in page(admin_client.get(PAGE)).get_text()


@pytest.mark.parametrize("email", [LEAD, BOARD_MEMBER])
def test_nobody_else_revokes_your_token(app: Flask, email: str) -> None:
    record, secret = make(ADMIN if email != ADMIN else LEAD)
    client = sign_in_as(app.test_client(), email)
    before = tokens_table()
    response = client.post(f"{PAGE}/revoke", data={"token_id": record.id})
    assert response.status_code == 403
    assert tokens_table() == before and works(app, secret)


@pytest.mark.parametrize("data", [{"token_id": "999999"}, {"token_id": "x"}, {}])
def test_revoking_no_such_token(lead_client: FlaskClient, data: dict[str, str]) -> None:
    before = tokens_table()
    assert lead_client.post(f"{PAGE}/revoke", data=data).status_code == 404
    assert tokens_table() == before


# --- the command line ---------------------------------------------------------------------


def test_users_token_prints_a_token_that_works(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["users", "token", LEAD, "--name", "Nightly export"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert secret.startswith("tt_") and "\n" not in secret
    assert "Becca Bradd" in result.stderr and "shown once" in result.stderr
    [record] = api_tokens.tokens_of(user(LEAD))
    assert record.name == "Nightly export"
    assert works(app, secret)
    event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.entity_type == "ApiToken", AuditEvent.action == "create"
        )
    )
    assert event is not None and event.actor == "cli"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["users", "token", "nobody@example.org"], "There is no account for nobody@example.org"),
        (["users", "token", LEAD, "--name", " "], "Enter a name for the token"),
    ],
)
def test_users_token_refuses_bad_input(
    runner: FlaskCliRunner, args: list[str], message: str
) -> None:
    before = tokens_table()
    result = runner.invoke(args=args)
    assert result.exit_code == 1 and message in result.stderr
    assert result.stdout == "" and tokens_table() == before


def test_no_token_for_a_deactivated_account(runner: FlaskCliRunner) -> None:
    accounts.deactivate(user(BOARD_MEMBER))
    db.session.commit()
    result = runner.invoke(args=["users", "token", BOARD_MEMBER])
    assert result.exit_code == 1 and "deactivated" in result.stderr
    assert api_tokens.tokens_of(user(BOARD_MEMBER)) == []


def test_users_revoke_token(app: Flask, runner: FlaskCliRunner) -> None:
    record, secret = make(LEAD)
    result = runner.invoke(args=["users", "revoke-token", LEAD, f"{record.prefix}…"])
    assert result.exit_code == 0, result.output
    assert f"Revoked the API token 'Power BI refresh' ({record.prefix}…)" in result.stdout
    assert not works(app, secret)
    result = runner.invoke(args=["users", "revoke-token", LEAD, record.prefix])
    assert result.exit_code == 1 and "no live API token" in result.stderr


def test_use_token_saves_when_it_was_last_used_at_most_once_a_minute(app: Flask) -> None:
    record, secret = make(LEAD)
    assert api_tokens.use_token(secret) is user(LEAD)
    assert not db.session.dirty  # saved: its own unit of work
    db.session.expire_all()
    first = record.last_used_at
    assert first is not None
    assert api_tokens.use_token(secret) is user(LEAD)
    db.session.expire_all()
    assert record.last_used_at == first
    assert api_tokens.use_token(secret + "x") is None
