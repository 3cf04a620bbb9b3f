"""A Microsoft Project plan (ProjectData) mapped onto a programme: workstreams, milestones,
links, baselines and closure days, with everything not carried over listed.

Plain Python: the service (tracker/services/project_import.py) gives what the programme
holds now as an ImportContext, and checks the milestones and links this makes with the
spreadsheet import's own checks (tracker/domain/plan_sheets), so a Project file obeys every
rule a spreadsheet does and its preview reads the same. The decisions are in
docs/microsoft-project.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from tracker.domain.plan_sheets.records import DependencyRecord, MilestoneRecord
from tracker.domain.project_data import LINK_TYPES, ProjectData, Span, Task
from tracker.domain.text import listed
from tracker.domain.validation import CODE_PATTERN, REF_PATTERN, format_date

TITLE_LIMIT = 200
WORKSTREAM_NAME_LIMIT = 100
# Where top-level tasks that sit under no summary task go.
LOOSE_TASKS_WORKSTREAM = "Programme-level tasks"
BASELINE_NAMES = {0: "Project Baseline", **{n: f"Project Baseline{n}" for n in range(1, 11)}}
# Project's working-time units, in minutes given the file's own minutes per day and week.
_WORKING_UNITS = {"MINUTES", "HOURS", "DAYS", "WEEKS", "MONTHS", "YEARS"}
_ELAPSED_MINUTES = {
    "ELAPSED_MINUTES": 1,
    "ELAPSED_HOURS": 60,
    "ELAPSED_DAYS": 24 * 60,
    "ELAPSED_WEEKS": 7 * 24 * 60,
    "ELAPSED_MONTHS": 30 * 24 * 60,
    "ELAPSED_YEARS": 365 * 24 * 60,
}


@dataclass(frozen=True)
class ImportContext:
    """What the programme holds now, as the mapping needs it."""

    workstreams: Mapping[str, str]  # code -> name, retired ones too
    milestone_uids: Mapping[int, str]  # Project UID -> the milestone's ref
    refs: frozenset[str]  # every milestone ref in the programme
    people: Mapping[str, tuple[str, ...]]  # a name, lower case -> the email of each so named
    default_owner: str  # the importing person's email: owner where no resource matches
    is_working_day: Callable[[date], bool]  # the programme's calendar, closures included
    holiday_name: Callable[[date], str | None]  # the region's bank holiday on a day, if any
    baselines: frozenset[str] = frozenset()  # baseline labels already taken
    # The outline level whose summary tasks become workstreams (1: the top level).
    workstream_level: int = 1
    # Each stored baseline's dates: ref -> (planned start, due), by label.
    baseline_dates: Mapping[str, Mapping[str, tuple[date | None, date]]] = field(
        default_factory=dict
    )
    # A milestone already in the tracker keeps its owner where no resource names a person,
    # and stays blocked where the file has it not done (Project has no "blocked").
    owners: Mapping[str, str] = field(default_factory=dict)  # ref -> email
    blocked: Mapping[str, str] = field(default_factory=dict)  # ref -> the reason


@dataclass(frozen=True)
class ImportedBaseline:
    label: str
    dates: Mapping[str, tuple[date | None, date]]  # ref -> (planned start, due)


@dataclass(frozen=True)
class ProjectImport:
    """What the file would make of the programme, before the sheet checks."""

    new_workstreams: tuple[tuple[str, str], ...]  # (code, name)
    milestones: tuple[MilestoneRecord, ...]
    dependencies: tuple[DependencyRecord, ...]
    uids: Mapping[str, int]  # ref -> Project UID
    task_words: Mapping[str, str]  # ref -> "task 12, Close the ledger" for messages
    baselines: tuple[ImportedBaseline, ...] = ()
    closures: tuple[date, ...] = ()
    unmatched_resources: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()  # carried over, but not exactly: each says how
    problems: tuple[str, ...] = ()  # what stops the import
    not_carried: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def fingerprint_parts(self) -> tuple[object, ...]:
        """What confirming does besides the milestones and links the sheet check compares."""
        return (
            self.new_workstreams,
            tuple(sorted(self.uids.items())),
            tuple((b.label, tuple(sorted(b.dates.items()))) for b in self.baselines),
            self.closures,
        )


def task_words(task: Task) -> str:
    number = task.id if task.id is not None else task.uid
    return f"task {number}, {task.name or '(no name)'}"


def working_days(span: Span, project: ProjectData) -> tuple[float, str | None]:
    """A duration or lag in working days, and what is inexact about it (None: exact).

    Working units convert by the file's own minutes per day, per week and days per month;
    elapsed units by five working days in seven (a warning says so); a percentage is not a
    length of time at all and raises ValueError."""
    unit = span.unit.upper()
    per_day = project.minutes_per_day or 480
    if unit in _WORKING_UNITS:
        minutes = {
            "MINUTES": span.value,
            "HOURS": span.value * 60,
            "DAYS": span.value * per_day,
            "WEEKS": span.value * (project.minutes_per_week or per_day * 5),
            "MONTHS": span.value * per_day * (project.days_per_month or 20),
            "YEARS": span.value * per_day * (project.days_per_month or 20) * 12,
        }[unit]
        return minutes / per_day, None
    if unit in _ELAPSED_MINUTES:
        days = span.value * _ELAPSED_MINUTES[unit] / (24 * 60)
        return days * 5 / 7, "an elapsed (calendar) time, taken as five working days in seven"
    raise ValueError(f"a {span.unit.lower().replace('_', ' ')} lag")


def _whole(days: float) -> tuple[int, bool]:
    whole = round(days)
    return whole, abs(days - whole) > 1e-6


def _day(moment: datetime | None) -> date | None:
    return None if moment is None else moment.date()


def _finish_day(moment: datetime, is_working: Callable[[date], bool]) -> date:
    """The working day a Project finish falls in: a finish at the very start of a day (00:00
    up to 08:00, before work starts) ends the working day before."""
    day = moment.date()
    if moment.time() <= time(8, 0):
        back = day - timedelta(days=1)
        for _ in range(30):
            if is_working(back):
                return back
            back -= timedelta(days=1)
    return day


def _code_for(name: str, taken: set[str]) -> str:
    """A workstream code from its name: the initials (or the first letters of one word),
    2 to 10 capitals, made unique with a number."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", name) if w]
    letters = "".join(w[0] for w in words if w[0].isalpha()).upper()
    if len(letters) < 2:
        letters = re.sub(r"[^A-Za-z]", "", name).upper()[:3]
    letters = (letters or "WS")[:6]
    if len(letters) < 2:
        letters = (letters + "WS")[:2]
    code, n = letters, 2
    while code in taken or not CODE_PATTERN.match(code):
        code, n = f"{letters[:8]}{n}", n + 1
    taken.add(code)
    return code


