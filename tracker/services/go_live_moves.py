"""Moving go-live with the plan: the preview (what moves, and the forecast and float before
and after, worked out in memory: nothing saved) and the move itself, one unit of work that
takes a baseline of the plan as it was, moves go-live and shifts the open milestones.

The rule (how far each date moves) is tracker/domain/go_live_moves.py's."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from sqlalchemy import select

from tracker.domain import permissions
from tracker.domain.go_live_moves import (
    MOVED_FIELDS,
    GoLiveMove,
    MilestoneDates,
    Scope,
    baseline_label,
    check_new_go_live,
    check_scope,
    done_message,
    moved_date_problem,
    plan_move,
)
from tracker.domain.permissions import Viewer
from tracker.domain.terms import MilestoneStatus
from tracker.domain.validation import (
    FieldError,
    check_milestone,
    format_date,
    go_live_window,
    programme_window,
    raise_if,
)
from tracker.domain.working_days import go_live_day_note as day_note
from tracker.extensions import db
from tracker.models import AuditEvent, Baseline, Milestone, Programme
from tracker.scheduling.programme import MilestoneForecast, ProgrammeForecast, forecast_programme
from tracker.services import board, plan
from tracker.services.optimistic_locking import ChangeMade, EditConflict, Seen, changes_since
from tracker.services.plan_edits import ONLY_THE_OFFICE
from tracker.services.schedule import ProgrammeSchedule, calendar_for, date_window
from tracker.services.unit_of_work import allow, on_duplicate, unit_of_work

PLAN_CHANGED = (
    "The plan changed after you opened the preview, so nothing was moved: "
    "check the new dates below and confirm again"
)


@dataclass(frozen=True)
class PlanChangeMade(ChangeMade):
    """A change to the plan made after the preview was opened, with what it was to."""

    what: str = ""


@dataclass
class PlanChanged(EditConflict):
    """Something in the programme changed after the preview was opened (its plan version
    moved on), so the dates shown are not the ones that would move."""

    def __str__(self) -> str:
        return PLAN_CHANGED


@dataclass(frozen=True)
class PreviewRow:
    """One milestone that moves, as the preview shows it."""

    ref: str
    title: str
    old_start: date | None
    new_start: date | None
    old_due: date
    new_due: date
    forecast_before: date | None
    forecast_after: date | None
    float_before: int | None
    float_after: int | None


@dataclass(frozen=True)
class MovePreview:
    move: GoLiveMove
    rows: tuple[PreviewRow, ...]
    baseline_label: str  # the baseline the move takes first
    current_baseline: str | None  # the one slip is measured against, which stays so
    forecast_go_live_before: date | None
    forecast_go_live_after: date | None
    go_live_float_before: int | None
    go_live_float_after: int | None
    plan_version: str  # carried to the confirm, which is refused if the plan changed
    # When the new go-live is not a working day: what the tracker measures to instead.
    go_live_note: str | None = None

    @property
    def staying(self) -> int:
        return len(self.move.complete) + len(self.move.due_earlier)


@dataclass(frozen=True)
class MoveDone:
    message: str  # what the programme office is told
    moved: int
    shift: int
    baseline_label: str


def _milestones(programme: Programme) -> list[Milestone]:
    return list(
        db.session.scalars(
            select(Milestone)
            .where(Milestone.programme_id == programme.id)
            .order_by(Milestone.due_date, Milestone.ref)
        )
    )


def _dates(m: Milestone) -> MilestoneDates:
    return MilestoneDates(
        ref=m.ref,
        planned_start=m.planned_start,
        due_date=m.due_date,
        forecast_date=m.forecast_date,
        complete=m.status == MilestoneStatus.COMPLETE,
    )


def _move(
    programme: Programme, milestones: list[Milestone], new_date: date, only_after: date | None
) -> GoLiveMove:
    return plan_move(
        (_dates(m) for m in milestones),
        old_go_live=programme.go_live_date,
        new_go_live=new_date,
        calendar=calendar_for(programme),
        only_after=only_after,
    )


def _moved_problems(
    programme: Programme, milestones: list[Milestone], move: GoLiveMove
) -> list[FieldError]:
    """The plan's own rules for a milestone edit, over each moved milestone's new dates, in
    the window the programme will have once go-live has moved."""
    window = programme_window(programme.start_date, move.new_go_live)
    by_ref = {m.ref: m for m in milestones}
    problems = []
    for moved in move.moves:
        m = by_ref[moved.ref]
        errors = check_milestone(
            ref=m.ref,
            title=m.title,
            kind=m.kind,
            planned_start=moved.new_start,
            due_date=moved.new_due,
            status=m.status,
            completed_on=m.completed_on,
            blocked_reason=m.blocked_reason,
            forecast_date=moved.new_forecast,
            forecast_reason=m.forecast_reason,
            is_key=m.is_key,
            evidence_text=m.evidence_text,
            evidence_url=m.evidence_url,
            window=window,
        )
        # Only what the move changes: anything else was so before and is not this change's.
        problems += [
            moved_date_problem(m.ref, m.title, e) for e in errors if e.field in MOVED_FIELDS
        ]
    return problems


def move_problems(
    programme: Programme,
    new_date: date | None,
    reason: str | None,
    scope: str | None,
    only_after: date | None,
    *,
    moving: bool = False,
    milestones: list[Milestone] | None = None,
) -> list[FieldError]:
    """What is wrong with moving go-live to `new_date` with the chosen milestones; nothing
    saved. Field names are the go-live form's."""
    errors = check_new_go_live(
        new_date, programme.go_live_date, go_live_window(programme.start_date), reason
    )
    errors += check_scope(scope, only_after, date_window(programme), moving=moving)
    if errors or new_date is None or scope == Scope.NONE:
        return errors
    milestones = milestones if milestones is not None else _milestones(programme)
    after = only_after if scope == Scope.DUE_AFTER else None
    return _moved_problems(programme, milestones, _move(programme, milestones, new_date, after))


