"""The risk register, scored on the NHS 5 x 5 matrix (consequence x likelihood)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain.validation import FieldError, check_risk
from tracker.models.base import Base, Timestamps
from tracker.models.people import Person
from tracker.models.plan import Workstream
from tracker.models.programme import Programme


def _score_between(column: str) -> CheckConstraint:
    return CheckConstraint(f"{column} BETWEEN 1 AND 5", name=f"{column}_1_to_5")


class Risk(Timestamps, Base):
    __tablename__ = "risk"
    __table_args__ = (
        UniqueConstraint("programme_id", "ref"),
        ForeignKeyConstraint(
            ["programme_id", "workstream_id"],
            ["workstream.programme_id", "workstream.id"],
            ondelete="CASCADE",
        ),
        _score_between("consequence"),
        _score_between("likelihood"),
        _score_between("target_consequence"),
        _score_between("target_likelihood"),
        CheckConstraint("status IN ('open', 'closed')", name="status_known"),
        CheckConstraint("review_on IS NULL OR review_on >= raised_on", name="review_after_raised"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    ref: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    workstream_id: Mapped[int | None] = mapped_column(index=True)
    consequence: Mapped[int]
    likelihood: Mapped[int]
    target_consequence: Mapped[int]
    target_likelihood: Mapped[int]
    mitigation: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="open")
    closed_note: Mapped[str | None] = mapped_column(Text)
    raised_on: Mapped[date] = mapped_column(Date)
    review_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    programme: Mapped[Programme] = relationship(back_populates="risks")
    owner: Mapped[Person] = relationship()
    workstream: Mapped[Workstream | None] = relationship(
        primaryjoin="Workstream.id == foreign(Risk.workstream_id)"
    )

    @property
    def score(self) -> int:
        return self.consequence * self.likelihood

    @property
    def target_score(self) -> int:
        return self.target_consequence * self.target_likelihood

    @property
    def audit_label(self) -> str:
        return f"{self.ref} {self.title}"

    def validate(self) -> list[FieldError]:
        return check_risk(
            title=self.title,
            consequence=self.consequence,
            likelihood=self.likelihood,
            target_consequence=self.target_consequence,
            target_likelihood=self.target_likelihood,
            raised_on=self.raised_on,
            review_on=self.review_on,
            status=self.status,
        )
