"""The programme as a Microsoft Project plan (plain data), for the MSPDI export.

`project_of` maps the tracker's plan onto tracker.domain.project_data's shape, which
tracker/project_files/files.py hands to MPXJ to write Project XML. Every decision is in
docs/microsoft-project.md, "Export"; in short:

* each workstream is a summary task at outline level 1, its milestones tasks under it;
* a point milestone is a zero-duration Project milestone at the end of its due date
  (17:00); an activity runs from its planned start (08:00) to its due date (17:00), its
  duration in working days;
* planned dates are held as Project holds them in the tracker's schedule: "start no earlier
  than" the planned start (an activity) and "finish no earlier than" the due date (a point),
  so Project, rescheduling, keeps them unless a link pushes them later;
* links keep their type, and their lag in working days;
* the calendar is Monday to Friday with every weekday bank holiday of the programme's part
  of the UK and every weekday closure as a non-working exception;
* Baseline is the baseline slip is measured against (or the latest), Baseline1-10 the next
  most recent; older ones are not exported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from tracker.domain.project_data import (
    Baseline,
    Calendar,
    Link,
    ProjectData,
    Span,
    Task,
)
from tracker.domain.terms import MilestoneKind, MilestoneStatus
from tracker.domain.validation import years_later
from tracker.scheduling.calendar import WorkingCalendar
from tracker.scheduling.programme_data import PlannedDependency, PlannedMilestone

# Project's standard working day, 08:00 to 17:00 with an hour for lunch (480 minutes): a task
# starts in the morning of its first day and finishes at the end of its last.
DAY_STARTS = time(8, 0)
DAY_ENDS = time(17, 0)
# Project holds Baseline and Baseline1 to Baseline10.
MOST_BASELINES = 11
# A percent complete for an activity in progress: the tracker does not measure how far along
# it is, so it says only that it has started (an actual start), not a guessed fraction.
IN_PROGRESS_PERCENT = 0.0


@dataclass(frozen=True)
class ExportWorkstream:
    code: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class ExportBaseline:
    """A baseline: its label, when it was taken, and each milestone's planned dates in it
    (ref -> (planned start, None for a point; due date))."""

    label: str
    taken_at: datetime
    dates: Mapping[str, tuple[date | None, date]] = field(default_factory=dict)
    current: bool = False  # the baseline slip is measured against


def baseline_numbers(baselines: Iterable[ExportBaseline]) -> list[tuple[int, ExportBaseline]]:
    """Which baseline goes into which of Project's: 0 ("Baseline") is the current one, or
    the most recent when none is chosen; 1 to 10 are the next most recent, newest first.
    Older ones are left out (Project holds 11)."""
    newest_first = sorted(baselines, key=lambda b: b.taken_at, reverse=True)
    current = next((b for b in newest_first if b.current), None)
    if current is not None:
        newest_first.remove(current)
        newest_first.insert(0, current)
    return list(enumerate(newest_first[:MOST_BASELINES]))


def project_of(
    name: str,
    calendar: WorkingCalendar,
    workstreams: Sequence[ExportWorkstream],
    milestones: Sequence[PlannedMilestone],
    dependencies: Sequence[PlannedDependency],
    *,
    go_live: date,
    today: date,
    descriptions: Mapping[str, str] | None = None,
    project_uids: Mapping[str, int] | None = None,
    baselines: Sequence[ExportBaseline] = (),
) -> ProjectData:
    """The programme as a Project plan.

    ``workstreams`` in display order; ``milestones`` in the order they are to be listed
    under their workstream; ``descriptions`` (ref -> text) become task notes;
    ``project_uids`` (ref -> UID) are UIDs the milestones already have (from a Project file
    they were imported from), and the rest are given fresh ones after the largest of those,
    in ref order, with the workstreams' summary tasks after them (so the same plan always
    gets the same UIDs). ``today`` decides the actual start of a milestone in progress whose
    planned start is still to come. Raises ValueError for a milestone in a workstream not
    listed, or a link to a milestone not in the plan."""
    descriptions = descriptions or {}
    codes = [w.code for w in workstreams]
    known = set(codes)
    for m in milestones:
        if m.workstream not in known:
            raise ValueError(f"{m.ref} is in workstream {m.workstream!r}, which is not listed")
    refs = {m.ref for m in milestones}
    for d in dependencies:
        for ref in (d.predecessor, d.successor):
            if ref not in refs:
                raise ValueError(
                    f"the link {d.predecessor} -> {d.successor} names {ref}, not in the plan"
                )

    by_workstream: dict[str, list[PlannedMilestone]] = {code: [] for code in codes}
    for m in milestones:
        by_workstream[m.workstream].append(m)
    shown = [w for w in workstreams if by_workstream[w.code]]  # an empty one has no tasks
    uids, summary_uids = _uids(milestones, [w.code for w in shown], project_uids or {})
    numbered = baseline_numbers(baselines)

    tasks: list[Task] = []
    for w in shown:
        children = [
            _milestone_task(
                m, uids[m.ref], summary_uids[w.code], descriptions, numbered, calendar, today
            )
            for m in by_workstream[w.code]
        ]
        tasks.append(_summary_task(w, summary_uids[w.code], children, numbered, calendar))
        tasks.extend(children)
    tasks = [replace(t, id=i) for i, t in enumerate(tasks, start=1)]

    links = tuple(
        Link(uids[d.predecessor], uids[d.successor], d.type, Span(float(d.lag), "DAYS"))
        for d in dependencies
    )
    planned = [d for m in milestones for d in (m.planned_start, m.due) if d is not None]
    return ProjectData(
        name=name,
        file_format="MSPDI",
        start=_morning(min(planned)) if planned else None,
        calendar=project_calendar(calendar, _window(calendar, milestones, baselines, go_live)),
        tasks=tuple(tasks),
        links=links,
        resources=tuple(sorted({m.owner for m in milestones})),
    )


def project_calendar(calendar: WorkingCalendar, window: tuple[date, date]) -> Calendar:
    """Monday to Friday, less every weekday the tracker's calendar does not work within
    ``window`` (bank holidays), and every weekday closure wherever it falls."""
    first, last = window
    every_day = (first + timedelta(days=n) for n in range((last - first).days + 1))
    days = {d for d in every_day if d.weekday() < 5 and not calendar.is_working_day(d)}
    days |= {d for d in calendar.closures if d.weekday() < 5}
    # "Standard": Project's own name for a project's calendar, and what the bridge writes.
    return Calendar(name="Standard", non_working=tuple(sorted(days)))


def _window(
    calendar: WorkingCalendar,
    milestones: Sequence[PlannedMilestone],
    baselines: Sequence[ExportBaseline],
    go_live: date,
) -> tuple[date, date]:
    """From the earliest date the plan (or its baselines) holds to a year after the latest,
    and at least a year after go-live: the dates Project may schedule the plan into."""
    held = [calendar.origin, go_live]
    for m in milestones:
        held.extend(d for d in (m.planned_start, m.due, m.completed_on) if d is not None)
    for b in baselines:
        for start, due in b.dates.values():
            held.append(due)
            if start is not None:
                held.append(start)
    return min(held), years_later(max(held), 1)


def _uids(
    milestones: Sequence[PlannedMilestone], codes: Sequence[str], stored: Mapping[str, int]
) -> tuple[dict[str, int], dict[str, int]]:
    """UIDs by ref and the summary tasks' by workstream code. A stored UID is kept (unless
    another milestone already has it: the database forbids that, but a file must not repeat
    one); the rest are numbered after the largest, refs in order, then the workstreams."""
    uids: dict[str, int] = {}
    taken: set[int] = set()
    for ref in sorted(m.ref for m in milestones):
        uid = stored.get(ref)
        if uid is not None and uid > 0 and uid not in taken:
            uids[ref] = uid
            taken.add(uid)
    following = max(taken, default=0) + 1
    for ref in sorted(m.ref for m in milestones):
        if ref not in uids:
            uids[ref] = following
            following += 1
    summaries = {code: following + n for n, code in enumerate(codes)}
    return uids, summaries


def _morning(d: date) -> datetime:
    return datetime.combine(d, DAY_STARTS)


def _evening(d: date) -> datetime:
    return datetime.combine(d, DAY_ENDS)


def _days(calendar: WorkingCalendar, start: date, finish: date) -> Span:
    return Span(float(calendar.duration(start, finish)) if start <= finish else 0.0, "DAYS")


def _span(calendar: WorkingCalendar, start: datetime, finish: datetime) -> Span:
    """Working days from ``start`` to ``finish`` (a summary's): a start at the end of a day
    (a point milestone's) begins after that day, so only points under it make 0 days."""
    first = (
        calendar.finish_offset(start.date())
        if start.time() >= DAY_ENDS
        else calendar.start_offset(start.date())
    )
    last = calendar.finish_offset(finish.date())
    return Span(float(max(0, last - first)), "DAYS")


def _milestone_task(
    m: PlannedMilestone,
    uid: int,
    parent_uid: int,
    descriptions: Mapping[str, str],
    numbered: Sequence[tuple[int, ExportBaseline]],
    calendar: WorkingCalendar,
    today: date,
) -> Task:
    point = m.kind == MilestoneKind.POINT or m.planned_start is None
    if point:
        start, finish = _evening(m.due), _evening(m.due)
        duration = Span(0.0, "DAYS")
        constraint, constraint_date = "FNET", _evening(m.due)
    else:
        assert m.planned_start is not None
        start, finish = _morning(m.planned_start), _evening(m.due)
        duration = _days(calendar, m.planned_start, m.due)
        constraint, constraint_date = "SNET", _morning(m.planned_start)
    percent, actual_start, actual_finish = _progress(m, point, today)
    return Task(
        uid=uid,
        id=None,
        name=m.title,
        outline_level=2,
        parent_uid=parent_uid,
        summary=False,
        milestone=point,
        duration=duration,
        start=start,
        finish=finish,
        percent_complete=percent,
        actual_start=actual_start,
        actual_finish=actual_finish,
        constraint=constraint,
        constraint_date=constraint_date,
        notes=descriptions.get(m.ref, ""),
        resources=(m.owner,) if m.owner else (),
        baselines=tuple(
            _baseline(number, b.dates[m.ref], calendar)
            for number, b in numbered
            if m.ref in b.dates
        ),
        tracker_ref=m.ref,
    )


def _progress(
    m: PlannedMilestone, point: bool, today: date
) -> tuple[float, datetime | None, datetime | None]:
    """Percent complete, actual start and actual finish. Complete: 100, from the planned
    start (or the completion date, if it was completed before it was planned to start) to
    the completion date. In progress: 0 with an actual start, the planned start (a point's
    due date) or today if that is still to come, since it has started by today."""
    planned_start = m.due if point or m.planned_start is None else m.planned_start
    if m.status == MilestoneStatus.COMPLETE:
        done = m.completed_on or m.due  # the schedule reads it so too (docs/scheduling.md)
        if point:
            return 100.0, _evening(done), _evening(done)
        return 100.0, _morning(min(planned_start, done)), _evening(done)
    if m.status == MilestoneStatus.IN_PROGRESS:
        began = min(planned_start, today)
        return IN_PROGRESS_PERCENT, (_evening(began) if point else _morning(began)), None
    return 0.0, None, None


def _baseline(number: int, dates: tuple[date | None, date], calendar: WorkingCalendar) -> Baseline:
    start, due = dates
    if start is None:
        return Baseline(number, _evening(due), _evening(due), Span(0.0, "DAYS"))
    return Baseline(number, _morning(start), _evening(due), _days(calendar, start, due))


def _summary_task(
    w: ExportWorkstream,
    uid: int,
    children: Sequence[Task],
    numbered: Sequence[tuple[int, ExportBaseline]],
    calendar: WorkingCalendar,
) -> Task:
    """A workstream as Project rolls one up: from its earliest start to its latest finish,
    with its code in the tracker's field (how the import knows it again)."""
    start = min(c.start for c in children if c.start is not None)
    finish = max(c.finish for c in children if c.finish is not None)
    actual_starts = [c.actual_start for c in children if c.actual_start is not None]
    complete = all(c.percent_complete >= 100 for c in children)
    actual_finishes = [c.actual_finish for c in children if c.actual_finish is not None]
    baselines = []
    for number, _ in numbered:
        held = [b for c in children for b in c.baselines if b.number == number]
        if held:
            first = min(b.start for b in held if b.start is not None)
            last = max(b.finish for b in held if b.finish is not None)
            baselines.append(Baseline(number, first, last, _span(calendar, first, last)))
    return Task(
        uid=uid,
        id=None,
        name=w.name,
        outline_level=1,
        parent_uid=None,
        summary=True,
        milestone=False,
        duration=_span(calendar, start, finish),
        start=start,
        finish=finish,
        percent_complete=_rolled_up_percent(children),
        actual_start=min(actual_starts) if actual_starts else None,
        actual_finish=max(actual_finishes) if complete and actual_finishes else None,
        notes=w.description,
        baselines=tuple(baselines),
        tracker_ref=w.code,
    )


def _rolled_up_percent(children: Sequence[Task]) -> float:
    """Project's own roll-up: percent complete weighted by duration (the plain mean when
    every task under it is a zero-duration milestone)."""
    weights = [(c.duration.value if c.duration else 0.0, c.percent_complete) for c in children]
    total = sum(w for w, _ in weights)
    if total > 0:
        return round(sum(w * p for w, p in weights) / total, 2)
    return round(sum(p for _, p in weights) / len(weights), 2)
