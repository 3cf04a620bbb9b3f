"""The schedule is worked out once per plan version and day, and a change (through any worker,
since the version is in the database) is seen by the very next request."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from tests.test_board_pages import card, soup
from tracker.audit import Actor, acting_as
from tracker.extensions import db
from tracker.models import Milestone, Programme
from tracker.services import board

BASE = "/p/kent-and-medway"


@pytest.fixture()
def computed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts how often the schedule is really worked out."""
    board.schedules.clear()
    calls: list[int] = []
    real = board.programme_schedule

    def counting(programme, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(programme.id)
        return real(programme, **kwargs)

    monkeypatch.setattr(board, "programme_schedule", counting)
    return calls


def version() -> str:
    db.session.expire_all()
    return db.session.scalar(select(Programme.plan_version))


def test_pages_reuse_the_schedule_until_the_plan_changes(
    client: FlaskClient, computed: list[int]
) -> None:
    for page in ("/", "/gantt", "/milestones/", "/"):
        assert client.get(BASE + page).status_code == 200
    assert len(computed) == 1


def test_a_change_through_another_worker_is_seen_by_the_next_request(
    client: FlaskClient, computed: list[int]
) -> None:
    before = soup(client, f"{BASE}/")
    assert card(before, "Milestones complete").find(class_="tracker-figure").text == "48 of 109"
    old = version()
    # Another worker's change: straight to the database, as another process would make it.
    with acting_as(Actor("Sarah Collins")):
        peo_10 = db.session.scalar(select(Milestone).where(Milestone.ref == "PEO-10"))
        peo_10.status, peo_10.completed_on = "complete", date(2022, 4, 4)
        db.session.commit()
    assert version() != old
    after = soup(client, f"{BASE}/")
    assert card(after, "Milestones complete").find(class_="tracker-figure").text == "49 of 109"
    assert len(computed) == 2


def test_a_change_rolled_back_leaves_no_version_behind(
    app: Flask, client: FlaskClient, computed: list[int]
) -> None:
    old = version()
    savepoint = db.session.begin_nested()
    db.session.scalar(select(Milestone).where(Milestone.ref == "PEO-10")).title = "Renamed"
    db.session.flush()
    assert version() != old
    savepoint.rollback()
    assert version() == old
    client.get(f"{BASE}/")
    client.get(f"{BASE}/")
    assert len(computed) == 1


def test_a_new_day_is_a_new_schedule(app: Flask, client: FlaskClient, computed: list[int]) -> None:
    client.get(f"{BASE}/")
    app.config["TRACKER_TODAY"] = date(2022, 4, 5)
    try:
        client.get(f"{BASE}/")
    finally:
        app.config["TRACKER_TODAY"] = date(2022, 4, 4)
    assert len(computed) == 2


def test_changes_that_do_not_touch_a_programme_keep_its_schedule(
    client: FlaskClient, computed: list[int]
) -> None:
    old = version()
    db.session.execute(text("SELECT 1"))
    client.get("/account/password")
    client.get(f"{BASE}/")
    assert version() == old and len(computed) == 1
