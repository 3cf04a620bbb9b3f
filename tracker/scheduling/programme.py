"""Programme-level forecast: turns a stored plan into the board's answers.

Plain data in (``PlannedMilestone``, ``PlannedDependency``), plain data out
(``ProgrammeForecast``). Dates become working-day offsets through a ``WorkingCalendar``,
the CPM engine does the arithmetic, and this module adds forecasts, RAG, the driving path
and a plain-English "why". Rules and worked examples: docs/scheduling.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from .calendar import WorkingCalendar
from .collector import collector_paused
from .columns import from_columns
from .delay import PlanNetwork
from .engine import Activity, Link, Schedule, ScheduleError, schedule
from .explain import Explainer, forecast_dates, rag_for, workstream_rags
from .programme_data import (
    AMBER,
    AT_RISK,
    BLUE,
    GREEN,
    KINDS,
    OFF_TRACK,
    ON_TRACK,
    RAG_ORDER,
    RED,
    STATUSES,
    MilestoneForecast,
    PlannedDependency,
    PlannedMilestone,
    ProgrammeForecast,
    ScheduleRules,
    Translated,
    WhyStep,
    long_date,
)

__all__ = [
    "AMBER",
    "AT_RISK",
    "BLUE",
    "GREEN",
    "OFF_TRACK",
    "ON_TRACK",
    "RAG_ORDER",
    "RED",
    "MilestoneForecast",
    "PlannedDependency",
    "PlannedMilestone",
    "ProgrammeForecast",
    "ScheduleRules",
    "WhyStep",
    "forecast_go_live",
    "forecast_programme",
    "long_date",
]


def forecast_programme(
    milestones: Iterable[PlannedMilestone],
    dependencies: Iterable[PlannedDependency],
    *,
    go_live_ref: str,
    go_live_target: date,
    today: date,
    calendar: WorkingCalendar,
    baseline_go_live: date | None = None,
    rules: ScheduleRules = ScheduleRules(),  # noqa: B008  # frozen, so sharing is safe
) -> ProgrammeForecast:
    """Forecast every milestone and go-live; raises ScheduleError (with refs) on a bad plan."""
    with collector_paused():
        return _forecast(
            milestones,
            dependencies,
            go_live_ref,
            go_live_target,
            today,
            calendar,
            baseline_go_live,
            rules,
        )


def _forecast(
    milestones: Iterable[PlannedMilestone],
    dependencies: Iterable[PlannedDependency],
    go_live_ref: str,
    go_live_target: date,
    today: date,
    cal: WorkingCalendar,
    baseline_go_live: date | None,
    rules: ScheduleRules,
) -> ProgrammeForecast:
    plans, shift, acts, links, full = _plan_pass(milestones, dependencies, go_live_ref, today, cal)
    target_finish = cal.finish_offset(go_live_target) - shift

    # Float against the go-live target covers go-live, everything due by the target, and
    # everything those depend on. Milestones planned after go-live are measured against the
    # end of the plan instead, so they are not red merely for being after go-live and do
    # not eat go-live's own float.
    seeds = [r for r, p in plans.items() if r == go_live_ref or p.m.due <= go_live_target]
    scope = _with_ancestors(seeds, links)
    scoped_acts = [a for a in acts if a.id in scope]
    go_index = next(k for k, a in enumerate(scoped_acts) if a.id == go_live_ref)
    scoped_acts[go_index] = _unpinned(scoped_acts[go_index], cal.finish_offset(today) - shift)
    scoped = schedule(
        scoped_acts,
        [k for k in links if k.predecessor in scope and k.successor in scope],
        deadline=target_finish,
    )

    path = _driving_path(go_live_ref, full, links)
    on_path = set(path) | full.driving_paths(go_live_ref)
    forecasts: dict[str, MilestoneForecast] = {}
    explainer = Explainer({ref: p.m for ref, p in plans.items()}, forecasts, cal)
    rows = []
    for ref, plan in plans.items():
        explainer.note(plan, full, shift)
        float_source = scoped if ref in scope else full
        rows.append(
            _forecast_one(
                plan, explainer, full, float_source, shift, ref in on_path, today, cal, rules
            )
        )
    # Made column by column (columns.py): the frozen __init__ was a tenth of the forecast.
    columns = list(zip(*rows, strict=True))  # never empty: go-live is in the plan
    forecasts.update(zip(plans, from_columns(MilestoneForecast, columns), strict=True))

    go = forecasts[go_live_ref]
    if go.status == "complete":
        go_float = cal.working_days_between(go.forecast_due, go_live_target)
    else:
        go_float = go.total_float
    status = (
        ON_TRACK if go_float >= rules.on_track_float else AT_RISK if go_float >= 0 else OFF_TRACK
    )
    # Nothing late goes uncounted: go-live's own forecast only sees the work that feeds it.
    # An open milestone forecast after the target that go-live does not wait for, and that
    # the plan does not put after go-live (a successor of it), is a hole in the plan; the
    # programme is then at best at risk, and the headline names it.
    after, feeds_nothing = _after_go_live(go_live_ref, go_live_target, forecasts, links)
    if after and status == ON_TRACK:
        status = AT_RISK
    order = {ref: k for k, ref in enumerate(plans)}
    critical = sorted(
        (f for f in forecasts.values() if f.critical),
        key=lambda f: (f.forecast_start, f.forecast_due, order[f.ref]),
    )
    return ProgrammeForecast(
        go_live_ref=go_live_ref,
        go_live_target=go_live_target,
        today=today,
        forecast_go_live=go.forecast_due,
        slip_days=cal.working_days_between(go_live_target, go.forecast_due),
        baseline_slip_days=(
            None
            if baseline_go_live is None
            else cal.working_days_between(baseline_go_live, go.forecast_due)
        ),
        go_live_float=go_float,
        status=status,
        working_days_to_go_live=cal.working_days_between(today, go_live_target),
        driving_path=tuple(path),
        critical_refs=tuple(f.ref for f in critical),
        milestones=forecasts,
        workstream_rags=workstream_rags(forecasts.values()),
        after_go_live=after,
        feeds_nothing=feeds_nothing,
        held_to_planned_date=_held_to_planned_date(full),
        network=PlanNetwork(plans, shift, acts, links, full, cal, go_live_ref),
    )


def _held_to_planned_date(full: Schedule) -> frozenset[str]:
    """Activities whose own earliest start binds in the pass and no link does."""
    held = []
    for ref, act in full.activities.items():
        kinds = {d.kind for d in act.drivers}
        if "earliest_start" in kinds and "link" not in kinds:
            held.append(ref)
    return frozenset(held)


def forecast_go_live(
    milestones: Iterable[PlannedMilestone],
    dependencies: Iterable[PlannedDependency],
    *,
    go_live_ref: str,
    today: date,
    calendar: WorkingCalendar,
) -> date:
    """``forecast_programme(...).forecast_go_live`` alone, for a plan tried out in memory
    (plan health's critical path test): the one engine pass it needs, none of the float
    against the target, RAG or figures. Raises ScheduleError as forecast_programme does."""
    with collector_paused():
        plans, shift, _acts, _links, full = _plan_pass(
            milestones, dependencies, go_live_ref, today, calendar
        )
        act = full.activities[go_live_ref]
        return forecast_dates(plans[go_live_ref], act.es, act.ef, shift, calendar)[1]


def _plan_pass(
    milestones: Iterable[PlannedMilestone],
    dependencies: Iterable[PlannedDependency],
    go_live_ref: str,
    today: date,
    cal: WorkingCalendar,
) -> tuple[dict[str, Translated], int, list[Activity], list[Link], Schedule]:
    """The plan in engine time, and the engine's pass over it as planned."""
    plans = _translate(list(milestones), today, cal)
    if go_live_ref not in plans:
        raise ScheduleError(f"go-live milestone {go_live_ref!r} is not in the plan")
    # Engine time must not go below 0 (its project start); shift everything so it doesn't.
    shift = min([0, *(_earliest_offset(p) for p in plans.values())])
    acts = [_activity(p, shift) for p in plans.values()]
    deps = list(dependencies)
    # Column by column (columns.py): a plan has two or three links per milestone.
    links: list[Link] = from_columns(
        Link,
        [
            [d.predecessor for d in deps],
            [d.successor for d in deps],
            [d.type for d in deps],
            [d.lag for d in deps],
        ],
    )
    return plans, shift, acts, links, schedule(acts, links)


def _after_go_live(
    go_live_ref: str,
    target: date,
    forecasts: dict[str, MilestoneForecast],
    links: list[Link],
) -> tuple[tuple[str, ...], frozenset[str]]:
    """Open milestones forecast after the go-live target, other than go-live, the work it
    waits for (that moves go-live's own forecast) and the work planned to follow it; in
    forecast order. And which of them have no successor at all."""
    late = [
        f
        for f in forecasts.values()
        if f.status != "complete" and f.ref != go_live_ref and f.forecast_due > target
    ]
    if not late:
        return (), frozenset()
    succs: dict[str, list[str]] = {}
    for k in links:
        succs.setdefault(k.predecessor, []).append(k.successor)
    feeding = _with_ancestors([go_live_ref], links)
    following: set[str] = set()
    stack = [go_live_ref]
    while stack:
        for s in succs.get(stack.pop(), ()):
            if s not in following:
                following.add(s)
                stack.append(s)
    holes = sorted(
        (f for f in late if f.ref not in feeding and f.ref not in following),
        key=lambda f: (f.forecast_due, f.ref),
    )
    refs = tuple(f.ref for f in holes)
    return refs, frozenset(r for r in refs if not succs.get(r))


def _translate(
    milestones: list[PlannedMilestone], today: date, cal: WorkingCalendar
) -> dict[str, Translated]:
    plans: dict[str, Translated] = {}
    overdue_finish = cal.finish_offset(cal.next_working_day(today))
    for m in milestones:
        if m.ref in plans:
            raise ScheduleError(f"duplicate milestone ref {m.ref!r}")
        if m.kind not in KINDS:
            raise ScheduleError(f"milestone {m.ref!r}: unknown kind {m.kind!r} (activity or point)")
        if m.status not in STATUSES:
            raise ScheduleError(f"milestone {m.ref!r}: unknown status {m.status!r}")
        if m.kind == "activity":
            if m.planned_start is None:
                raise ScheduleError(f"milestone {m.ref!r}: an activity needs a planned start")
            if m.planned_start > m.due:
                raise ScheduleError(
                    f"milestone {m.ref!r}: planned start {long_date(m.planned_start)} is after "
                    f"its due date {long_date(m.due)}"
                )
        if m.status == "complete":
            # Done: fixed at the actual dates. An activity runs from its planned start (or
            # the completion date, if it finished before it was due to start) to completion.
            done = m.completed_on or m.due
            finish = cal.finish_offset(done)
            if m.kind == "activity" and m.planned_start is not None:
                start = min(cal.start_offset(min(m.planned_start, done)), finish)
            else:
                start = finish
            plans[m.ref] = Translated(m, finish - start, actual=(start, finish))
            continue
        if m.kind == "activity" and m.planned_start is not None:
            plan = Translated(
                m, cal.duration(m.planned_start, m.due), cal.start_offset(m.planned_start)
            )
        else:  # a point sits at the end of its due day: es = ef = index(due) + 1
            plan = Translated(m, 0, cal.finish_offset(m.due))
        if m.forecast is not None:
            plan.lead_finish = cal.finish_offset(m.forecast)
        if m.due < today:
            plan.overdue_finish = overdue_finish
        plans[m.ref] = plan
    return plans


def _earliest_offset(p: Translated) -> int:
    if p.actual is not None:
        return p.actual[0]
    bounds = [b for b in (p.lower,) if b is not None]
    bounds += [f - p.duration for f in (p.lead_finish, p.overdue_finish) if f is not None]
    return min(bounds)


def _activity(p: Translated, shift: int) -> Activity:
    if p.actual is not None:
        return Activity(
            p.m.ref, p.duration, actual_start=p.actual[0] - shift, actual_finish=p.actual[1] - shift
        )
    finishes = [f for f in (p.lead_finish, p.overdue_finish) if f is not None]
    return Activity(
        p.m.ref,
        p.duration,
        earliest_start=None if p.lower is None else p.lower - shift,
        earliest_finish=max(finishes) - shift if finishes else None,
    )


def _unpinned(go_live: Activity, today_finish: int) -> Activity:
    """Go-live without its own planned date, for measuring float.

    Go-live is normally planned on the target date, so that date alone would leave it no
    float whatever the work feeding it. Without it, go-live's float is how far the work
    feeding it can slip before go-live moves. It still cannot finish before today ends, and
    a lead's forecast or being overdue still count.
    """
    if go_live.actual_start is not None:
        return go_live
    floor = today_finish
    if go_live.earliest_finish is not None:
        floor = max(floor, go_live.earliest_finish)
    return Activity(go_live.id, go_live.duration, earliest_finish=floor)


def _with_ancestors(seeds: list[str], links: list[Link]) -> set[str]:
    preds: dict[str, list[str]] = {}
    for k in links:
        preds.setdefault(k.successor, []).append(k.predecessor)
    seen = set(seeds)
    stack = list(seeds)
    while stack:
        for p in preds.get(stack.pop(), ()):
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return seen


def _relationship_slack(link: Link, sched: Schedule) -> int:
    """How much later the predecessor's end of ``link`` could be without moving the
    successor's early dates (0 = binding)."""
    p = sched.activities[link.predecessor]
    s = sched.activities[link.successor]
    pred_point = p.ef if link.type in ("FS", "FF") else p.es
    succ_point = s.es if link.type in ("FS", "SS") else s.ef
    return succ_point - pred_point - link.lag


def _driving_path(go_live: str, sched: Schedule, links: list[Link]) -> list[str]:
    """Refs of the path into go-live, first to last: binding links where there are any,
    otherwise the predecessor link with least slack, so a path shows even with slack.
    Stops at a milestone with no predecessors, or a completed one (its dates are history)."""
    into: dict[str, list[Link]] = {}
    for k in links:
        into.setdefault(k.successor, []).append(k)
    path = [go_live]
    seen = {go_live}
    current = sched.activities[go_live]
    while not current.done and into.get(current.id):
        best = min(into[current.id], key=lambda k: _relationship_slack(k, sched))
        binding = next((d for d in current.drivers if d.kind == "link"), None)
        pred = binding.predecessor if binding is not None else best.predecessor
        if pred is None or pred in seen:  # cannot happen on an acyclic plan; belt and braces
            break
        path.append(pred)
        seen.add(pred)
        current = sched.activities[pred]
    path.reverse()
    return path


def _forecast_one(
    plan: Translated,
    explainer: Explainer,
    full: Schedule,
    float_source: Schedule,
    shift: int,
    on_path: bool,
    today: date,
    cal: WorkingCalendar,
    rules: ScheduleRules,
) -> tuple[Any, ...]:
    """The milestone's MilestoneForecast, as its fields' values in order."""
    m = plan.m
    act = full.activities[m.ref]
    start, due = forecast_dates(plan, act.es, act.ef, shift, cal)
    slip = cal.working_days_between(m.due, due)
    complete = m.status == "complete"
    total = float_source.activities[m.ref].total_float
    overdue = not complete and m.due < today

    rag, reason = rag_for(m, complete, overdue, total, slip, today, cal, rules)
    return (
        m.ref,
        m.title,
        m.workstream,
        m.owner,
        m.status,
        m.is_key,
        m.due,
        start,  # forecast_start
        due,  # forecast_due
        slip,  # slip_days
        None if m.baseline_due is None else cal.working_days_between(m.baseline_due, due),
        total,  # total_float
        act.free_float,
        total <= 0 and not complete,  # critical
        on_path,  # on_driving_path
        overdue,
        rag,
        reason,  # rag_reason
        explainer,
    )
