"""The Gantt chart's data: one row per milestone, grouped by workstream, plus the links.

The browser draws the chart (static/js/gantt-*.js) from this compact JSON, so the page stays
small at thousands of rows: rows are lists in ``COLUMNS`` order, dates are ISO strings.
Workstream summaries are lists in ``GROUP_COLUMNS`` order. See docs/gantt.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.domain.figures import is_late
from tracker.scheduling import MilestoneForecast, PlannedDependency, PlannedMilestone

COLUMNS = (
    "ref",
    "title",
    "workstream",
    "owner",
    "point",  # 1 for a point milestone (a diamond), 0 for an activity (a bar)
    "start",
    "due",
    "forecast_start",
    "forecast_due",
    "baseline_start",  # in the baseline shown; null when not in it (or none is shown)
    "baseline_due",
    "status",
    "rag",
    "float",  # null for a completed milestone: it has no float
    "category",  # complete, critical, driving or planned: picks the colour
    "late",  # 1 when overdue or forecast after its due date
    "completed_on",  # the actual date a completed milestone was done; null when open
    "overdue",  # 1 when due before today and not complete
)

GROUP_COLUMNS = (
    "code",
    "name",
    "first",  # index of the workstream's first row
    "count",
    "start",  # earliest planned or forecast start
    "end",  # latest forecast (or actual) finish
    "complete",  # share of its milestones complete, 0 to 100
    "rag",  # worst RAG of its milestones
)

# How each category is drawn and named in the legend (NHS identity colours).
CATEGORIES = {
    "critical": ("Critical path (float 0 or less)", "#d5281b"),
    "driving": ("Driving path to go-live", "#330072"),
    "planned": ("Planned", "#005eb8"),
    "complete": ("Complete", "#768692"),
}
RAG_ORDER = ("red", "amber", "green", "blue")  # worst first

BaselineDates = Mapping[str, tuple[date | None, date]]  # ref: (planned start, due)


@dataclass(frozen=True)
class GanttRow:
    milestone: MilestoneForecast
    planned: PlannedMilestone
    baseline_start: date | None
    category: str
    baseline_due: date | None = None  # in the baseline shown; None when not in it

    @property
    def start(self) -> date:
        return self.planned.planned_start or self.planned.due


def category(m: MilestoneForecast) -> str:
    if m.status == "complete":
        return "complete"
    if m.critical:
        return "critical"
    if m.on_driving_path:
        return "driving"
    return "planned"


def current_baseline_dates(
    milestones: Iterable[MilestoneForecast],
    planned: Mapping[str, PlannedMilestone],
    baseline_starts: Mapping[str, date | None],
) -> dict[str, tuple[date | None, date]]:
    """Each milestone's dates in the current baseline (the one slip is measured against)."""
    found: dict[str, tuple[date | None, date]] = {}
    for m in milestones:
        due = planned[m.ref].baseline_due
        if m.baseline_slip_days is not None and due is not None:
            found[m.ref] = (baseline_starts.get(m.ref), due)
    return found


def gantt_rows(
    milestones: Iterable[MilestoneForecast],
    planned: Mapping[str, PlannedMilestone],
    baseline_starts: Mapping[str, date | None],
    workstream_order: Sequence[str],
    *,
    baseline: BaselineDates | None = None,
) -> list[GanttRow]:
    """Rows grouped by workstream (in display order), then by planned start and due date.

    ``baseline`` holds the dates of the baseline to show; None shows the current one."""
    chosen = list(milestones)
    if baseline is None:
        baseline = current_baseline_dates(chosen, planned, baseline_starts)
    rank = {code: k for k, code in enumerate(workstream_order)}
    rows = []
    for m in chosen:
        start, due = baseline.get(m.ref, (None, None))
        rows.append(GanttRow(m, planned[m.ref], start or due, category(m), due))
    return sorted(
        rows,
        key=lambda r: (
            rank.get(r.milestone.workstream, len(rank)),
            r.start,
            r.planned.due,
            r.milestone.ref,
        ),
    )


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _group(code: str, name: str, first: int, rows: Sequence[GanttRow]) -> list[Any]:
    starts = [min(r.start, r.milestone.forecast_start) for r in rows]
    ends = [max(r.planned.due, r.milestone.forecast_due) for r in rows]
    done = sum(1 for r in rows if r.milestone.status == "complete")
    rags = {r.milestone.rag for r in rows}
    return [
        code,
        name,
        first,
        len(rows),
        min(starts).isoformat(),
        max(ends).isoformat(),
        round(100 * done / len(rows)),
        next((rag for rag in RAG_ORDER if rag in rags), "green"),
    ]


def chart_data(
    rows: Sequence[GanttRow],
    dependencies: Iterable[PlannedDependency],
    workstream_names: Mapping[str, str],
    *,
    today: date,
    go_live_target: date,
    forecast_go_live: date,
    driving_path: Sequence[str] = (),
    go_live_ref: str | None = None,
    baseline_label: str | None = None,
) -> dict[str, Any]:
    """JSON-ready data for static/js/gantt-*.js."""
    index = {r.milestone.ref: k for k, r in enumerate(rows)}
    groups: list[list[Any]] = []
    first = 0
    for k in range(1, len(rows) + 1):
        if k == len(rows) or rows[k].milestone.workstream != rows[first].milestone.workstream:
            code = rows[first].milestone.workstream
            groups.append(_group(code, workstream_names.get(code, code), first, rows[first:k]))
            first = k
    links = [
        [index[d.predecessor], index[d.successor], d.type, d.lag]
        for d in dependencies
        if d.predecessor in index and d.successor in index
    ]
    return {
        "columns": COLUMNS,
        "group_columns": GROUP_COLUMNS,
        "rows": [_row(r) for r in rows],
        "groups": groups,
        "links": links,
        "driving": [index[ref] for ref in driving_path if ref in index],
        "go_live": index.get(go_live_ref) if go_live_ref else None,
        "baseline": baseline_label,
        "categories": {key: list(value) for key, value in CATEGORIES.items()},
        "today": today.isoformat(),
        "go_live_target": go_live_target.isoformat(),
        "forecast_go_live": forecast_go_live.isoformat(),
    }


def _row(r: GanttRow) -> list[Any]:
    m, p = r.milestone, r.planned
    done = m.status == "complete"
    return [
        m.ref,
        m.title,
        m.workstream,
        m.owner,
        1 if p.kind == "point" else 0,
        r.start.isoformat(),
        p.due.isoformat(),
        m.forecast_start.isoformat(),
        m.forecast_due.isoformat(),
        _iso(r.baseline_start) if r.baseline_due else None,
        _iso(r.baseline_due),
        m.status,
        m.rag,
        None if done else m.total_float,  # a completed milestone has none
        r.category,
        1 if is_late(m) else 0,
        _iso(p.completed_on or m.forecast_due) if done else None,
        1 if m.overdue and not done else 0,
    ]
