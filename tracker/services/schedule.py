"""The programme's schedule: the stored plan handed to the pure scheduling engine.

Reads the plan in a fixed number of queries (whatever its size), builds the working calendar
from the programme's region and closure days, and returns the engine's ProgrammeForecast.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from tracker import clock
from tracker.domain.validation import (
    PLAUSIBLE_DATES,
    DateWindow,
    go_live_window,
    programme_window,
    stored_date_problem,
)
from tracker.extensions import db
from tracker.models import (
    BaselineItem,
    CalendarClosure,
    Dependency,
    Milestone,
    Person,
    Programme,
    Workstream,
)
from tracker.scheduling import WorkingCalendar
from tracker.scheduling.collector import collector_paused
from tracker.scheduling.programme import (
    PlannedDependency,
    PlannedMilestone,
    ProgrammeForecast,
    ScheduleRules,
    forecast_programme,
)


@dataclass(frozen=True)
class ProgrammeSchedule:
    """What a page needs to show the schedule: the forecast and the calendar it used."""

    programme_id: int
    forecast: ProgrammeForecast
    calendar: WorkingCalendar
    baseline_label: str | None
    milestones: list[PlannedMilestone]  # the plan as stored, in workstream then due order
    dependencies: list[PlannedDependency]
    baseline_starts: dict[str, date | None]  # planned start in the current baseline, by ref
    # Dates stored outside the programme's window (before the rule, or written around it),
    # each read as the window's nearest date: what the dashboard asks to be corrected.
    date_problems: tuple[str, ...] = ()

    def planned(self) -> dict[str, PlannedMilestone]:
        return {m.ref: m for m in self.milestones}


def date_window(programme: Programme) -> DateWindow:
    """The dates the programme's plan, progress and RAID log may hold (docs/scheduling.md)."""
    return programme_window(programme.start_date, programme.go_live_date)


class _Reading:
    """Reads stored dates into the programme's window. A date outside it (stored before the
    rule, or written straight into the database) is read as the window's nearest date, so it
    cannot send the calendar, the Gantt chart or the burn-up out to the year 9999, and what
    to correct is noted instead."""

    def __init__(self, window: DateWindow) -> None:
        self.window = window
        self.problems: list[str] = []

    def __call__(
        self, whose: str, field: str, value: date | None, window: DateWindow | None = None
    ) -> date | None:
        if value is None:
            return None
        window = window or self.window
        if window.first <= value <= window.last:  # nearly every date: no words to make
            return value
        problem = stored_date_problem(whose, field, value, window)
        if problem is None:
            return value
        self.problems.append(problem)
        return window.clamp(value)

    def day(self, whose: str, field: str, value: date, window: DateWindow | None = None) -> date:
        read = self(whose, field, value, window)
        assert read is not None
        return read


def calendar_for(programme: Programme) -> WorkingCalendar:
    closures = db.session.scalars(
        select(CalendarClosure.closed_on).where(CalendarClosure.programme_id == programme.id)
    ).all()
    return WorkingCalendar(
        PLAUSIBLE_DATES.clamp(programme.start_date), programme.calendar_region, closures
    )


def planned_milestones(
    programme: Programme,
    baseline_starts: dict[str, date | None] | None = None,
    refs: dict[int, str] | None = None,
    reading: _Reading | None = None,
) -> list[PlannedMilestone]:
    """Every milestone as the engine sees it, with its due date in the current baseline, its
    dates read into the programme's window (``reading`` notes any that were outside).

    ``baseline_starts`` and ``refs``, when given, are filled with each milestone's baseline
    start (by ref) and its ref (by id)."""
    read = reading or _Reading(date_window(programme))
    owner = aliased(Person)
    forecaster = aliased(Person)
    baseline_item = aliased(BaselineItem)
    baseline_join = and_(
        baseline_item.milestone_id == Milestone.id,
        baseline_item.baseline_id == programme.current_baseline_id,
    )
    # Core execution (the session's connection): these are plain rows, and skipping the
    # ORM's row processing halves the time at thousands of milestones.
    rows = db.session.connection().execute(
        select(
            Milestone.ref,
            Milestone.title,
            Workstream.code,
            owner.name,
            Milestone.kind,
            Milestone.planned_start,
            Milestone.due_date,
            Milestone.status,
            Milestone.completed_on,
            Milestone.forecast_date,
            Milestone.forecast_reason,
            forecaster.name,
            Milestone.is_key,
            baseline_item.due_date,
            baseline_item.planned_start,
            Milestone.id,
        )
        .join(Workstream, Workstream.id == Milestone.workstream_id)
        .join(owner, owner.id == Milestone.owner_id)
        .outerjoin(forecaster, forecaster.id == Milestone.forecast_by_id)
        .outerjoin(baseline_item, baseline_join)
        .where(Milestone.programme_id == programme.id)
        .order_by(Workstream.display_order, Workstream.code, Milestone.due_date, Milestone.ref)
    )
    milestones = []
    for row in rows.fetchall():  # in one go: row by row costs a call per row
        milestones.append(_planned(read, *row[:14]))
        if baseline_starts is not None:
            baseline_starts[row[0]] = read(f"{row[0]}'s", "baseline_start", row[14])
        if refs is not None:
            refs[row[15]] = row[0]
    return milestones


