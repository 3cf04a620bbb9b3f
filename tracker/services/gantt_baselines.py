"""The baselines the Gantt chart can show as ghost bars, and their dates (read only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Baseline, BaselineItem, Milestone, Programme
from tracker.services.schedule import date_window


@dataclass(frozen=True)
class BaselineChoice:
    id: int
    label: str
    current: bool


def choices(programme: Programme) -> list[BaselineChoice]:
    """The programme's baselines, the current one first, then the newest first."""
    found = db.session.execute(
        select(Baseline.id, Baseline.label)
        .where(Baseline.programme_id == programme.id)
        .order_by(Baseline.taken_at.desc(), Baseline.id.desc())
    ).all()
    listed = [BaselineChoice(i, label, i == programme.current_baseline_id) for i, label in found]
    return sorted(listed, key=lambda c: not c.current)


def baseline_dates(programme: Programme, baseline_id: int) -> dict[str, tuple[date | None, date]]:
    """Each milestone's (planned start, due) in the baseline, by its ref today (a milestone
    renamed since keeps its place); dates read into the programme's window, as the plan's
    are, so a stray date cannot stretch the chart."""
    window = date_window(programme)
    rows = db.session.execute(
        select(Milestone.ref, BaselineItem.planned_start, BaselineItem.due_date)
        .join(Milestone, Milestone.id == BaselineItem.milestone_id)
        .join(Baseline, Baseline.id == BaselineItem.baseline_id)
        .where(BaselineItem.baseline_id == baseline_id, Baseline.programme_id == programme.id)
    ).all()
    return {
        ref: (window.clamp(start) if start else None, window.clamp(due)) for ref, start, due in rows
    }
