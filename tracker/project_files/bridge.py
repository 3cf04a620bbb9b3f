"""MPXJ in its own process: reads a Microsoft Project file (.mpp, MSPDI XML and the other
formats MPXJ knows) into ProjectData JSON, and writes MSPDI XML from ProjectData JSON.

    python -m tracker.project_files.bridge read PATH       # ProjectData JSON on stdout
    python -m tracker.project_files.bridge write OUT_PATH  # ProjectData JSON on stdin

Exit 0 on success. On a problem: one JSON object {"error": kind, "message": words} on stdout
and exit 2 (kinds: not_a_project_file, password_protected, unreadable, unwritable).

Why a process of its own: JPype's JVM cannot be restarted once stopped and does not survive
gunicorn's fork, so the web worker never starts Java (tracker/project_files/files.py runs this).
jpype and mpxj are imported inside functions so importing this module needs no Java.
"""

from __future__ import annotations

import json
import os
import re
import sys
import traceback
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tracker.domain.project_data import (
    CONSTRAINTS,
    TRACKER_REF_ALIAS,
    TRACKER_REF_FIELD,
    Baseline,
    Calendar,
    Link,
    ProjectData,
    Span,
    Task,
)

EXIT_PROBLEM = 2
BASELINES = range(11)  # Baseline (0) and Baseline1..Baseline10
# MPXJ RelationType names <-> Project's two-letter link types.
RELATION_TYPES = {
    "FINISH_START": "FS",
    "START_START": "SS",
    "FINISH_FINISH": "FF",
    "START_FINISH": "SF",
}
# Custom fields by MPXJ field name: Text1..30, Number1..20, Flag1..20, Date1..10, Cost1..10,
# Start1..10, Finish1..10, Duration1..10, OutlineCode1..10, and their enterprise forms.
CUSTOM_FIELD = re.compile(
    r"^(ENTERPRISE_(PROJECT_|RESOURCE_)?)?"
    r"(TEXT|NUMBER|FLAG|DATE|COST|START|FINISH|DURATION|OUTLINE_CODE|CUSTOM_FIELD)\d+$"
)
WORKING_HOURS = ((8, 0, 12, 0), (13, 0, 17, 0))  # Project's Standard calendar, 480 min a day
# Keep the JVM's own logging off stdout and quiet (MPXJ ships log4j's API without a backend).
JVM_ARGS = (
    "-Djava.awt.headless=true",
    # The quick compiler only: a read is short, so start-up time is what counts (halves it).
    "-XX:TieredStopAtLevel=1",
    "-Dlog4j2.StatusLogger.level=OFF",
    "-Dorg.apache.logging.log4j.simplelog.StatusLogger.level=OFF",
    "-Dlog4j2.level=OFF",
)


NOT_A_PROJECT_FILE = (
    "This is not a Microsoft Project file: the tracker reads Project's .mpp files and "
    "Project XML (in Project: File > Save As > XML format). A spreadsheet plan goes "
    "through the spreadsheet import."
)


class Problem(Exception):
    """A problem the bridge reports as {"error": kind, "message": message}."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


# ----------------------------------------------------------------------------- Java


def _start_java() -> None:
    import jpype  # type: ignore[import-untyped]
    import mpxj  # type: ignore[import-untyped]  # noqa: F401 (puts MPXJ's jars on the class path)

    if not jpype.isJVMStarted():
        jpype.startJVM(*JVM_ARGS, convertStrings=True)


def _j(name: str) -> Any:
    """The Java class `name` (such as "org.mpxj.TaskField"), once _start_java() has run."""
    return sys.modules["jpype"].JClass(name)


def _error_kind(exc: BaseException) -> str:
    """password_protected when the exception (or one it wraps) says so, else unreadable."""
    seen: BaseException | Any | None = exc
    depth = 0
    while seen is not None and depth < 10:
        name = type(seen).__name__
        java_name = ""
        get_class = getattr(seen, "getClass", None)
        if callable(get_class):
            java_name = str(get_class().getName())
        text = _exception_text(seen)
        if "password" in f"{name} {java_name} {text}".lower():
            return "password_protected"
        get_cause = getattr(seen, "getCause", None)
        seen = get_cause() if callable(get_cause) else seen.__cause__
        depth += 1
    return "unreadable"


def _reasons(exc: Any) -> str:
    """The exception's message and those of the exceptions it wraps, once each."""
    texts: list[str] = []
    seen: Any = exc
    for _ in range(5):
        if seen is None:
            break
        text = _exception_text(seen)
        if text and not any(text in t for t in texts):
            texts.append(text)
        get_cause = getattr(seen, "getCause", None)
        seen = get_cause() if callable(get_cause) else seen.__cause__
    return "; ".join(texts) or type(exc).__name__


