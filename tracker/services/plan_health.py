"""A programme's plan health: its report (tracker/domain/plan_health.py) on the schedule the
other pages share (services/board.py, no further queries), and changing its thresholds.

The thresholds live on the programme (Programme.health_thresholds): only those that differ
from the DCMA defaults are stored, so an empty dict means every default. A change is one unit
of work a programme admin makes; the audit trail records it, and the programme's new plan
version means the dashboard's summary is worked out again.
"""

from __future__ import annotations

from collections.abc import Mapping

from tracker.domain import permissions
from tracker.domain.permissions import Viewer
from tracker.domain.plan_health import HealthReport, HealthThresholds, assess, check_thresholds
from tracker.domain.validation import raise_if
from tracker.models import Programme
from tracker.services import board
from tracker.services.optimistic_locking import EditConflict, Seen, changes_since
from tracker.services.schedule import ProgrammeSchedule
from tracker.services.unit_of_work import allow, unit_of_work

ONLY_ITS_ADMINS = "Only the programme's admins change its plan health thresholds."
FIELD = "health_thresholds"


def thresholds_of(programme: Programme) -> HealthThresholds:
    """The programme's thresholds: what it stores, the DCMA default for everything else."""
    return HealthThresholds.from_values(programme.health_thresholds)


def report_for(
    programme: Programme, schedule: ProgrammeSchedule | None = None
) -> HealthReport | None:
    """The plan health report on the programme's schedule as the pages have it today (or on
    `schedule`, such as the digest's for its week); None when it has no milestones yet."""
    schedule = schedule or board.schedule_for(programme)
    if schedule is None:
        return None
    forecast = schedule.forecast
    return assess(
        schedule.milestones,
        schedule.dependencies,
        forecast,
        schedule.calendar,
        forecast.today,
        forecast.go_live_target,
        thresholds_of(programme),
        programme_start=programme.start_date,
    )


@unit_of_work
def change_thresholds(
    actor: Viewer, programme: Programme, seen: Seen, values: Mapping[str, object]
) -> HealthThresholds:
    """Set the programme's thresholds, by key: one left out or None takes the DCMA default, so
    `{}` resets them all. Refused when someone else changed them after the form was opened
    (the programme has no version column: the audit trail says, as for its settings)."""
    allow(permissions.can_administer_programme(actor, programme.id), ONLY_ITS_ADMINS)
    # Without the moment the form was opened, and none required (the CLI), nothing to compare.
    if seen.opened_at or seen.required:
        changes = changes_since("Programme", programme.id, seen.opened_at)
        meanwhile = [c for c in changes if c.field == FIELD]
        if meanwhile:
            raise EditConflict(0, meanwhile)
    raise_if(check_thresholds(values), entity="plan health thresholds")
    thresholds = HealthThresholds.from_values(values)
    # A new dict, never the stored one changed in place: the JSON column sees only assignment.
    programme.health_thresholds = thresholds.changed()
    return thresholds
