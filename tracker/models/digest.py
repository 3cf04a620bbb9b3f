"""The weekly digest's ledger: each run, each delivery, and what the next digest compares with.

A delivery is unique per (programme, week, recipient), so the database itself stops two runs
(cron on two servers) sending anyone the same week twice.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, UTCDateTime, utcnow
from tracker.models.people import User

DELIVERY_STATUSES = ("sending", "sent", "failed")


class DigestRun(Base):
    """One `flask digest send` for one programme and week."""

    __tablename__ = "digest_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    week_start: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    host: Mapped[str] = mapped_column(String(200), default="")  # which server ran it
    sent: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    # Set when the run stopped before sending, such as when the mail relay was down.
    error: Mapped[str | None] = mapped_column(Text)


class DigestDelivery(Base):
    """One recipient's digest for one week: claimed ("sending"), then "sent" or "failed"."""

    __tablename__ = "digest_delivery"
    __table_args__ = (
        UniqueConstraint("programme_id", "week_start", "user_id"),
        CheckConstraint(f"status IN {DELIVERY_STATUSES}", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    week_start: Mapped[date] = mapped_column(Date)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))  # where it went, as it was then
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(default=1)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[str | None] = mapped_column(String(300))
    last_error: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("digest_run.id", ondelete="SET NULL"), index=True
    )

    user: Mapped[User] = relationship()


class DigestSnapshot(Base):
    """Forecasts, RAGs and risk scores as the week's digest reported them."""

    __tablename__ = "digest_snapshot"
    __table_args__ = (UniqueConstraint("programme_id", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    week_start: Mapped[date] = mapped_column(Date)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
