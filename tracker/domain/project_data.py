"""A Microsoft Project plan as plain data: what the MPXJ bridge reads out of a .mpp or
MSPDI file, and what it writes one from (tracker/project_files/bridge.py).

No Flask, no SQLAlchemy, no Java: the bridge runs MPXJ in its own process and speaks this
shape as JSON (`as_json` / `from_json`), so the mapping to and from the tracker's plan
(tracker/domain/project_import.py, project_export.py) is tested on plain values.

Durations and lags stay in Project's own units (`Span`: a value and MPXJ's TimeUnit name,
such as DAYS, HOURS, ELAPSED_DAYS or PERCENT), with the project's minutes per day, per week
and days per month beside them, so converting to working days is the domain's decision.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

# The custom task field the export writes each milestone's reference to, and its alias.
TRACKER_REF_FIELD = "TEXT1"
TRACKER_REF_ALIAS = "Tracker ref"
# Relation types as Project names them; the tracker models all four.
LINK_TYPES = ("FS", "SS", "FF", "SF")
# Constraint types, by MPXJ's ConstraintType name shortened the way Project's column shows.
CONSTRAINTS = {
    "AS_SOON_AS_POSSIBLE": "ASAP",
    "AS_LATE_AS_POSSIBLE": "ALAP",
    "MUST_START_ON": "MSO",
    "MUST_FINISH_ON": "MFO",
    "START_NO_EARLIER_THAN": "SNET",
    "START_NO_LATER_THAN": "SNLT",
    "FINISH_NO_EARLIER_THAN": "FNET",
    "FINISH_NO_LATER_THAN": "FNLT",
}


@dataclass(frozen=True)
class Span:
    """A duration or lag as Project stores it: `value` in `unit` (MPXJ TimeUnit name)."""

    value: float
    unit: str  # MINUTES HOURS DAYS WEEKS MONTHS YEARS, ELAPSED_..., PERCENT, ELAPSED_PERCENT


@dataclass(frozen=True)
class Baseline:
    """A task's dates in one of Project's baselines: number 0 is "Baseline", 1-10 are
    "Baseline1".."Baseline10"."""

    number: int
    start: datetime | None
    finish: datetime | None
    duration: Span | None = None


@dataclass(frozen=True)
class Link:
    predecessor_uid: int
    successor_uid: int
    type: str  # FS SS FF SF
    lag: Span


@dataclass(frozen=True)
class Task:
    uid: int
    id: int | None
    name: str
    outline_level: int
    parent_uid: int | None
    summary: bool
    milestone: bool  # Project's Milestone flag (usually a zero duration)
    duration: Span | None
    start: datetime | None  # as Project last scheduled it
    finish: datetime | None
    early_start: datetime | None = None
    early_finish: datetime | None = None
    total_slack: Span | None = None
    percent_complete: float = 0.0
    actual_start: datetime | None = None
    actual_finish: datetime | None = None
    constraint: str = "ASAP"  # CONSTRAINTS' values
    constraint_date: datetime | None = None
    deadline: datetime | None = None
    notes: str = ""
    wbs: str | None = None
    resources: tuple[str, ...] = ()  # names of the resources assigned
    baselines: tuple[Baseline, ...] = ()
    manual: bool = False  # manually scheduled
    null: bool = False  # a blank row in Project's table
    # The tracker's reference, in the custom field the tracker's export writes it to
    # (TRACKER_REF_FIELD, its alias TRACKER_REF_ALIAS): how an exported plan comes back.
    tracker_ref: str | None = None


@dataclass(frozen=True)
class Calendar:
    """The project's calendar: its working weekdays (0 = Monday) and its exceptions."""

    name: str
    working_weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    non_working: tuple[date, ...] = ()  # exception days that are not worked
    working: tuple[date, ...] = ()  # exception days that are worked (a Saturday opened)