def _exception_text(exc: Any) -> str:
    get_message = getattr(exc, "getMessage", None)
    if callable(get_message):
        message = get_message()
        return "" if message is None else str(message)
    return str(exc)


# ----------------------------------------------------------------------------- reading


def read(path: Path) -> ProjectData:
    """The plan in the file at `path`, as ProjectData."""
    if not path.is_file():
        raise Problem("unreadable", f"There is no file at {path}.")
    _start_java()
    UniversalProjectReader = _j("org.mpxj.reader.UniversalProjectReader")

    # Two steps, so the message can tell "not a project file" (MPXJ does not recognise the
    # format: no reader, or an exception while it sniffs) from "a project file we could
    # not read" (the format's reader failed).
    try:
        proxy = UniversalProjectReader().getProjectReaderProxy(str(path))
    except Exception as exc:  # a Java exception (MPXJException) from the format sniffing
        raise _read_problem(exc, recognised=False) from exc
    if proxy is None:
        raise Problem("not_a_project_file", NOT_A_PROJECT_FILE)
    try:
        reader_name = str(proxy.getProjectReader().getClass().getSimpleName())
        project = proxy.read()
    except Exception as exc:  # a Java exception from the format's reader
        raise _read_problem(exc, recognised=True) from exc
    finally:
        proxy.close()
    if project is None:
        raise Problem("not_a_project_file", NOT_A_PROJECT_FILE)
    return _project_data(project, path, reader_name)


def _read_problem(exc: BaseException, recognised: bool) -> Problem:
    if _error_kind(exc) == "password_protected":
        return Problem(
            "password_protected",
            "The file is protected by a password. Open it in Microsoft Project, remove the "
            "password (File > Save As > Tools > General Options) and upload it again.",
        )
    if not recognised:
        return Problem("not_a_project_file", NOT_A_PROJECT_FILE)
    return Problem(
        "unreadable",
        "The file looks like a project file but could not be read (it may be damaged, or "
        f"saved by a version the reader does not know): {_reasons(exc)}",
    )


def _project_data(project: Any, path: Path, reader_name: str) -> ProjectData:
    props = project.getProjectProperties()
    name = _text(props.getProjectTitle()) or _text(props.getName()) or path.stem
    file_format = _text(props.getFileType()) or reader_name.removesuffix("Reader")
    calendar = project.getDefaultCalendar()
    ref_field = _tracker_ref_field(project)

    tasks: list[Task] = []
    links: list[Link] = []
    for task in project.getTasks():
        uid = task.getUniqueID()
        if uid is None or int(uid) == 0:
            continue  # the project summary task (Project's row 0)
        tasks.append(_task(task, ref_field))
        for relation in task.getPredecessors():
            links.append(
                Link(
                    predecessor_uid=int(relation.getPredecessorTask().getUniqueID()),
                    successor_uid=int(uid),
                    type=RELATION_TYPES[str(relation.getType().name())],
                    lag=_span(relation.getLag()) or Span(0.0, "DAYS"),
                )
            )
    return ProjectData(
        name=name,
        file_format=file_format,
        start=_when(props.getStartDate()),
        minutes_per_day=int(props.getMinutesPerDay() or 480),
        minutes_per_week=int(props.getMinutesPerWeek() or 2400),
        days_per_month=int(props.getDaysPerMonth() or 20),
        calendar=None if calendar is None else _calendar(calendar),
        tasks=tuple(tasks),
        links=tuple(links),
        resources=tuple(_text(r.getName()) for r in project.getResources() if _text(r.getName())),
        not_carried=_not_carried(project, calendar, ref_field),
    )


