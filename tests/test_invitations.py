"""Invitations by email, through a real SMTP server (tests/mail.py): the programme admin
invites a member who cannot sign in yet, the email's link sets their password and signs
them in once; expired, reused, resent-over and revoked links all get the same page; a relay
that is down leaves nothing half-saved.

Mark Reynolds is a viewer of Kent and Medway in the seed with no account; Sarah Collins is
its admin; Becca Bradd (a lead) can sign in already.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests import mail
from tests.conftest import ADMIN, LEAD
from tests.helpers import audit_count, count, error_for, page, programme, soup
from tests.mail import SmtpServer
from tests.test_people import (
    NO_ACCOUNT,
    PEOPLE,
    directory_rows,
    form_fields,
    membership,
    new_person,
    outsider_client,
    person,
)
from tracker.clock import LONDON
from tracker.domain.permissions import Viewer
from tracker.extensions import db
from tracker.models import AuditEvent, Invitation, Membership, Person, User
from tracker.models.base import utcnow
from tracker.services import invitations, people
from tracker.services.unit_of_work import ChangeRefused, Refusal

smtp_server = mail.smtp_server

KENT_NAME = "Kent and Medway CCG to ICB transition"
PASSWORD = "correct horse battery staple"
INVALID = "This invitation link is no longer valid: ask the programme office to send a new one."


# --- helpers -------------------------------------------------------------------------------


def parts(message: EmailMessage) -> tuple[str, str]:
    """(text, html) of the multipart/alternative email."""
    assert message.get_content_type() == "multipart/alternative"
    kinds = [part.get_content_type() for part in message.iter_parts()]
    assert kinds == ["text/plain", "text/html"]
    text, html = (part.get_content().replace("\r\n", "\n") for part in message.iter_parts())
    return text, html


def link_in(message: EmailMessage) -> str:
    """The invitation's link (the path, to open with the test client)."""
    text, html = parts(message)
    found = re.findall(r"https?://\S+/invitations/[A-Za-z0-9_-]+", text)
    assert len(set(found)) == 1, text
    assert found[0] in html
    return urlsplit(found[0]).path


def invite(admin_client: FlaskClient, email: str = NO_ACCOUNT) -> Any:
    return admin_client.post(f"{PEOPLE}/{person(email).id}/invite")


def invited(admin_client: FlaskClient, smtp_server: SmtpServer, email: str = NO_ACCOUNT) -> str:
    """Invite them, and the link their email holds."""
    assert invite(admin_client, email).status_code == 302
    return link_in(smtp_server.to(email)[-1])


def invitation_of(email: str = NO_ACCOUNT) -> Invitation:
    db.session.expire_all()
    found = db.session.scalars(
        select(Invitation)
        .where(Invitation.person_id == person(email).id)
        .order_by(Invitation.id.desc())
    ).first()
    assert found is not None, email
    return found


def accept(
    client: FlaskClient, path: str, password: str = PASSWORD, again: str | None = None
) -> Any:
    return client.post(
        path, data={"password": password, "password_again": password if again is None else again}
    )


def flashed(client: FlaskClient) -> str:
    return page(client.get(PEOPLE)).get_text(" ", strip=True)


@pytest.fixture()
def move_time(monkeypatch: pytest.MonkeyPatch) -> Callable[[timedelta], None]:
    """Move the invitations' clock (and the directory's) on by this much from now."""

    def move(by: timedelta) -> None:
        moment = utcnow() + by
        monkeypatch.setattr(invitations, "utcnow", lambda: moment)
        monkeypatch.setattr(people, "utcnow", lambda: moment)

    return move


# --- the email -----------------------------------------------------------------------------


def test_the_invitation_email_names_the_programme_role_inviter_link_and_expiry(
    app: Flask, admin_client: FlaskClient, smtp_server: SmtpServer
) -> None:
    before = utcnow()
    response = invite(admin_client)
    assert response.status_code == 302 and response.location == PEOPLE
    message = smtp_server.one_to(NO_ACCOUNT)
    assert message["Subject"] == f"You are invited to {KENT_NAME} in Transition tracker"
    assert message["To"] == f"Mark Reynolds <{NO_ACCOUNT}>"
    assert app.config["MAIL_FROM"] in message["From"]
    text, html = parts(message)
    for words in (KENT_NAME, "as a viewer", "Sarah Collins has invited you", "works once, until"):
        assert words in text, words
    assert KENT_NAME in html and "Choose your password" in html
    path = link_in(message)
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 43
    base = app.config["APP_BASE_URL"].rstrip("/")
    assert f"{base}/invitations/{token}" in text

    invitation = invitation_of()
    # Only the digest is kept: the token is in the email alone.
    assert invitation.token_digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {str(v) for v in vars(invitation).values()}
    assert invitation.role == "viewer" and invitation.times_sent == 1
    assert invitation.invited_by is not None and invitation.invited_by.email == ADMIN
    assert before + timedelta(days=7) <= invitation.expires_at <= utcnow() + timedelta(days=7)
    expires = f"{invitation.expires_at.astimezone(LONDON):%-d %B %Y}"
    assert expires in text
    assert f"An invitation was emailed to {NO_ACCOUNT}" in flashed(admin_client)
    row = directory_rows(admin_client)[NO_ACCOUNT]
    assert row["Sign-in"] == f"Invited, expires {expires}"
    assert "Resend" in row["Actions"] and "Revoke" in row["Actions"]


