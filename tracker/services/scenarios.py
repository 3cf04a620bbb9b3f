"""What-if scenarios: a member's named, saved list of hypothetical edits to the programme's
plan (tracker/domain/scenarios.py), its comparison with the plan, and applying it for real.

A scenario never touches the plan: its own changes are audited, but do not move the
programme's plan version (tracker/audit.py NOT_THE_PLAN). It keeps the plan version it was
made on and a compact snapshot of the plan then (`based_on`), so that it can say what
changed since (`rebase_check`) and refuse to be applied until rebased. Applying one is the
programme office's change to the plan: a baseline first, then each edit made through the
plan's own services, in this one unit of work, so the audit trail records every change.
Decisions: docs/scenarios.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from flask import abort
from sqlalchemy import select

from tracker.domain import permissions
from tracker.domain import scenarios as domain
from tracker.domain.forecast_effect import Plan
from tracker.domain.permissions import Viewer
from tracker.domain.scenarios import Comparison, Edit, ScenarioError
from tracker.domain.text import strip_bidi
from tracker.domain.validation import (
    FieldError,
    ValidationError,
    check_dependency,
    check_text,
    check_title,
    raise_if,
)
from tracker.extensions import db
from tracker.models import Dependency, Milestone, Programme, Scenario, Workstream
from tracker.scheduling import PlannedDependency, PlannedMilestone, ScheduleError
from tracker.services import board, plan_edits, progress
from tracker.services.forecast_effect import plan_of
from tracker.services.optimistic_locking import Seen, check_current, opened_now
from tracker.services.plan import MilestonePlan
from tracker.services.schedule import ProgrammeSchedule, date_window, programme_schedule
from tracker.services.unit_of_work import allow, on_duplicate, unit_of_work

NAME_LIMIT = 120  # the column's length
ONLY_YOURS = "Only the member who made a scenario changes it."
ONLY_MEMBERS = "Only members of the programme make scenarios."
ONLY_ADMINS = "Only the programme's admins apply a scenario to the plan."
NO_PLAN = "This programme has no milestones yet, so there is no plan for a scenario to change."
ENTITY = "scenario"

# The order of a milestone's and a link's values in the snapshot (kept in the JSON too, so
# the snapshot says what it holds).
MILESTONE_FIELDS = ("ref", "kind", "planned_start", "due", "status", "completed_on", "forecast")
LINK_FIELDS = ("predecessor", "successor", "type", "lag")


# --- the plan a scenario is made on ------------------------------------------------------------


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


def _day(text: object) -> date | None:
    return date.fromisoformat(text) if isinstance(text, str) else None


def snapshot(plan: Plan) -> dict[str, Any]:
    """The plan as `based_on` keeps it: what the edits may refer to, as compact JSON (a list
    of values per milestone and link, in the order MILESTONE_FIELDS and LINK_FIELDS name)."""
    return {
        "go_live_target": plan.go_live_target.isoformat(),
        "milestone_fields": list(MILESTONE_FIELDS),
        "milestones": [
            [
                m.ref,
                m.kind,
                _iso(m.planned_start),
                m.due.isoformat(),
                m.status,
                _iso(m.completed_on),
                _iso(m.forecast),
            ]
            for m in plan.milestones
        ],
        "link_fields": list(LINK_FIELDS),
        "links": [[d.predecessor, d.successor, d.type, d.lag] for d in plan.dependencies],
    }


def plan_from_snapshot(based_on: dict[str, Any], like: Plan) -> Plan:
    """The plan a scenario was made on, from its snapshot, with `like`'s calendar and go-live
    milestone (what rebase_check compares: dates, status, forecasts, links, the target)."""
    milestones = []
    for ref, kind, start, due, status, completed_on, forecast in based_on.get("milestones", []):
        due_day = _day(due)
        assert due_day is not None
        milestones.append(
            PlannedMilestone(
                ref=ref,
                title="",
                workstream="",
                owner="",
                kind=kind,
                planned_start=_day(start),
                due=due_day,
                status=status,
                completed_on=_day(completed_on),
                forecast=_day(forecast),
            )
        )
    links = [PlannedDependency(p, s, t, lag) for p, s, t, lag in based_on.get("links", [])]
    target = _day(based_on.get("go_live_target")) or like.go_live_target
    return replace(
        like,
        milestones=tuple(milestones),
        dependencies=tuple(links),
        go_live_target=target,
    )


def _fresh_plan_version(programme: Programme) -> str:
    """The plan version as the database has it at this moment (not the request's first read:
    a change is checked against what is there now)."""
    version = db.session.scalar(select(Programme.plan_version).where(Programme.id == programme.id))
    return str(version or "")


def _fresh_schedule(programme: Programme) -> ProgrammeSchedule:
    """The schedule as the plan is now, for a change (the pages' cached one may be older)."""
    schedule = programme_schedule(programme)
    if schedule is None:
        raise ValidationError([FieldError("", NO_PLAN)], entity=ENTITY)
    return schedule


def _invalid(refused: ScenarioError | ScheduleError, field: str | None = None) -> ValidationError:
    """A domain refusal as the write path's ValidationError, by the edit's field."""
    if isinstance(refused, ScenarioError):
        return ValidationError(
            [FieldError(field if field is not None else (refused.field or ""), str(refused))],
            entity=ENTITY,
        )
    return ValidationError([FieldError("", f"The plan cannot be scheduled: {refused}")], ENTITY)


def _edits(scenario: Scenario) -> tuple[Edit, ...]:
    return domain.edits_from_json(list(scenario.edits or []))


def _workstream_problems(programme: Programme, edits: list[Edit]) -> list[tuple[int, str]]:
    """(position, problem) for each new milestone whose workstream is not one of the
    programme's own (a retired one has left new milestones' choices, as on the plan)."""
    new = [(n, e) for n, e in enumerate(edits, start=1) if isinstance(e, domain.AddMilestone)]
    if not new:
        return []
    codes = sorted(
        db.session.scalars(
            select(Workstream.code).where(
                Workstream.programme_id == programme.id, Workstream.retired_on.is_(None)
            )
        )
    )
    return [
        (n, f"{e.workstream} is not one of the programme's workstreams ({', '.join(codes)})")
        for n, e in new
        if e.workstream not in codes
    ]


def _checked(
    plan: Plan, schedule: ProgrammeSchedule, programme: Programme, edits: list[Edit]
) -> None:
    """Raise ValidationError unless the edits apply to the plan, in order."""
    unknown = _workstream_problems(programme, edits)
    if unknown:
        position, problem = unknown[0]
        raise _invalid(ScenarioError(problem, position, "workstream"), "")
    try:
        domain.apply(plan, edits, window=date_window(programme), before=schedule.forecast)
    except (ScenarioError, ScheduleError) as refused:
        raise _invalid(refused) from None


# --- reads ---------------------------------------------------------------------------------------


def scenarios_for(actor: Viewer, programme: Programme) -> list[Scenario]:
    """The scenarios this member may see: their own, then those others shared, by name."""
    if not actor.sees(programme.id):
        return []
    found = db.session.scalars(
        select(Scenario)
        .where(
            Scenario.programme_id == programme.id,
            (Scenario.owner_id == actor.person_id) | Scenario.shared.is_(True),
        )
        .order_by(Scenario.name, Scenario.id)
    )
    rows = list(found)
    return sorted(rows, key=lambda s: (s.owner_id != actor.person_id, s.name.lower(), s.id))


def scenario_or_none(
    actor: Viewer, programme: Programme, scenario_id: int | None
) -> Scenario | None:
    """The scenario, when it is this programme's and the member may see it."""
    if scenario_id is None or not 0 < scenario_id < 2**31:  # ids are 32-bit INTEGERs
        return None
    found = db.session.get(Scenario, scenario_id)
    if found is None or found.programme_id != programme.id:
        return None
    if not permissions.can_see_scenario(actor, programme.id, found.owner_id, found.shared):
        return None
    return found


def scenario_or_404(actor: Viewer, programme: Programme, scenario_id: int | None) -> Scenario:
    """The scenario, or 404: one someone else keeps private is answered as a missing one."""
    found = scenario_or_none(actor, programme, scenario_id)
    if found is None:
        abort(404, description="There is no such scenario in this programme.")
    return found


def scenario_by_name(actor: Viewer, programme: Programme, name: str) -> Scenario:
    """The scenario of this name the member may see: their own first, then a shared one.
    Raises ScenarioError naming the scenarios there are when there is none."""
    wanted = (name or "").strip().lower()
    seen = scenarios_for(actor, programme)
    for s in seen:
        if s.name.lower() == wanted:
            return s
    names = ", ".join(s.name for s in seen) or "none"
    raise ScenarioError(f"There is no scenario called '{name}' (the scenarios are: {names})")


def scenario_plan(programme: Programme, scenario: Scenario) -> Plan:
    """The programme's plan as the pages have it, with the scenario's edits made. Raises
    ScenarioError when they no longer apply (naming the edit), or when there is no plan."""
    schedule = board.schedule_for(programme)
    if schedule is None:
        raise ScenarioError(NO_PLAN)
    return domain.apply(
        plan_of(programme, schedule),
        _edits(scenario),
        window=date_window(programme),
        before=schedule.forecast,
    )


def edits_of(scenario: Scenario) -> tuple[Edit, ...]:
    """The scenario's edits, in order (each has `summary`, the edit in words)."""
    return _edits(scenario)


def comparison(programme: Programme, scenario: Scenario) -> Comparison:
    """What the scenario does to the plan as it is now. Raises ScenarioError when its edits
    no longer apply, or there is no plan."""
    schedule = board.schedule_for(programme)
    if schedule is None:
        raise ScenarioError(NO_PLAN)
    return domain.what_if(
        plan_of(programme, schedule),
        _edits(scenario),
        before=schedule.forecast,
        window=date_window(programme),
    )


@dataclass(frozen=True)
class SideBySide:
    """Two scenarios and the plan: each one's comparison with the plan, and the milestones
    whose forecast differs between the two (refs, most moved first)."""

    a: Comparison
    b: Comparison
    between: Comparison  # a's forecast (before) against b's (after)


def side_by_side(programme: Programme, a: Scenario, b: Scenario) -> SideBySide:
    """The plan, `a` and `b`. Raises ScenarioError when either no longer applies."""
    schedule = board.schedule_for(programme)
    if schedule is None:
        raise ScenarioError(NO_PLAN)
    first, second = comparison(programme, a), comparison(programme, b)
    between = domain.compare_forecasts(
        first.after, second.after, schedule.calendar, subject=f"From {a.name} to {b.name},"
    )
    return SideBySide(first, second, between)


def quick_question(programme: Programme, ref: str, days: int) -> Comparison:
    """ "If this slips N working days": go-live before and after, what else moves, and the
    milestone's own float. Raises ScenarioError for a slip that cannot be made."""
    schedule = board.schedule_for(programme)
    if schedule is None:
        raise ScenarioError(NO_PLAN)
    return domain.quick_slip(
        plan_of(programme, schedule),
        (ref or "").strip().upper(),
        days,
        before=schedule.forecast,
        window=date_window(programme),
    )


def what_changed(programme: Programme, scenario: Scenario) -> list[str]:
    """What changed in the plan since the scenario was made that its edits touch, one
    sentence each; empty when nothing did (or the plan has not changed at all)."""
    if board.plan_version(programme) == scenario.based_on_version:
        return []
    schedule = board.schedule_for(programme)
    if schedule is None:
        return [NO_PLAN]
    now = plan_of(programme, schedule)
    try:
        edits = _edits(scenario)
    except ScenarioError as refused:
        return [f"{refused}."]
    return domain.rebase_check(
        edits, plan_from_snapshot(scenario.based_on, now), now, window=date_window(programme)
    )


def plan_changed_since(programme: Programme, scenario: Scenario) -> bool:
    """Whether the plan has moved on (its version) since the scenario was made or rebased."""
    return board.plan_version(programme) != scenario.based_on_version


# --- changes -------------------------------------------------------------------------------------


def _name_problems(
    actor: Viewer, programme: Programme, name: str, scenario: Scenario | None = None
) -> list[FieldError]:
    name = strip_bidi(name or "").strip()
    if not name:
        return [FieldError("name", "Enter a name for the scenario, like 'TUPE slips 3 weeks'")]
    errors = check_title("name", name, "name", limit=NAME_LIMIT)
    if errors:
        return errors
    taken = db.session.scalar(
        select(Scenario.id).where(
            Scenario.programme_id == programme.id,
            Scenario.owner_id == actor.person_id,
            Scenario.name == name,
        )
    )
    if taken is not None and (scenario is None or taken != scenario.id):
        return [FieldError("name", f"You already have a scenario called “{name}”: choose another")]
    return []


@unit_of_work
def create_scenario(
    actor: Viewer,
    programme: Programme,
    name: str,
    description: str = "",
    edits: tuple[Edit, ...] | list[Edit] = (),
) -> Scenario:
    """A new private scenario on the plan as it is now, with these edits (checked in order)."""
    allow(permissions.can_make_scenario(actor, programme.id), ONLY_MEMBERS)
    assert actor.person_id is not None  # can_make_scenario says so
    name = strip_bidi(name or "").strip()
    description = strip_bidi(description or "").strip()
    raise_if(
        _name_problems(actor, programme, name) + check_text("description", description),
        entity=ENTITY,
    )
    schedule = _fresh_schedule(programme)
    plan = plan_of(programme, schedule)
    _checked(plan, schedule, programme, list(edits))
    on_duplicate(FieldError("name", f"You already have a scenario called “{name}”: choose another"))
    scenario = Scenario(
        programme_id=programme.id,
        owner_id=actor.person_id,
        name=name,
        description=description,
        shared=False,
        edits=domain.edits_to_json(edits),
        based_on_version=_fresh_plan_version(programme),
        based_on=snapshot(plan),
    )
    db.session.add(scenario)
    db.session.flush()
    return scenario


def _may_change(actor: Viewer, scenario: Scenario, seen: Seen) -> None:
    allow(
        permissions.can_change_scenario(actor, scenario.programme_id, scenario.owner_id),
        ONLY_YOURS,
    )
    check_current(scenario, seen)


@unit_of_work
def rename(actor: Viewer, scenario: Scenario, seen: Seen, name: str, description: str) -> Scenario:
    """A new name and description."""
    _may_change(actor, scenario, seen)
    name = strip_bidi(name or "").strip()
    description = strip_bidi(description or "").strip()
    raise_if(
        _name_problems(actor, scenario.programme, name, scenario)
        + check_text("description", description),
        entity=ENTITY,
    )
    on_duplicate(FieldError("name", f"You already have a scenario called “{name}”: choose another"))
    scenario.name = name
    scenario.description = description
    return scenario


describe = rename  # the same form changes both


@unit_of_work
def add_edit(actor: Viewer, scenario: Scenario, seen: Seen, edit: Edit) -> Scenario:
    """The edit at the end of the list, refused (by its field) unless every edit, this one
    last, applies to the plan as it is now."""
    _may_change(actor, scenario, seen)
    programme = scenario.programme
    schedule = _fresh_schedule(programme)
    edits = [*_edits(scenario), edit]
    # The new edit's problems by its fields, every one the app can see at once; those of
    # the edits before it (a workstream retired since) above the form.
    own: list[FieldError] = []
    for position, problem in _workstream_problems(programme, edits):
        if position == len(edits):
            own.append(FieldError("workstream", problem))
        else:
            raise _invalid(ScenarioError(problem, position, "workstream"), "")
    if isinstance(edit, domain.SetDates) and not isinstance(edit.due, date):
        raise ValidationError([*own, FieldError("due", "Enter the new due date")], ENTITY)
    try:
        domain.apply(
            plan_of(programme, schedule),
            edits,
            window=date_window(programme),
            before=schedule.forecast,
        )
    except ScenarioError as refused:
        if refused.position == len(edits):  # the new edit's own problem, by its field
            raise ValidationError(
                [*own, FieldError(refused.field or "", refused.problem)], entity=ENTITY
            ) from None
        raise _invalid(refused, "") from None
    except ScheduleError as refused:
        raise _invalid(refused) from None
    raise_if(own, entity=ENTITY)
    scenario.edits = domain.edits_to_json(edits)  # a new list: the JSON column sees assignment
    return scenario


@unit_of_work
def remove_edit(actor: Viewer, scenario: Scenario, seen: Seen, position: int | None) -> Edit:
    """Take the edit at `position` (from 1) off the list; returns it."""
    _may_change(actor, scenario, seen)
    items = list(scenario.edits or [])
    if position is None or not 1 <= position <= len(items):
        raise ValidationError(
            [FieldError("position", f"There is no edit {position} in this scenario")], ENTITY
        )
    removed = domain.edit_from_json(items[position - 1], position)
    scenario.edits = items[: position - 1] + items[position:]
    return removed


@unit_of_work
def share(actor: Viewer, scenario: Scenario, seen: Seen, shared: bool) -> Scenario:
    """Shared: every member of the programme may read it (only its maker changes it)."""
    _may_change(actor, scenario, seen)
    scenario.shared = bool(shared)
    return scenario


@unit_of_work
def delete_scenario(actor: Viewer, scenario: Scenario, seen: Seen) -> None:
    _may_change(actor, scenario, seen)
    db.session.delete(scenario)


@unit_of_work
def rebase(actor: Viewer, scenario: Scenario, seen: Seen) -> Scenario:
    """Make the scenario again on the plan as it is now: a new snapshot and version. Refused
    when its edits no longer apply (remove or change those first)."""
    _may_change(actor, scenario, seen)
    programme = scenario.programme
    schedule = _fresh_schedule(programme)
    plan = plan_of(programme, schedule)
    _checked(plan, schedule, programme, list(_edits(scenario)))
    scenario.based_on_version = _fresh_plan_version(programme)
    scenario.based_on = snapshot(plan)
    return scenario


# --- applying a scenario to the plan -------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    """What applying a scenario did: the baseline taken first and the edits made, in words."""

    baseline_label: str
    made: tuple[str, ...]


def _milestone(programme: Programme, ref: str) -> Milestone:
    found = db.session.scalar(
        select(Milestone).where(Milestone.programme_id == programme.id, Milestone.ref == ref)
    )
    if found is None:  # apply() found it in the plan a moment ago
        raise ValidationError([FieldError("", f"{ref} is not in the plan")], ENTITY)
    return found


def _links(programme: Programme, predecessor: str, successor: str) -> list[Dependency]:
    pred, succ = _milestone(programme, predecessor), _milestone(programme, successor)
    return list(
        db.session.scalars(
            select(Dependency)
            .where(Dependency.predecessor_id == pred.id, Dependency.successor_id == succ.id)
            .order_by(Dependency.id)
        )
    )


def _milestone_plan(m: Milestone, planned_start: date | None, due: date) -> MilestonePlan:
    return MilestonePlan(
        title=m.title,
        description=m.description or "",
        workstream_id=m.workstream_id,
        owner_id=m.owner_id,
        kind=m.kind,
        planned_start=planned_start,
        due_date=due,
        is_key=m.is_key,
    )


def _make(actor: Viewer, programme: Programme, edit: Edit, reason: str, today: date) -> None:
    """One resolved edit made to the real plan through the plan's own services."""
    if isinstance(edit, domain.SetForecast):
        m = _milestone(programme, edit.ref)
        if edit.forecast is None:
            progress.clear_forecast(actor, m, Seen(m.version))
        else:
            progress.set_forecast(
                actor, m, Seen(m.version), forecast_date=edit.forecast, reason=reason, today=today
            )
    elif isinstance(edit, domain.SetDates):
        m = _milestone(programme, edit.ref)
        plan_edits.edit_milestone(
            actor, m, Seen(m.version), _milestone_plan(m, edit.planned_start, edit.due)
        )
    elif isinstance(edit, domain.SetLag):
        links = _links(programme, edit.predecessor, edit.successor)
        found = next(d for d in links if d.type == edit.type)
        raise_if(
            check_dependency(
                predecessor=edit.predecessor,
                successor=edit.successor,
                type=found.type,
                lag_days=edit.lag,
            ),
            entity="dependency",
        )
        found.lag_days = edit.lag  # audited as the link's change, as an import's is
    elif isinstance(edit, domain.AddLink):
        plan_edits.link(
            actor,
            _milestone(programme, edit.predecessor),
            _milestone(programme, edit.successor),
            edit.type,
            edit.lag,
        )
    elif isinstance(edit, domain.RemoveLink):
        for d in _links(programme, edit.predecessor, edit.successor):
            if edit.type is None or d.type == edit.type:
                plan_edits.unlink(actor, d)
    elif isinstance(edit, domain.AddMilestone):
        workstream_id = db.session.scalar(
            select(Workstream.id).where(
                Workstream.programme_id == programme.id, Workstream.code == edit.workstream
            )
        )
        made = plan_edits.add_milestone(
            actor,
            programme,
            edit.ref,
            MilestonePlan(
                title=edit.title,
                description="",
                workstream_id=workstream_id,
                owner_id=actor.person_id,  # the programme office, until it names an owner
                kind=edit.kind,
                planned_start=edit.planned_start,
                due_date=edit.due,
                is_key=False,
            ),
        )
        for into in edit.predecessors:
            plan_edits.link(actor, _milestone(programme, into.ref), made, into.type, into.lag)
        for out in edit.successors:
            plan_edits.link(actor, made, _milestone(programme, out.ref), out.type, out.lag)
    elif isinstance(edit, domain.SetGoLiveTarget):
        if edit.target != programme.go_live_date:
            plan_edits.move_go_live(
                actor,
                programme,
                Seen(None, opened_now(), required=False),
                edit.target,
                reason,
                today=today,
            )
    else:  # resolve() gives only the kinds above
        raise ValidationError([FieldError("", f"{edit.summary} cannot be made to the plan")])


@unit_of_work
def apply_to_plan(
    actor: Viewer, scenario: Scenario, seen: Seen, baseline_label: str, *, today: date
) -> Applied:
    """Make the scenario's edits to the plan itself (a programme admin): a baseline of the
    plan as it is first (kept, not made the one slip is measured against), then each edit
    through the plan's services, all or nothing. Refused, saying what changed, when the plan
    has changed since the scenario was made or last rebased."""
    programme = scenario.programme
    allow(permissions.can_apply_scenario(actor, programme.id), ONLY_ADMINS)
    allow(
        permissions.can_see_scenario(actor, programme.id, scenario.owner_id, scenario.shared),
        ONLY_YOURS,
    )
    check_current(scenario, seen)
    schedule = _fresh_schedule(programme)
    plan = plan_of(programme, schedule)
    edits = _edits(scenario)
    if _fresh_plan_version(programme) != scenario.based_on_version:
        changed = domain.rebase_check(
            edits, plan_from_snapshot(scenario.based_on, plan), plan, window=date_window(programme)
        )
        said = " ".join(changed) or "Nothing its edits touch, but the plan moved on elsewhere."
        raise ValidationError(
            [
                FieldError(
                    "",
                    "The plan has changed since this scenario was made: rebase it first, to "
                    f"check its edits on the plan as it is now. {said}",
                )
            ],
            entity=ENTITY,
        )
    if not edits:
        raise ValidationError([FieldError("", "This scenario has no edits to apply")], ENTITY)
    try:
        resolved = domain.resolve(
            plan, edits, window=date_window(programme), before=schedule.forecast
        )
    except (ScenarioError, ScheduleError) as refused:
        raise _invalid(refused) from None
    label = strip_bidi(baseline_label or "").strip()
    baseline = plan_edits.take_baseline(
        actor,
        programme,
        label,
        note=f"Taken before applying the scenario “{scenario.name}”.",
        make_current=False,
    )
    reason = f"Scenario “{scenario.name}”"
    for position, edit in enumerate(resolved, start=1):
        try:
            _make(actor, programme, edit, reason, today)
        except ValidationError as refused:  # the plan's own rules, said of the edit
            raise ValidationError(
                [
                    FieldError("", f"Edit {position} ({edit.summary}): {e.message}")
                    for e in refused.errors
                ],
                entity=ENTITY,
            ) from refused
    db.session.flush()
    return Applied(baseline.label, tuple(e.summary for e in edits))


# --- the Gantt chart's overlay ---------------------------------------------------------------


@dataclass(frozen=True)
class Overlay:
    """A scenario drawn on the Gantt chart: its schedule as the bars, the plan's forecast
    dates as the ghost bars; `problem` says why it cannot be drawn (its edits no longer
    apply), and then `schedule` is the plan's own."""

    scenario: Scenario
    schedule: ProgrammeSchedule
    ghosts: dict[str, tuple[date | None, date]]
    problem: str | None = None

    @property
    def key(self) -> tuple[int, int]:
        """What a cached chart of it depends on beside the plan: the scenario's version."""
        return (self.scenario.id, self.scenario.version)


def gantt_overlay(actor: Viewer, programme: Programme, scenario_id: int | None) -> Overlay | None:
    """The scenario (404 unless the member may see it) on the plan's schedule; None when
    there is no schedule to draw."""
    scenario = scenario_or_404(actor, programme, scenario_id)
    schedule = board.schedule_for(programme)
    if schedule is None:
        return None
    try:
        plan = scenario_plan(programme, scenario)
        after = plan.forecast()
    except (ScenarioError, ScheduleError) as refused:
        return Overlay(scenario, schedule, {}, str(refused))
    ghosts: dict[str, tuple[date | None, date]] = {
        ref: (f.forecast_start, f.forecast_due) for ref, f in schedule.forecast.milestones.items()
    }
    drawn = replace(
        schedule,
        forecast=after,
        milestones=list(plan.milestones),
        dependencies=list(plan.dependencies),
    )
    return Overlay(scenario, drawn, ghosts)
