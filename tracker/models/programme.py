"""A programme (one CCG -> ICB transition) and its calendar and go-live history."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain.board_pack import DEFAULT_MARKING
from tracker.domain.validation import FieldError
from tracker.models.base import Base, Timestamps, UTCDateTime, utcnow

if TYPE_CHECKING:
    from tracker.models.plan import Baseline, Milestone, Workstream
    from tracker.models.raid import Risk


class Programme(Timestamps, Base):
    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    from_organisation: Mapped[str] = mapped_column(String(200))
    to_organisation: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date] = mapped_column(Date)
    # The statutory date now in force; every change is kept in go_live_targets.
    go_live_date: Mapped[date] = mapped_column(Date)
    go_live_ref: Mapped[str | None] = mapped_column(String(20))
    # The template it was started from (seed/templates/<key>.yaml or a saved one), if any.
    template_key: Mapped[str | None] = mapped_column(String(60))
    # Bank holidays of this part of the UK are non-working days (holidays package subdivision).
    calendar_region: Mapped[str] = mapped_column(String(3), default="ENG")
    # Plan health thresholds the programme has changed from the DCMA defaults, by check key
    # (tracker/domain/plan_health.py); empty means every default.
    health_thresholds: Mapped[dict[str, int]] = mapped_column(
        JSON, default=dict, server_default="{}"
    )
    # Schedule risk analysis defaults the programme changed, by status (three-points for
    # points and activities: tracker/scheduling/risk_analysis.py); empty means the defaults.
    risk_defaults: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")
    # Government Security Classifications: printed on every page of its board pack.
    protective_marking: Mapped[str] = mapped_column(
        String(40), default=DEFAULT_MARKING, server_default=DEFAULT_MARKING
    )
    # Changes whenever anything in the programme changes (tracker/audit.py), so a schedule
    # computed for one version can be reused until the next, by every worker.
    plan_version: Mapped[str] = mapped_column(
        String(16), default=lambda: secrets.token_hex(8), server_default="initial"
    )
    # The baseline that slip is measured against. use_alter: baseline also points here.
    current_baseline_id: Mapped[int | None] = mapped_column(
        ForeignKey("baseline.id", use_alter=True, ondelete="SET NULL")
    )

    workstreams: Mapped[list[Workstream]] = relationship(
        back_populates="programme",
        order_by="Workstream.display_order",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="programme",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    baselines: Mapped[list[Baseline]] = relationship(
        back_populates="programme",
        foreign_keys="Baseline.programme_id",
        order_by="Baseline.taken_at",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    current_baseline: Mapped[Baseline | None] = relationship(
        foreign_keys=[current_baseline_id], post_update=True
    )
    go_live_targets: Mapped[list[GoLiveTarget]] = relationship(
        back_populates="programme",
        order_by="GoLiveTarget.set_on, GoLiveTarget.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    closures: Mapped[list[CalendarClosure]] = relationship(
        back_populates="programme",
        order_by="CalendarClosure.closed_on",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    risks: Mapped[list[Risk]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Programme {self.slug}>"

    @property
    def audit_label(self) -> str:
        return self.name

    def validate(self) -> list[FieldError]:
        errors = []
        if not self.name:
            errors.append(FieldError("name", "Enter the programme's name"))
        if self.start_date and self.go_live_date and self.go_live_date < self.start_date:
            errors.append(FieldError("go_live_date", "Go-live is before the programme starts"))
        return errors


class GoLiveTarget(Base):
    """One entry in the history of go-live targets (1 April 2022, then 1 July 2022)."""

    __tablename__ = "go_live_target"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    target_date: Mapped[date] = mapped_column(Date)
    set_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    programme: Mapped[Programme] = relationship(back_populates="go_live_targets")

    @property
    def audit_label(self) -> str:
        return f"go-live target {self.target_date.isoformat()}"


class CalendarClosure(Base):
    """An extra non-working day for this programme, such as a Christmas shutdown."""

    __tablename__ = "calendar_closure"
    __table_args__ = (UniqueConstraint("programme_id", "closed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    closed_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))

    programme: Mapped[Programme] = relationship(back_populates="closures")

    @property
    def audit_label(self) -> str:
        return f"closure {self.closed_on.isoformat()} ({self.reason})"


class SavedTemplate(Base):
    """A programme saved as a template ("start the next merger from how we ran this one"):
    the same YAML as the files in seed/templates/ (tracker/domain/templates.py), kept in
    the database so every worker sees it."""

    __tablename__ = "saved_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    made_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme.id", ondelete="SET NULL")
    )
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def audit_label(self) -> str:
        return f"template {self.name}"
