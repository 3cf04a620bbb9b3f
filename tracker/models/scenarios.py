"""What-if scenarios on a programme's plan, and the schedule risk analyses worked out for it.

A scenario holds its edits (tracker/domain/scenarios.py, as JSON) and never changes the plan:
its own changes are audited, but do not move the programme's plan version (tracker/audit.py).
A risk analysis result is a cache of a computation (tracker/scheduling/risk_analysis.py) for
one plan version, kept in the database so that every worker shares it; it is not audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, Timestamps, UTCDateTime, utcnow
from tracker.models.people import Person
from tracker.models.programme import Programme


class Scenario(Timestamps, Base):
    """A named set of hypothetical changes to one programme's plan, private to the member who
    made it until they share it with the programme."""

    __tablename__ = "scenario"
    __table_args__ = (UniqueConstraint("programme_id", "owner_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    shared: Mapped[bool] = mapped_column(default=False)
    # The edits, in order, as tracker.domain.scenarios.edits_to_json gives them.
    edits: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The plan version the scenario was made (or last rebased) on, and the plan as it was
    # then (milestones, links, go-live: services/scenarios.py), to say what changed since.
    based_on_version: Mapped[str] = mapped_column(String(16))
    based_on: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    programme: Mapped[Programme] = relationship()
    owner: Mapped[Person] = relationship()

    @property
    def audit_label(self) -> str:
        return f"scenario {self.name}"


class RiskAnalysisResult(Base):
    """One schedule risk analysis of a programme's plan (or of a scenario on it), by `key`:
    the plan version, the scenario and its version, the iterations and the seed."""

    __tablename__ = "risk_analysis_result"
    __table_args__ = (UniqueConstraint("programme_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(120))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seconds: Mapped[float] = mapped_column(Float)
