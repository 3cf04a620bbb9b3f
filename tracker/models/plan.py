"""The plan: workstreams, milestones, the dependencies between them, and baselines."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

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

from tracker.domain.notation import format_predecessor
from tracker.domain.terms import DependencyType, MilestoneKind, MilestoneStatus
from tracker.domain.validation import FieldError, check_code, check_dependency, check_milestone
from tracker.models.base import Base, Timestamps, UTCDateTime, utcnow
from tracker.models.people import Person
from tracker.models.programme import Programme


def _in(column: str, enum: type[StrEnum]) -> str:
    return f"{column} IN {tuple(m.value for m in enum)}"


class Workstream(Timestamps, Base):
    __tablename__ = "workstream"
    __table_args__ = (
        UniqueConstraint("programme_id", "code"),
        # Lets milestones and risks point at (programme, workstream) so both sides agree.
        UniqueConstraint("programme_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    display_order: Mapped[int] = mapped_column(default=0)
    # A retired workstream keeps its history but takes no new milestones and leaves the
    # dashboard (services/workstreams.py: only once none of its milestones is open).
    retired_on: Mapped[date | None] = mapped_column(Date)

    programme: Mapped[Programme] = relationship(back_populates="workstreams")
    lead_links: Mapped[list[WorkstreamLead]] = relationship(
        back_populates="workstream",
        order_by="WorkstreamLead.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="workstream",
        primaryjoin="Workstream.id == foreign(Milestone.workstream_id)",
        order_by="Milestone.ref",
    )

    @property
    def leads(self) -> list[Person]:
        return [link.person for link in self.lead_links]

    @property
    def audit_label(self) -> str:
        return f"{self.code} {self.name}"

    def validate(self) -> list[FieldError]:
        errors = check_code(self.code)
        if not self.name or not self.name.strip():
            errors.append(FieldError("name", "Enter the workstream's name"))
        return errors


class WorkstreamLead(Base):
    """A lead executive director of a workstream; a workstream may have one or two."""

    __tablename__ = "workstream_lead"

    workstream_id: Mapped[int] = mapped_column(
        ForeignKey("workstream.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(default=0)

    workstream: Mapped[Workstream] = relationship(back_populates="lead_links")
    person: Mapped[Person] = relationship(lazy="joined")

    @property
    def audit_label(self) -> str:
        code = self.workstream.code if self.workstream else "?"
        return f"{code} lead {self.person.name if self.person else '?'}"


class Milestone(Timestamps, Base):
    """A dated deliverable in a workstream: an activity (start -> due) or a point in time."""

    __tablename__ = "milestone"
    __table_args__ = (
        UniqueConstraint("programme_id", "ref"),
        UniqueConstraint("programme_id", "id"),
        UniqueConstraint("programme_id", "project_uid"),
        ForeignKeyConstraint(
            ["programme_id", "workstream_id"],
            ["workstream.programme_id", "workstream.id"],
            ondelete="CASCADE",
        ),
        CheckConstraint(_in("kind", MilestoneKind), name="kind_known"),
        CheckConstraint(_in("status", MilestoneStatus), name="status_known"),
        CheckConstraint("planned_start IS NULL OR planned_start <= due_date", name="start_by_due"),
        CheckConstraint(
            "(kind = 'point' AND planned_start IS NULL)"
            " OR (kind = 'activity' AND planned_start IS NOT NULL)",
            name="start_matches_kind",
        ),
        CheckConstraint(
            "(status = 'complete') = (completed_on IS NOT NULL)", name="completed_when_complete"
        ),
        CheckConstraint(
            "status <> 'blocked' OR blocked_reason IS NOT NULL", name="blocked_has_reason"
        ),
        CheckConstraint(
            "(optimistic_days IS NULL AND likely_days IS NULL AND pessimistic_days IS NULL)"
            " OR (optimistic_days IS NOT NULL AND likely_days IS NOT NULL"
            " AND pessimistic_days IS NOT NULL"
            " AND optimistic_days <= likely_days AND likely_days <= pessimistic_days)",
            name="three_point_in_order",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    workstream_id: Mapped[int] = mapped_column(index=True)
    ref: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default=MilestoneKind.ACTIVITY.value)
    planned_start: Mapped[date | None] = mapped_column(Date)  # None for a point milestone
    due_date: Mapped[date] = mapped_column(Date)
    # The lead's own forecast when it is slipping; the scheduler may forecast later still.
    forecast_date: Mapped[date | None] = mapped_column(Date)
    forecast_reason: Mapped[str | None] = mapped_column(Text)
    # Who entered the forecast (a lead, an admin), which need not be the owner.
    forecast_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default=MilestoneStatus.NOT_STARTED.value)
    blocked_reason: Mapped[str | None] = mapped_column(Text)
    completed_on: Mapped[date | None] = mapped_column(Date)
    completed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    evidence_text: Mapped[str | None] = mapped_column(Text)
    evidence_url: Mapped[str | None] = mapped_column(String(500))
    is_key: Mapped[bool] = mapped_column(default=False)  # a board milestone
    # A three-point estimate for schedule risk analysis (docs/risk-analysis.md), in working
    # days: an activity's duration, or a point's slip. All three or none (the defaults).
    optimistic_days: Mapped[int | None]
    likely_days: Mapped[int | None]
    pessimistic_days: Mapped[int | None]
    # The task's UID in the Microsoft Project file it came from (docs/microsoft-project.md):
    # what the next import of a newer file matches it by, and what the export writes back.
    project_uid: Mapped[int | None]
    # Optimistic locking: a save based on an older version is refused, not silently merged.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    programme: Mapped[Programme] = relationship(back_populates="milestones")
    workstream: Mapped[Workstream] = relationship(
        back_populates="milestones",
        primaryjoin="Workstream.id == foreign(Milestone.workstream_id)",
    )
    owner: Mapped[Person] = relationship(foreign_keys=[owner_id])
    completed_by: Mapped[Person | None] = relationship(foreign_keys=[completed_by_id])
    forecast_by: Mapped[Person | None] = relationship(foreign_keys=[forecast_by_id])
    # Links where this milestone comes first, and links where it waits on another.
    successor_links: Mapped[list[Dependency]] = relationship(
        primaryjoin="Milestone.id == foreign(Dependency.predecessor_id)",
        back_populates="predecessor",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    predecessor_links: Mapped[list[Dependency]] = relationship(
        primaryjoin="Milestone.id == foreign(Dependency.successor_id)",
        back_populates="successor",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<Milestone {self.ref}>"

    @property
    def audit_label(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def is_point(self) -> bool:
        return self.kind == MilestoneKind.POINT

    @property
    def is_complete(self) -> bool:
        return self.status == MilestoneStatus.COMPLETE

    def validate(self) -> list[FieldError]:
        return check_milestone(
            ref=self.ref,
            title=self.title,
            kind=self.kind,
            planned_start=self.planned_start,
            due_date=self.due_date,
            status=self.status,
            completed_on=self.completed_on,
            blocked_reason=self.blocked_reason,
            forecast_date=self.forecast_date,
            forecast_reason=self.forecast_reason,
            is_key=self.is_key,
            evidence_text=self.evidence_text,
            evidence_url=self.evidence_url,
        )


class Dependency(Timestamps, Base):
    """Successor cannot start (or finish) until predecessor has started or finished.

    The same pair may be linked twice with different types (SS and FF+2 both constrain);
    the same type twice is a duplicate.
    """

    __tablename__ = "dependency"
    __table_args__ = (
        UniqueConstraint("predecessor_id", "successor_id", "type"),
        # Both ends in this dependency's programme, enforced by the database itself.
        ForeignKeyConstraint(
            ["programme_id", "predecessor_id"],
            ["milestone.programme_id", "milestone.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["programme_id", "successor_id"],
            ["milestone.programme_id", "milestone.id"],
            ondelete="CASCADE",
        ),
        CheckConstraint("predecessor_id <> successor_id", name="not_self"),
        CheckConstraint(_in("type", DependencyType), name="type_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    predecessor_id: Mapped[int] = mapped_column(index=True)
    successor_id: Mapped[int] = mapped_column(index=True)
    type: Mapped[str] = mapped_column(String(2), default=DependencyType.FS.value)
    lag_days: Mapped[int] = mapped_column(default=0)  # working days; negative is a lead

    programme: Mapped[Programme] = relationship()
    predecessor: Mapped[Milestone] = relationship(
        primaryjoin="Milestone.id == foreign(Dependency.predecessor_id)",
        back_populates="successor_links",
    )
    successor: Mapped[Milestone] = relationship(
        primaryjoin="Milestone.id == foreign(Dependency.successor_id)",
        back_populates="predecessor_links",
    )

    def __repr__(self) -> str:
        return f"<Dependency {self.audit_label}>"

    @property
    def audit_label(self) -> str:
        pred = self.predecessor.ref if self.predecessor else "?"
        succ = self.successor.ref if self.successor else "?"
        return f"{format_predecessor(pred, self.type, self.lag_days)} -> {succ}"

    def validate(self) -> list[FieldError]:
        return check_dependency(
            predecessor=self.predecessor.ref if self.predecessor else None,
            successor=self.successor.ref if self.successor else None,
            type=self.type,
            lag_days=self.lag_days,
        )


class Baseline(Base):
    """A named snapshot of planned dates; slip is measured against the programme's chosen one."""

    __tablename__ = "baseline"
    __table_args__ = (UniqueConstraint("programme_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    go_live_date: Mapped[date] = mapped_column(Date)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    programme: Mapped[Programme] = relationship(
        back_populates="baselines", foreign_keys=[programme_id]
    )
    items: Mapped[list[BaselineItem]] = relationship(
        back_populates="baseline",
        order_by="BaselineItem.ref",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def audit_label(self) -> str:
        return self.label

    def validate(self) -> list[FieldError]:
        if not self.label or not self.label.strip():
            return [FieldError("label", "Enter a label, like 'Plan for go-live 1 April 2022'")]
        return []


class BaselineItem(Base):
    """One milestone's planned dates in a baseline.

    Reference and title are copied so a baseline still reads when a milestone is deleted.
    """

    __tablename__ = "baseline_item"
    __table_args__ = (UniqueConstraint("baseline_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    baseline_id: Mapped[int] = mapped_column(ForeignKey("baseline.id", ondelete="CASCADE"))
    milestone_id: Mapped[int | None] = mapped_column(
        ForeignKey("milestone.id", ondelete="SET NULL"), index=True
    )
    ref: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    planned_start: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)

    baseline: Mapped[Baseline] = relationship(back_populates="items")
    milestone: Mapped[Milestone | None] = relationship()