def go_live_day_note(programme: Programme, day: date | None = None) -> str | None:
    """ "1 April 2023 is a Saturday: the tracker measures to the last working day before it,
    Friday 31 March 2023." for `day` (the programme's go-live target unless given), or None
    when it is a working day. A legal date may be any day, so it is said, never refused."""
    return day_note(calendar_for(programme), day or programme.go_live_date)


def _plan_version(programme: Programme) -> str:
    # As the database has it now: the programme object may predate the last change.
    return str(
        db.session.scalar(select(Programme.plan_version).where(Programme.id == programme.id)) or ""
    )


def _baseline_labels(programme: Programme) -> set[str]:
    return set(
        db.session.scalars(select(Baseline.label).where(Baseline.programme_id == programme.id))
    )


def _after(
    programme: Programme, move: GoLiveMove, before: ProgrammeForecast, schedule: ProgrammeSchedule
) -> ProgrammeForecast:
    """The scheduling engine over the plan with the moved dates, in memory."""
    shifted = []
    for m in schedule.milestones:
        moved = move.moved(m.ref)
        if moved is not None:
            m = replace(
                m,
                planned_start=moved.new_start,
                due=moved.new_due,
                forecast=moved.new_forecast,
            )
        shifted.append(m)
    baseline = programme.current_baseline
    return forecast_programme(
        shifted,
        schedule.dependencies,
        go_live_ref=before.go_live_ref,
        go_live_target=move.new_go_live,
        today=before.today,
        calendar=schedule.calendar,
        baseline_go_live=baseline.go_live_date if baseline is not None else None,
    )


def _figure(forecast: ProgrammeForecast | None, ref: str) -> MilestoneForecast | None:
    return forecast.milestones.get(ref) if forecast is not None else None