def map_project(project: ProjectData, context: ImportContext) -> ProjectImport:
    """The programme's side of the file: see docs/microsoft-project.md for each rule."""
    tasks = [t for t in project.tasks if t.uid != 0 and not t.null]
    if not any(not t.summary for t in tasks):
        return ProjectImport(
            (), (), (), {}, {}, problems=("The file has no tasks: there is nothing to import.",)
        )
    by_uid = {t.uid: t for t in tasks}
    warnings: list[str] = []
    problems: list[str] = []
    not_carried: dict[str, list[str]] = {k: list(v) for k, v in project.not_carried.items()}

    def not_kept(kind: str, words: str) -> None:
        not_carried.setdefault(kind, []).append(words)

    # Workstreams: the summary tasks at the chosen outline level (the top, unless chosen),
    # matched to the programme's by the code the export wrote, or by name.
    by_name = {name.strip().lower(): code for code, name in context.workstreams.items()}
    taken = set(context.workstreams)
    new_workstreams: list[tuple[str, str]] = []
    code_of: dict[int, str] = {}

    def workstream(name: str, code_given: str | None = None) -> str:
        """The workstream of that code (the tracker's export writes it) or name, else new."""
        if code_given is not None and code_given in context.workstreams:
            return code_given
        name = name.strip()[:WORKSTREAM_NAME_LIMIT] or "Unnamed summary task"
        code = by_name.get(name.lower())
        if code is None:
            code = _code_for(name, taken)
            by_name[name.lower()] = code
            new_workstreams.append((code, name))
        return code

    level = max(1, context.workstream_level)

    def home(task: Task) -> Task | None:
        """The summary task at the workstreams' outline level that holds the task (or is
        it); None for a task above that level."""
        seen: Task | None = task
        for _ in range(100):
            if seen is None:
                return None
            if seen.summary and seen.outline_level == level:
                return seen
            seen = by_uid.get(seen.parent_uid) if seen.parent_uid is not None else None
        return None

    def code_for(task: Task) -> str:
        found = home(task)
        return code_of[found.uid] if found is not None else workstream(LOOSE_TASKS_WORKSTREAM)

    above = below = 0
    for t in tasks:
        if t.summary and t.outline_level == level:
            code_of[t.uid] = workstream(t.name, t.tracker_ref)
        elif t.summary and t.outline_level < level:
            above += 1
        elif t.summary:
            below += 1
    if below:
        not_kept(
            "Outline",
            f"{below} summary task{'s' if below != 1 else ''} below outline level {level}: "
            f"their tasks join the workstream of the level-{level} summary above them",
        )
    if above:
        not_kept(
            "Outline",
            f"{above} summary task{'s' if above != 1 else ''} above outline level {level}: "
            "not kept (each summary task at that level is a workstream)",
        )

    # Milestones: every task that is not a summary.
    refs_used = set(context.refs)
    next_number: dict[str, int] = {}

    def new_ref(code: str) -> str:
        n = next_number.get(code, 1)
        while f"{code}-{n:02d}" in refs_used:
            n += 1
        next_number[code] = n + 1
        ref = f"{code}-{n:02d}"
        refs_used.add(ref)
        return ref

    # A task keeps the milestone it was matched to by UID; one the tracker exported keeps
    # its reference (the custom field) unless another milestone holds it; others get new.
    ref_of: dict[int, str] = {}
    by_tracker_ref: set[int] = set()
    held_by_uid = set(context.milestone_uids.values())
    for t in tasks:
        if t.summary:
            continue
        ref = context.milestone_uids.get(t.uid)
        given = t.tracker_ref
        if ref is None and given and REF_PATTERN.match(given) and given not in held_by_uid:
            ref = given
        if ref is not None and ref not in ref_of.values():
            ref_of[t.uid] = ref
            if ref == given and ref in context.refs and t.uid not in context.milestone_uids:
                by_tracker_ref.add(t.uid)
    refs_used |= set(ref_of.values())
    for t in tasks:
        if t.summary or t.uid in ref_of:
            continue
        ref_of[t.uid] = new_ref(code_for(t))

    unmatched: list[str] = []
    ambiguous: list[str] = []
    milestones: list[MilestoneRecord] = []
    words: dict[str, str] = {}
    constraints: dict[str, list[str]] = {}
    for t in tasks:
        if t.summary:
            continue
        ref = ref_of[t.uid]
        words[ref] = task_words(t)
        code = code_for(t)
        record = _milestone(t, ref, code, project, context, warnings, problems)
        if record is None:
            continue
        owner = None
        current = context.owners.get(ref)
        for name in t.resources:
            named = context.people.get(name.strip().lower(), ())
            # Two people may share a name: the milestone's own owner if one of them, else
            # only a name that is one person's.
            owner = current if current in named else named[0] if len(named) == 1 else None
            if owner:
                break
            if len(named) > 1 and name not in ambiguous:
                ambiguous.append(name)
            elif not named and name not in unmatched:
                unmatched.append(name)
        owner = owner or current or context.default_owner
        record = replace(record, owner_email=owner)
        if ref in context.blocked and record.status != "complete":
            record = replace(record, status="blocked", blocked_reason=context.blocked[ref])
        milestones.append(record)
        if t.constraint not in ("ASAP", "SNET", "FNET"):
            constraints.setdefault(t.constraint, []).append(words[ref])
        if t.deadline is not None:
            not_kept("Deadlines", f"{words[ref]}: deadline {format_date(t.deadline.date())}")
    for kind, names in constraints.items():
        meaning = {
            "MSO": "must start on: kept as its planned start, which the tracker holds as "
            "'no earlier than'",
            "MFO": "must finish on: kept as its due date, which the tracker holds as 'no "
            "earlier than'",
            "ALAP": "as late as possible: scheduled as soon as possible",
            "SNLT": "start no later than: not kept",
            "FNLT": "finish no later than: not kept",
        }.get(kind, "not kept")
        not_kept("Constraints", f"{kind} ({meaning}): {listed(names)}")

    if ambiguous:
        warnings.append(
            f"{listed(ambiguous)} each name more than one person in the tracker: their tasks "
            "keep their owner (new ones are owned by you); choose the owner on the milestone"
        )
    dependencies = _links(project, ref_of, by_uid, warnings, problems, not_kept)
    baselines, repeated = _baselines(tasks, ref_of, context)
    if repeated:
        not_kept("Baselines", f"{listed(repeated)}: already in the tracker, not imported again")
    closures = sorted(
        day
        for day in (project.calendar.non_working if project.calendar else ())
        if day.weekday() < 5 and context.holiday_name(day) is None and context.is_working_day(day)
    )
    if project.calendar and project.calendar.working:
        not_kept(
            "Calendar",
            "working exceptions (days worked that are usually not): "
            + listed([format_date(d) for d in project.calendar.working]),
        )
    return ProjectImport(
        new_workstreams=tuple(new_workstreams),
        milestones=tuple(milestones),
        dependencies=tuple(dependencies),
        # A milestone found by the reference the tracker's export wrote keeps being found
        # by it; the others are found by their UID next time.
        uids={ref: uid for uid, ref in ref_of.items() if uid not in by_tracker_ref},
        task_words=words,
        baselines=tuple(baselines),
        closures=tuple(closures),
        unmatched_resources=tuple(unmatched),
        warnings=tuple(warnings),
        problems=tuple(problems),
        not_carried={k: tuple(v) for k, v in not_carried.items() if v},
    )


