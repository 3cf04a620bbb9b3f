"""Comparing a baseline with the plan as it stands: milestone by milestone, in working days."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from tracker.scheduling import WorkingCalendar
from tracker.scheduling.programme_data import MilestoneForecast, PlannedMilestone


@dataclass(frozen=True)
class BaselineLine:
    """What the baseline held for a milestone (its ref, title and dates)."""

    ref: str
    title: str
    planned_start: date | None
    due: date


@dataclass(frozen=True)
class Comparison:
    ref: str
    title: str
    workstream: str | None  # None for a milestone no longer in the plan
    change: str  # "new" (not in the baseline), "removed" (not in the plan), "kept"
    baseline_due: date | None
    planned_due: date | None  # the due date in the plan now
    forecast_due: date | None  # the schedule's forecast (or completion date)
    plan_slip: int | None  # working days, plan now vs baseline; positive = later
    forecast_slip: int | None  # working days, forecast vs baseline; positive = later
    status: str | None
    rag: str | None


@dataclass(frozen=True)
class Summary:
    kept: int
    new: int
    removed: int
    later: int  # forecast later than the baseline
    earlier: int
    on_time: int
    go_live_baseline: date
    go_live_forecast: date
    go_live_slip: int


def compare(
    baseline: Iterable[BaselineLine],
    planned: Iterable[PlannedMilestone],
    forecasts: Mapping[str, MilestoneForecast],
    calendar: WorkingCalendar,
) -> list[Comparison]:
    """One line per milestone in either: kept ones by baseline order of due date, then new,
    then removed. Slips are signed working days, as the rest of the tracker counts them."""
    was = {b.ref: b for b in baseline}
    now = {m.ref: m for m in planned}
    lines = []
    for ref in sorted(set(was) | set(now), key=lambda r: _order(r, was, now)):
        before, plan, forecast = was.get(ref), now.get(ref), forecasts.get(ref)
        change = "kept" if before and plan else ("new" if plan else "removed")
        lines.append(
            Comparison(
                ref=ref,
                title=plan.title if plan else before.title if before else ref,
                workstream=plan.workstream if plan else None,
                change=change,
                baseline_due=before.due if before else None,
                planned_due=plan.due if plan else None,
                forecast_due=forecast.forecast_due if forecast else None,
                plan_slip=(
                    calendar.working_days_between(before.due, plan.due) if before and plan else None
                ),
                forecast_slip=(
                    calendar.working_days_between(before.due, forecast.forecast_due)
                    if before and forecast
                    else None
                ),
                status=plan.status if plan else None,
                rag=forecast.rag if forecast else None,
            )
        )
    return lines


def _order(
    ref: str, was: Mapping[str, BaselineLine], now: Mapping[str, PlannedMilestone]
) -> tuple[int, date, str]:
    group = 0 if ref in was and ref in now else (1 if ref in now else 2)
    day = was[ref].due if ref in was else now[ref].due
    return group, day, ref


def summarise(
    lines: list[Comparison], go_live_baseline: date, go_live_forecast: date, go_live_slip: int
) -> Summary:
    kept = [line for line in lines if line.change == "kept"]
    return Summary(
        kept=len(kept),
        new=sum(line.change == "new" for line in lines),
        removed=sum(line.change == "removed" for line in lines),
        later=sum((line.forecast_slip or 0) > 0 for line in kept),
        earlier=sum((line.forecast_slip or 0) < 0 for line in kept),
        on_time=sum(line.forecast_slip == 0 for line in kept),
        go_live_baseline=go_live_baseline,
        go_live_forecast=go_live_forecast,
        go_live_slip=go_live_slip,
    )