def preview_move(programme: Programme, new_date: date, only_after: date | None) -> MovePreview:
    """What moving go-live to `new_date` would do (only milestones due after `only_after`,
    when given): each milestone that moves, old and new dates, its forecast and float before
    and after, and the go-live forecast before and after. Nothing is saved."""
    milestones = _milestones(programme)
    move = _move(programme, milestones, new_date, only_after)
    schedule = board.schedule_for(programme)
    before = schedule.forecast if schedule is not None else None
    after = _after(programme, move, before, schedule) if schedule and before else None
    titles = {m.ref: m.title for m in milestones}
    rows = []
    for moved in move.moves:
        was, will = _figure(before, moved.ref), _figure(after, moved.ref)
        rows.append(
            PreviewRow(
                ref=moved.ref,
                title=titles[moved.ref],
                old_start=moved.old_start,
                new_start=moved.new_start,
                old_due=moved.old_due,
                new_due=moved.new_due,
                forecast_before=was.forecast_due if was else None,
                forecast_after=will.forecast_due if will else None,
                float_before=was.total_float if was else None,
                float_after=will.total_float if will else None,
            )
        )
    current = programme.current_baseline
    return MovePreview(
        move=move,
        rows=tuple(rows),
        baseline_label=baseline_label(new_date, _baseline_labels(programme)),
        current_baseline=current.label if current is not None else None,
        forecast_go_live_before=before.forecast_go_live if before else None,
        forecast_go_live_after=after.forecast_go_live if after else None,
        go_live_float_before=before.go_live_float if before else None,
        go_live_float_after=after.go_live_float if after else None,
        plan_version=_plan_version(programme),
        go_live_note=day_note(schedule.calendar if schedule else calendar_for(programme), new_date),
    )


def _moment(opened_at: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat(opened_at) if opened_at else None
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def _changes_since(programme: Programme, opened_at: str | None) -> list[ChangeMade]:
    """What changed in the programme since the go-live form was opened: the latest ten."""
    query = select(AuditEvent).where(AuditEvent.programme_id == programme.id)
    since = _moment(opened_at)
    if since is not None:
        query = query.where(AuditEvent.occurred_at > since)
    events = list(db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(10)))
    return [
        PlanChangeMade(
            e.occurred_at, e.actor, e.action, e.field, e.old_value, e.new_value, e.entity_label
        )
        for e in reversed(events)
    ]


@unit_of_work
def move_go_live_with_plan(
    actor: Viewer,
    programme: Programme,
    seen: Seen,
    new_date: date | None,
    reason: str,
    only_after: date | None,
    *,
    today: date,
    plan_version: str,
    scope: str | None = None,
) -> MoveDone:
    """Move go-live and the open milestones (due after `only_after`, when given) by the same
    working days: first a baseline of the plan as it is, named after the move; then the new
    go-live target with its reason; then each milestone's dates, each change audited.

    Refused when go-live was moved after the form was opened, or anything in the plan
    changed after the preview was shown (`plan_version`, the one the preview carried)."""
    allow(permissions.can_edit_plan(actor, programme.id), ONLY_THE_OFFICE)
    moved = [
        c
        for c in changes_since("Programme", programme.id, seen.opened_at)
        if c.field == "go_live_date"
    ]
    if moved:
        raise EditConflict(0, moved)
    if _plan_version(programme) != plan_version:
        raise PlanChanged(0, _changes_since(programme, seen.opened_at))
    scope = scope or (Scope.DUE_AFTER if only_after is not None else Scope.ALL)
    milestones = _milestones(programme)
    raise_if(
        move_problems(
            programme, new_date, reason, scope, only_after, moving=True, milestones=milestones
        ),
        entity="go-live move",
    )
    assert new_date is not None
    move = _move(programme, milestones, new_date, only_after if scope == Scope.DUE_AFTER else None)
    label = baseline_label(new_date, _baseline_labels(programme))
    # The same label taken by someone else between the check and the commit.
    on_duplicate(
        FieldError("", f"Someone else took a baseline called “{label}” just now: try again")
    )
    plan.take_baseline(
        programme,
        label,
        note=(
            f"Taken before go-live moved from {format_date(programme.go_live_date)} "
            f"to {format_date(new_date)}."
        ),
        make_current=False,
        taken_by_id=actor.person_id,
    )
    plan.change_go_live(programme, new_date, reason, today=today, set_by_id=actor.person_id)
    by_ref = {m.ref: m for m in milestones}
    for dates in move.moves:
        m = by_ref[dates.ref]
        m.planned_start = dates.new_start
        m.due_date = dates.new_due
        m.forecast_date = dates.new_forecast
    return MoveDone(
        message=done_message(move, label),
        moved=len(move.moves),
        shift=move.shift,
        baseline_label=label,
    )