def test_someone_who_can_sign_in_is_told_they_were_added_and_gets_no_link(
    admin_client: FlaskClient, smtp_server: SmtpServer
) -> None:
    from tests.test_people import second_programme

    second_programme()
    response = admin_client.post(
        "/p/sussex-surrey/people/new",
        data=new_person(email=LEAD, name="Becca Bradd", role="board", send_invitation="y"),
    )
    assert response.status_code == 302
    message = smtp_server.one_to(LEAD)
    assert message["Subject"] == (
        "You have been added to Sussex and Surrey merger in Transition tracker"
    )
    text, _html = parts(message)
    assert "as a board member" in text and "/invitations/" not in text
    sign_in = re.search(r"https?://\S+/sign-in\S*", text)
    assert sign_in is not None
    assert parse_qs(urlsplit(sign_in.group(0)).query)["next"] == ["/p/sussex-surrey/"]
    assert count(Invitation) == 0


# --- accepting -----------------------------------------------------------------------------


def test_the_link_sets_the_password_signs_in_and_works_once(
    app: Flask, admin_client: FlaskClient, smtp_server: SmtpServer, anonymous_client: FlaskClient
) -> None:
    path = invited(admin_client, smtp_server)
    form = anonymous_client.get(path)
    assert form.status_code == 200  # public: no sign-in asked for
    assert form.headers["Cache-Control"] == "no-store"
    words = page(form).get_text(" ", strip=True)
    assert f"Join {KENT_NAME}" in words and "as a viewer" in words and NO_ACCOUNT in words

    before = audit_count()
    response = accept(anonymous_client, path)
    assert response.status_code == 302
    assert response.location == "/p/kent-and-medway/"
    # Signed in as Mark now: the dashboard opens, with the welcome.
    dashboard = anonymous_client.get("/p/kent-and-medway/")
    assert dashboard.status_code == 200
    assert "Your password is set and you are signed in" in dashboard.get_data(as_text=True)

    db.session.expire_all()
    user = db.session.scalar(select(User).join(User.person).where(Person.email == NO_ACCOUNT))
    assert user is not None and user.password_hash and user.is_active
    assert user.last_sign_in_at is not None
    invitation = invitation_of()
    assert invitation.accepted_at is not None
    assert audit_count() > before
    # And the same password signs in from elsewhere.
    other = app.test_client()
    signed = other.post("/sign-in", data={"email": NO_ACCOUNT, "password": PASSWORD})
    assert signed.status_code == 302

    # The link never works again, for anyone.
    again = app.test_client()
    for response in (again.get(path), accept(again, path, "another long password")):
        assert response.status_code == 404
        assert INVALID in page(response).get_text(" ", strip=True)
    assert directory_rows(admin_client)[NO_ACCOUNT]["Sign-in"] == "Signed in before"


def test_a_person_with_an_account_but_no_password_gets_it_set(
    admin_client: FlaskClient, smtp_server: SmtpServer, anonymous_client: FlaskClient
) -> None:
    from tracker.audit import Actor, acting_as
    from tracker.services import accounts

    with acting_as(Actor("test")):
        accounts.create_user(NO_ACCOUNT, None)
        db.session.commit()
    assert directory_rows(admin_client)[NO_ACCOUNT]["Sign-in"] == "No password yet"
    users = count(User)
    path = invited(admin_client, smtp_server)
    assert accept(anonymous_client, path).status_code == 302
    assert count(User) == users
    assert anonymous_client.get("/p/kent-and-medway/").status_code == 200


