"""Reading the digest's ledger for the admin page: runs, and one week's deliveries.

Read-only; the ledger is written by tracker.services.digest.send_week alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import DigestDelivery, DigestRun, Person, Programme, User
from tracker.models.base import utcnow
from tracker.services.digest import STALE_CLAIM

RUNS_SHOWN = 50


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
