"""What each answer is made from: the stored record with what the schedule (or the request)
adds to it. The schemas of the same name in tracker/api/schemas.py dump these, reading the
record's own values by path (`row.title`) and the values worked out here by name
(`critical`), so each property is named once, in the schema."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from tracker.domain.figures import after_go_live_warning, on_critical_path, risk_band
from tracker.domain.risks import Band

if TYPE_CHECKING:
    from tracker.models import Milestone as MilestoneRow
    from tracker.models import Programme as ProgrammeRow
    from tracker.models import Risk as RiskRow
    from tracker.scheduling import MilestoneForecast, ProgrammeForecast
    from tracker.scheduling.programme import PlannedDependency, PlannedMilestone
    from tracker.services.programmes import WorkstreamSummary
    from tracker.services.schedule import ProgrammeSchedule


@dataclass(frozen=True)
class ScheduleSummary:
    forecast: ProgrammeForecast

    @property
    def critical_path(self) -> list[str]:
        f = self.forecast
        return [
            m.ref
            for m in sorted(f.milestones.values(), key=lambda m: (m.forecast_start, m.forecast_due))
            if on_critical_path(m)
        ]

    @property
    def after_go_live_warning(self) -> str | None:
        return after_go_live_warning(self.forecast)


@dataclass(frozen=True)
class Programme:
    programme: ProgrammeRow
    schedule: ProgrammeSchedule | None = None

    @property
    def summary(self) -> ScheduleSummary | None:
        return ScheduleSummary(self.schedule.forecast) if self.schedule is not None else None


@dataclass(frozen=True)
class Workstream:
    summary: WorkstreamSummary
    rag: str | None


@dataclass(frozen=True)
class Link:
    ref: str
    type: str
    lag_days: int


@dataclass(frozen=True)
class Milestone:
    """A milestone as stored, with its figures from the schedule; with `links`, the
    schedule's links (the detail shows those that touch it, both ways)."""

    row: MilestoneRow
    forecast: MilestoneForecast
    planned: PlannedMilestone | None
    links: Sequence[PlannedDependency] = field(default=())

    @classmethod
    def detail(cls, row: MilestoneRow, schedule: ProgrammeSchedule) -> Milestone:
        return cls(
            row,
            schedule.forecast.milestones[row.ref],
            schedule.planned().get(row.ref),
            schedule.dependencies,
        )

    @property
    def critical(self) -> bool:
        return on_critical_path(self.forecast)

    @property
    def baseline_due(self) -> date | None:
        return self.planned.baseline_due if self.planned is not None else None

    @property
    def predecessors(self) -> list[Link]:
        ref = self.row.ref
        return [Link(d.predecessor, d.type, d.lag) for d in self.links if d.successor == ref]

    @property
    def successors(self) -> list[Link]:
        ref = self.row.ref
        return [Link(d.successor, d.type, d.lag) for d in self.links if d.predecessor == ref]


@dataclass(frozen=True)
class Risk:
    risk: RiskRow
    today: date
    bands: Sequence[Band]

    @property
    def band(self) -> str:
        return risk_band(self.risk.score, self.bands)

    @property
    def review_overdue(self) -> bool:
        r = self.risk
        return r.status == "open" and r.review_on is not None and r.review_on < self.today
