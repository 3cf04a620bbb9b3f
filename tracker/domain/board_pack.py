"""The board pack's content as plain data, and what changed since the last pack.

The pack is the transition board's paper for one day (docs/board-pack.md): its figures come
from the same services and domain functions as the dashboard (services/board_pack.py gathers
them), so they are the dashboard's. What changed since the last pack compares two
`PackSnapshot`s: plain, JSON-able figures that issuing will keep with every issued pack.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from tracker.domain.figures import Progress, is_late, on_critical_path
from tracker.domain.risks import Cell
from tracker.domain.validation import FieldError, check_title
from tracker.scheduling import MilestoneForecast
from tracker.scheduling.calendar import WorkingCalendar

# A programme's protective marking unless it sets another (Government Security
# Classifications: most NHS board papers are OFFICIAL).
DEFAULT_MARKING = "OFFICIAL"
# The Government Security Classifications a programme's papers may carry (a transition's
# board papers are OFFICIAL; personal or commercial detail makes them OFFICIAL-SENSITIVE).
MARKINGS = (
    DEFAULT_MARKING,
    "OFFICIAL-SENSITIVE",
    "OFFICIAL-SENSITIVE: COMMERCIAL",
    "OFFICIAL-SENSITIVE: PERSONAL",
)
# "Key milestones due in the next four weeks", in calendar days after the position date.
NEXT_PERIOD_DAYS = 28
# Issues and decisions "since the last pack" when there is no last pack: four weeks.
SINCE_DAYS = 28
# The Gantt chart fits one A3 landscape page readably at about this many milestone rows; a
# bigger plan shows its driving and critical path and key milestones, up to this many.
GANTT_ROWS = 36
TOP_RISKS = 5
# Rows of each milestone table in the paper; the rest are counted, and on the milestone list.
TABLE_ROWS = 30


@dataclass(frozen=True)
class Headline:
    """Will we make go-live: the dashboard's headline figures."""

    status: str  # "on track", "at risk", "off track"
    forecast_go_live: date
    go_live_target: date
    slack: int  # working days of float on the critical path into go-live
    slip_days: int  # working days, forecast against target; positive = later
    baseline_slip_days: int | None
    baseline_label: str | None
    working_days_to_go_live: int
    after_go_live_warning: str | None
    chance: str | None  # "Chance of making 1 July 2022: 38 %"; None without an analysis
    chance_problem: str | None  # why there is no chance to show
    health_summary: str | None  # "9 of 12 checks pass"
    health_failing: tuple[str, ...]  # "Missing logic: 3 of 61 (4.9 %) (at most 5 %)"
    progress: Progress


@dataclass(frozen=True)
class WorkstreamLine:
    code: str
    name: str
    leads: str
    schedule_rag: str | None
    reported_rag: str | None
    reported_week: date | None
    achievements: str
    next_steps: str
    issues: str
    percent_complete: int
    complete: int
    total: int
    overdue: int


@dataclass(frozen=True)
class MilestoneLine:
    ref: str
    title: str
    workstream: str
    owner: str
    status: str
    due: date
    forecast_due: date
    slip_days: int
    rag: str
    is_key: bool
    overdue: bool


@dataclass(frozen=True)
class RiskEntry:
    ref: str
    title: str
    owner: str
    score: int
    band: str
    rag: str
    trend: str  # "up", "down", "same", "new" (since the last review)
    previous_score: int | None
    target_score: int


@dataclass(frozen=True)
class LogEntry:
    """An issue raised or a decision taken since the last pack."""

    ref: str
    on: date
    text: str
    owner: str
    status: str = ""  # an issue's "open" or "closed"; "" for a decision
    forum: str = ""  # a decision's forum


@dataclass(frozen=True)
class GanttPage:
    """The chart on its own page, with its text alternative."""

    svg: str
    shown: int  # milestone rows drawn
    total: int
    note: str
    driving_path: tuple[MilestoneLine, ...]  # into go-live, first to last
    critical: tuple[MilestoneLine, ...]  # open, critical or driving, and key


@dataclass(frozen=True)
class MilestoneSlip:
    ref: str
    title: str
    was: date
    now: date
    working_days: int


@dataclass(frozen=True)
class RiskRescore:
    ref: str
    was: int
    now: int