def _milestone(
    t: Task,
    ref: str,
    code: str,
    project: ProjectData,
    context: ImportContext,
    warnings: list[str],
    problems: list[str],
) -> MilestoneRecord | None:
    what = task_words(t)
    if t.finish is None:
        problems.append(f"{what}: it has no finish date")
        return None
    point = t.milestone or (t.duration is not None and t.duration.value == 0)
    due = _finish_day(t.finish, context.is_working_day) if not point else t.finish.date()
    start = None
    if not point:
        start = _day(t.start) or due
        if start > due:
            start = due
    title = t.name.strip() or f"Task {t.uid}"
    if len(title) > TITLE_LIMIT:
        warnings.append(f"{what}: its name is cut to {TITLE_LIMIT} characters")
        title = title[:TITLE_LIMIT]
    done = t.percent_complete >= 100 or t.actual_finish is not None
    started = t.actual_start is not None or t.percent_complete > 0
    status = "complete" if done else "in_progress" if started else "not_started"
    completed_on = None
    if done:
        completed_on = _day(t.actual_finish) or due
    return MilestoneRecord(
        ref=ref,
        title=title,
        description=t.notes.strip(),
        workstream=code,
        owner_email=context.default_owner,
        kind="point" if point else "activity",
        planned_start=start,
        due_date=due,
        status=status,
        completed_on=completed_on,
        forecast_date=None,
        forecast_reason=None,
        blocked_reason=None,
        is_key=False,
        evidence_text=None,
        evidence_url=None,
    )


