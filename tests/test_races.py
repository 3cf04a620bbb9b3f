"""Saves made at the same moment on unique keys end in one clear answer each, never a server
error nor a duplicate row: the first highlight of a week (20 at once), the same dependency
(10), the same baseline label (10), "make my calendar feed" (10 each kind). And on SQLite,
writers through the API wait for each other instead of answering "database is locked".

The races need commits that other connections see, so each backend's tests have a database
of their own (the `app` fixture's rolled-back connection cannot be shared by threads), as in
test_digest_concurrency.py. Each save is a thread with its own app context, hence its own
session and connection, as a second worker would have; a barrier starts them together.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.conftest import ADMIN, KENT_AND_MEDWAY, LEAD, ScratchDatabases, backend, make_app
from tracker.domain.permissions import Viewer
from tracker.extensions import db
from tracker.models import (
    Baseline,
    CalendarFeed,
    Dependency,
    Milestone,
    Programme,
    StatusUpdate,
    User,
    Workstream,
)
from tracker.services import accounts, api_tokens, calendar_feeds, plan_edits, progress
from tracker.services.optimistic_locking import Seen, opened_now
from tracker.services.unit_of_work import ChangeRefused, Refusal


@dataclass
class Outcome:
    results: list[Any] = field(default_factory=list)
    refused: list[ChangeRefused] = field(default_factory=list)
    crashed: list[BaseException] = field(default_factory=list)


def together(app: Flask, count: int, change: Callable[[int], Any]) -> Outcome:
    """`change(i)` for i in range(count), each in its own thread and app context, started at
    the same moment."""
    start = threading.Barrier(count)
    outcome = Outcome()
    lock = threading.Lock()

    def run(index: int) -> None:
        with app.app_context():
            try:
                start.wait(timeout=30)
                result = change(index)
            except ChangeRefused as refused:
                with lock:
                    outcome.refused.append(refused)
            except BaseException as exc:  # reported by the test
                with lock:
                    outcome.crashed.append(exc)
            else:
                with lock:
                    outcome.results.append(result)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a save never finished"
    assert not outcome.crashed, outcome.crashed
    return outcome


def _seeded(url: str) -> Flask:
    from flask_migrate import upgrade

    from tracker.services.seeding import load_programme_dir

    app = make_app(url)
    with app.app_context():
        upgrade()
        load_programme_dir(KENT_AND_MEDWAY, password=app.config["SEED_USER_PASSWORD"])
        db.session.remove()
    return app


@pytest.fixture(scope="module")
def race_app(scratch: ScratchDatabases) -> Iterator[Flask]:
    if backend() != "postgresql":
        pytest.skip("needs PostgreSQL's concurrency")
    app = _seeded(scratch.new("races"))
    yield app
    with app.app_context():
        db.engine.dispose()


def viewer(email: str) -> Viewer:
    user = accounts.user_by_email(email)
    assert user is not None
    return accounts.viewer_for(user)


def workstream(code: str) -> Workstream:
    return db.session.scalars(select(Workstream).where(Workstream.code == code)).one()


def kent() -> Programme:
    return db.session.scalars(select(Programme)).one()


# --- the first highlight of a week, 20 at once ----------------------------------------------

QUIET_WEEK = date(2022, 6, 6)  # a Monday the seed wrote no highlight for


@pytest.mark.postgres_only
@pytest.mark.skipif(backend() != "postgresql", reason="needs PostgreSQL's concurrency")
def test_twenty_first_highlights_at_once_keep_one_and_refuse_the_rest(race_app: Flask) -> None:
    with race_app.app_context():
        opened = opened_now()

    def save(i: int) -> int:
        return progress.save_highlight(
            viewer(LEAD),
            workstream("PEO"),
            Seen(None, opened),  # opened before there was a highlight this week
            today=QUIET_WEEK,
            rag="amber",
            achievements=f"Written by writer {i}",
            next_steps="",
            issues="Waiting for NHSBSA dates",
        ).id

    outcome = together(race_app, 20, save)
    assert len(outcome.results) == 1
    assert len(outcome.refused) == 19
    assert {r.refusal for r in outcome.refused} == {Refusal.CONFLICT}
    with race_app.app_context():
        rows = list(
            db.session.scalars(
                select(StatusUpdate)
                .join(Workstream)
                .where(Workstream.code == "PEO", StatusUpdate.week_start == QUIET_WEEK)
            )
        )
        assert len(rows) == 1
        saved = rows[0]
        # The one kept is the one that was told it was saved; the others saw it as a change.
        assert saved.id == outcome.results[0]
        assert all(
            r.conflict and r.conflict.current_version == saved.version for r in outcome.refused
        )
        assert all(r.conflict and r.conflict.changes for r in outcome.refused)

        # Then twenty rewrites of that highlight from the same version: one saved, none lost.
        version = saved.version
        opened = opened_now()

    def rewrite(i: int) -> str:
        return progress.save_highlight(
            viewer(LEAD),
            workstream("PEO"),
            Seen(version, opened),
            today=QUIET_WEEK,
            rag="red",
            achievements=f"Rewritten by writer {i}",
            next_steps="",
            issues="Waiting for NHSBSA dates",
        ).achievements

    outcome = together(race_app, 20, rewrite)
    assert len(outcome.results) == 1
    assert len(outcome.refused) == 19
    assert {r.refusal for r in outcome.refused} == {Refusal.CONFLICT}
    with race_app.app_context():
        saved = db.session.scalars(
            select(StatusUpdate)
            .join(Workstream)
            .where(Workstream.code == "PEO", StatusUpdate.week_start == QUIET_WEEK)
        ).one()
        assert saved.version == version + 1
        assert saved.achievements == outcome.results[0]


# --- the same dependency, 10 at once ------------------------------------------------------


def _unlinked_pair() -> tuple[int, int]:
    """A milestone nothing leads to and one it does not lead to yet: linking them cannot make
    a cycle, nor repeat a link."""
    sources = select(Milestone.id).where(Milestone.id.not_in(select(Dependency.successor_id)))
    before = db.session.scalars(sources.order_by(Milestone.id).limit(1)).one()
    after = db.session.scalars(
        select(Milestone.id)
        .where(
            Milestone.id != before,
            Milestone.id.not_in(
                select(Dependency.successor_id).where(Dependency.predecessor_id == before)
            ),
        )
        .order_by(Milestone.id.desc())
        .limit(1)
    ).one()
    return before, after


@pytest.mark.postgres_only
@pytest.mark.skipif(backend() != "postgresql", reason="needs PostgreSQL's concurrency")
def test_ten_of_the_same_dependency_at_once_make_one(race_app: Flask) -> None:
    with race_app.app_context():
        before, after = _unlinked_pair()
        db.session.remove()

    def add(i: int) -> int:
        predecessor = db.session.get(Milestone, before)
        successor = db.session.get(Milestone, after)
        assert predecessor is not None and successor is not None
        return plan_edits.link(viewer(ADMIN), predecessor, successor, "FS", 0).id

    outcome = together(race_app, 10, add)
    assert len(outcome.results) == 1
    assert len(outcome.refused) == 9
    for refused in outcome.refused:
        assert refused.refusal is Refusal.INVALID
        assert [e.field for e in refused.errors] == ["predecessor"]
        assert "already depends on" in refused.errors[0].message
    with race_app.app_context():
        links = db.session.scalar(
            select(func.count())
            .select_from(Dependency)
            .where(Dependency.predecessor_id == before, Dependency.successor_id == after)
        )
        assert links == 1


# --- the same baseline label, 10 at once --------------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.skipif(backend() != "postgresql", reason="needs PostgreSQL's concurrency")
def test_ten_baselines_of_one_label_at_once_make_one(race_app: Flask) -> None:
    label = "Agreed at the June board"

    def take(i: int) -> int:
        return plan_edits.take_baseline(
            viewer(ADMIN), kent(), label, note=f"by {i}", make_current=True
        ).id

    outcome = together(race_app, 10, take)
    assert len(outcome.results) == 1
    assert len(outcome.refused) == 9
    for refused in outcome.refused:
        assert refused.refusal is Refusal.INVALID
        assert [e.field for e in refused.errors] == ["label"]
        assert f"There is already a baseline called “{label}”" in refused.errors[0].message
    with race_app.app_context():
        taken = list(db.session.scalars(select(Baseline).where(Baseline.label == label)))
        assert [b.id for b in taken] == outcome.results
        assert kent().current_baseline_id == outcome.results[0]


# --- "make my calendar feed", 10 at once ----------------------------------------------------


def _live_feeds(email: str, *, workstream_id: int | None = None) -> list[CalendarFeed]:
    user = accounts.user_by_email(email)
    assert user is not None
    query = select(CalendarFeed).where(
        CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None)
    )
    if workstream_id is None:
        query = query.where(CalendarFeed.person_feed.is_(True))
    else:
        query = query.where(CalendarFeed.workstream_id == workstream_id)
    return list(db.session.scalars(query))


@pytest.mark.postgres_only
@pytest.mark.skipif(backend() != "postgresql", reason="needs PostgreSQL's concurrency")
def test_ten_person_feeds_at_once_leave_one_live_feed(race_app: Flask) -> None:
    def make(i: int) -> tuple[int, bool]:
        feed, created = calendar_feeds.create_person_feed(viewer(LEAD))
        return feed.id, created

    outcome = together(race_app, 10, make)
    assert not outcome.refused  # asking again is not wrong: everyone gets the one feed
    assert len({feed_id for feed_id, _ in outcome.results}) == 1
    assert sum(created for _, created in outcome.results) == 1
    with race_app.app_context():
        assert len(_live_feeds(LEAD)) == 1


@pytest.mark.postgres_only
@pytest.mark.skipif(backend() != "postgresql", reason="needs PostgreSQL's concurrency")
def test_ten_workstream_feeds_at_once_leave_one_live_feed(race_app: Flask) -> None:
    with race_app.app_context():
        gov = workstream("GOV").id

    def make(i: int) -> tuple[int, bool]:
        feed, created = calendar_feeds.create_workstream_feed(viewer(ADMIN), gov)
        return feed.id, created

    outcome = together(race_app, 10, make)
    assert not outcome.refused
    assert len({feed_id for feed_id, _ in outcome.results}) == 1
    assert sum(created for _, created in outcome.results) == 1
    with race_app.app_context():
        assert len(_live_feeds(ADMIN, workstream_id=gov)) == 1


# --- the database keeps one live feed of each kind, whoever writes ---------------------------


def test_the_database_refuses_a_second_live_feed_of_a_kind(app: Flask) -> None:
    from sqlalchemy.exc import IntegrityError

    from tracker.services.calendar_feeds import new_token

    user = db.session.scalars(select(User).join(User.person).limit(1)).one()
    gov = workstream("GOV")
    for subject in ({"person_feed": True}, {"person_feed": False, "workstream": gov}):
        first = CalendarFeed(user=user, token=new_token(), **subject)
        db.session.add(first)
        db.session.flush()
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.add(CalendarFeed(user=user, token=new_token(), **subject))
        # A revoked feed does not count: a new one may be made after revoking.
        first.revoked_at = first.created_at
        db.session.flush()
        db.session.add(CalendarFeed(user=user, token=new_token(), **subject))
        db.session.flush()


# --- SQLite: writers wait their turn ----------------------------------------------------------


@pytest.fixture(scope="module")
def sqlite_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    if backend() != "sqlite":
        pytest.skip("SQLite's locking")
    folder: Path = tmp_path_factory.mktemp("writers")
    app = _seeded(f"sqlite:///{folder / 'writers.sqlite'}")
    yield app
    with app.app_context():
        db.engine.dispose()


def test_sqlite_api_writers_wait_instead_of_failing(sqlite_app: Flask) -> None:
    with sqlite_app.app_context():
        admin = accounts.user_by_email(ADMIN)
        assert admin is not None
        secret = api_tokens.create_token(admin, "writers").secret
        refs = list(
            db.session.scalars(
                select(Milestone.ref)
                .where(Milestone.status != "complete")
                .order_by(Milestone.ref)
                .limit(4)
            )
        )
        db.session.commit()
        db.session.remove()
    headers = {"Authorization": f"Bearer {secret}"}
    statuses: list[int] = []
    lock = threading.Lock()

    def write(i: int) -> None:
        client = sqlite_app.test_client()
        for round_ in range(4):
            response = client.post(
                f"/api/v1/programmes/kent-and-medway/milestones/{refs[i % len(refs)]}/forecast",
                json={"forecast_date": f"2022-06-{10 + round_:02d}", "reason": f"writer {i}"},
                headers=headers,
            )
            with lock:
                statuses.append(response.status_code)
            assert b"database is locked" not in response.data

    outcome = together(sqlite_app, 8, write)
    assert not outcome.refused
    assert len(statuses) == 32
    assert set(statuses) <= {200, 409}, statuses


# --- lost updates on the account edit page ---------------------------------------------------


def _account_form(client: Any, user_id: int) -> dict[str, str]:
    from tests.helpers import soup

    page = soup(client, f"/users/{user_id}")
    return {n: page.find("input", attrs={"name": n})["value"] for n in ("version", "opened_at")}


def test_an_account_saved_over_another_admins_change_is_refused(
    app: Flask, admin_client: Any
) -> None:
    from tests.helpers import page, user
    from tracker.audit import Actor, acting_as

    becca = user(LEAD)
    opened = _account_form(admin_client, becca.id)
    # Another instance administrator makes her one meanwhile.
    with acting_as(Actor("Another Admin")):
        becca.is_instance_admin = True
        db.session.commit()
    response = admin_client.post(f"/users/{becca.id}", data={"instance_admin": "no", **opened})
    assert response.status_code == 200
    html = page(response)
    notice = html.find(id="edit-conflict")
    assert notice is not None and "Another Admin" in notice.text
    # What was typed is kept, with the new version to save over it deliberately.
    assert html.find("input", attrs={"name": "instance_admin", "value": "no"}).has_attr("checked")
    assert html.find("input", attrs={"name": "version"})["value"] == str(becca.version)
    db.session.expire_all()
    assert user(LEAD).is_instance_admin

    hidden = {n: html.find("input", attrs={"name": n})["value"] for n in ("version", "opened_at")}
    again = admin_client.post(f"/users/{becca.id}", data={"instance_admin": "no", **hidden})
    assert again.status_code == 302
    db.session.expire_all()
    assert not user(LEAD).is_instance_admin


def test_a_role_saved_over_another_admins_change_is_refused(app: Flask) -> None:
    """Two programme admins change someone's role at once: the second is told, not merged."""
    from tests.helpers import programme, user
    from tracker.audit import Actor, acting_as
    from tracker.domain.permissions import Viewer
    from tracker.services import memberships
    from tracker.services.optimistic_locking import Seen
    from tracker.services.unit_of_work import ChangeRefused, Refusal

    kent, becca = programme(), user(LEAD).person
    admin = Viewer(memberships={kent.id: "admin"})
    held = memberships.membership_of(becca.id, kent.id)
    assert held is not None
    seen = Seen(held.version)
    with acting_as(Actor("Another Admin")):
        memberships.change_membership(admin, kent, becca, memberships.MembershipChange("board"))
    with pytest.raises(ChangeRefused) as refused, acting_as(Actor("Sarah Collins")):
        memberships.change_membership(
            admin, kent, becca, memberships.MembershipChange("viewer"), seen=seen
        )
    assert refused.value.refusal is Refusal.CONFLICT
    db.session.expire_all()
    assert memberships.membership_of(becca.id, kent.id).role == "board"
