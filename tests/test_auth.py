"""Signing in and out, changing a password, and what the sign-in page never gives away."""

from __future__ import annotations

from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import ADMIN, BOARD_MEMBER, LEAD
from tracker.extensions import db
from tracker.services import accounts

PASSWORD = "test-password-2022"  # TestingConfig.SEED_USER_PASSWORD
WRONG = "The email address or password is wrong, or the account is not active."


def sign_in(client: FlaskClient, email: str, password: str, next_url: str = "") -> object:
    url = "/sign-in" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": email, "password": password})


def test_sign_in_form_has_an_email_and_a_password_field(anonymous_client: FlaskClient) -> None:
    page = BeautifulSoup(anonymous_client.get("/sign-in").get_data(as_text=True), "html.parser")
    form = page.find("form", action=lambda a: a and a.startswith("/sign-in"))
    assert form.find("input", attrs={"name": "email"})["type"] == "email"
    assert form.find("input", attrs={"name": "password"})["type"] == "password"
    assert form.find("input", attrs={"name": "csrf_token"})


def test_a_lead_signs_in_and_lands_on_their_workstreams(anonymous_client: FlaskClient) -> None:
    response = sign_in(anonymous_client, "  Becca.Bradd@Example.org ", PASSWORD)
    assert response.status_code == 302
    assert anonymous_client.get(response.location).location == ("/p/kent-and-medway/my-workstreams")


def test_board_and_admin_land_on_the_dashboard(app: Flask) -> None:
    for email in (BOARD_MEMBER, ADMIN):
        client = app.test_client()
        response = sign_in(client, email, PASSWORD)
        assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
        assert client.get(response.location).location == "/p/kent-and-medway/"


def test_sign_in_returns_to_the_page_asked_for_but_never_to_another_site(
    app: Flask, anonymous_client: FlaskClient
) -> None:
    asked = anonymous_client.get("/p/kent-and-medway/gantt")
    assert asked.location == "/sign-in?next=%2Fp%2Fkent-and-medway%2Fgantt"
    response = anonymous_client.post(asked.location, data={"email": LEAD, "password": PASSWORD})
    assert response.location == "/p/kent-and-medway/gantt"
    other = app.test_client()
    response = sign_in(other, LEAD, PASSWORD, next_url="//evil.example.com/")
    assert response.location == "/"


def test_wrong_password_and_unknown_email_get_the_same_message(
    anonymous_client: FlaskClient,
) -> None:
    pages = [
        sign_in(anonymous_client, LEAD, "not-the-password").get_data(as_text=True),
        sign_in(anonymous_client, "nobody@example.org", PASSWORD).get_data(as_text=True),
    ]
    for html in pages:
        assert WRONG in html
        assert "nhsuk-error-summary" in html
    # The email typed is kept; the password never is.
    assert 'value="becca.bradd@example.org"' in pages[0]
    assert "not-the-password" not in pages[0]


def test_empty_fields_are_named(anonymous_client: FlaskClient) -> None:
    html = sign_in(anonymous_client, "", "").get_data(as_text=True)
    assert "Enter your email address" in html
    assert "Enter your password" in html
    assert 'href="#email"' in html and 'href="#password"' in html


def test_a_deactivated_account_cannot_sign_in_and_is_signed_out(
    app: Flask, client: FlaskClient
) -> None:
    user = accounts.user_by_email(BOARD_MEMBER)
    accounts.deactivate(user)
    db.session.commit()
    assert client.get("/p/kent-and-medway/").status_code == 302
    fresh = app.test_client()
    assert WRONG in sign_in(fresh, BOARD_MEMBER, PASSWORD).get_data(as_text=True)


def test_sign_out_ends_the_session(client: FlaskClient) -> None:
    assert client.get("/p/kent-and-medway/").status_code == 200
    response = client.post("/sign-out")
    assert response.location == "/sign-in"
    assert client.get("/p/kent-and-medway/").status_code == 302


def test_signed_in_pages_are_not_cached(client: FlaskClient) -> None:
    assert client.get("/p/kent-and-medway/").headers["Cache-Control"] == "no-store"


