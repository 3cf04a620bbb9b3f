"""The digest's ledger: the runs, each person's delivery of each week's digest, and the
snapshot each week leaves for the next week's comparisons.

Exactly once, even with cron on two servers and a relay that hiccups:

1. Each recipient's delivery is *claimed* in the ledger before anything is sent: a row
   unique per (programme, week, recipient), inserted as "sending" and committed. A second run
   inserting the same row waits for the first's commit and then fails the unique constraint,
   so it skips that person.
2. After the relay accepts the message the row becomes "sent" with its Message-ID; if the
   relay refuses or fails, "failed" with the error. A later run takes over a failed row with
   a compare-and-set UPDATE (only if nobody else changed it first), so it is retried once.
3. A row left "sending" by a run that died mid-send is retried after STALE_CLAIM: without
   that it would never be sent; the rare cost is a duplicate when the relay had in fact
   accepted the message just before the crash.

Every write here is its own unit of work (tracker/services/unit_of_work.py), committed when
it returns, because the order of commits is what makes it exactly once: a claim must be
committed (visible to the other run, holding the unique row) before the message is sent, and
the outcome committed as soon as the relay answers, so a run that dies later leaves the
ledger true. So tracker.services.digest_delivery.send_week is deliberately not one unit of
work but a sequence of them: start_run, keep_snapshot, then claim and record_sent or
record_failed for each person, then finish_run. The claim's only special handling stays
here: its insert runs in a SAVEPOINT, so losing the race (IntegrityError on the unique
constraint, after waiting for the other run's commit on PostgreSQL) rolls back the insert
alone and the claim goes on in the same transaction to look for a failed or stale row to take
over. The writes are the sender's, not a person's: the CLI runs them, so they check no
permission; the admin page only reads the ledger.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import CursorResult, insert, select, update
from sqlalchemy.exc import IntegrityError

from tracker.extensions import db
from tracker.models import DigestDelivery, DigestRun, DigestSnapshot, Person, Programme, User
from tracker.models.base import utcnow
from tracker.services.unit_of_work import unit_of_work

if TYPE_CHECKING:
    from tracker.services.digest_content import Recipient

STALE_CLAIM = timedelta(hours=1)
RUNS_SHOWN = 50

# Writing: each its own unit of work ------------------------------------------------------


@unit_of_work
def start_run(programme_id: int, week: date) -> int:
    """Record that a run for the week has started on this server; its id."""
    run = DigestRun(programme_id=programme_id, week_start=week, host=socket.gethostname())
    db.session.add(run)
    db.session.flush()
    return run.id


@unit_of_work
def finish_run(
    run_id: int, *, sent: int, skipped: int, failed: int, error: str | None = None
) -> None:
    """Record what the run did, and that it has finished."""
    run = db.session.get(DigestRun, run_id)
    assert run is not None, "a run is never deleted"
    run.sent, run.skipped, run.failed = sent, skipped, failed
    run.error = error
    run.finished_at = utcnow()


@unit_of_work
def keep_snapshot(programme_id: int, week: date, data: dict[str, Any]) -> None:
    """The first run of the week leaves what it reported for next week's comparisons; a
    later (or concurrent) run's snapshot is dropped."""
    try:
        with db.session.begin_nested():
            db.session.add(DigestSnapshot(programme_id=programme_id, week_start=week, data=data))
    except IntegrityError:
        pass  # the week has one already: the savepoint is rolled back, nothing else was done


@unit_of_work
def claim(programme_id: int, week: date, recipient: Recipient, run_id: int) -> str | None:
    """Claim this person's delivery for this run; None if claimed, else why it is skipped.

    Committed when it returns (claimed or not), before anything is sent."""
    now = utcnow()
    try:
        with db.session.begin_nested():
            db.session.execute(
                insert(DigestDelivery).values(
                    programme_id=programme_id,
                    week_start=week,
                    user_id=recipient.user_id,
                    email=recipient.email,
                    status="sending",
                    attempts=1,
                    claimed_at=now,
                    run_id=run_id,
                )
            )
        return None
    except IntegrityError:
        pass  # claimed before, by this week's earlier run or by one running now
    existing = db.session.execute(
        select(DigestDelivery.id, DigestDelivery.status, DigestDelivery.attempts)
        .where(
            DigestDelivery.programme_id == programme_id,
            DigestDelivery.week_start == week,
            DigestDelivery.user_id == recipient.user_id,
        )
        .where(
            (DigestDelivery.status == "failed")
            | (
                (DigestDelivery.status == "sending")
                & (DigestDelivery.claimed_at < now - STALE_CLAIM)
            )
        )
    ).first()
    if existing is None:
        return "already sent, or being sent by another run"
    taken: CursorResult[Any] = db.session.execute(  # type: ignore[assignment]
        update(DigestDelivery)
        .where(
            DigestDelivery.id == existing.id,
            DigestDelivery.status == existing.status,
            DigestDelivery.attempts == existing.attempts,
        )
        .values(
            status="sending",
            attempts=existing.attempts + 1,
            claimed_at=now,
            run_id=run_id,
            email=recipient.email,
        )
    )
    return None if taken.rowcount == 1 else "being sent by another run"


