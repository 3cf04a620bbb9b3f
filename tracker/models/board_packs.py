"""Issued board packs: the PDF exactly as issued, its SHA-256, who issued it and when, and
the figures it was made from (docs/board-pack.md). Nothing ever updates an issued pack: it
is downloaded unchanged forever, and the next pack's "what changed" starts from its figures.

A pack emailed to the board leaves one BoardPackDelivery per board member: unique per (pack,
person), so the database itself stops anyone being sent the same issue twice.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain.board_pack import DEFAULT_MARKING
from tracker.models.base import Base, UTCDateTime, utcnow
from tracker.models.people import Person
from tracker.models.programme import Programme


class IssuedPack(Base):
    """One board pack as issued for one board meeting, kept byte for byte."""

    __tablename__ = "issued_pack"
    __table_args__ = (UniqueConstraint("programme_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    board_date: Mapped[date] = mapped_column(Date)
    # The figures' as-at day: "since the last pack" for the next one starts here.
    position_at: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    protective_marking: Mapped[str] = mapped_column(String(40), default=DEFAULT_MARKING)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    # tracker.domain.board_pack.PackSnapshot.as_json() of the pack as issued.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)

    programme: Mapped[Programme] = relationship()
    issued_by: Mapped[Person] = relationship()

    @property
    def audit_label(self) -> str:
        return f"board pack {self.title}"


class BoardPackDelivery(Base):
    """One board member's email of one issued pack: claimed (neither sent nor failed), then
    sent (`sent_at`) or failed (`error`, retried by the next send)."""

    __tablename__ = "board_pack_delivery"
    __table_args__ = (UniqueConstraint("issued_pack_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issued_pack_id: Mapped[int] = mapped_column(
        ForeignKey("issued_pack.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))  # where it went, as it was then
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)

    person: Mapped[Person] = relationship()