def _links(
    project: ProjectData,
    ref_of: Mapping[int, str],
    by_uid: Mapping[int, Task],
    warnings: list[str],
    problems: list[str],
    not_kept: Callable[[str, str], None],
) -> list[DependencyRecord]:
    found: dict[tuple[str, str, str], DependencyRecord] = {}
    summary_links = 0
    for link in project.links:
        pred, succ = by_uid.get(link.predecessor_uid), by_uid.get(link.successor_uid)
        if pred is None or succ is None:
            continue
        if pred.summary or succ.summary:
            summary_links += 1
            continue
        kind = link.type.upper()
        label = f"the link from {task_words(pred)} to {task_words(succ)}"
        if kind not in LINK_TYPES:
            problems.append(f"{label}: '{link.type}' is not a link type (FS, SS, FF or SF)")
            continue
        try:
            days, inexact = working_days(link.lag, project)
        except ValueError as exc:
            problems.append(
                f"{label} has {exc} ({link.lag.value:g} {link.lag.unit.lower()}): the "
                "tracker keeps lags in working days; change it to days in Project"
            )
            continue
        lag, rounded = _whole(days)
        if inexact:
            warnings.append(f"{label}: its lag is {inexact}: {lag} working days")
        elif rounded:
            warnings.append(
                f"{label}: its lag of {days:g} working days is rounded to {lag} (the tracker "
                "counts whole working days)"
            )
        record = DependencyRecord(ref_of[pred.uid], ref_of[succ.uid], kind, lag)
        found.setdefault(record.key, record)
    if summary_links:
        not_kept(
            "Links",
            f"{summary_links} link{'s' if summary_links != 1 else ''} to or from a summary "
            "task (a workstream in the tracker): link the tasks themselves instead",
        )
    return list(found.values())


def _baselines(
    tasks: list[Task], ref_of: Mapping[int, str], context: ImportContext
) -> tuple[list[ImportedBaseline], list[str]]:
    """The file's baselines that the tracker does not hold yet, and the names of those it
    does: one of that name, or one with the same dates (a baseline the tracker exported)."""
    dates: dict[int, dict[str, tuple[date | None, date]]] = {}
    for t in tasks:
        if t.summary:
            continue
        for b in t.baselines:
            if b.finish is None:
                continue
            point = t.milestone or (b.duration is not None and b.duration.value == 0)
            due = b.finish.date() if point else _finish_day(b.finish, context.is_working_day)
            start = None if point else min(_day(b.start) or due, due)
            dates.setdefault(b.number, {})[ref_of[t.uid]] = (start, due)
    new: list[ImportedBaseline] = []
    repeated: list[str] = []
    for n, found in sorted(dates.items()):
        if n not in BASELINE_NAMES:
            continue
        name = BASELINE_NAMES[n]
        same = any(
            all(held.get(ref) == when for ref, when in found.items())
            for held in context.baseline_dates.values()
        )
        if name in context.baselines or same:
            repeated.append(name)
        else:
            new.append(ImportedBaseline(name, found))
    return new, repeated
