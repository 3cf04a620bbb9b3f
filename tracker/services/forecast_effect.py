"""What a lead's forecast, or the programme office's edit, would do to the schedule before it
is saved: the programme's schedule as the pages show it (board.schedule_for), the change
applied in memory, the engine run again (tracker/domain/forecast_effect.py). Reads only."""

from __future__ import annotations

from datetime import date

from tracker.domain.forecast_effect import (
    Effect,
    Plan,
    compare,
    effect,
    forecast_change,
    plan_change,
)
from tracker.models import Programme
from tracker.scheduling import PlannedMilestone, ScheduleError, ScheduleRules
from tracker.services import board
from tracker.services.plan import MilestonePlan
from tracker.services.schedule import ProgrammeSchedule


def plan_of(programme: Programme, schedule: ProgrammeSchedule) -> Plan:
    """The plan as plain data, with what the schedule was measured against: the same inputs
    services/schedule.programme_schedule gives the engine."""
    forecast = schedule.forecast
    baseline = programme.current_baseline
    return Plan(
        milestones=tuple(schedule.milestones),
        dependencies=tuple(schedule.dependencies),
        go_live_ref=forecast.go_live_ref,
        go_live_target=forecast.go_live_target,
        today=forecast.today,
        calendar=schedule.calendar,
        baseline_go_live=baseline.go_live_date if baseline is not None else None,
        rules=ScheduleRules(),
    )


def forecast_effect(
    programme: Programme,
    milestone_ref: str,
    forecast_date: date | None,
    reason: str | None = None,
    by: str | None = None,
) -> Effect | None:
    """What setting this forecast on the milestone would do; None when there is nothing to
    compare (no schedule, no such milestone, or a plan the engine cannot schedule)."""
    schedule = board.schedule_for(programme)
    if schedule is None:
        return None
    plan = plan_of(programme, schedule)
    current = plan.milestone(milestone_ref)
    if current is None:
        return None
    return _effect(plan, forecast_change(current, forecast_date, reason, by), schedule)


def edit_effect(programme: Programme, ref: str, changes: MilestonePlan) -> Effect | None:
    """What the programme office's edit of a milestone's due date, planned start or kind
    would do (nothing, when none of them changes); None when there is nothing to compare."""
    schedule = board.schedule_for(programme)
    if schedule is None or changes.due_date is None or changes.kind is None:
        return None
    plan = plan_of(programme, schedule)
    current = plan.milestone(ref)
    if current is None:
        return None
    changed = plan_change(
        current, due=changes.due_date, planned_start=changes.start(), kind=changes.kind
    )
    if (changed.due, changed.planned_start, changed.kind) == (
        current.due,
        current.planned_start,
        current.kind,
    ):  # the schedule stays as it is: no need to run the engine again
        return compare(schedule.forecast, schedule.forecast, ref, schedule.calendar)
    return _effect(plan, changed, schedule)


def _effect(plan: Plan, changed: PlannedMilestone, schedule: ProgrammeSchedule) -> Effect | None:
    try:
        return effect(plan, changed, schedule.forecast)
    except ScheduleError:  # the rules refuse such a plan first; nothing to compare
        return None