def _tracker_ref_field(project: Any) -> Any | None:
    """TEXT1 when the file names it "Tracker ref" (the tracker's export did), else None."""
    TaskField = _j("org.mpxj.TaskField")

    field = TaskField.valueOf(TRACKER_REF_FIELD)
    custom = project.getCustomFields().get(field)
    if custom is not None and _text(custom.getAlias()) == TRACKER_REF_ALIAS:
        return field
    return None


def _task(task: Any, ref_field: Any | None) -> Task:
    parent = task.getParentTask()
    parent_uid = None
    # Top-level tasks hang under the project summary task (UID 0) when the file has one.
    if parent is not None and parent.getUniqueID() is not None and int(parent.getUniqueID()):
        parent_uid = int(parent.getUniqueID())
    mode = task.getTaskMode()
    ref = None if ref_field is None else task.get(ref_field)
    constraint = task.getConstraintType()
    return Task(
        uid=int(task.getUniqueID()),
        id=None if task.getID() is None else int(task.getID()),
        name=_text(task.getName()),
        outline_level=int(task.getOutlineLevel() or 0),
        parent_uid=parent_uid,
        summary=bool(task.getSummary()),
        milestone=bool(task.getMilestone()),
        duration=_span(task.getDuration()),
        start=_when(task.getStart()),
        finish=_when(task.getFinish()),
        early_start=_when(task.getEarlyStart()),
        early_finish=_when(task.getEarlyFinish()),
        total_slack=_span(task.getTotalSlack()),
        percent_complete=float(task.getPercentageComplete() or 0),
        actual_start=_when(task.getActualStart()),
        actual_finish=_when(task.getActualFinish()),
        constraint=CONSTRAINTS.get(str(constraint.name()), "ASAP") if constraint else "ASAP",
        constraint_date=_when(task.getConstraintDate()),
        deadline=_when(task.getDeadline()),
        notes=_text(task.getNotes()),
        wbs=_text(task.getWBS()) or None,
        resources=tuple(
            _text(a.getResource().getName())
            for a in task.getResourceAssignments()
            if a.getResource() is not None and _text(a.getResource().getName())
        ),
        baselines=tuple(b for b in (_baseline(task, n) for n in BASELINES) if b is not None),
        manual=mode is not None and str(mode.name()) == "MANUALLY_SCHEDULED",
        null=bool(task.getNull()),
        tracker_ref=_text(ref) or None,
    )


def _baseline(task: Any, number: int) -> Baseline | None:
    # Baseline (0) has its own getters; getBaselineStart(n) is Baseline1..Baseline10.
    if number == 0:
        start, finish = task.getBaselineStart(), task.getBaselineFinish()
        duration = task.getBaselineDuration()
    else:
        start, finish = task.getBaselineStart(number), task.getBaselineFinish(number)
        duration = task.getBaselineDuration(number)
    if start is None and finish is None and duration is None:
        return None
    return Baseline(number, _when(start), _when(finish), _span(duration))


def _calendar(calendar: Any) -> Calendar:
    DayOfWeek = _j("java.time.DayOfWeek")

    weekdays = tuple(day.getValue() - 1 for day in DayOfWeek.values() if calendar.isWorkingDay(day))
    non_working: set[date] = set()
    working: set[date] = set()
    # Expanded: recurring exceptions become one per occurrence; ranges become single days.
    for exception in calendar.getExpandedCalendarExceptions():
        days = _days(exception.getFromDate(), exception.getToDate())
        (working if exception.getWorking() else non_working).update(days)
    return Calendar(
        name=_text(calendar.getName()),
        working_weekdays=weekdays,
        non_working=tuple(sorted(non_working)),
        working=tuple(sorted(working)),
    )


def _days(first: Any, last: Any) -> list[date]:
    start = date(first.getYear(), first.getMonthValue(), first.getDayOfMonth())
    end = date(last.getYear(), last.getMonthValue(), last.getDayOfMonth())
    return [date.fromordinal(n) for n in range(start.toordinal(), end.toordinal() + 1)]