def _record(programme_id: int, week: date, recipient: Recipient, **values: Any) -> None:
    db.session.execute(
        update(DigestDelivery)
        .where(
            DigestDelivery.programme_id == programme_id,
            DigestDelivery.week_start == week,
            DigestDelivery.user_id == recipient.user_id,
        )
        .values(**values)
    )


@unit_of_work
def record_sent(programme_id: int, week: date, recipient: Recipient, message_id: str) -> None:
    """The relay accepted the claimed message."""
    _record(
        programme_id,
        week,
        recipient,
        status="sent",
        message_id=message_id,
        sent_at=utcnow(),
        last_error=None,
    )


@unit_of_work
def record_failed(programme_id: int, week: date, recipient: Recipient, error: str) -> None:
    """The relay refused the claimed message, or failed; a later run retries it."""
    _record(programme_id, week, recipient, status="failed", last_error=error)


# Reading, for the admin page and a dry run ------------------------------------------------


def statuses(programme_id: int, week: date) -> dict[int, str]:
    """Each account's delivery status for the week, by user id."""
    rows = db.session.execute(
        select(DigestDelivery.user_id, DigestDelivery.status).where(
            DigestDelivery.programme_id == programme_id, DigestDelivery.week_start == week
        )
    )
    return {user_id: status for user_id, status in rows}


def runs(programme: Programme, limit: int = RUNS_SHOWN) -> list[DigestRun]:
    """The programme's latest runs, newest first."""
    return list(
        db.session.scalars(
            select(DigestRun)
            .where(DigestRun.programme_id == programme.id)
            .order_by(DigestRun.started_at.desc(), DigestRun.id.desc())
            .limit(limit)
        )
    )


def delivery_weeks(programme: Programme) -> list[date]:
    """Weeks with at least one delivery, latest first."""
    return list(
        db.session.scalars(
            select(DigestDelivery.week_start)
            .where(DigestDelivery.programme_id == programme.id)
            .distinct()
            .order_by(DigestDelivery.week_start.desc())
        )
    )


@dataclass(frozen=True)
class Delivery:
    name: str
    email: str  # where it went, as it was then
    status: str  # sending, sent, failed
    attempts: int
    claimed_at: datetime
    sent_at: datetime | None
    message_id: str | None
    last_error: str | None
    stale: bool  # "sending" for longer than STALE_CLAIM: the run died; the next one retries

    @property
    def retried(self) -> bool:
        return self.attempts > 1


def deliveries(programme: Programme, week: date) -> list[Delivery]:
    """Everyone's delivery of the week's digest, by name."""
    rows = db.session.execute(
        select(Person.name, DigestDelivery)
        .join(User, User.id == DigestDelivery.user_id)
        .join(Person, Person.id == User.person_id)
        .where(DigestDelivery.programme_id == programme.id, DigestDelivery.week_start == week)
        .order_by(Person.name, DigestDelivery.id)
    ).all()
    stale_before = utcnow() - STALE_CLAIM
    return [
        Delivery(
            name=name,
            email=d.email,
            status=d.status,
            attempts=d.attempts,
            claimed_at=d.claimed_at,
            sent_at=d.sent_at,
            message_id=d.message_id,
            last_error=d.last_error,
            stale=d.status == "sending" and d.claimed_at < stale_before,
        )
        for name, d in rows
    ]


def counts(found: list[Delivery]) -> dict[str, int]:
    """How many sent, failed and sending, in that order."""
    return {
        status: sum(d.status == status for d in found) for status in ("sent", "failed", "sending")
    }
