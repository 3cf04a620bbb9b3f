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
from tracker.models.plan import Milestone, Workstream
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
        CheckConstraint(
            "impact_days IS NULL OR impact_days BETWEEN 1 AND 260", name="impact_days_in_range"
        ),
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
    # Working days its milestones slip if it happens, for schedule risk analysis; None: the
    # register does not say.
    impact_days: Mapped[int | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    programme: Mapped[Programme] = relationship(back_populates="risks")
    owner: Mapped[Person] = relationship()
    workstream: Mapped[Workstream | None] = relationship(
        primaryjoin="Workstream.id == foreign(Risk.workstream_id)"
    )
    milestones: Mapped[list[Milestone]] = relationship(
        secondary="risk_milestone", order_by="Milestone.ref"
    )
    actions: Mapped[list[RiskAction]] = relationship(
        back_populates="risk",
        order_by="RiskAction.due_on, RiskAction.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    reviews: Mapped[list[RiskReview]] = relationship(
        back_populates="risk",
        order_by="RiskReview.reviewed_on, RiskReview.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
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


class RiskMilestone(Base):
    """A milestone a risk threatens."""

    __tablename__ = "risk_milestone"

    risk_id: Mapped[int] = mapped_column(
        ForeignKey("risk.id", ondelete="CASCADE"), primary_key=True
    )
    milestone_id: Mapped[int] = mapped_column(
        ForeignKey("milestone.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class RiskAction(Timestamps, Base):
    """A mitigating action: who does what by when."""

    __tablename__ = "risk_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risk.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    due_on: Mapped[date | None] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)

    risk: Mapped[Risk] = relationship(back_populates="actions")
    owner: Mapped[Person | None] = relationship()

    @property
    def audit_label(self) -> str:
        ref = self.risk.ref if self.risk else "?"
        return f"{ref} action: {self.description[:80]}"

    @property
    def programme_id(self) -> int | None:
        return self.risk.programme_id if self.risk else None

    def validate(self) -> list[FieldError]:
        if not self.description or not self.description.strip():
            return [FieldError("description", "Say what the action is")]
        return []


class RiskReview(Base):
    """A risk's scores as they stood at a review: the trend is the change since the last one."""

    __tablename__ = "risk_review"
    __table_args__ = (_score_between("consequence"), _score_between("likelihood"))

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risk.id", ondelete="CASCADE"), index=True)
    reviewed_on: Mapped[date] = mapped_column(Date)
    consequence: Mapped[int]
    likelihood: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    risk: Mapped[Risk] = relationship(back_populates="reviews")

    @property
    def score(self) -> int:
        return self.consequence * self.likelihood

    @property
    def audit_label(self) -> str:
        ref = self.risk.ref if self.risk else "?"
        return f"{ref} review {self.reviewed_on.isoformat()}"

    @property
    def programme_id(self) -> int | None:
        return self.risk.programme_id if self.risk else None


class Issue(Timestamps, Base):
    """Something that has happened and needs managing (the I of RAID)."""

    __tablename__ = "issue"
    __table_args__ = (
        UniqueConstraint("programme_id", "ref"),
        CheckConstraint("status IN ('open', 'closed')", name="status_known"),
        CheckConstraint("closed_on IS NULL OR closed_on >= raised_on", name="closed_after_raised"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    ref: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    raised_on: Mapped[date] = mapped_column(Date)
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    workstream_id: Mapped[int | None] = mapped_column(
        ForeignKey("workstream.id", ondelete="SET NULL"), index=True
    )
    impact: Mapped[str] = mapped_column(Text, default="")
    action: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="open")
    closed_on: Mapped[date | None] = mapped_column(Date)
    # The risk it came from, when a risk materialised.
    risk_id: Mapped[int | None] = mapped_column(ForeignKey("risk.id", ondelete="SET NULL"))

    owner: Mapped[Person] = relationship()
    workstream: Mapped[Workstream | None] = relationship()
    risk: Mapped[Risk | None] = relationship()

    @property
    def audit_label(self) -> str:
        return f"{self.ref} {self.title}"

    def validate(self) -> list[FieldError]:
        errors = []
        if not self.title or not self.title.strip():
            errors.append(FieldError("title", "Enter a title"))
        if self.status not in ("open", "closed"):
            errors.append(FieldError("status", f"'{self.status}' must be open or closed"))
        if self.closed_on and self.raised_on and self.closed_on < self.raised_on:
            errors.append(FieldError("closed_on", "The issue cannot close before it was raised"))
        return errors


class Decision(Timestamps, Base):
    """An entry in the decision log: what a forum decided, when, and who owns it."""

    __tablename__ = "decision"
    __table_args__ = (UniqueConstraint("programme_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    ref: Mapped[str] = mapped_column(String(20))
    decided_on: Mapped[date] = mapped_column(Date)
    forum: Mapped[str] = mapped_column(String(120))  # "Transition board", "ICS partnership board"
    decision: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    owner: Mapped[Person | None] = relationship()
    milestones: Mapped[list[Milestone]] = relationship(secondary="decision_milestone")

    @property
    def audit_label(self) -> str:
        return f"{self.ref} {self.decision[:80]}"

    def validate(self) -> list[FieldError]:
        errors = []
        if not self.forum or not self.forum.strip():
            errors.append(FieldError("forum", "Say which forum decided, like 'Transition board'"))
        if not self.decision or not self.decision.strip():
            errors.append(FieldError("decision", "Say what was decided"))
        return errors


class DecisionMilestone(Base):
    __tablename__ = "decision_milestone"

    decision_id: Mapped[int] = mapped_column(
        ForeignKey("decision.id", ondelete="CASCADE"), primary_key=True
    )
    milestone_id: Mapped[int] = mapped_column(
        ForeignKey("milestone.id", ondelete="CASCADE"), primary_key=True, index=True
    )
