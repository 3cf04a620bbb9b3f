"""Emailing an issued board pack to the board through a real SMTP server (tests/mail.py):
one message per board member with the PDF as issued, exactly once per issue; admins only;
a relay that is down leaves an error, and the next send retries only those not sent.

The test app pins today to Monday 4 April 2022 (tests/conftest.py).
"""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests import mail
from tests.conftest import ADMIN, BOARD_MEMBER, LEAD
from tests.helpers import programme, soup
from tests.mail import SmtpServer
from tracker.domain.permissions import NotAllowed
from tracker.extensions import db
from tracker.models import BoardPackDelivery, IssuedPack, Membership, Person, User
from tracker.services import board_pack, board_pack_mail
from tracker.services.accounts import user_by_email, viewer_for

smtp_server = mail.smtp_server

BASE = "/p/kent-and-medway"
FILENAME = "kent-and-medway-board-pack-2022-04-14.pdf"
TITLE = "Board pack for the board of 14 April 2022"


def as_person(email: str) -> object:
    user = user_by_email(email)
    assert user is not None
    return viewer_for(user, "kent-and-medway")


SECOND = "nadia.okafor@example.org"  # a second board member (the seed has one)
BOARD = sorted([BOARD_MEMBER, SECOND])


@pytest.fixture()
def pack(app: Flask) -> IssuedPack:
    person = Person(name="Nadia Okafor", email=SECOND, job_title="Non-executive director")
    db.session.add(person)
    db.session.add(User(person=person))
    db.session.add(Membership(person=person, programme_id=programme().id, role="board"))
    db.session.flush()
    return board_pack.issue_pack(as_person(ADMIN), programme(), date(2022, 4, 14), None)


def board_emails() -> list[str]:
    """The seed's board members, as the database has them (not the service)."""
    return sorted(
        db.session.scalars(
            select(Person.email)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.programme_id == programme().id, Membership.role == "board")
        )
    )


def rows() -> dict[str, BoardPackDelivery]:
    db.session.expire_all()
    found = db.session.scalars(select(BoardPackDelivery).order_by(BoardPackDelivery.id))
    return {row.email: row for row in found}


def attachment(message: EmailMessage) -> tuple[str | None, bytes]:
    [part] = list(message.iter_attachments())
    assert part.get_content_type() == "application/pdf"
    body = part.get_content()
    assert isinstance(body, bytes)
    return part.get_filename(), body


def send(client: FlaskClient, pack_id: int) -> object:
    return client.post(f"{BASE}/board-packs/{pack_id}/send")


def test_each_board_member_is_sent_the_pack_once(
    app: Flask, admin_client: FlaskClient, smtp_server: SmtpServer, pack: IssuedPack
) -> None:
    members = board_emails()
    assert members == BOARD
    assert all(email.endswith("@example.org") for email in members)
    pdf = pack.pdf
    response = send(admin_client, pack.id)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{BASE}/board-packs")
    assert sorted(smtp_server.recipients()) == members
    for email in members:
        message = smtp_server.one_to(email)
        assert message["Subject"] == f"Board pack: {TITLE}"
        assert message["Auto-Submitted"] == "auto-generated"
        name, body = attachment(message)
        assert name == FILENAME
        assert body == pdf
        text = message.get_body(("plain",))
        html = message.get_body(("html",))
        assert text is not None and html is not None
        for part in (text.get_content(), html.get_content()):
            assert TITLE in part
            assert "4 April 2022" in part  # position at
            assert "14 April 2022" in part  # the board
    ledger = rows()
    assert sorted(ledger) == members
    assert all(r.sent_at is not None and r.error is None for r in ledger.values())
    # The list says so.
    page = soup(admin_client, f"{BASE}/board-packs")
    cell = page.select_one(f"#pack-{pack.id} .tracker-emailed")
    assert cell is not None and cell["data-sent"] == str(len(members))
    assert f"Sent to {len(members)}" in cell.get_text()


def test_sending_again_sends_nothing(
    app: Flask, admin_client: FlaskClient, smtp_server: SmtpServer, pack: IssuedPack
) -> None:
    first = board_pack_mail.send_to_board(as_person(ADMIN), programme(), pack)
    members = board_emails()
    assert sorted(first.sent) == members and first.failed == [] and first.error is None
    before = {email: row.sent_at for email, row in rows().items()}
    smtp_server.clear()
    again = board_pack_mail.send_to_board(as_person(ADMIN), programme(), pack)
    assert again.sent == [] and sorted(again.skipped) == members
    assert smtp_server.received == []
    assert {email: row.sent_at for email, row in rows().items()} == before
    # Through the page too.
    assert send(admin_client, pack.id).status_code == 302
    assert smtp_server.received == []


