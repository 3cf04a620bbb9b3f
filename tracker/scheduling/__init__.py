"""Scheduling domain layer: CPM engine, working-day calendar, programme forecast.

Pure Python (stdlib and ``holidays``; numpy in ``risk_analysis``, imported on its own so that
the rest does not load it): plain dataclasses in, plain dataclasses out.
Nothing here imports Flask, SQLAlchemy or the rest of ``tracker``. See docs/scheduling.md.
"""

from .calendar import REGIONS, WorkingCalendar
from .delay import PlanNetwork, go_live_if_delayed
from .engine import (
    LINK_TYPES,
    Activity,
    CycleError,
    Driver,
    Link,
    Schedule,
    ScheduledActivity,
    ScheduleError,
    schedule,
)
from .programme import (
    AMBER,
    AT_RISK,
    BLUE,
    GREEN,
    OFF_TRACK,
    ON_TRACK,
    RED,
    MilestoneForecast,
    PlannedDependency,
    PlannedMilestone,
    ProgrammeForecast,
    ScheduleRules,
    WhyStep,
    forecast_go_live,
    forecast_programme,
    long_date,
)

__all__ = [
    "AMBER",
    "AT_RISK",
    "BLUE",
    "GREEN",
    "LINK_TYPES",
    "OFF_TRACK",
    "ON_TRACK",
    "RED",
    "REGIONS",
    "Activity",
    "CycleError",
    "Driver",
    "Link",
    "MilestoneForecast",
    "PlannedDependency",
    "PlannedMilestone",
    "ProgrammeForecast",
    "Schedule",
    "ScheduleError",
    "ScheduleRules",
    "ScheduledActivity",
    "WhyStep",
    "WorkingCalendar",
    "forecast_go_live",
    "go_live_if_delayed",
    "PlanNetwork",
    "forecast_programme",
    "long_date",
    "schedule",
]