def _planned(read: _Reading, *row: Any) -> PlannedMilestone:
    (
        ref,
        title,
        code,
        owner_name,
        kind,
        start,
        due,
        status,
        completed_on,
        forecast,
        reason,
        forecast_by,
        is_key,
        baseline_due,
    ) = row
    whose = f"{ref}'s"
    due = read.day(whose, "due_date", due)
    start = read(whose, "planned_start", start)
    if start is not None and start > due:  # one of the two was read into the window
        start = due
    completed_on = read(whose, "completed_on", completed_on)
    forecast = read(whose, "forecast_date", forecast)
    baseline_due = read(whose, "baseline_due_date", baseline_due)
    return PlannedMilestone(
        ref=ref,
        title=title,
        workstream=code,
        owner=owner_name,
        kind=kind,
        planned_start=start,
        due=due,
        status=status,
        completed_on=completed_on,
        forecast=forecast,
        forecast_reason=reason,
        forecast_by=forecast_by,
        is_key=is_key,
        baseline_due=baseline_due,
    )


def planned_dependencies(
    programme: Programme, refs: dict[int, str] | None = None
) -> list[PlannedDependency]:
    """Every link by milestone ref. ``refs`` (milestone id to ref), when the caller has it,
    saves joining the milestone table twice."""
    if refs is None:
        refs = {
            milestone_id: ref
            for milestone_id, ref in db.session.execute(
                select(Milestone.id, Milestone.ref).where(Milestone.programme_id == programme.id)
            )
        }
    rows = db.session.connection().execute(
        select(
            Dependency.predecessor_id, Dependency.successor_id, Dependency.type, Dependency.lag_days
        )
        .where(Dependency.programme_id == programme.id)
        .order_by(Dependency.id)
    )
    return [PlannedDependency(refs[p], refs[s], t, lag) for p, s, t, lag in rows.fetchall()]


def go_live_ref(programme: Programme, milestones: list[PlannedMilestone]) -> str | None:
    """The programme's go-live milestone; without one named, its latest-due milestone."""
    if programme.go_live_ref:
        return programme.go_live_ref
    if not milestones:
        return None
    return max(milestones, key=lambda m: (m.due, m.ref)).ref


def programme_schedule(
    programme: Programme, *, today: date | None = None, rules: ScheduleRules | None = None
) -> ProgrammeSchedule | None:
    """Forecast the programme as it stands today; None when it has no milestones yet."""
    # Reading the plan and forecasting it make the objects the cached schedule keeps, and
    # next to no reference cycles: the collector waits until they are made (collector.py).
    with collector_paused():
        return _programme_schedule(programme, today, rules)


def _programme_schedule(
    programme: Programme, today: date | None, rules: ScheduleRules | None
) -> ProgrammeSchedule | None:
    baseline_starts: dict[str, date | None] = {}
    refs: dict[int, str] = {}
    read = _Reading(date_window(programme))
    read.day("The programme's", "start_date", programme.start_date, PLAUSIBLE_DATES)
    go_live_target = read.day(
        "The programme's",
        "go_live_date",
        programme.go_live_date,
        go_live_window(programme.start_date),
    )
    milestones = planned_milestones(programme, baseline_starts, refs, read)
    dependencies = planned_dependencies(programme, refs)
    ref = go_live_ref(programme, milestones)
    if ref is None:
        return None
    calendar = calendar_for(programme)
    baseline = programme.current_baseline
    forecast = forecast_programme(
        milestones,
        dependencies,
        go_live_ref=ref,
        go_live_target=go_live_target,
        today=today or clock.today(),
        calendar=calendar,
        baseline_go_live=(
            read("The baseline's", "go_live_date", baseline.go_live_date) if baseline else None
        ),
        rules=rules or ScheduleRules(),
    )
    return ProgrammeSchedule(
        programme_id=programme.id,
        forecast=forecast,
        calendar=calendar,
        baseline_label=baseline.label if baseline else None,
        milestones=milestones,
        dependencies=dependencies,
        baseline_starts=baseline_starts,
        date_problems=tuple(read.problems),
    )
