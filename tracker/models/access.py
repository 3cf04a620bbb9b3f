"""Ways in without a browser session: personal API tokens, calendar feed addresses, and the
single-use links that invite someone into a programme."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain.terms import Role
from tracker.models.base import Base, UTCDateTime, utcnow
from tracker.models.people import Person, User
from tracker.models.plan import Workstream
from tracker.models.programme import Programme


class ApiToken(Base):
    """A personal token for the JSON API (`Authorization: Bearer ...`), acting as its user.

    Only a SHA-256 digest is stored: the token itself is shown once, when it is made.
    """

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))  # what it is for: "Power BI refresh"
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # the first characters, to recognise it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def audit_label(self) -> str:
        return f"API token {self.prefix}… ({self.name})"


class CalendarFeed(Base):
    """A secret address Outlook subscribes to: one person's milestones, or one workstream's.

    The token is kept as it is (unlike API tokens) so its owner can copy the address again;
    it only reads milestone dates, and revoking or renewing it takes effect at once.
    """

    __tablename__ = "calendar_feed"
    __table_args__ = (
        CheckConstraint("person_feed = (workstream_id IS NULL)", name="one_subject"),
        # At most one working feed per person of each kind: their own, and one per workstream.
        # Asking again gives the same address (services/calendar_feeds.py create_feed).
        Index(
            "uq_calendar_feed_live_person",
            "user_id",
            unique=True,
            postgresql_where=text("person_feed AND revoked_at IS NULL"),
            sqlite_where=text("person_feed AND revoked_at IS NULL"),
        ),
        Index(
            "uq_calendar_feed_live_workstream",
            "user_id",
            "workstream_id",
            unique=True,
            postgresql_where=text("revoked_at IS NULL"),
            sqlite_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    # A person feed (the user's own milestones and workstreams) or a workstream's feed.
    person_feed: Mapped[bool] = mapped_column(default=True)
    workstream_id: Mapped[int | None] = mapped_column(
        ForeignKey("workstream.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    workstream: Mapped[Workstream | None] = relationship()

    @property
    def audit_label(self) -> str:
        what = f"workstream {self.workstream.code}" if self.workstream else "person"
        return f"calendar feed ({what})"


class Invitation(Base):
    """An invitation to join a programme with a role, sent by email as a single-use link that
    sets the person's password (services/invitations.py). Only a SHA-256 digest of the link's
    token is stored; resending makes a new token, so an older email's link stops working."""

    __tablename__ = "invitation"
    __table_args__ = (
        CheckConstraint(f"role IN {tuple(r.value for r in Role)}", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    times_sent: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    programme: Mapped[Programme] = relationship()
    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    invited_by: Mapped[Person | None] = relationship(foreign_keys=[invited_by_id])

    @property
    def audit_label(self) -> str:
        who = self.person.email if self.person else f"person {self.person_id}"
        return f"invitation of {who} ({self.role})"