def test_session_cookie_is_httponly_and_lax(anonymous_client: FlaskClient) -> None:
    response = sign_in(anonymous_client, LEAD, PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # served over plain HTTP in tests


def test_session_cookie_is_secure_when_served_over_https(monkeypatch: object) -> None:
    import importlib

    import config

    monkeypatch.setenv("APP_BASE_URL", "https://tracker.example.org")  # type: ignore[attr-defined]
    try:
        assert importlib.reload(config).Config.SESSION_COOKIE_SECURE is True
    finally:
        monkeypatch.undo()  # type: ignore[attr-defined]
        importlib.reload(config)


def test_sign_in_attempts_are_rate_limited(app: Flask, anonymous_client: FlaskClient) -> None:
    app.config["SIGN_IN_RATE_LIMIT"] = "3 per minute"
    try:
        for _ in range(3):
            assert sign_in(anonymous_client, LEAD, "wrong-password-1").status_code == 200
        response = sign_in(anonymous_client, LEAD, PASSWORD)
        assert response.status_code == 429
        html = response.get_data(as_text=True)
        assert "Too many sign-in attempts" in html
        assert "wait a minute" in html
    finally:
        app.config["SIGN_IN_RATE_LIMIT"] = "1000 per minute"


def test_attempts_on_one_account_are_limited_from_any_address(
    app: Flask, anonymous_client: FlaskClient
) -> None:
    app.config["SIGN_IN_ACCOUNT_RATE_LIMIT"] = "2 per hour"
    try:
        for address in ("10.0.0.1", "10.0.0.2"):
            anonymous_client.environ_base["REMOTE_ADDR"] = address
            sign_in(anonymous_client, LEAD, "wrong-password-1")
        anonymous_client.environ_base["REMOTE_ADDR"] = "10.0.0.3"
        assert sign_in(anonymous_client, LEAD, PASSWORD).status_code == 429
        # Another account from the same address is not affected.
        assert sign_in(anonymous_client, BOARD_MEMBER, PASSWORD).status_code == 302
    finally:
        app.config["SIGN_IN_ACCOUNT_RATE_LIMIT"] = "1000 per minute"


def test_change_password(app: Flask, lead_client: FlaskClient) -> None:
    page = lead_client.post(
        "/account/password",
        data={
            "current_password": "wrong",
            "new_password": "short",
            "confirm_password": "short",
        },
    ).get_data(as_text=True)
    assert "Your current password is wrong" in page
    page = lead_client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a long new passphrase",
            "confirm_password": "a different passphrase",
        },
    ).get_data(as_text=True)
    assert "The two new passwords do not match" in page
    page = lead_client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "short", "confirm_password": "short"},
    ).get_data(as_text=True)
    assert "at least 12 characters" in page
    response = lead_client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a long new passphrase",
            "confirm_password": "a long new passphrase",
        },
    )
    assert response.status_code == 302
    # Still signed in here, and the new password works while the old one does not.
    assert lead_client.get("/p/kent-and-medway/").status_code == 200
    assert sign_in(app.test_client(), LEAD, PASSWORD).status_code == 200
    assert sign_in(app.test_client(), LEAD, "a long new passphrase").status_code == 302


def test_changing_a_password_signs_out_other_sessions(app: Flask, client: FlaskClient) -> None:
    user = accounts.user_by_email(BOARD_MEMBER)
    accounts.set_password(user, "another long passphrase")
    db.session.commit()
    assert client.get("/p/kent-and-medway/").status_code == 302


def test_passwords_are_stored_with_scrypt(app: Flask) -> None:
    user = accounts.user_by_email(LEAD)
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash


def test_changes_in_a_request_are_attributed_to_the_signed_in_user(
    lead_client: FlaskClient,
) -> None:
    from sqlalchemy import select

    from tracker.models import AuditEvent

    lead_client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a long new passphrase",
            "confirm_password": "a long new passphrase",
        },
    )
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
    assert (event.actor, event.field, event.new_value) == ("Becca Bradd", "password_hash", "(set)")
    assert event.user_id == accounts.user_by_email(LEAD).id
