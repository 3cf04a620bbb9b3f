"""Two `digest send` runs at the same time (cron on two servers) never send anyone the same
week twice: the database decides who sends each person's digest.

The runs need commits that other connections see, so this module has a database of its own
(the `app` fixture's single rolled-back connection cannot be shared by threads). Each run is a
thread with its own app context, hence its own session and connection, as a second server
would have; both talk to one SMTP server that takes a little time over each message, so the
runs overlap.

PostgreSQL only. On SQLite the test fails every time, though nobody gets a message twice:
transactions begin deferred (tracker/extensions.py), so a run that has read and then wants
to write while the other run holds the write lock gets "database is locked" at once (SQLite
refuses to wait, as waiting could deadlock), and that run crashes. With "BEGIN IMMEDIATE" in
place of "BEGIN" there, this test passes on SQLite as well.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from tests.conftest import KENT_AND_MEDWAY, ScratchDatabases, backend, make_app
from tests.mail import SmtpServer, point_app_at
from tracker.extensions import db
from tracker.models import DigestDelivery, DigestRun, DigestSnapshot, Programme
from tracker.services.digest_delivery import RunReport, send_week

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(backend() != "postgresql", reason="needs PostgreSQL's concurrency"),
]

RECIPIENTS = 13
ROUNDS = [date(2022, 4, 4), date(2022, 4, 11), date(2022, 4, 18)]  # W14, W15, W16


@pytest.fixture(scope="module")
def race_app(scratch: ScratchDatabases) -> Iterator[Flask]:
    from flask_migrate import upgrade

    from tracker.services.seeding import load_programme_dir

    app = make_app(scratch.new("digest_race"))
    with app.app_context():
        upgrade()
        load_programme_dir(KENT_AND_MEDWAY, password=app.config["SEED_USER_PASSWORD"])
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def relay(race_app: Flask) -> Iterator[SmtpServer]:
    with SmtpServer(delay=0.02) as server:
        point_app_at(race_app, server)
        yield server


def run_together(app: Flask, week: date, runs: int = 2) -> list[RunReport]:
    """`runs` send_week calls for `week`, started at the same moment in their own threads."""
    start = threading.Barrier(runs)
    reports: list[RunReport | None] = [None] * runs
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            with app.app_context():
                programme = db.session.scalars(select(Programme)).one()
                db.session.commit()  # hold no transaction while waiting for the other run
                start.wait(timeout=30)
                reports[index] = send_week(programme, week)
        except BaseException as exc:  # reported to the test below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,), name=f"run-{i}") for i in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a run did not finish"
    assert not errors, errors
    done = [r for r in reports if r is not None]
    assert len(done) == runs
    return done


@pytest.mark.parametrize("week", ROUNDS, ids=[d.isoformat() for d in ROUNDS])
def test_two_runs_at_once_send_each_person_the_week_once(
    race_app: Flask, relay: SmtpServer, week: date
) -> None:
    relay.clear()

    first, second = run_together(race_app, week)

    # Everyone got exactly one message, whichever run sent it.
    received = relay.recipients()
    assert len(received) == RECIPIENTS, received
    assert len(set(received)) == RECIPIENTS
    for report in (first, second):
        assert report.error is None and report.failed == [], report
    assert set(first.sent).isdisjoint(second.sent)
    assert sorted(first.sent + second.sent) == sorted(received)
    # Each run skipped exactly the people the other sent.
    assert sorted(email for email, _ in first.skipped) == sorted(second.sent)
    assert sorted(email for email, _ in second.skipped) == sorted(first.sent)

    with race_app.app_context():
        rows = db.session.scalars(
            select(DigestDelivery).where(DigestDelivery.week_start == week)
        ).all()
        assert len(rows) == RECIPIENTS
        assert {(row.status, row.attempts) for row in rows} == {("sent", 1)}
        sent_ids = {m["Message-ID"] for m in relay.messages}
        assert {row.message_id for row in rows} == sent_ids
        runs = db.session.scalars(select(DigestRun).where(DigestRun.week_start == week)).all()
        assert sorted(r.sent for r in runs) == sorted([len(first.sent), len(second.sent)])
        snapshots = db.session.scalars(
            select(DigestSnapshot).where(DigestSnapshot.week_start == week)
        ).all()
        assert len(snapshots) == 1  # both runs tried to leave one
        db.session.remove()
