"""Signing out ends the session on the server: a copy of the session cookie taken before
`POST /sign-out` no longer opens signed-in pages, from any client. So do a password change
(other sessions), a password reset and deactivation (every session)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import ADMIN, BOARD_MEMBER, LEAD, sign_in_as
from tests.helpers import audit_count, user
from tracker.extensions import db
from tracker.services import accounts

DASHBOARD = "/p/kent-and-medway/"
PASSWORD_PAGE = "/account/password"


def cookie_of(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def replay(app: Flask, cookie: str) -> FlaskClient:
    """Another client (another browser, someone who copied the cookie) with that cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def signed_out(client: FlaskClient) -> bool:
    response = client.get(DASHBOARD)
    return response.status_code == 302 and response.location.startswith("/sign-in")


def test_a_cookie_copied_before_signing_out_is_signed_out_after(
    app: Flask, client: FlaskClient
) -> None:
    assert client.get(DASHBOARD).status_code == 200
    copied = cookie_of(client)
    assert replay(app, copied).get(DASHBOARD).status_code == 200  # it works until then

    response = client.post("/sign-out")
    assert response.location == "/sign-in"

    again = replay(app, copied)
    assert signed_out(again)
    assert again.get("/account/email").status_code == 302
    # The same client sending the old cookie back, as a browser that ignored the sign-out.
    client.set_cookie("session", copied)
    assert signed_out(client)


def test_signing_out_ends_the_persons_other_sessions_too(app: Flask, client: FlaskClient) -> None:
    laptop = sign_in_as(app.test_client(), BOARD_MEMBER)
    assert laptop.get(DASHBOARD).status_code == 200
    client.post("/sign-out")
    assert signed_out(laptop)


def test_signing_out_leaves_other_peoples_sessions(
    app: Flask, client: FlaskClient, admin_client: FlaskClient
) -> None:
    client.post("/sign-out")
    assert admin_client.get(DASHBOARD).status_code == 200


def test_signing_in_again_after_signing_out_works(app: Flask, client: FlaskClient) -> None:
    client.post("/sign-out")
    sign_in_as(client, BOARD_MEMBER)
    assert client.get(DASHBOARD).status_code == 200


def test_the_sign_in_form_after_signing_out_opens_a_fresh_session(app: Flask) -> None:
    browser = app.test_client()
    password = app.config["SEED_USER_PASSWORD"]
    browser.post("/sign-in", data={"email": LEAD, "password": password})
    assert browser.get(DASHBOARD).status_code == 200
    first = cookie_of(browser)
    browser.post("/sign-out")
    browser.post("/sign-in", data={"email": LEAD, "password": password})
    assert browser.get(DASHBOARD).status_code == 200
    assert signed_out(replay(app, first))


def test_signing_out_is_not_an_edit_of_the_account(app: Flask, client: FlaskClient) -> None:
    """Not in the audit trail, and an admin editing the account meanwhile is not refused."""
    version, events = user(BOARD_MEMBER).version, audit_count()
    client.post("/sign-out")
    db.session.expire_all()
    assert user(BOARD_MEMBER).version == version
    assert user(BOARD_MEMBER).session_generation == 1
    assert audit_count() == events


def test_signing_in_is_not_an_edit_of_the_account(app: Flask) -> None:
    version = user(LEAD).version
    assert accounts.sign_in(LEAD, app.config["SEED_USER_PASSWORD"]) is not None
    db.session.expire_all()
    assert user(LEAD).version == version
    assert user(LEAD).last_sign_in_at is not None


def test_changing_a_password_keeps_this_session_and_ends_the_others(
    app: Flask, lead_client: FlaskClient
) -> None:
    other = sign_in_as(app.test_client(), LEAD)
    copied = cookie_of(other)
    password = app.config["SEED_USER_PASSWORD"]
    response = lead_client.post(
        PASSWORD_PAGE,
        data={
            "current_password": password,
            "new_password": "a new and long passphrase 2022",
            "confirm_password": "a new and long passphrase 2022",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert lead_client.get(DASHBOARD).status_code == 200
    assert signed_out(other)
    assert signed_out(replay(app, copied))


def test_a_password_reset_ends_every_session(app: Flask, admin_client: FlaskClient) -> None:
    lead = sign_in_as(app.test_client(), LEAD)
    copied = cookie_of(lead)
    response = admin_client.post(f"/users/{user(LEAD).id}/reset-password")
    assert response.status_code == 200
    assert signed_out(lead)
    assert signed_out(replay(app, copied))


def test_deactivation_ends_every_session_for_good(app: Flask, admin_client: FlaskClient) -> None:
    lead = sign_in_as(app.test_client(), LEAD)
    copied = cookie_of(lead)
    lead_id = user(LEAD).id
    admin_client.post(f"/users/{lead_id}/deactivate")
    assert signed_out(lead)
    # Reactivating lets them sign in again, but the old cookie stays signed out.
    admin_client.post(f"/users/{lead_id}/reactivate")
    assert signed_out(replay(app, copied))
    assert sign_in_as(app.test_client(), LEAD).get(DASHBOARD).status_code == 200


def test_an_admin_signing_out_leaves_their_api_tokens_working(
    app: Flask, admin_client: FlaskClient
) -> None:
    """Tokens are their own way in, revoked on the tokens page; a session is not a token."""
    from tracker.services import api_tokens

    secret = api_tokens.create_token(user(ADMIN), "refresh").secret
    db.session.commit()
    admin_client.post("/sign-out")
    response = app.test_client().get(
        "/api/v1/programmes", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200
