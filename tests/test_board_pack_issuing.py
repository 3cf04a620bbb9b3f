"""Issuing the board pack: a programme admin issues it for a board meeting; its PDF is kept
byte for byte with its SHA-256 and downloads unchanged forever; the next pack's "what changed
since the last pack" is from the last issued one; every member lists them; nobody else.

The test app pins today to Monday 4 April 2022 (tests/conftest.py).
"""

from __future__ import annotations

import hashlib
import re
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.conftest import LEAD, sign_in_as
from tests.helpers import milestone, pdf_text, programme, soup
from tracker.domain.board_pack import PackSnapshot
from tracker.extensions import db
from tracker.models import AuditEvent, IssuedPack
from tracker.services import board_pack, progress
from tracker.services.accounts import user_by_email, viewer_for
from tracker.services.optimistic_locking import Seen
from tracker.services.unit_of_work import ChangeRefused, Refusal

BASE = "/p/kent-and-medway"
DAY = date(2022, 4, 4)


def issue(client: FlaskClient, board_date: str = "2022-04-14", title: str = "") -> object:
    return client.post(f"{BASE}/board-pack/issue", data={"board_date": board_date, "title": title})


def stored() -> list[IssuedPack]:
    return list(db.session.scalars(select(IssuedPack).order_by(IssuedPack.id)))


def audit_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_an_admin_issues_the_pack_for_a_board(app: Flask, admin_client: FlaskClient) -> None:
    before = audit_rows()
    response = issue(admin_client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{BASE}/board-packs")
    [pack] = stored()
    assert pack.title == "Board pack for the board of 14 April 2022"
    assert pack.board_date == date(2022, 4, 14)
    assert pack.position_at == DAY
    assert pack.issued_by.name == "Sarah Collins"
    assert pack.protective_marking == "OFFICIAL"
    assert pack.issued_at.tzinfo is not None
    assert hashlib.sha256(pack.pdf).hexdigest() == pack.sha256
    assert pack.pdf.startswith(b"%PDF-")
    snapshot = PackSnapshot.from_json(pack.snapshot)
    assert snapshot.position_at == DAY
    assert "PEO-05" in snapshot.milestones
    text = pdf_text(pack.pdf)
    assert "Sarah Collins" in text and "OFFICIAL" in text
    # One audit row: the pack was issued; the plan's version (and cached schedule) stays.
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "IssuedPack")
    ).all()
    assert [(e.action, e.actor, e.entity_id) for e in events] == [
        ("create", "Sarah Collins", pack.id)
    ]
    assert audit_rows() == before + 1


def test_a_typed_title_is_kept(admin_client: FlaskClient) -> None:
    issue(admin_client, "2022-04-21", "  Transition board, April  ")
    [pack] = stored()
    assert pack.title == "Transition board, April"
    assert pack.board_date == date(2022, 4, 21)


@pytest.mark.parametrize("email", [LEAD, "paul.bentley@example.org"])
def test_a_lead_and_a_board_member_may_not_issue(app: Flask, email: str) -> None:
    client = sign_in_as(app.test_client(), email)
    before = audit_rows()
    assert issue(client).status_code == 403
    assert stored() == []
    assert audit_rows() == before
    # Nor on the service itself, called from anywhere.
    viewer = viewer_for(user_by_email(email), "kent-and-medway")
    with pytest.raises(ChangeRefused) as refused:
        board_pack.issue_pack(viewer, programme(), date(2022, 4, 14), None)
    assert refused.value.refusal is Refusal.NOT_ALLOWED
    assert stored() == []
    assert audit_rows() == before
    # And the page offers them no form to issue with.
    page = soup(client, f"{BASE}/board-pack")
    assert page.find(id="issue-pack") is None


def test_the_admin_sees_the_form_to_issue(admin_client: FlaskClient) -> None:
    page = soup(admin_client, f"{BASE}/board-pack")
    form = page.find(id="issue-pack")
    assert form is not None and form["action"] == f"{BASE}/board-pack/issue"
    assert form.find("input", attrs={"name": "board_date"}) is not None


def test_downloads_are_the_bytes_as_issued_even_after_the_plan_changes(
    app: Flask, admin_client: FlaskClient, client: FlaskClient
) -> None:
    issue(admin_client)
    [pack] = stored()
    url = f"{BASE}/board-packs/{pack.id}.pdf"
    first = client.get(url)
    assert first.status_code == 200
    assert first.mimetype == "application/pdf"
    assert first.headers["Content-Disposition"] == (
        f'attachment; filename="kent-and-medway-board-pack-2022-04-14-{pack.id}.pdf"'
    )
    assert first.headers["ETag"] == f'"{pack.sha256}"'
    assert hashlib.sha256(first.data).hexdigest() == pack.sha256
    again = client.get(url)
    assert again.data == first.data
    # The plan changes: today's pack differs, the issued one does not.
    office = viewer_for(user_by_email("sarah.collins@example.org"), "kent-and-medway")
    peo_05 = milestone("PEO-05")
    progress.complete(
        office,
        peo_05,
        Seen(peo_05.version),
        completed_on=DAY,
        evidence_text="Signed off",
        evidence_url=None,
        today=DAY,
    )
    after = client.get(url)
    assert after.data == first.data
    assert hashlib.sha256(after.data).hexdigest() == pack.sha256