@pytest.mark.parametrize("email", [LEAD, BOARD_MEMBER])
def test_only_admins_send_it(
    app: Flask, smtp_server: SmtpServer, pack: IssuedPack, email: str
) -> None:
    from tests.conftest import sign_in_as

    client = sign_in_as(app.test_client(), email)
    assert send(client, pack.id).status_code == 403
    with pytest.raises(NotAllowed):
        board_pack_mail.send_to_board(as_person(email), programme(), pack)
    assert smtp_server.received == []
    assert rows() == {}
    # Nor do they see the button.
    page = soup(client, f"{BASE}/board-packs")
    assert page.select_one(f"#send-{pack.id}") is None
    assert page.select_one(f"#pack-{pack.id} .tracker-emailed") is not None


def test_the_admin_sees_the_button(admin_client: FlaskClient, pack: IssuedPack) -> None:
    page = soup(admin_client, f"{BASE}/board-packs")
    button = page.select_one(f"#send-{pack.id}")
    assert button is not None and "Send to the board" in button.get_text()
    cell = page.select_one(f"#pack-{pack.id} .tracker-emailed")
    assert cell is not None and cell["data-sent"] == "0" and "Not sent" in cell.get_text()


def test_another_programmes_pack_is_not_found(admin_client: FlaskClient) -> None:
    assert send(admin_client, 999_999).status_code == 404


def test_a_relay_that_is_down_is_recorded_and_the_next_send_retries_only_those(
    app: Flask, smtp_server: SmtpServer, pack: IssuedPack
) -> None:
    members = board_emails()
    admin = as_person(ADMIN)
    # Down from the start: nothing sent, everyone recorded as failed.
    smtp_server.stop()
    down = board_pack_mail.send_to_board(admin, programme(), pack)
    assert down.sent == [] and down.error is not None and "cannot use the mail relay" in down.error
    assert sorted(e for e, _ in down.failed) == members
    ledger = rows()
    assert sorted(ledger) == members
    assert all(r.sent_at is None and r.error for r in ledger.values())
    # Back, but it hangs up after one message: one sent, the rest failed.
    smtp_server.start()
    smtp_server.hang_up_after(1)
    partly = board_pack_mail.send_to_board(admin, programme(), pack)
    assert len(partly.sent) == 1 and partly.error is not None
    assert sorted(partly.sent + [e for e, _ in partly.failed]) == members
    [first] = partly.sent
    assert smtp_server.recipients() == [first]
    ledger = rows()
    assert ledger[first].sent_at is not None and ledger[first].error is None
    assert all(ledger[e].sent_at is None and ledger[e].error for e in members if e != first)
    # Working again: only those not sent are sent, each once.
    smtp_server.accept_all()
    smtp_server.clear()
    retried = board_pack_mail.send_to_board(admin, programme(), pack)
    assert retried.error is None and retried.failed == []
    assert retried.skipped == [first]
    assert sorted(smtp_server.recipients()) == sorted(e for e in members if e != first)
    for email in members:
        if email != first:
            assert attachment(smtp_server.one_to(email))[1] == pack.pdf
    assert all(r.sent_at is not None and r.error is None for r in rows().values())


def test_a_refused_recipient_fails_alone_and_is_retried(
    app: Flask, smtp_server: SmtpServer, pack: IssuedPack
) -> None:
    members = board_emails()
    smtp_server.refuse(BOARD_MEMBER)
    report = board_pack_mail.send_to_board(as_person(ADMIN), programme(), pack)
    assert report.error is None
    assert [e for e, _ in report.failed] == [BOARD_MEMBER]
    assert "550" in report.failed[0][1]
    assert sorted(report.sent) == sorted(e for e in members if e != BOARD_MEMBER)
    assert rows()[BOARD_MEMBER].error is not None
    smtp_server.accept_all()
    smtp_server.clear()
    again = board_pack_mail.send_to_board(as_person(ADMIN), programme(), pack)
    assert again.sent == [BOARD_MEMBER]
    assert smtp_server.recipients() == [BOARD_MEMBER]


def test_who_is_sent_it(app: Flask, smtp_server: SmtpServer, pack: IssuedPack) -> None:
    """Board members with an active account; the weekly digest's opt-out does not apply."""
    members = board_emails()
    opted_out = user_by_email(BOARD_MEMBER)
    assert opted_out is not None
    opted_out.digest_opt_out = True
    gone = user_by_email(SECOND)
    assert gone is not None
    gone.is_active = False
    db.session.flush()
    board_pack_mail.send_to_board(as_person(ADMIN), programme(), pack)
    assert sorted(smtp_server.recipients()) == sorted(e for e in members if e != gone.email)
    assert BOARD_MEMBER in smtp_server.recipients()