@dataclass(frozen=True)
class Changes:
    """What changed since the last pack; `first` with nothing listed when there is none."""

    first: bool
    previous_position: date | None = None
    completed: tuple[str, ...] = ()
    slipped: tuple[MilestoneSlip, ...] = ()
    new_risks: tuple[tuple[str, int], ...] = ()  # ref, score
    rescored: tuple[RiskRescore, ...] = ()
    go_live_was: date | None = None
    chance_was: int | None = None

    @property
    def nothing(self) -> bool:
        return not (self.completed or self.slipped or self.new_risks or self.rescored)


@dataclass(frozen=True)
class PackSnapshot:
    """The figures a pack is compared on, as plain data issuing stores with the pack."""

    position_at: date
    go_live_forecast: date | None
    chance: int | None  # whole percent of making go-live; None without an analysis
    milestones: Mapping[str, tuple[str, date]] = field(default_factory=dict)  # status, forecast
    risks: Mapping[str, int] = field(default_factory=dict)  # open risks' scores
    titles: Mapping[str, str] = field(default_factory=dict)  # milestone ref -> title

    def as_json(self) -> dict[str, Any]:
        """The snapshot as JSON-able data (dates as ISO strings)."""
        return {
            "position_at": self.position_at.isoformat(),
            "go_live_forecast": _iso(self.go_live_forecast),
            "chance": self.chance,
            "milestones": {
                ref: [status, due.isoformat()] for ref, (status, due) in self.milestones.items()
            },
            "risks": dict(self.risks),
            "titles": dict(self.titles),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PackSnapshot:
        """The snapshot `as_json` gave."""
        day = date.fromisoformat
        forecast = data.get("go_live_forecast")
        return cls(
            position_at=day(data["position_at"]),
            go_live_forecast=day(forecast) if forecast else None,
            chance=data.get("chance"),
            milestones={
                str(ref): (str(status), day(due))
                for ref, (status, due) in data.get("milestones", {}).items()
            },
            risks={str(ref): int(score) for ref, score in data.get("risks", {}).items()},
            titles={str(ref): str(t) for ref, t in data.get("titles", {}).items()},
        )


@dataclass(frozen=True)
class BoardPack:
    """Everything the pack shows, in its order: cover, headline, workstreams, the Gantt chart,
    milestones, risks, issues and decisions, what changed."""

    programme: str
    slug: str
    from_organisation: str
    to_organisation: str
    position_at: date
    prepared_by: str
    marking: str
    since: date  # issues and decisions from this day on
    headline: Headline | None  # None when the programme has no milestones yet
    workstreams: tuple[WorkstreamLine, ...]
    gantt: GanttPage | None
    due_next: tuple[MilestoneLine, ...]  # key milestones due in the next four weeks
    next_until: date
    overdue: tuple[MilestoneLine, ...]
    late: tuple[MilestoneLine, ...]  # forecast after their due date, not yet overdue
    risks: tuple[RiskEntry, ...]
    open_risks: int
    heatmap: tuple[tuple[Cell, ...], ...]  # likelihood 5 to 1, consequence 1 to 5
    issues: tuple[LogEntry, ...]
    decisions: tuple[LogEntry, ...]
    changes: Changes
    snapshot: PackSnapshot
    table_rows: int = TABLE_ROWS

    @property
    def title(self) -> str:
        """The document's title: "Kent and Medway ...: board pack, position at 4 April 2022"."""
        return f"{self.programme}: board pack, position at {_long(self.position_at)}"


def issued_title(board_date: date) -> str:
    """An issued pack's usual title: "Board pack for the board of 14 April 2022"."""
    return f"Board pack for the board of {_long(board_date)}"


def issuing_problems(
    board_date: date | None,
    title: str,
    today: date,
    previous_board_date: date | None,
) -> list[FieldError]:
    """What stops a pack being issued for this board, each by its field: a board date is
    needed, on or after today (a pack goes to a board still to meet) and not before the
    last issued pack's board; the title fits one line."""
    problems = []
    if board_date is None:
        problems.append(FieldError("board_date", "Enter the date of the board meeting"))
    elif board_date < today:
        problems.append(
            FieldError(
                "board_date",
                f"The board meets on or after today ({_long(today)}): "
                f"{_long(board_date)} has passed",
            )
        )
    elif previous_board_date is not None and board_date < previous_board_date:
        problems.append(
            FieldError(
                "board_date",
                "The board date cannot be before the last issued pack's board, "
                f"{_long(previous_board_date)}",
            )
        )
    problems += check_title("title", title, "title")
    return problems


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _long(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def milestone_line(m: MilestoneForecast) -> MilestoneLine:
    return MilestoneLine(
        ref=m.ref,
        title=m.title,
        workstream=m.workstream,
        owner=m.owner,
        status=m.status,
        due=m.due,
        forecast_due=m.forecast_due,
        slip_days=m.slip_days,
        rag=m.rag,
        is_key=m.is_key,
        overdue=m.overdue,
    )


def due_next(
    milestones: Iterable[MilestoneForecast], today: date, days: int = NEXT_PERIOD_DAYS
) -> list[MilestoneForecast]:
    """Open key milestones due after today and within `days`, soonest first."""
    until = today + timedelta(days=days)
    chosen = [
        m for m in milestones if m.is_key and m.status != "complete" and today < m.due <= until
    ]
    return sorted(chosen, key=lambda m: (m.due, m.ref))


def late_not_overdue(milestones: Iterable[MilestoneForecast]) -> list[MilestoneForecast]:
    """Open milestones not yet due but forecast after their due date, most slip first."""
    chosen = [m for m in milestones if is_late(m) and not m.overdue]
    return sorted(chosen, key=lambda m: (-m.slip_days, m.due, m.ref))


def gantt_selection(
    milestones: Sequence[MilestoneForecast],
    driving_path: Sequence[str],
    limit: int = GANTT_ROWS,
) -> list[MilestoneForecast]:
    """The milestones the pack's chart draws: all of them when they fit its page; else the
    driving path into go-live first, then the open critical ones, then key ones (soonest
    forecast first), up to `limit`."""
    if len(milestones) <= limit:
        return list(milestones)
    by_ref = {m.ref: m for m in milestones}
    chosen: dict[str, MilestoneForecast] = {}
    for ref in driving_path:
        if ref in by_ref:
            chosen.setdefault(ref, by_ref[ref])
    order = sorted(milestones, key=lambda m: (m.forecast_due, m.ref))
    for wanted in (on_critical_path, lambda m: m.is_key and m.status != "complete"):
        for m in order:
            if wanted(m):
                chosen.setdefault(m.ref, m)
    return list(chosen.values())[:limit]


def snapshot(
    position_at: date,
    milestones: Iterable[MilestoneForecast],
    risks: Mapping[str, int],
    go_live_forecast: date | None,
    chance: int | None,
) -> PackSnapshot:
    """The figures of a pack that the next pack compares itself with."""
    listed = list(milestones)
    return PackSnapshot(
        position_at=position_at,
        go_live_forecast=go_live_forecast,
        chance=chance,
        milestones={m.ref: (m.status, m.forecast_due) for m in listed},
        risks=dict(risks),
        titles={m.ref: m.title for m in listed},
    )


def changes_since(
    previous: PackSnapshot | None, now: PackSnapshot, calendar: WorkingCalendar
) -> Changes:
    """What changed from the previous pack's figures to these: milestones completed since,
    milestones whose forecast moved later (by how many working days on `calendar`), risks
    new to the register's open list and risks whose score changed. With no previous pack,
    `first` and nothing listed."""
    if previous is None:
        return Changes(first=True)
    completed, slipped = [], []
    for ref, (status, forecast) in now.milestones.items():
        before = previous.milestones.get(ref)
        if before is None:
            continue
        was_status, was_forecast = before
        if status == "complete" and was_status != "complete":
            completed.append(ref)
        elif status != "complete" and forecast > was_forecast:
            title = now.titles.get(ref, "")
            days = calendar.working_days_between(was_forecast, forecast)
            slipped.append(MilestoneSlip(ref, title, was_forecast, forecast, days))
    new_risks = [(ref, score) for ref, score in now.risks.items() if ref not in previous.risks]
    rescored = [
        RiskRescore(ref, previous.risks[ref], score)
        for ref, score in now.risks.items()
        if ref in previous.risks and previous.risks[ref] != score
    ]
    return Changes(
        first=False,
        previous_position=previous.position_at,
        completed=tuple(sorted(completed)),
        slipped=tuple(sorted(slipped, key=lambda s: (-s.working_days, s.ref))),
        new_risks=tuple(sorted(new_risks, key=lambda r: (-r[1], r[0]))),
        rescored=tuple(sorted(rescored, key=lambda r: (-abs(r.now - r.was), r.ref))),
        go_live_was=previous.go_live_forecast,
        chance_was=previous.chance,
    )
