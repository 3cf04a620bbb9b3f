"""Weekly highlight reports: a workstream lead's own RAG and commentary for one week."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain.validation import FieldError, check_rag
from tracker.models.base import Base, Timestamps
from tracker.models.people import Person
from tracker.models.plan import Workstream


class StatusUpdate(Timestamps, Base):
    __tablename__ = "status_update"
    __table_args__ = (
        # One highlight per workstream per week; earlier weeks are kept.
        UniqueConstraint("workstream_id", "week_start"),
        CheckConstraint("rag IN ('red', 'amber', 'green')", name="rag_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workstream_id: Mapped[int] = mapped_column(ForeignKey("workstream.id", ondelete="CASCADE"))
    week_start: Mapped[date] = mapped_column(Date)  # the Monday of the week reported on
    rag: Mapped[str] = mapped_column(String(5))
    achievements: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    issues: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    # Optimistic locking: a save based on an older version is refused, not silently merged.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    workstream: Mapped[Workstream] = relationship()
    author: Mapped[Person | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def audit_label(self) -> str:
        code = self.workstream.code if self.workstream else "?"
        return f"{code} highlight w/c {self.week_start.isoformat()}"

    def validate(self) -> list[FieldError]:
        errors = check_rag("rag", self.rag)
        if self.week_start and self.week_start.weekday() != 0:
            errors.append(FieldError("week_start", "The week must start on a Monday"))
        return errors