def _not_carried(project: Any, calendar: Any, ref_field: Any | None) -> dict[str, list[str]]:
    """Everything in the file the tracker does not keep, in words, by kind."""
    found: dict[str, list[str]] = defaultdict(list)
    tasks = [t for t in project.getTasks() if t.getUniqueID() is not None and t.getUniqueID()]
    resources = [r for r in project.getResources() if r.getUniqueID()]

    costed_tasks = sum(1 for t in tasks if _number(t.getCost()))
    costed_resources = sum(1 for r in resources if _number(r.getCost()))
    if costed_tasks:
        found["Costs"].append(f"{_count(costed_tasks, 'task has', 'tasks have')} a cost")
    if costed_resources:
        found["Costs"].append(
            f"{_count(costed_resources, 'resource has', 'resources have')} a cost"
        )

    found["Custom fields"].extend(_custom_fields(project, tasks, ref_field))

    levelled = sum(1 for t in tasks if _duration_value(t.getLevelingDelay()))
    if levelled:
        found["Resource levelling"].append(
            f"{_count(levelled, 'task has', 'tasks have')} a levelling delay"
        )

    default_uid = None if calendar is None else calendar.getUniqueID()
    own_calendar = [
        t for t in tasks if t.getCalendar() is not None and t.getCalendarUniqueID() != default_uid
    ]
    if own_calendar:
        names = sorted({_text(t.getCalendar().getName()) for t in own_calendar})
        found["Calendars"].append(
            f"{_count(len(own_calendar), 'task uses', 'tasks use')} a calendar of its own "
            f"({', '.join(names)}); the tracker schedules every milestone on the project "
            "calendar"
        )
    # Base calendars besides the project's (resources' personal calendars are not listed).
    extra = [
        _text(c.getName())
        for c in project.getCalendars()
        if c.getUniqueID() != default_uid and not c.isDerived()
    ]
    if extra:
        found["Calendars"].append(f"Other calendars: {', '.join(sorted(extra))}")

    split = sum(1 for t in tasks if not t.getSummary() and _is_split(t))
    if split:
        found["Split tasks"].append(
            f"{_count(split, 'task is', 'tasks are')} split; each comes in as one piece "
            "from its start to its finish"
        )
    recurring = sum(1 for t in tasks if t.getRecurring() or t.getRecurringTask() is not None)
    if recurring:
        found["Recurring tasks"].append(
            f"{_count(recurring, 'recurring task', 'recurring tasks')}: only the occurrences "
            "in the file come in"
        )
    manual = sum(
        1
        for t in tasks
        if t.getTaskMode() is not None and str(t.getTaskMode().name()) == "MANUALLY_SCHEDULED"
    )
    if manual:
        found["Manually scheduled tasks"].append(
            f"{_count(manual, 'task is', 'tasks are')} manually scheduled in Project; the "
            "tracker schedules every milestone from its links"
        )
    # Deadlines are read (Task.deadline) and listed task by task by the import's mapping.

    found["Work and units"].extend(_assignment_effort(project))
    errors = [str(e) for e in project.getIgnoredErrors()]
    if errors:
        found["Read warnings"].append(
            f"Parts of the file could not be read and were skipped: {'; '.join(errors[:5])}"
        )
    return {kind: lines for kind, lines in found.items() if lines}


def _is_split(task: Any) -> bool:
    """More than one stretch of work (MPXJ derives them from the timephased work)."""
    try:
        return len(task.getWorkSplits() or ()) > 1
    except Exception:  # a task whose timephased data MPXJ cannot make sense of
        return False


def _custom_fields(project: Any, tasks: list[Any], ref_field: Any | None) -> list[str]:
    FieldTypeHelper = _j("org.mpxj.common.FieldTypeHelper")

    customs = project.getCustomFields()
    lines = []
    populated = sorted(
        (f for f in project.getPopulatedFields() if CUSTOM_FIELD.match(str(f.name()))),
        key=lambda f: (str(f.getFieldTypeClass().name()), int(f.getValue())),
    )
    for field in populated:
        if ref_field is not None and field == ref_field:
            continue
        custom = customs.get(field)
        alias = _text(custom.getAlias()) if custom is not None else ""
        label = f"{field.getName()} ({alias})" if alias else str(field.getName())
        owner = str(field.getFieldTypeClass().name()).lower()
        if owner == "task":
            used = sum(
                1
                for t in tasks
                if t.getCachedValue(field) is not None
                and FieldTypeHelper.valueIsNotDefault(field, t.getCachedValue(field))
            )
            if not used:
                continue
            lines.append(f"{label}: set on {_count(used, 'task', 'tasks')}")
        else:
            lines.append(f"{label} on {owner}s")
    return lines