def test_someone_signed_in_as_another_is_told_and_switched(
    app: Flask, admin_client: FlaskClient, smtp_server: SmtpServer, lead_client: FlaskClient
) -> None:
    path = invited(admin_client, smtp_server)
    words = page(lead_client.get(path)).get_text(" ", strip=True)
    assert f"You are signed in as {LEAD}" in words
    assert accept(lead_client, path).status_code == 302
    with lead_client.session_transaction() as session:
        user_id = session["_user_id"]
    db.session.expire_all()
    mark = db.session.scalar(select(User).join(User.person).where(Person.email == NO_ACCOUNT))
    assert mark is not None and user_id.startswith(f"{mark.id}.")


@pytest.mark.parametrize(
    ("password", "again", "field", "message"),
    [
        (PASSWORD, PASSWORD + "x", "password_again", "The two passwords do not match"),
        ("short", "short", "password", "at least 12 characters"),
        ("", "", "password", "Enter a password"),
        (NO_ACCOUNT, NO_ACCOUNT, "password", "must not be your email address"),
    ],
)
def test_bad_passwords_are_named_and_nothing_is_saved(
    admin_client: FlaskClient,
    smtp_server: SmtpServer,
    anonymous_client: FlaskClient,
    password: str,
    again: str,
    field: str,
    message: str,
) -> None:
    path = invited(admin_client, smtp_server)
    before = (audit_count(), count(User))
    response = accept(anonymous_client, path, password, again)
    assert response.status_code == 200
    html = page(response)
    assert html.title is not None and html.title.get_text().startswith("Error: ")
    assert message in error_for(html, field)
    assert (audit_count(), count(User)) == before
    assert invitation_of().accepted_at is None
    # Still not signed in, and the link still works.
    assert anonymous_client.get("/p/kent-and-medway/").status_code == 302
    assert accept(anonymous_client, path).status_code == 302


def test_an_expired_link_is_no_longer_valid(
    admin_client: FlaskClient,
    smtp_server: SmtpServer,
    anonymous_client: FlaskClient,
    move_time: Callable[[timedelta], None],
) -> None:
    path = invited(admin_client, smtp_server)
    move_time(timedelta(days=6, hours=23))
    assert anonymous_client.get(path).status_code == 200  # still within the 7 days
    move_time(timedelta(days=7, minutes=1))
    before = (audit_count(), count(User))
    for response in (anonymous_client.get(path), accept(anonymous_client, path)):
        assert response.status_code == 404
        assert INVALID in page(response).get_text(" ", strip=True)
    assert (audit_count(), count(User)) == before
    row = directory_rows(admin_client)[NO_ACCOUNT]
    assert row["Sign-in"] == "Invitation expired"
    assert "Resend" in row["Actions"]


def test_resending_makes_the_old_link_stop_and_the_new_one_work(
    admin_client: FlaskClient,
    smtp_server: SmtpServer,
    anonymous_client: FlaskClient,
    move_time: Callable[[timedelta], None],
) -> None:
    old = invited(admin_client, smtp_server)
    first = invitation_of()
    move_time(timedelta(days=8))  # expired: resending gives another 7 days from now
    response = admin_client.post(f"{PEOPLE.rsplit('/', 1)[0]}/invitations/{first.id}/resend")
    assert response.status_code == 302
    assert "The link in the earlier email no longer works" in flashed(admin_client)
    messages = smtp_server.to(NO_ACCOUNT)
    assert len(messages) == 2
    new = link_in(messages[-1])
    assert new != old
    resent = invitation_of()
    assert resent.id == first.id and resent.times_sent == 2
    assert resent.expires_at > utcnow() + timedelta(days=14)
    assert anonymous_client.get(old).status_code == 404
    assert anonymous_client.get(new).status_code == 200
    assert accept(anonymous_client, new).status_code == 302


def test_a_revoked_link_is_no_longer_valid(
    admin_client: FlaskClient, smtp_server: SmtpServer, anonymous_client: FlaskClient
) -> None:
    path = invited(admin_client, smtp_server)
    invitation = invitation_of()
    response = admin_client.post(f"/p/kent-and-medway/invitations/{invitation.id}/revoke")
    assert response.status_code == 302
    assert "Revoked Mark Reynolds's invitation" in flashed(admin_client)
    assert invitation_of().revoked_at is not None
    response = anonymous_client.get(path)
    assert response.status_code == 404 and INVALID in page(response).get_text(" ", strip=True)
    # A revoked invitation is neither resent nor revoked again; a new one can be sent.
    before = audit_count()
    resend = admin_client.post(f"/p/kent-and-medway/invitations/{invitation.id}/resend")
    assert resend.status_code == 302
    assert "was revoked: invite them again instead" in flashed(admin_client)
    assert audit_count() == before
    assert invite(admin_client).status_code == 302
    assert count(Invitation) == 2