@dataclass(frozen=True)
class ProjectData:
    """One project file's plan."""

    name: str
    file_format: str  # MPXJ's FileFormat or reader name, such as MSPDI or MPP
    start: datetime | None
    minutes_per_day: int = 480
    minutes_per_week: int = 2400
    days_per_month: int = 20
    calendar: Calendar | None = None
    tasks: tuple[Task, ...] = ()
    links: tuple[Link, ...] = ()
    resources: tuple[str, ...] = ()  # every resource's name, assigned or not
    # What the file holds that the tracker does not carry over, in words, by kind:
    # {"Costs": ["12 tasks have a cost"], "Custom fields": ["Text1 (RAG)"], ...}
    not_carried: dict[str, list[str]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return _plain(asdict(self))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProjectData:
        cal = data.get("calendar")
        return cls(
            name=str(data.get("name") or ""),
            file_format=str(data.get("file_format") or ""),
            start=_when(data.get("start")),
            minutes_per_day=int(data.get("minutes_per_day") or 480),
            minutes_per_week=int(data.get("minutes_per_week") or 2400),
            days_per_month=int(data.get("days_per_month") or 20),
            calendar=None
            if cal is None
            else Calendar(
                name=str(cal.get("name") or ""),
                working_weekdays=tuple(int(d) for d in cal.get("working_weekdays", ())),
                non_working=tuple(date.fromisoformat(d) for d in cal.get("non_working", ())),
                working=tuple(date.fromisoformat(d) for d in cal.get("working", ())),
            ),
            tasks=tuple(_task(t) for t in data.get("tasks", ())),
            links=tuple(
                Link(
                    int(x["predecessor_uid"]),
                    int(x["successor_uid"]),
                    str(x["type"]),
                    _span(x["lag"]) or Span(0, "DAYS"),
                )
                for x in data.get("links", ())
            ),
            resources=tuple(str(r) for r in data.get("resources", ())),
            not_carried={
                str(k): [str(v) for v in vs] for k, vs in data.get("not_carried", {}).items()
            },
        )


def _task(t: dict[str, Any]) -> Task:
    return Task(
        uid=int(t["uid"]),
        id=None if t.get("id") is None else int(t["id"]),
        name=str(t.get("name") or ""),
        outline_level=int(t.get("outline_level") or 0),
        parent_uid=None if t.get("parent_uid") is None else int(t["parent_uid"]),
        summary=bool(t.get("summary")),
        milestone=bool(t.get("milestone")),
        duration=_span(t.get("duration")),
        start=_when(t.get("start")),
        finish=_when(t.get("finish")),
        early_start=_when(t.get("early_start")),
        early_finish=_when(t.get("early_finish")),
        total_slack=_span(t.get("total_slack")),
        percent_complete=float(t.get("percent_complete") or 0),
        actual_start=_when(t.get("actual_start")),
        actual_finish=_when(t.get("actual_finish")),
        constraint=str(t.get("constraint") or "ASAP"),
        constraint_date=_when(t.get("constraint_date")),
        deadline=_when(t.get("deadline")),
        notes=str(t.get("notes") or ""),
        wbs=t.get("wbs"),
        resources=tuple(str(r) for r in t.get("resources", ())),
        baselines=tuple(
            Baseline(
                int(b["number"]),
                _when(b.get("start")),
                _when(b.get("finish")),
                _span(b.get("duration")),
            )
            for b in t.get("baselines", ())
        ),
        manual=bool(t.get("manual")),
        null=bool(t.get("null")),
        tracker_ref=t.get("tracker_ref") or None,
    )


def _span(value: Any) -> Span | None:
    if value is None:
        return None
    return Span(float(value["value"]), str(value["unit"]))


def _when(value: Any) -> datetime | None:
    return None if value in (None, "") else datetime.fromisoformat(str(value))


def _plain(value: Any) -> Any:
    """asdict's output with dates as ISO text and tuples as lists, for JSON."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value