def _assignment_effort(project: Any) -> list[str]:
    """Assignments whose units or work say more than "this person, full time, for the task's
    duration" (which is all the tracker keeps, and what its export writes)."""
    TimeUnit = _j("org.mpxj.TimeUnit")

    props = project.getProjectProperties()

    def hours(duration: Any) -> float:
        if duration is None:
            return 0.0
        return float(duration.convertUnits(TimeUnit.HOURS, props).getDuration())

    assignments = [a for a in project.getResourceAssignments() if a.getResource() is not None]
    lines = []
    not_full = sum(1 for a in assignments if _number(a.getUnits()) not in (0.0, 100.0))
    if not_full:
        lines.append(
            f"{_count(not_full, 'resource assignment is', 'resource assignments are')} at "
            "units other than 100%; the tracker keeps who is assigned, not how much of their time"
        )
    uneven = 0
    for a in assignments:
        task = a.getTask()
        if task is None or a.getWork() is None:
            continue
        expected = hours(task.getDuration()) * (_number(a.getUnits()) or 100.0) / 100.0
        if abs(hours(a.getWork()) - expected) > 0.01:
            uneven += 1
    if uneven:
        lines.append(
            f"Work (effort) on {_count(uneven, 'resource assignment', 'resource assignments')} "
            "differs from the task's duration; the tracker does not keep hours of work"
        )
    return lines


# ----------------------------------------------------------------------------- writing


def check_writable(data: ProjectData) -> None:
    """Refuse, before Java starts, a plan Project could not hold."""
    uids = [t.uid for t in data.tasks]
    if len(set(uids)) != len(uids):
        raise Problem("unwritable", "Two tasks in the plan have the same unique ID.")
    known = set(uids)
    for link in data.links:
        for uid in (link.predecessor_uid, link.successor_uid):
            if uid not in known:
                raise Problem("unwritable", f"A link names task {uid}, which is not in the plan.")
        if link.type not in RELATION_TYPES.values():
            raise Problem("unwritable", f"Unknown link type {link.type!r}: FS, SS, FF or SF.")
    for task in data.tasks:
        for baseline in task.baselines:
            if baseline.number not in BASELINES:
                raise Problem(
                    "unwritable", f"Project has baselines 0 to 10, not {baseline.number}."
                )
    _outline_order(data.tasks)  # raises on a loop of parents


def write(data: ProjectData, out_path: Path) -> None:
    """Write `data` as MSPDI XML (Project 2010 and later read it) to `out_path`."""
    check_writable(data)
    _start_java()
    FileOutputStream = _j("java.io.FileOutputStream")
    ProjectFile = _j("org.mpxj.ProjectFile")
    MSPDIWriter = _j("org.mpxj.mspdi.MSPDIWriter")

    project = ProjectFile()
    config = project.getProjectConfig()
    # UIDs and IDs come from the data, so MPXJ must not number them itself.
    config.setAutoTaskUniqueID(False)
    config.setAutoTaskID(False)
    # MPXJ's own outline numbers and WBS codes go wrong with IDs set by hand: we set them.
    config.setAutoOutlineLevel(False)
    config.setAutoOutlineNumber(False)
    config.setAutoWBS(False)
    config.setAutoResourceUniqueID(True)
    _write_properties(project, data)
    _write_calendar(project, data.calendar)
    tasks = _write_tasks(project, data)
    _write_links(tasks, data.links)
    _write_resources(project, tasks, data)
    stream = FileOutputStream(str(out_path))
    try:
        MSPDIWriter().write(project, stream)
    finally:
        stream.close()