def test_leaving_the_programme_ends_the_link(
    admin_client: FlaskClient, smtp_server: SmtpServer, anonymous_client: FlaskClient
) -> None:
    path = invited(admin_client, smtp_server)
    url = f"{PEOPLE}/{person(NO_ACCOUNT).id}"
    response = admin_client.post(
        url, data=dict(form_fields(soup(admin_client, url)), role="remove")
    )
    assert response.status_code == 302
    assert membership(NO_ACCOUNT) is None
    assert invitation_of().revoked_at is not None
    assert anonymous_client.get(path).status_code == 404


def test_every_link_that_does_not_work_looks_the_same(
    admin_client: FlaskClient,
    smtp_server: SmtpServer,
    anonymous_client: FlaskClient,
    move_time: Callable[[timedelta], None],
) -> None:
    """Unknown, used, revoked and expired: the same status and the same words, so nobody
    learns whether a token ever existed."""
    used = invited(admin_client, smtp_server)
    assert accept(anonymous_client, used).status_code == 302
    revoked = invited(admin_client, smtp_server, "anna.clarke@example.org")
    admin_client.post(
        f"/p/kent-and-medway/invitations/{invitation_of('anna.clarke@example.org').id}/revoke"
    )
    expired = invited(admin_client, smtp_server, "claire.turner@example.org")
    move_time(timedelta(days=8))
    stranger = admin_client.application.test_client()
    bodies = set()
    for path in (used, revoked, expired, "/invitations/not-a-token", "/invitations/" + "x" * 300):
        response = stranger.get(path)
        assert response.status_code == 404, path
        main = page(response).select_one("main")
        assert main is not None
        bodies.add(main.get_text(" ", strip=True))
    assert len(bodies) == 1 and INVALID in bodies.pop()


def test_accepting_is_rate_limited(app: Flask, anonymous_client: FlaskClient) -> None:
    app.config["SIGN_IN_RATE_LIMIT"] = "3 per minute"
    try:
        for _ in range(3):
            assert anonymous_client.get("/invitations/guess").status_code == 404
        response = anonymous_client.get("/invitations/another-guess")
        assert response.status_code == 429
        assert "Too many attempts" in response.get_data(as_text=True)
    finally:
        app.config["SIGN_IN_RATE_LIMIT"] = "1000 per minute"


# --- a relay that is down ------------------------------------------------------------------


def _state() -> tuple[int, int, int, int, int]:
    return (audit_count(), count(Invitation), count(Person), count(Membership), count(User))


def test_a_relay_that_is_down_leaves_no_invitation(
    admin_client: FlaskClient, smtp_server: SmtpServer
) -> None:
    smtp_server.stop()
    before = _state()
    response = invite(admin_client)
    assert response.status_code == 302
    words = flashed(admin_client)
    assert "The email could not be sent" in words and "nothing was saved" in words
    assert _state() == before
    assert directory_rows(admin_client)[NO_ACCOUNT]["Sign-in"] == "No account"


def test_adding_someone_when_the_relay_is_down_saves_nothing_at_all(
    admin_client: FlaskClient, smtp_server: SmtpServer
) -> None:
    smtp_server.stop()
    before = _state()
    data = new_person(send_invitation="y")
    response = admin_client.post(f"{PEOPLE}/new", data=data)
    assert response.status_code == 200
    message = error_for(page(response), "send_invitation")
    assert message.startswith("The email could not be sent") and "nothing was saved" in message
    assert _state() == before
    # Without the invitation they can be added now, and invited later.
    assert admin_client.post(f"{PEOPLE}/new", data=new_person()).status_code == 302
    assert membership("nia.okafor@example.org") is not None
    assert count(Invitation) == 0


def test_a_resend_that_cannot_be_sent_keeps_the_old_link(
    admin_client: FlaskClient, smtp_server: SmtpServer, anonymous_client: FlaskClient
) -> None:
    path = invited(admin_client, smtp_server)
    invitation = invitation_of()
    smtp_server.stop()
    before = (audit_count(), invitation.token_digest, invitation.times_sent)
    admin_client.post(f"/p/kent-and-medway/invitations/{invitation.id}/resend")
    again = invitation_of()
    assert (audit_count(), again.token_digest, again.times_sent) == before
    assert anonymous_client.get(path).status_code == 200


# --- who may ---------------------------------------------------------------------------------


def _invitation_routes() -> dict[str, Callable[[FlaskClient, int], Any]]:
    base = "/p/kent-and-medway/invitations"
    return {
        "invite": lambda c, _: c.post(f"{PEOPLE}/{person(NO_ACCOUNT).id}/invite"),
        "resend": lambda c, i: c.post(f"{base}/{i}/resend"),
        "revoke": lambda c, i: c.post(f"{base}/{i}/revoke"),
    }


