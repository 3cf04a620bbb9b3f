"""A programme's administration: its details and its closure days.

Each change is one unit of work (services/unit_of_work.py) a programme admin makes: it checks
they administer the programme, what they saw, the rules (tracker/domain/programme_settings.py),
then changes the session; the audit trail records it and gives the programme a new plan
version, so schedules worked out on the old calendar are worked out again. The programme has
no version column: a stale details form is caught from the audit trail.
"""

from __future__ import annotations

from datetime import date

from flask import abort
from sqlalchemy import func, select, union_all

from tracker.domain import permissions
from tracker.domain.permissions import Viewer
from tracker.domain.programme_settings import (
    Closure,
    ProgrammeDetails,
    check_closure,
    check_details,
    clean_text,
)
from tracker.domain.validation import FieldError, raise_if
from tracker.extensions import db
from tracker.models import CalendarClosure, Milestone, Programme
from tracker.services.optimistic_locking import EditConflict, Seen, changes_since
from tracker.services.schedule import date_window
from tracker.services.unit_of_work import allow, on_duplicate, unit_of_work

ONLY_ITS_ADMINS = "Only the programme's admins change its settings."
# The columns the details form sets: a change to any other (go-live, the baseline) made
# meanwhile is no conflict with it.
DETAILS_FIELDS = (
    "name",
    "from_organisation",
    "to_organisation",
    "start_date",
    "calendar_region",
    "protective_marking",
)
CLOSED_MEANWHILE = FieldError(
    "closed_on", "Someone else added a closure on that day at the same moment"
)


def closures(programme: Programme) -> list[CalendarClosure]:
    """The programme's closure days, earliest first."""
    return list(
        db.session.scalars(
            select(CalendarClosure)
            .where(CalendarClosure.programme_id == programme.id)
            .order_by(CalendarClosure.closed_on)
        )
    )


def closure_or_404(programme: Programme, closure_id: int) -> CalendarClosure:
    found = db.session.get(CalendarClosure, closure_id)
    if found is None or found.programme_id != programme.id:
        abort(404, description="There is no such closure day in this programme.")
    return found


def earliest_plan_date(programme: Programme) -> date | None:
    """The earliest date the plan holds: a milestone's start or due date, or a closure."""
    dates = union_all(
        select(func.min(Milestone.planned_start).label("d")).where(
            Milestone.programme_id == programme.id
        ),
        select(func.min(Milestone.due_date).label("d")).where(
            Milestone.programme_id == programme.id
        ),
        select(func.min(CalendarClosure.closed_on).label("d")).where(
            CalendarClosure.programme_id == programme.id
        ),
    ).subquery()
    found: date | None = db.session.scalar(select(func.min(dates.c.d)))
    return found


def details_problems(programme: Programme, details: ProgrammeDetails) -> list[FieldError]:
    return check_details(details, programme.go_live_date, earliest_plan_date(programme))


@unit_of_work
def update_details(
    actor: Viewer, programme: Programme, seen: Seen, details: ProgrammeDetails
) -> None:
    """Change the programme's name, organisations, start and calendar region, unless someone
    else changed one of them after the form was opened."""
    allow(permissions.can_administer_programme(actor, programme.id), ONLY_ITS_ADMINS)
    meanwhile = [
        c
        for c in changes_since("Programme", programme.id, seen.opened_at)
        if c.field in DETAILS_FIELDS
    ]
    if meanwhile:
        raise EditConflict(0, meanwhile)
    raise_if(details_problems(programme, details), entity="programme")
    assert details.start_date is not None  # checked above
    programme.name = details.name
    programme.from_organisation = details.from_organisation
    programme.to_organisation = details.to_organisation
    programme.start_date = details.start_date
    programme.calendar_region = details.calendar_region
    if details.protective_marking is not None:
        programme.protective_marking = details.protective_marking


def closure_problems(
    programme: Programme, closed_on: date | None, reason: str | None
) -> list[FieldError]:
    return check_closure(
        closed_on,
        reason,
        region=programme.calendar_region,
        window=date_window(programme),
        existing=[Closure(c.closed_on, c.reason) for c in closures(programme)],
    )


@unit_of_work
def add_closure(
    actor: Viewer, programme: Programme, closed_on: date | None, reason: str | None
) -> CalendarClosure:
    """A day the programme's office is closed that would otherwise be a working day (a
    Christmas shutdown): every date from then on is laid on the calendar without it."""
    allow(permissions.can_administer_programme(actor, programme.id), ONLY_ITS_ADMINS)
    on_duplicate(CLOSED_MEANWHILE)
    raise_if(closure_problems(programme, closed_on, reason), entity="closure")
    assert closed_on is not None
    closure = CalendarClosure(
        programme_id=programme.id, closed_on=closed_on, reason=clean_text(reason)
    )
    db.session.add(closure)
    db.session.flush()
    return closure


@unit_of_work
def remove_closure(actor: Viewer, programme: Programme, closure: CalendarClosure) -> None:
    """The day is a working day again."""
    allow(
        permissions.can_administer_programme(actor, programme.id)
        and closure.programme_id == programme.id,
        ONLY_ITS_ADMINS,
    )
    db.session.delete(closure)