def _write_properties(project: Any, data: ProjectData) -> None:
    LocalTime = _j("java.time.LocalTime")

    props = project.getProjectProperties()
    props.setProjectTitle(data.name)
    props.setName(data.name)
    if data.start is not None:
        props.setStartDate(_local(data.start))
    props.setMinutesPerDay(_jint(data.minutes_per_day))
    props.setMinutesPerWeek(_jint(data.minutes_per_week))
    props.setDaysPerMonth(_jint(data.days_per_month))
    props.setDefaultStartTime(LocalTime.of(8, 0))
    props.setDefaultEndTime(LocalTime.of(17, 0))


def _write_calendar(project: Any, calendar: Calendar | None) -> None:
    DayOfWeek = _j("java.time.DayOfWeek")

    cal = project.addCalendar()
    cal.setName("Standard")
    weekdays = (0, 1, 2, 3, 4) if calendar is None else calendar.working_weekdays
    for day in DayOfWeek.values():
        number = day.getValue() - 1  # DayOfWeek is 1 = Monday
        cal.setWorkingDay(day, number in weekdays)
        hours = cal.addCalendarHours(day)
        if number in weekdays:
            _add_working_hours(hours)
    if calendar is not None:
        for day in calendar.non_working:
            exception = cal.addCalendarException(_local_date(day))
            exception.setName("Non-working")
        for day in calendar.working:
            exception = cal.addCalendarException(_local_date(day))
            exception.setName("Working")
            _add_working_hours(exception)
    project.getProjectProperties().setDefaultCalendar(cal)


def _add_working_hours(hours: Any) -> None:
    LocalTime = _j("java.time.LocalTime")
    LocalTimeRange = _j("org.mpxj.LocalTimeRange")

    for h1, m1, h2, m2 in WORKING_HOURS:
        hours.add(LocalTimeRange(LocalTime.of(h1, m1), LocalTime.of(h2, m2)))


def _outline_order(tasks: tuple[Task, ...]) -> list[tuple[Task, int]]:
    """The tasks depth first, each with its outline depth (1 = top level): MSPDI's hierarchy
    is the order of the rows and their outline levels, so a summary's children follow it."""
    uids = {t.uid for t in tasks}
    children: dict[int | None, list[Task]] = defaultdict(list)
    for t in tasks:
        parent = t.parent_uid if t.parent_uid in uids and t.parent_uid != t.uid else None
        children[parent].append(t)
    ordered: list[tuple[Task, int]] = []
    seen: set[int] = set()

    def visit(parent: int | None, depth: int) -> None:
        for child in children.get(parent, ()):
            if child.uid in seen:
                continue
            seen.add(child.uid)
            ordered.append((child, depth))
            visit(child.uid, depth + 1)

    visit(None, 1)
    if len(ordered) != len(tasks):
        raise Problem("unwritable", "The plan's tasks form a loop of parents and children.")
    return ordered