@pytest.mark.parametrize("route", list(_invitation_routes()))
@pytest.mark.parametrize("who", ["lead", "board", "outsider"])
def test_only_the_programmes_admins_invite_resend_and_revoke(
    app: Flask,
    request: pytest.FixtureRequest,
    admin_client: FlaskClient,
    smtp_server: SmtpServer,
    route: str,
    who: str,
) -> None:
    path = invited(admin_client, smtp_server, "anna.clarke@example.org")
    invitation = invitation_of("anna.clarke@example.org")
    if who == "outsider":
        client = outsider_client(app)
    else:
        client = request.getfixturevalue("lead_client" if who == "lead" else "client")
    smtp_server.clear()
    before = (audit_count(), count(Invitation), invitation.token_digest)
    response = _invitation_routes()[route](client, invitation.id)
    assert response.status_code == (404 if who == "outsider" else 403), response.status_code
    assert (
        audit_count(),
        count(Invitation),
        invitation_of("anna.clarke@example.org").token_digest,
    ) == before
    assert smtp_server.received == []
    assert app.test_client().get(path).status_code == 200


def test_another_programmes_invitation_is_not_found_here(
    admin_client: FlaskClient, smtp_server: SmtpServer
) -> None:
    from tests.test_people import second_programme

    second_programme()
    zed = person("zed.other@example.org")
    assert admin_client.post(f"/p/sussex-surrey/people/{zed.id}/invite").status_code == 302
    other = invitation_of("zed.other@example.org")
    before = audit_count()
    for action in ("resend", "revoke"):
        response = admin_client.post(f"/p/kent-and-medway/invitations/{other.id}/{action}")
        assert response.status_code == 404
    assert admin_client.post("/p/kent-and-medway/invitations/99999/revoke").status_code == 404
    assert audit_count() == before


def test_the_services_refuse_anyone_but_the_programmes_admins(
    app: Flask, admin_client: FlaskClient, smtp_server: SmtpServer
) -> None:
    invited(admin_client, smtp_server)
    invitation = invitation_of()
    kent = programme()
    mark = person(NO_ACCOUNT).id
    for role in ("lead", "board", "viewer"):
        actor = Viewer(person_id=1, memberships={kent.id: role})
        for call in (
            lambda a: invitations.invite(a, kent, mark),
            lambda a: invitations.resend(a, kent, invitation.id),
            lambda a: invitations.revoke(a, kent, invitation.id),
        ):
            with pytest.raises(ChangeRefused) as refused:
                call(actor)
            assert refused.value.refusal is Refusal.NOT_ALLOWED, role
    assert invitation_of().revoked_at is None


def test_inviting_twice_points_to_resend(
    admin_client: FlaskClient, smtp_server: SmtpServer
) -> None:
    invited(admin_client, smtp_server)
    before = (audit_count(), count(Invitation))
    invite(admin_client)
    assert "has been invited already: resend that invitation instead" in flashed(admin_client)
    assert (audit_count(), count(Invitation)) == before


# --- the audit trail -----------------------------------------------------------------------


def test_the_audit_trail_records_the_invitation_and_its_acceptance(
    admin_client: FlaskClient, smtp_server: SmtpServer, anonymous_client: FlaskClient
) -> None:
    start = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    response = admin_client.post(
        f"{PEOPLE}/new", data=new_person(role="board", send_invitation="y")
    )
    assert response.status_code == 302
    path = link_in(smtp_server.one_to("nia.okafor@example.org"))
    assert accept(anonymous_client, path).status_code == 302
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.id > start).order_by(AuditEvent.id)
    ).all()
    seen = {(e.entity_type, e.action, e.field) for e in events}
    assert ("Person", "create", None) in seen
    assert ("Membership", "create", None) in seen
    assert ("Invitation", "create", None) in seen
    assert ("Invitation", "update", "accepted_at") in seen
    assert ("User", "create", None) in seen
    by_type = {(e.entity_type, e.action): e.actor for e in events}
    assert by_type[("Invitation", "create")] == "Sarah Collins"
    # Accepting is the invited person's own act.
    assert by_type[("Invitation", "update")] == "Nia Okafor"
    assert by_type[("User", "create")] == "Nia Okafor"
    assert all("token" not in (e.field or "") for e in events)
    kent_id = programme().id
    invitation_events = [e for e in events if e.entity_type == "Invitation"]
    assert all(e.programme_id == kent_id for e in invitation_events)