def test_the_next_pack_says_what_changed_since_the_last_issued_one(
    app: Flask, admin_client: FlaskClient
) -> None:
    issue(admin_client, "2022-04-14")
    peo_05 = milestone("PEO-05")
    assert peo_05.status != "complete"
    office = viewer_for(user_by_email("sarah.collins@example.org"), "kent-and-medway")
    progress.complete(
        office,
        peo_05,
        Seen(peo_05.version),
        completed_on=DAY,
        evidence_text="Signed off",
        evidence_url=None,
        today=DAY,
    )
    # Before issuing, today's pack page already compares with the last issued one.
    page = soup(admin_client, f"{BASE}/board-pack")
    assert page.find(id="first-pack") is None
    assert "PEO-05" in page.find(id="completed").get_text()
    assert issue(admin_client, "2022-05-12").status_code == 302
    first, second = stored()
    assert first.snapshot["milestones"]["PEO-05"][0] != "complete"
    assert second.snapshot["milestones"]["PEO-05"][0] == "complete"
    assert second.sha256 != first.sha256
    text = pdf_text(second.pdf)
    changed = text[text.index("What changed since the last pack") :]
    assert "This is the first pack" not in changed
    assert re.search(r"Milestones completed \(\d+\)\s+.*PEO-05", changed, re.DOTALL)
    assert "This is the first pack" in pdf_text(first.pdf)


def test_every_member_lists_the_issued_packs(app: Flask, admin_client: FlaskClient) -> None:
    issue(admin_client)
    [pack] = stored()
    for email in ("paul.bentley@example.org", LEAD, "sarah.collins@example.org"):
        page = soup(sign_in_as(app.test_client(), email), f"{BASE}/board-packs")
        row = page.find(id=f"pack-{pack.id}")
        assert row is not None, email
        cells = [c.get_text(" ", strip=True) for c in row.find_all(["th", "td"])]
        assert cells[0] == "Board pack for the board of 14 April 2022 (PDF)"
        assert cells[1] == "14 April 2022"
        assert cells[2] == "4 April 2022"
        assert cells[3].startswith("by Sarah Collins")
        assert cells[4] == "OFFICIAL"
        assert cells[5].startswith(pack.sha256[:12])
        assert pack.sha256 in cells[5]  # the full value is on the page too
        link = row.find("a")
        assert link["href"] == f"{BASE}/board-packs/{pack.id}.pdf"


def test_the_list_says_when_nothing_was_issued(client: FlaskClient) -> None:
    page = soup(client, f"{BASE}/board-packs")
    assert page.find(id="no-packs") is not None


def test_a_non_member_is_told_there_is_no_such_programme(
    app: Flask, admin_client: FlaskClient
) -> None:
    from tracker.services.accounts import create_user

    issue(admin_client)
    [pack] = stored()
    create_user("olive.outsider@example.org", None, "Olive Outsider")
    outsider = sign_in_as(app.test_client(), "olive.outsider@example.org")
    for url in ("board-packs", f"board-packs/{pack.id}.pdf"):
        response = outsider.get(f"{BASE}/{url}")
        assert response.status_code == 404, url
        assert response.mimetype != "application/pdf"
    assert issue(outsider).status_code == 404
    assert len(stored()) == 1


def test_an_unknown_pack_is_not_found(client: FlaskClient) -> None:
    assert client.get(f"{BASE}/board-packs/999.pdf").status_code == 404


def errors_by_field(client: FlaskClient, board_date: str, title: str = "") -> dict[str, str]:
    response = issue(client, board_date, title)
    assert response.status_code == 200
    from bs4 import BeautifulSoup

    page = BeautifulSoup(response.data, "html.parser")
    found = {}
    for name in ("board_date", "title"):
        error = page.find(id=f"{name}-error")
        if error is not None:
            found[name] = error.get_text(" ", strip=True)
    return found


def test_a_bad_board_date_is_named_by_its_field(admin_client: FlaskClient) -> None:
    assert "Enter the date of the board meeting" in errors_by_field(admin_client, "")["board_date"]
    assert "as a date" in errors_by_field(admin_client, "31/02/2022")["board_date"]
    past = errors_by_field(admin_client, "2022-04-01")
    assert "1 April 2022 has passed" in past["board_date"]
    long = errors_by_field(admin_client, "2022-04-14", "x" * 201)
    assert long == {"title": "Error: The title is 201 characters: keep it to 200"}
    assert stored() == []
    issue(admin_client, "2022-04-21")
    earlier = errors_by_field(admin_client, "2022-04-14")
    assert "before the last issued pack's board, 21 April 2022" in earlier["board_date"]
    assert len(stored()) == 1