def _write_tasks(project: Any, data: ProjectData) -> dict[int, Any]:
    ConstraintType, TaskField, TaskMode = (
        _j("org.mpxj.ConstraintType"),
        _j("org.mpxj.TaskField"),
        _j("org.mpxj.TaskMode"),
    )

    by_constraint = {short: long for long, short in CONSTRAINTS.items()}
    ref_field = TaskField.valueOf(TRACKER_REF_FIELD)
    if any(t.tracker_ref for t in data.tasks):
        project.getCustomFields().getOrCreate(ref_field).setAlias(TRACKER_REF_ALIAS)
    has_children = {t.parent_uid for t in data.tasks if t.parent_uid is not None}
    created: dict[int, Any] = {}
    numbers: dict[int | None, str] = {None: ""}
    children_so_far: dict[int | None, int] = defaultdict(int)
    for row, (task, depth) in enumerate(_outline_order(data.tasks), start=1):
        parent_uid = task.parent_uid if task.parent_uid in created else None
        parent = project if parent_uid is None else created[parent_uid]
        children_so_far[parent_uid] += 1
        outline_number = f"{numbers[parent_uid]}{children_so_far[parent_uid]}"
        numbers[task.uid] = f"{outline_number}."
        t = parent.addTask()
        t.setUniqueID(_jint(task.uid))
        t.setID(_jint(task.id if task.id is not None else row))
        t.setName(task.name)
        t.setOutlineLevel(_jint(depth))
        t.setOutlineNumber(outline_number)
        t.setWBS(task.wbs or outline_number)
        t.setSummary(task.summary or task.uid in has_children)
        t.setMilestone(task.milestone)
        if task.duration is not None:
            t.setDuration(_duration(task.duration))
        for setter, value in (
            (t.setStart, task.start),
            (t.setFinish, task.finish),
            (t.setEarlyStart, task.early_start),
            (t.setEarlyFinish, task.early_finish),
            (t.setActualStart, task.actual_start),
            (t.setActualFinish, task.actual_finish),
            (t.setDeadline, task.deadline),
        ):
            if value is not None:
                setter(_local(value))
        if task.total_slack is not None and task.early_start and task.early_finish:
            # MSPDI carries slack as late dates (MPXJ writes no TotalSlack, and reads it back
            # as late minus early): the early dates moved on by the slack, in working time.
            slack = _duration(task.total_slack)
            calendar = project.getDefaultCalendar()
            late_start = calendar.getDate(_local(task.early_start), slack)
            t.setLateStart(calendar.getNextWorkStart(late_start))
            t.setLateFinish(calendar.getDate(_local(task.early_finish), slack))
        t.setPercentageComplete(_jdouble(task.percent_complete))
        if task.duration is not None and task.percent_complete > 0:
            # Project stores progress as actual and remaining duration beside % complete;
            # without them MPXJ's scheduler (and Project's own) cannot place a started task.
            done = task.percent_complete / 100.0
            unit = task.duration.unit
            t.setActualDuration(_duration(Span(task.duration.value * done, unit)))
            t.setRemainingDuration(_duration(Span(task.duration.value * (1 - done), unit)))
        t.setConstraintType(
            ConstraintType.valueOf(by_constraint.get(task.constraint, "AS_SOON_AS_POSSIBLE"))
        )
        if task.constraint_date is not None:
            t.setConstraintDate(_local(task.constraint_date))
        if task.notes:
            t.setNotes(task.notes)
        if task.manual:
            t.setTaskMode(TaskMode.MANUALLY_SCHEDULED)
        if task.null:
            t.setNull(True)
        for baseline in task.baselines:
            _write_baseline(t, baseline)
        if task.tracker_ref:
            t.set(ref_field, task.tracker_ref)
        created[task.uid] = t
    return created


def _write_baseline(t: Any, baseline: Baseline) -> None:
    n = baseline.number
    start = None if baseline.start is None else _local(baseline.start)
    finish = None if baseline.finish is None else _local(baseline.finish)
    duration = None if baseline.duration is None else _duration(baseline.duration)
    if n == 0:
        t.setBaselineStart(start)
        t.setBaselineFinish(finish)
        t.setBaselineDuration(duration)
    else:
        t.setBaselineStart(n, start)
        t.setBaselineFinish(n, finish)
        t.setBaselineDuration(n, duration)


def _write_links(tasks: dict[int, Any], links: tuple[Link, ...]) -> None:
    Relation, RelationType = _j("org.mpxj.Relation"), _j("org.mpxj.RelationType")

    by_short = {short: long for long, short in RELATION_TYPES.items()}
    for link in links:  # checked by check_writable: both tasks are there, the type is known
        tasks[link.successor_uid].addPredecessor(
            Relation.Builder()
            .predecessorTask(tasks[link.predecessor_uid])
            .type(RelationType.valueOf(by_short[link.type]))
            .lag(_duration(link.lag))
        )


def _write_resources(project: Any, tasks: dict[int, Any], data: ProjectData) -> None:
    Duration, TimeUnit = _j("org.mpxj.Duration"), _j("org.mpxj.TimeUnit")

    names = list(dict.fromkeys([*data.resources, *(n for t in data.tasks for n in t.resources)]))
    resources = {}
    for name in names:
        resource = project.addResource()
        resource.setName(name)
        resources[name] = resource
    for task in data.tasks:
        t = tasks[task.uid]
        for name in dict.fromkeys(task.resources):
            assignment = t.addResourceAssignment(resources[name])
            assignment.setUnits(_jdouble(100.0))
            # Work = duration at 100% units, so Project does not rescale the duration.
            hours = _hours(task.duration, data)
            assignment.setWork(Duration.getInstance(_jdouble(hours), TimeUnit.HOURS))
            if task.start is not None:
                assignment.setStart(_local(task.start))
            if task.finish is not None:
                assignment.setFinish(_local(task.finish))


def _hours(span: Span | None, data: ProjectData) -> float:
    if span is None:
        return 0.0
    per_unit = {
        "MINUTES": 1 / 60,
        "HOURS": 1.0,
        "DAYS": data.minutes_per_day / 60,
        "WEEKS": data.minutes_per_week / 60,
        "MONTHS": data.days_per_month * data.minutes_per_day / 60,
    }
    return span.value * per_unit.get(span.unit.removeprefix("ELAPSED_"), 0.0)


# ----------------------------------------------------------------------------- values


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _number(value: Any) -> float:
    return 0.0 if value is None else float(value.doubleValue())


def _duration_value(duration: Any) -> float:
    return 0.0 if duration is None else float(duration.getDuration())


def _count(n: int, one: str, many: str) -> str:
    return f"1 {one}" if n == 1 else f"{n} {many}"


def _span(duration: Any) -> Span | None:
    if duration is None:
        return None
    return Span(float(duration.getDuration()), str(duration.getUnits().name()))


def _when(value: Any) -> datetime | None:
    if value is None:
        return None
    return datetime(
        value.getYear(),
        value.getMonthValue(),
        value.getDayOfMonth(),
        value.getHour(),
        value.getMinute(),
        value.getSecond(),
    )


def _local(value: datetime) -> Any:
    LocalDateTime = _j("java.time.LocalDateTime")

    return LocalDateTime.of(
        value.year, value.month, value.day, value.hour, value.minute, value.second
    )


def _local_date(value: date) -> Any:
    LocalDate = _j("java.time.LocalDate")

    return LocalDate.of(value.year, value.month, value.day)


def _duration(span: Span) -> Any:
    Duration, TimeUnit = _j("org.mpxj.Duration"), _j("org.mpxj.TimeUnit")

    try:
        unit = TimeUnit.valueOf(span.unit)
    except Exception as exc:  # Java's IllegalArgumentException
        raise Problem("unwritable", f"Unknown unit of time {span.unit!r}.") from exc
    return Duration.getInstance(_jdouble(span.value), unit)


def _jint(value: int) -> Any:
    Integer = _j("java.lang.Integer")

    return Integer(int(value))


def _jdouble(value: float) -> Any:
    Double = _j("java.lang.Double")

    return Double(float(value))


# ----------------------------------------------------------------------------- command


def main(argv: list[str]) -> int:
    # Anything Java or a library prints goes to stderr: stdout carries only our JSON.
    out = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        if len(argv) != 2 or argv[0] not in ("read", "write"):
            raise Problem("usage", "usage: bridge read PATH | bridge write OUT_PATH < JSON")
        command, path = argv[0], Path(argv[1])
        if command == "read":
            try:
                plan = read(path)
            except Problem:
                raise
            except Exception as exc:  # MPXJ failing on part of the file, or a bug here
                traceback.print_exc()  # to stderr, for the server's log
                raise Problem("unreadable", f"The file could not be read: {_reasons(exc)}") from exc
            json.dump(plan.as_json(), out)
        else:
            try:
                data = ProjectData.from_json(json.load(sys.stdin))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise Problem("unwritable", f"The plan to write is not valid: {exc}") from exc
            try:
                write(data, path)
            except Problem:
                raise
            except Exception as exc:  # a Java exception from MPXJ's writer
                traceback.print_exc()
                raise Problem(
                    "unwritable", f"The plan could not be written: {_exception_text(exc)}"
                ) from exc
            json.dump({"written": str(path)}, out)
        return 0
    except Problem as problem:
        json.dump({"error": problem.kind, "message": problem.message}, out)
        return EXIT_PROBLEM
    finally:
        out.write("\n")
        out.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
